// A secret shown once (a partner's token, a generated password): a read-only field selected on
// focus, a copy button and a hide button. The server never shows it again, so it stays on screen
// until the admin hides it.
import { h } from '../../shared/dom.js';
import { t } from './i18n.js';

/** `kind` names the field and its buttons (`token`: input.token, copy-token, hide-token). */
export function secretOnce({ kind, note, value, onHide }) {
  const field = h('input', { class: kind, readonly: true, value, size: 48, dir: 'ltr', onfocus: (e) => e.target.select() });
  const copied = h('span', { class: 'copied' });
  return h(
    'div',
    { class: `secret-once ${kind}-once`, role: 'status' },
    h('p', {}, note),
    field,
    h('button', { type: 'button', name: `copy-${kind}`, onclick: async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(value);
        copied.textContent = t('copied');
      } catch {
        // No clipboard outside a secure context: the text is selected for Ctrl+C.
      }
    } }, t('copy')),
    copied,
    h('button', { type: 'button', name: `hide-${kind}`, onclick: onHide }, t('hide')),
  );
}
