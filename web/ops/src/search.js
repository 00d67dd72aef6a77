// The search box in the header: always in view, `/` or Ctrl+K to reach it. It asks the server
// (`GET /api/v1/cases?q=`: reference, phone in any format, passport, names in either script)
// and shows its ranked answer with enough to tell people apart: names and ages, place, status,
// time waiting, reference and what matched. Enter or a click opens the case. It searches
// nothing itself.
import { api } from './api.js';
import { duration, footer } from './board.js';
import { h, isolated, isolatedLtr, joined } from '../../shared/dom.js';
import { t } from './i18n.js';
import { people } from './table.js';
import { minutesWaiting } from './state.js';

const RESULTS = 10;
const PAUSE_MS = 200;

/** Mount the box in `element`; `onOpen(caseId)` opens a case. `merge(summaries)` files them.
 * Returns `{input, onEvent(event), unmount()}`. */
export function mountSearch(element, { onOpen, merge }) {
  const input = h('input', {
    type: 'search',
    name: 'search',
    autocomplete: 'off',
    maxlength: 200,
    placeholder: t('searchPlaceholder'),
    'aria-label': t('search'),
    'aria-controls': 'search-results',
    'aria-expanded': 'false',
    role: 'combobox',
  });
  const results = h('ol', { id: 'search-results', class: 'search-results', role: 'listbox', hidden: true });
  element.replaceChildren(h('div', { class: 'search', role: 'search' }, input, h('kbd', { class: 'shortcut' }, '/'), results));

  let found = [];
  let chosen = 0;
  let timer = null;
  let asked = 0; // the latest question: answers to older ones are dropped
  let answered = null; // the text `found` answers

  const close = () => {
    results.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  };
  const open = (caseId) => {
    close();
    onOpen(caseId);
  };

  function draw(state) {
    results.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (state) {
      results.replaceChildren(h('li', { class: 'search-state' }, state));
      return;
    }
    if (!found.length) {
      results.replaceChildren(h('li', { class: 'search-state' }, t('noResults')));
      return;
    }
    const now = Date.now();
    results.replaceChildren(
      ...found.map((c, i) =>
        h(
          'li',
          {
            role: 'option',
            id: `search-result-${i}`,
            class: `search-result level-${c.priority.level}`,
            'aria-selected': String(i === chosen),
            dataset: { caseId: c.case_id, reference: c.reference },
            onmousedown: (e) => e.preventDefault(), // keep the focus in the box
            onclick: () => open(c.case_id),
          },
          h('span', { class: 'names' }, people(c)),
          h('span', { class: 'status' }, t(`status.${c.status}`)),
          h('span', { class: 'meta' }, joined([isolatedLtr(c.reference, { class: 'ref' }), isolated(c.place), c.minutes_waiting != null ? `${t('waiting')} ${duration(minutesWaiting(c, now))}` : null], ' · ')),
          c.matched ? h('span', { class: 'matched' }, t(`matchedBy.${c.matched}`)) : '',
        ),
      ),
    );
    input.setAttribute('aria-activedescendant', `search-result-${chosen}`);
  }

  async function ask() {
    const q = input.value.trim();
    if (!q) {
      found = [];
      answered = null;
      close();
      return;
    }
    const question = ++asked;
    draw(t('loading'));
    const answer = await api.cases({ q, limit: RESULTS });
    if (question !== asked) return;
    if (!answer.ok) {
      draw(footer({ error: answer.body?.error?.code ?? 'error' }));
      return;
    }
    merge(answer.body.cases);
    found = answer.body.cases;
    answered = q;
    results.dataset.answers = q; // which text the list answers (the tests wait on it)
    chosen = 0;
    draw();
  }

  input.addEventListener('input', () => {
    delete results.dataset.answers;
    clearTimeout(timer);
    timer = setTimeout(ask, PAUSE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      close();
      input.blur();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!found.length) return;
      e.preventDefault();
      chosen = (chosen + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
      draw();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // Typed fast and pressed Enter before the pause: ask now, then open the best.
      clearTimeout(timer);
      const go = () => found[chosen] && open(found[chosen].case_id);
      if (answered === input.value.trim()) go();
      else ask().then(go);
    }
  });
  input.addEventListener('focus', () => found.length && draw());
  input.addEventListener('blur', () => setTimeout(close, 150));

  // `/` anywhere but in a field, and Ctrl+K (⌘K) everywhere, reach the box.
  const shortcut = (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
    if ((e.key === 'k' || e.key === 'K') && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      input.focus();
      input.select();
    } else if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  };
  document.addEventListener('keydown', shortcut);
  return {
    input,
    onEvent() {}, // an answer is of the text typed: the stream does not redraw it
    /** Stop listening to the page's keys (the room is being redrawn). */
    unmount() {
      document.removeEventListener('keydown', shortcut);
      clearTimeout(timer);
    },
  };
}
