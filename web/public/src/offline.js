// The public form's offline queue and its storage on the device. It owns what is kept in
// localStorage (the queue; the draft is stored through readJson/writeJson), the sending of
// queued reports, taking one back to edit or cancelling it, and registering the service worker
// that lets the form open with no network; it draws nothing: the form is told through callbacks.
//
// The queue's promise: a report is stored on the device before the first try, keeps the one
// Idempotency-Key the page gave it, and is retried (when the network returns, every 15 s, and on
// the next visit) until the server answers; so however many tries reach the server, it creates
// exactly one case. A report leaves the queue only once the server answered it (201, or a 4xx
// that no retry can change).

const QUEUE = 'opsroom-queue';
const RETRY_MS = 15000;

export function readJson(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(key, value) {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the form still sends, only nothing is kept.
  }
}

/** The queued reports, oldest first: `{ key, lang, body }` (body: the form, URL-encoded), and
 * `held` while one is back in the form being edited (it is not sent then). */
export const queue = () => readJson(QUEUE, []);
const saveQueue = (items) => writeJson(QUEUE, items.length ? items : null);
/** Whether a report is waiting under this key (one taken back into the form to edit is not). */
export const isQueued = (key) => queue().some((item) => item.key === key && !item.held);

/** Keep a report before its first try; a report already queued under its key is replaced (an
 * edited one keeps its key, so however often it was tried it still makes one case). */
export function enqueue(item) {
  saveQueue([...queue().filter((queued) => queued.key !== item.key), item]);
}

const dequeue = (key) => saveQueue(queue().filter((queued) => queued.key !== key));

/** Take a queued report back into the form: it waits, unsent, until the form sends it again. */
export function hold(key) {
  saveQueue(queue().map((item) => (item.key === key ? { ...item, held: true } : item)));
}

/** Cancel a queued report: it is never sent. (Only a try already on its way, online, can still
 * reach the server; with no network there is none.) */
export const cancel = dequeue;

/** At the page's start: a report a closed page was editing goes out as it was queued. Says
 * whether there was one. */
export function releaseHeld() {
  if (!queue().some((item) => item.held)) return false;
  saveQueue(queue().map(({ held, ...item }) => item));
  return true;
}

/**
 * Sends the queue now and whenever sending may succeed again. The form learns the outcome:
 * `waiting()` (no network or a busy server: still queued), `sending()`, `accepted(answer, item)`
 * (201) and `refused(error, item)` (a 4xx: the report left the queue, the form shows why).
 * Returns `flush`, to send at once (after a submit).
 */
export function startSending({ waiting, sending, accepted, refused }) {
  let busy = false;
  let again = false;
  async function flush() {
    // A round walks the queue as it was when the round began: a report sent, or the network
    // back, while it is on its way gets a round of its own after it, not the next retry's.
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      for (const item of queue().filter((queued) => !queued.held)) {
        // Taken back to edit, or cancelled, while an earlier report of this round was on its way.
        if (!isQueued(item.key)) continue;
        if (!navigator.onLine) {
          waiting();
          return;
        }
        sending();
        let response;
        try {
          response = await fetch('/', {
            method: 'POST',
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded',
              Accept: 'application/json',
              'Idempotency-Key': item.key,
            },
            body: item.body,
          });
        } catch {
          waiting();
          return;
        }
        if (response.status === 429 || response.status >= 500) {
          waiting();
          return;
        }
        dequeue(item.key);
        const answer = await response.json().catch(() => ({}));
        if (response.ok) accepted(answer, item);
        else refused(answer.error || {}, item);
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        flush();
      }
    }
  }
  window.addEventListener('online', flush);
  setInterval(() => isWaiting() && flush(), RETRY_MS);
  if (isWaiting()) flush();
  return flush;
}

const isWaiting = () => queue().some((item) => !item.held);

/**
 * Keep the form openable with no network: the service worker (/sw.js) stores the form, its
 * script and style. Without one (an old browser, a private window) the queue still works while
 * the page stays open.
 */
export function keepFormOffline() {
  navigator.serviceWorker?.register('/sw.js').catch(() => {});
}
