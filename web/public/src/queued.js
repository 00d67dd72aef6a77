// The reports still waiting on this phone (offline.js's queue), listed above the form so that
// a person who reopens the page with no network sees what is not sent yet, and can edit or
// cancel each. It only draws; the queue's rules stay in offline.js.
import { queue, cancel } from './offline.js';

/**
 * Draw the list into `section` (rendered hidden by the server, with its words as data-*);
 * `edit(item)` takes a report back into the form; `cancelled()` says so. Returns `redraw`, for
 * whenever the queue changed.
 */
export function queuedList(section, { edit, cancelled }) {
  const text = section.dataset;
  const list = section.querySelector('ul');
  const separator = document.documentElement.lang === 'ar' ? '، ' : ', ';
  const button = (label, action) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', action);
    return b;
  };
  function redraw() {
    const waiting = queue().filter((item) => !item.held);
    section.hidden = waiting.length === 0;
    list.replaceChildren(
      ...waiting.map((item) => {
        const fields = new URLSearchParams(item.body);
        const names = [...fields]
          .filter(([name, value]) => /^people\[\d+\]\.name$/.test(name) && value.trim())
          .map(([, value]) => value.trim());
        const place = (fields.get('location.place') || '').trim();
        // Each typed value in an isolate of its own, never run together with its neighbours.
        const who = document.createElement('span');
        who.className = 'who';
        if (names.length) {
          names.forEach((name, i) => {
            const bdi = document.createElement('bdi');
            bdi.textContent = name;
            who.append(...(i ? [separator, bdi] : [bdi]));
          });
        } else {
          who.textContent = text.unnamed;
        }
        const li = document.createElement('li');
        li.append(who);
        if (place) {
          const where = document.createElement('bdi');
          where.className = 'place';
          where.textContent = place;
          li.append(' — ', where);
        }
        li.append(
          ' ',
          button(text.edit, () => {
            edit(item);
            redraw();
          }),
          ' ',
          button(text.cancel, () => {
            cancel(item.key);
            redraw();
            cancelled(text.cancelled);
          }),
        );
        return li;
      }),
    );
  }
  redraw();
  return redraw;
}
