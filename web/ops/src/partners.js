// The partner registry panel (admins only; main mounts it for them alone): the partners and
// what each receives, registering one, issuing a token (shown once, with a copy button, until
// the admin hides it: the server never shows it again), revoking tokens, and webhooks given up
// on, with a replay button. Refreshed live when the registry changes.
import { api } from './api.js';
import { h, isolated, joined } from '../../shared/dom.js';
import { explain, lang, t } from './i18n.js';
import { secretOnce } from './once.js';

const KINDS = ['red_crescent', 'foreign_affairs', 'embassy', 'un_agency', 'ngo', 'other'];

/** Mount into `element` (a <details>). Returns `{onEvent(event), unmount()}`: the registry's
 * events reload it. */
export function mountPartners(element) {
  const summary = h('summary', {}, t('partners'));
  const body = h('div', { class: 'partners-body' });
  element.replaceChildren(summary, body);
  const expanded = new Set(); // partners whose tokens and dead letters are shown
  let shown = null; // {partner_id, token}: the one fresh token on screen
  let notice = null;
  let generation = 0; // a refresh overtaken by a later one does not draw

  async function refresh() {
    const mine = ++generation;
    const answer = await api.partners();
    const partners = answer.ok ? answer.body : [];
    const items = await Promise.all(partners.map(item));
    if (mine !== generation) return;
    summary.replaceChildren(t('partners'), ' ', h('span', { class: 'count' }, partners.length));
    body.replaceChildren(
      notice ? h('p', { class: 'notice error', role: 'alert' }, notice) : '',
      h('ul', { class: 'partner-list' }, items),
      registerForm(),
    );
  }

  const fail = (answer) => {
    notice = answer.ok ? null : explain(answer);
    return answer.ok;
  };

  async function item(p) {
    const open = expanded.has(p.partner_id);
    const [tokens, dead] = open ? await Promise.all([api.tokens(p.partner_id), api.deadLetters(p.partner_id)]) : [null, null];
    const name = lang() === 'ar' && p.name_ar ? [isolated(p.name_ar), ' (', isolated(p.name), ')'] : joined([isolated(p.name), isolated(p.name_ar)], ' · ');
    // The tokens and undelivered webhooks are read only while their section is open.
    const more = h(
      'details',
      {
        class: 'more',
        open,
        ontoggle: (e) => {
          if (e.target.open === expanded.has(p.partner_id)) return; // our own re-render
          if (e.target.open) expanded.add(p.partner_id);
          else expanded.delete(p.partner_id);
          refresh();
        },
      },
      h('summary', {}, `${t('tokens')} · ${t('deadLetters')}`),
      open ? tokenList(p.partner_id, tokens) : '',
      open ? deadLetterList(p.partner_id, dead) : '',
    );
    return h(
      'li',
      { class: 'partner', dataset: { partnerId: p.partner_id } },
      h('strong', { class: 'name' }, name),
      ` · ${t(`partnerKinds.${p.kind}`)}`,
      h('p', { class: 'profile' }, `${t('receives')}: ${p.profile.fields.map((f) => t(`profileFields.${f}`)).join(lang() === 'ar' ? '، ' : ', ')} · ${t('resolution')}: ${p.profile.resolution}/${p.profile.evacuation_resolution}`),
      h('button', { type: 'button', name: 'issue-token', onclick: () => issue(p.partner_id) }, t('issueToken')),
      shown?.partner_id === p.partner_id ? freshToken() : '',
      more,
    );
  }

  async function issue(partnerId) {
    const answer = await api.issueToken(partnerId);
    if (fail(answer)) {
      shown = { partner_id: partnerId, token: answer.body.token };
      expanded.add(partnerId);
    }
    refresh();
  }

  function freshToken() {
    return secretOnce({ kind: 'token', note: t('tokenOnce'), value: shown.token, onHide: () => {
      shown = null;
      refresh();
    } });
  }

  function tokenList(partnerId, answer) {
    const tokens = answer?.ok ? answer.body : [];
    return h(
      'div',
      { class: 'tokens' },
      h('h4', {}, t('tokens')),
      h(
        'ul',
        {},
        tokens.map((k) =>
          h(
            'li',
            { dataset: { tokenId: k.token_id }, class: k.revoked_at ? 'revoked' : '' },
            h('code', { dir: 'ltr' }, k.token_id.slice(-12)),
            ` · ${t('issued')} ${new Date(k.created_at).toLocaleDateString()} · ${t('expires')} ${new Date(k.expires_at).toLocaleDateString()}`,
            k.revoked_at
              ? ` · ${t('revoked')} ${new Date(k.revoked_at).toLocaleString()}`
              : h('button', { type: 'button', name: 'revoke-token', onclick: async () => {
                  if (!window.confirm(t('confirmRevokeToken'))) return;
                  fail(await api.revokeToken(partnerId, k.token_id));
                  refresh();
                } }, t('revoke')),
          ),
        ),
      ),
    );
  }

  function deadLetterList(partnerId, answer) {
    const letters = answer?.ok ? answer.body : [];
    return h(
      'div',
      { class: 'dead-letters' },
      h('h4', {}, t('deadLetters')),
      letters.length
        ? h(
            'ul',
            {},
            letters.map((d) =>
              h(
                'li',
                { dataset: { deadId: d.dead_id } },
                `#${d.seq} · ${new Date(d.dead_at).toLocaleString()} · ${d.attempts} ${t('attempts')} · `,
                h('span', { class: 'last-error', dir: 'ltr' }, d.last_error),
                d.replayed_at
                  ? ` · ${t('replayed')} ${new Date(d.replayed_at).toLocaleString()}`
                  : h('button', { type: 'button', name: 'replay', onclick: async () => {
                      fail(await api.replay(partnerId, d.dead_id));
                      refresh();
                    } }, t('replay')),
              ),
            ),
          )
        : h('p', {}, '–'),
    );
  }

  function registerForm() {
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const nameAr = data.get('name_ar').trim();
      const answer = await api.registerPartner({ name: data.get('name'), ...(nameAr ? { name_ar: nameAr } : {}), kind: data.get('kind') });
      // The list refreshes through the live stream (partner_registered); a refusal shows here.
      if (fail(answer)) event.target.reset();
      else refresh();
    };
    return h(
      'form',
      { class: 'register', onsubmit },
      h('label', {}, t('partnerName'), h('input', { name: 'name', dir: 'ltr' })),
      h('label', {}, t('partnerNameAr'), h('input', { name: 'name_ar', dir: 'rtl' })),
      h('label', {}, t('partnerKind'), h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, t(`partnerKinds.${k}`))))),
      h('button', { type: 'submit', name: 'register' }, t('register')),
    );
  }

  refresh();
  return {
    onEvent(event) {
      if (event.kind.startsWith('partner_')) refresh();
    },
    unmount() {}, // nothing outlives the panel's element
  };
}
