// The page's one animation-frame loop. Whatever draws at most once a frame (a room's board, a
// map, the partner's list) registers a job here and unregisters it when it is unmounted; the
// loop runs while any job is registered and stops when none is, so a page redrawn many times
// (a language switch, signing out and in) never leaves a second loop running, and a page that
// draws nothing (the sign-in) runs none. It draws nothing itself and knows no page.

const jobs = new Set();
let running = false;

function tick(time) {
  // A job may unregister itself or another while the frame runs: walk a copy.
  for (const job of [...jobs]) if (jobs.has(job)) job(time);
  if (jobs.size) requestAnimationFrame(tick);
  else running = false;
}

/** Run `job(time)` once every animation frame until the returned function is called. */
export function everyFrame(job) {
  jobs.add(job);
  if (!running) {
    running = true;
    requestAnimationFrame(tick);
  }
  return () => jobs.delete(job);
}
