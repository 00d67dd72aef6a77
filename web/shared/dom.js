// A tiny element builder: h('div', {class: 'x', onclick}, child, 'text', …), and the isolates
// every value someone typed is drawn in.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A value someone typed (a name, a place, a note) in an isolate of its own (<bdi>, its
 * direction from its first letter), so neither its script nor a direction control stored in it
 * (old or imported data) can reorder what is drawn beside it. Nothing for an absent value.
 */
export function isolated(value, attributes = {}) {
  return value == null || value === '' ? null : h('bdi', attributes, value);
}

/**
 * A phone number, passport, reference or coordinates: an isolate that reads left to right in
 * an Arabic line too (`+249912345678`, never `249912345678+`). Nothing for an absent value.
 */
export function isolatedLtr(value, attributes = {}) {
  return value == null || value === '' ? null : h('bdi', { ...attributes, dir: 'ltr' }, value);
}

/** The present parts (not null, false or '') with `separator` between them, as children for h(). */
export function joined(parts, separator = ' ') {
  return parts.filter((part) => part != null && part !== false && part !== '').flatMap((part, i) => (i ? [separator, part] : [part]));
}

/**
 * An E.164 phone number as a left-to-right isolate with a click-to-call (`tel:`) link and a
 * WhatsApp chat link (`https://wa.me/<digits>`), for every place the room shows a number.
 * Nothing for an absent value.
 */
export function phoneLinks(e164, attributes = {}) {
  if (e164 == null || e164 === '') return null;
  const digits = e164.replace(/[^0-9]/g, '');
  return h(
    'bdi',
    { ...attributes, dir: 'ltr', class: ['phone', attributes.class].filter(Boolean).join(' ') },
    h('a', { href: `tel:${e164}`, class: 'call' }, e164),
    ' ',
    h('a', { href: `https://wa.me/${digits}`, class: 'whatsapp', target: '_blank', rel: 'noopener noreferrer', 'aria-label': `WhatsApp ${e164}` }, 'WA'),
  );
}
