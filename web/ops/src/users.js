// The staff accounts panel (admins only; main mounts it for them alone): a form to open an
// account (a typed password, or one generated and shown once), every account with its
// role and state, and the admin's actions on it — change the role, disable or enable, reset the
// password (typed, or generated and shown once), end its sessions — and its live sessions (read
// only while their section is open). The server decides and refuses (nobody disables or demotes
// themselves or the last admin); a refusal shows here. Refreshed live by the `user_*` events.
import { api } from './api.js';
import { h } from '../../shared/dom.js';
import { explain, t } from './i18n.js';
import { secretOnce } from './once.js';

const ROLES = ['operator', 'supervisor', 'admin'];

/** Mount into `element` (a <details>); `me` is the signed-in admin. Returns `{onEvent(event),
 * unmount()}`: the accounts' events reload the list. */
export function mountUsers(element, me) {
  const summary = h('summary', {}, t('users'));
  const body = h('div', { class: 'users-body' });
  element.replaceChildren(summary, body);
  const expanded = new Set(); // accounts whose sessions are shown
  const resetting = new Set(); // accounts whose password form is open
  let shown = null; // {name, password}: the one generated password on screen
  let notice = null;
  let generation = 0; // a refresh overtaken by a later one does not draw

  async function refresh() {
    const mine = ++generation;
    const answer = await api.users();
    const users = answer.ok ? answer.body : [];
    const items = await Promise.all(users.map(item));
    if (mine !== generation) return;
    summary.replaceChildren(t('users'), ' ', h('span', { class: 'count' }, users.length));
    body.replaceChildren(
      notice ? h('p', { class: 'notice error', role: 'alert' }, notice) : '',
      newAccountForm(),
      h('ul', { class: 'user-list' }, items),
    );
  }

  /** Keep a refusal's message for the next draw; true when the answer was a success. */
  const fail = (answer) => {
    notice = answer.ok ? null : explain(answer);
    return answer.ok;
  };
  const act = async (call) => {
    fail(await call);
    refresh();
  };

  async function item(u) {
    const own = u.name === me.name;
    const open = expanded.has(u.name);
    const sessions = open ? await api.userSessions(u.name) : null;
    return h(
      'li',
      { class: u.disabled ? 'user disabled' : 'user', dataset: { user: u.name } },
      h('bdi', { class: 'name' }, u.name),
      ' · ',
      h('span', { class: 'state' }, t(u.disabled ? 'accountDisabled' : 'accountEnabled')),
      ' ',
      // One's own role and state are another admin's to change (the server refuses too).
      h(
        'select',
        { name: 'role', disabled: own, 'aria-label': t('role'), onchange: (e) => act(api.changeUser(u.name, { role: e.target.value })) },
        ROLES.map((r) => h('option', { value: r, selected: r === u.role }, t(`roles.${r}`))),
      ),
      u.disabled
        ? h('button', { type: 'button', name: 'enable', onclick: () => act(api.changeUser(u.name, { disabled: false })) }, t('enable'))
        : h('button', { type: 'button', name: 'disable', disabled: own, onclick: () => {
            if (window.confirm(t('confirmDisable').replace('{name}', u.name))) act(api.changeUser(u.name, { disabled: true }));
          } }, t('disable')),
      h('button', { type: 'button', name: 'reset-password', onclick: () => {
        if (resetting.has(u.name)) resetting.delete(u.name);
        else resetting.add(u.name);
        refresh();
      } }, t('resetPassword')),
      h('button', { type: 'button', name: 'end-sessions', onclick: () => {
        if (window.confirm(t('confirmEndSessions').replace('{name}', u.name))) act(api.endSessions(u.name));
      } }, t('endSessions')),
      resetting.has(u.name) ? passwordForm(u.name) : '',
      shown?.name === u.name
        ? secretOnce({ kind: 'password', note: t('passwordOnce'), value: shown.password, onHide: () => {
            shown = null;
            refresh();
          } })
        : '',
      h(
        'details',
        {
          class: 'more',
          open,
          ontoggle: (e) => {
            if (e.target.open === expanded.has(u.name)) return; // our own re-render
            if (e.target.open) expanded.add(u.name);
            else expanded.delete(u.name);
            refresh();
          },
        },
        h('summary', {}, t('activeSessions')),
        open ? sessionList(sessions) : '',
      ),
    );
  }

  function newAccountForm() {
    const onsubmit = async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const typed = data.get('password');
      const body = { name: data.get('name'), role: data.get('role'), ...(typed ? { password: typed } : {}) };
      const answer = await api.createUser(body);
      // A generated password is shown once, beside the new account in the list.
      if (fail(answer)) shown = answer.body.password ? { name: answer.body.user.name, password: answer.body.password } : null;
      refresh();
    };
    return h(
      'form',
      { class: 'new-account', onsubmit },
      h('label', {}, t('userName'), h('input', { name: 'name', required: true, autocomplete: 'off', dir: 'ltr', pattern: '[A-Za-z0-9._\\-]{1,64}' })),
      h('label', {}, t('role'), h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, t(`roles.${r}`))))),
      h('label', {}, t('newPassword'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password', dir: 'ltr' })),
      h('button', { type: 'submit', name: 'create-account' }, t('createAccount')),
      h('span', { class: 'hint' }, t('passwordHint')),
    );
  }

  function passwordForm(name) {
    const onsubmit = async (event) => {
      event.preventDefault();
      const typed = new FormData(event.target).get('password');
      // An empty field asks the server to generate one, shown once.
      const answer = await api.resetPassword(name, typed ? { password: typed } : {});
      if (fail(answer)) {
        resetting.delete(name);
        shown = answer.body.password ? { name, password: answer.body.password } : null;
      }
      refresh();
    };
    return h(
      'form',
      { class: 'reset-password', onsubmit },
      h('label', {}, t('newPassword'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password', dir: 'ltr' })),
      h('button', { type: 'submit', name: 'set-password' }, t('setPassword')),
      h('span', { class: 'hint' }, t('passwordHint')),
    );
  }

  function sessionList(answer) {
    const sessions = answer?.ok ? answer.body : [];
    if (!sessions.length) return h('p', { class: 'sessions' }, t('noSessions'));
    const when = (iso) => new Date(iso).toLocaleString();
    return h(
      'ul',
      { class: 'sessions' },
      sessions.map((s) =>
        h(
          'li',
          { class: s.current ? 'current' : '' },
          `${t('opened')} ${when(s.created_at)} · ${t('lastSeen')} ${when(s.last_seen_at)} · `,
          h('bdi', { class: 'address', dir: 'ltr' }, s.client_address ?? '–'),
          ' · ',
          h('bdi', { class: 'agent', dir: 'ltr' }, s.user_agent ?? '–'),
          s.current ? ` · ${t('thisSession')}` : '',
        ),
      ),
    );
  }

  refresh();
  return {
    onEvent(event) {
      if (event.kind.startsWith('user_')) refresh();
    },
    unmount() {}, // nothing outlives the panel's element
  };
}
