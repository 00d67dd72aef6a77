// A virtualised list: a scrolling box as tall as all its rows, in which only the rows in view
// (and a few either side) exist in the DOM. Rows have one fixed height. A row's element is kept
// while its content is unchanged (`key` and `signature` say), so a card under the pointer is not
// replaced by an identical one between a press and its click, and re-rendering 60 times a
// second costs only the rows that changed. It owns no data: `count()` and `rowAt(i)` answer it.
import { h } from '../../shared/dom.js';

const OVERSCAN = 4; // rows drawn beyond each edge of the view

/**
 * In `container` (which scrolls), draw `count()` rows of `rowHeight` px; `draw(i)` answers
 * `{key, signature, build()}` for row i. `onNearEnd()` when the view comes within a screen of
 * the last row (to load the next page). Call `render()` when something changed; it also renders
 * on scroll and resize.
 */
export function virtualList(container, { rowHeight, count, draw, onNearEnd = () => {}, footer = () => null }) {
  const spacer = h('div', { class: 'virtual-spacer' });
  const tail = h('div', { class: 'virtual-footer' });
  container.classList.add('virtual');
  container.dataset.rowHeight = rowHeight;
  container.replaceChildren(spacer, tail);
  let drawn = new Map(); // key → {element, signature}
  let pending = false;

  function render() {
    pending = false;
    const total = count();
    spacer.style.height = `${total * rowHeight}px`;
    const view = container.clientHeight || 600;
    const top = container.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + view) / rowHeight) + OVERSCAN);
    const next = new Map();
    for (let i = first; i < last; i++) {
      const { key, signature, build } = draw(i);
      let entry = drawn.get(key);
      if (!entry || entry.signature !== signature) {
        entry?.element.remove();
        entry = { element: build(), signature };
        entry.element.classList.add('virtual-row');
        spacer.append(entry.element);
      }
      entry.element.style.transform = `translateY(${i * rowHeight}px)`;
      entry.element.dataset.row = i;
      next.set(key, entry);
      drawn.delete(key);
    }
    for (const { element } of drawn.values()) element.remove();
    drawn = next;
    tail.replaceChildren(footer() ?? '');
    if (top + view * 2 >= total * rowHeight) onNearEnd();
  }

  const soon = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(render);
  };
  container.addEventListener('scroll', soon, { passive: true });
  const resized = new ResizeObserver(soon);
  resized.observe(container);

  return {
    render,
    /** Stop watching the container's size (the list is being taken off the page). */
    unmount() {
      resized.disconnect();
    },
    /** The index of the last row in view (at least one screenful): how far a refresh must reach. */
    lastInView() {
      return Math.ceil((container.scrollTop + (container.clientHeight || 600)) / rowHeight);
    },
    scrollToTop() {
      container.scrollTop = 0;
    },
  };
}
