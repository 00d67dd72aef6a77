// The advisories panel: the public advisories as they stand now, refreshed live when one is
// published, updated or withdrawn; supervisors and admins publish and withdraw them here.
import { api } from './api.js';
import { h, isolated } from '../../shared/dom.js';
import { explain, lang, t } from './i18n.js';

const SEVERITIES = ['severe', 'extreme', 'moderate', 'minor', 'unknown'];
const KINDS = ['instruction', 'rumour_rebuttal', 'information'];

/** Mount into `element` (a <details>); `selectedCell()` is the map's picked hexagon, if any.
 * Returns `{onEvent(event), unmount()}`: the advisories' events reload the list. */
export function mountAdvisories(element, { user, selectedCell }) {
  const canPublish = user.role !== 'operator';
  const summary = h('summary', {}, t('advisories'));
  const body = h('div', { class: 'advisories-body' });
  element.replaceChildren(summary, body);

  async function refresh(notice) {
    const answer = await api.advisories();
    const list = answer.ok ? answer.body : [];
    const l = lang();
    summary.replaceChildren(t('advisories'), ' ', h('span', { class: 'count' }, list.length));
    body.replaceChildren(
      notice ? h('p', { class: 'notice error', role: 'alert' }, notice) : '',
      h(
        'ul',
        { class: 'advisory-list' },
        list.map((a) =>
          h(
            'li',
            { class: `advisory severity-${a.severity}`, dataset: { advisoryId: a.advisory_id } },
            h('strong', {}, isolated(a.headline[l])),
            ' ',
            h('span', { class: 'meta' }, `${t(`severities.${a.severity}`)} · ${t(`kinds.${a.kind}`)} · v${a.version}`),
            h('p', { dir: 'auto' }, a.body[l]),
            canPublish
              ? h('button', { type: 'button', name: 'withdraw', onclick: () => withdraw(a.advisory_id) }, t('withdraw'))
              : '',
          ),
        ),
      ),
      canPublish ? publishForm() : '',
    );
  }

  async function withdraw(id) {
    if (!window.confirm(t('confirmWithdraw'))) return;
    const answer = await api.withdrawAdvisory(id);
    if (!answer.ok) refresh(explain(answer));
  }

  function publishForm() {
    const both = (name, tag = 'input') =>
      ['ar', 'en'].map((l) => h('label', {}, `${t(name)} (${l})`, h(tag, { name: `${name}.${l}`, dir: l === 'ar' ? 'rtl' : 'ltr' })));
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const pair = (name) => ({ ar: data.get(`${name}.ar`) || null, en: data.get(`${name}.en`) || null });
      const instruction = pair('instruction');
      const cell = selectedCell();
      const answer = await api.publishAdvisory({
        headline: pair('headline'),
        body: pair('body'),
        severity: data.get('severity'),
        kind: data.get('kind'),
        ...(instruction.ar || instruction.en ? { instruction } : {}),
        ...(data.get('only_cell') && cell ? { cells: [cell] } : {}),
        ...(data.get('expires') ? { expires_at: new Date(data.get('expires')).toISOString() } : {}),
      });
      // Success shows through the live stream (advisory_published refreshes the list).
      if (answer.ok) event.target.reset();
      else refresh(explain(answer));
    };
    return h(
      'form',
      { class: 'publish', onsubmit },
      ...both('headline'),
      ...both('body', 'textarea'),
      ...both('instruction', 'textarea'),
      h('label', {}, t('severity'), h('select', { name: 'severity' }, SEVERITIES.map((s) => h('option', { value: s }, t(`severities.${s}`))))),
      h('label', {}, t('kind'), h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, t(`kinds.${k}`))))),
      h('label', {}, t('expires'), h('input', { type: 'datetime-local', name: 'expires' })),
      h('label', {}, h('input', { type: 'checkbox', name: 'only_cell' }), t('onlyCell')),
      h('button', { type: 'submit', name: 'publish' }, t('publish')),
    );
  }

  refresh();
  return {
    onEvent(event) {
      if (event.kind.startsWith('advisory_')) refresh();
    },
    unmount() {}, // nothing outlives the panel's element
  };
}
