// The partner page's state and how feed items change it: pure data, no DOM, tested in node.
//
// Every feed item carries the case as the partner may see it *now* (or `null` once its access
// ended: the referral was declined or withdrawn), so applying an item is a replacement, never a
// merge, and items need no knowledge of one another.

export const LEVELS = ['critical', 'high', 'normal', 'low'];

/** The working steps in order; `unable` may end a referral at any of them. */
export const STEPS = ['accepted', 'en_route', 'reached', 'picked_up', 'handed_over', 'completed'];
export const FINAL = ['completed', 'unable', 'declined', 'withdrawn'];

export function createState() {
  return { cases: new Map(), selected: null };
}

/** The cases as a first load (GET /api/v1/partner/cases) gave them. */
export function load(state, cases) {
  state.cases = new Map(cases.map((c) => [c.case_id, c]));
}

/** Apply one feed item; returns the id of the case it changed. */
export function apply(state, item) {
  if (item.case) state.cases.set(item.case_id, item.case);
  else {
    state.cases.delete(item.case_id);
    if (state.selected === item.case_id) state.selected = null;
  }
  return item.case_id;
}

/** What the partner may do with a referral in `status`: answer it, report progress, or nothing. */
export function actionsFor(status) {
  if (status === 'pending') return ['accept', 'decline'];
  if (FINAL.includes(status)) return [];
  return ['progress'];
}

/** The progress steps open after `status`: the later working steps (any may be skipped), and
 * `unable`. */
export function nextSteps(status) {
  const at = STEPS.indexOf(status);
  if (at < 0 || FINAL.includes(status)) return [];
  return [...STEPS.slice(at + 1), 'unable'];
}

/** 0: a referral awaits the partner's answer; 1: work in progress; 2: everything finished. */
function urgency(c) {
  if (c.referrals.some((r) => r.status === 'pending')) return 0;
  if (c.referrals.some((r) => !FINAL.includes(r.status))) return 1;
  return 2;
}

const lastChange = (c) => Math.max(0, ...c.referrals.map((r) => new Date(r.updated_at).getTime()));

/** The cases in the order the desk shows them: those awaiting an answer, then those in hand,
 * then finished ones; worst priority first, then the most recently changed. */
export function ordered(state) {
  return [...state.cases.values()].sort(
    (a, b) =>
      urgency(a) - urgency(b) ||
      LEVELS.indexOf(a.priority) - LEVELS.indexOf(b.priority) ||
      lastChange(b) - lastChange(a) ||
      a.reference.localeCompare(b.reference),
  );
}
