// The shift handover panel: what is open now (counted by the server, for the signed-in user),
// the note the outgoing shift writes (what was promised, and to whom; anything else about what
// is open), and the notes written before, newest first, each with its author, its local time
// and the figures as they stood. The server records the author, the time and the figures; the
// page cannot change them. A refusal is explained in the page's language.
import { api } from './api.js';
import { h, isolated } from '../../shared/dom.js';
import { explain, phrase, t } from './i18n.js';
import { dateTime } from './when.js';

const FIGURES = ['open_cases', 'overdue', 'unassigned_critical', 'assigned_to_author'];

/**
 * Mount into `panel` (a <details> gets a summary). `ctx.user` is the signed-in user (with the
 * room's `time_zone`). Returns `{onEvent(event), unmount()}`; a `handover_written` event reloads.
 */
export function mountHandover(panel, ctx) {
  const zone = ctx.user.time_zone;
  const body = h('div', { class: 'handover-body' });
  panel.classList.add('handover');
  panel.replaceChildren(...(panel.tagName === 'DETAILS' ? [h('summary', {}, t('handover'))] : [h('h2', {}, t('handover'))]), body);
  let notice = null; // {kind, text} after a write
  let notes = [];
  let nextBefore = null;
  let now = null;
  let draft = { promised: '', open_note: '' }; // what was typed survives a reload

  const figures = (f, cls) =>
    h('dl', { class: `handover-figures ${cls}` }, FIGURES.map((key) => h('div', { dataset: { figure: key } }, h('dt', {}, t(`handoverFigures.${key}`)), h('dd', {}, String(f[key])))));

  const form = () => {
    const promised = h('textarea', { name: 'promised', rows: 3, dir: 'auto', 'aria-label': t('handoverPromised') });
    promised.value = draft.promised;
    const openNote = h('textarea', { name: 'open_note', rows: 2, dir: 'auto', 'aria-label': t('handoverOpenNote') });
    openNote.value = draft.open_note;
    const keep = () => {
      draft = { promised: promised.value, open_note: openNote.value };
    };
    promised.addEventListener('input', keep);
    openNote.addEventListener('input', keep);
    return h(
      'form',
      {
        class: 'handover-form',
        onsubmit: async (e) => {
          e.preventDefault();
          keep();
          const answer = await api.writeHandover({ promised: draft.promised, ...(draft.open_note.trim() ? { open_note: draft.open_note } : {}) });
          if (answer.ok) {
            draft = { promised: '', open_note: '' };
            notice = { kind: 'info', text: t('handoverSaved') };
          } else {
            notice = { kind: 'error', text: explain(answer) };
          }
          await refresh();
        },
      },
      h('h3', {}, t('handoverWrite')),
      h('p', {}, t('handoverOpenNow')),
      now ? figures(now, 'now') : null,
      h('label', {}, t('handoverPromised'), promised),
      h('label', {}, t('handoverOpenNote'), openNote),
      h('button', { type: 'submit', name: 'hand-over' }, t('handoverSave')),
    );
  };

  const note = (n) =>
    h(
      'li',
      { class: 'handover-note', dataset: { handoverId: n.handover_id } },
      h('p', { class: 'by' }, phrase('handoverBy', { by: isolated(n.author), at: h('time', { datetime: n.written_at }, dateTime(n.written_at, zone)) })),
      figures(n.figures, 'then'),
      h('p', { class: 'promised' }, h('strong', {}, `${t('handoverPromised')}: `), h('span', { dir: 'auto' }, n.promised)),
      n.open_note ? h('p', { class: 'open-note' }, h('strong', {}, `${t('handoverOpenNote')}: `), h('span', { dir: 'auto' }, n.open_note)) : null,
    );

  function draw() {
    // `replaceChildren` would print a `null` child as text: absent parts are ''.
    body.replaceChildren(
      notice ? h('p', { class: `notice ${notice.kind}`, role: notice.kind === 'error' ? 'alert' : 'status' }, notice.text) : '',
      form(),
      notes.length ? h('ol', { class: 'handover-notes' }, notes.map(note)) : h('p', {}, t('handoverNone')),
      nextBefore
        ? h('button', { type: 'button', name: 'older', onclick: async () => {
            const answer = await api.handovers(nextBefore);
            if (!answer.ok) return;
            notes = [...notes, ...answer.body.handovers];
            nextBefore = answer.body.next_before ?? null;
            draw();
          } }, t('handoverOlder'))
        : '',
    );
  }

  async function refresh() {
    const answer = await api.handovers();
    if (answer.ok) {
      now = answer.body.now;
      notes = answer.body.handovers;
      nextBefore = answer.body.next_before ?? null;
    } else if (!notice) {
      notice = { kind: 'error', text: explain(answer) };
    }
    draw();
  }

  refresh();
  return {
    onEvent(event) {
      if (event.kind === 'handover_written') refresh();
    },
    unmount() {}, // nothing outlives the panel's element
  };
}
