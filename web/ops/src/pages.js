// A list of cases in the server's order, paged by the server's keyset cursor: what a board
// column, the table and the overdue queue show. It holds case ids only; the summaries live in
// `state.cases`, so a live event patches a case in one place whichever lists show it. It never
// filters, sorts or counts by itself: the server does all three over every case, not over what
// happened to load.

const FIRST_PAGE = 100;
const NEXT_PAGE = 500; // the API's largest page: scrolling to the end of 20,000 takes 40 of them
const REFRESH_AFTER_MS = 300;

/**
 * `query()` answers the API parameters of the list (filters, sort, status) as they stand now;
 * `load(params)` is `api.cases`; `merge(summaries)` files the summaries into the state;
 * `onChange()` is told when the rows or the total moved.
 */
export function pagedList({ query, load, merge, onChange }) {
  const list = {
    ids: [],
    idSet: new Set(), // the same ids, to answer `has` at once
    next: undefined, // the cursor of the next page; undefined before the first, null after the last
    total: null, // the server's count of every case matching the query
    error: null, // the API's error code of the last failed load
    loading: false,
    generation: 0, // moves on every reset: answers to an older query are dropped
    refreshTimer: null,
    refreshAgain: false,
    missed: false, // a refresh was asked while the operator was past its reach
    lastInView: () => 0, // the last row the operator sees (its view sets it)
    refreshing: false,

    /** Forget everything and load the first page of the query as it now stands. */
    reset() {
      this.generation += 1;
      this.ids = [];
      this.idSet = new Set();
      this.next = undefined;
      this.total = null;
      this.error = null;
      this.loading = false;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
      onChange();
      return this.more();
    },

    /** Whether another page exists beyond the rows loaded. */
    hasMore() {
      return this.next !== null;
    },

    /** Load the next page (one at a time). */
    async more() {
      // Not while the first rows are reloading: this page's cursor would follow rows the reload
      // replaces, and the rows between would never show. The reload's render asks again.
      if (this.loading || this.refreshing || this.next === null) return;
      this.loading = true;
      onChange(); // the list says it is loading
      const generation = this.generation;
      const params = { ...query(), limit: this.next === undefined ? FIRST_PAGE : NEXT_PAGE };
      if (this.next) params.cursor = this.next;
      const answer = await load(params);
      if (generation !== this.generation) return;
      this.loading = false;
      if (!answer.ok) {
        this.error = answer.body?.error?.code ?? 'error';
        onChange();
        return;
      }
      this.error = null;
      merge(answer.body.cases);
      for (const c of answer.body.cases) {
        if (this.idSet.has(c.case_id)) continue;
        this.idSet.add(c.case_id);
        this.ids.push(c.case_id);
      }
      this.next = answer.body.next_cursor ?? null;
      this.total = answer.body.total ?? this.total;
      onChange();
    },

    /**
     * Reload the first `upTo` rows (new cases, moved cases and changed order show in place),
     * soon and at most once per REFRESH_AFTER_MS however many events ask. Rows past them are
     * dropped (their cursor no longer follows on) and load again as the operator scrolls.
     */
    refreshSoon(upTo) {
      if (upTo > NEXT_PAGE) {
        // Scrolled past what one answer reaches: refresh once the operator is back (`inView`).
        this.missed = true;
        return;
      }
      this.wanted = Math.max(this.wanted ?? 0, upTo);
      if (this.refreshing) {
        this.refreshAgain = true;
        return;
      }
      if (this.refreshTimer) return;
      this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_AFTER_MS);
    },

    async refresh() {
      this.refreshTimer = null;
      if (this.loading) {
        // A page is on its way; refresh after it.
        this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_AFTER_MS);
        return;
      }
      const reach = Math.max(this.wanted ?? 0, this.lastInView());
      this.wanted = 0;
      if (reach > NEXT_PAGE) {
        // The operator scrolled further down since it was asked: not now (see `inView`).
        this.missed = true;
        return;
      }
      const limit = Math.max(FIRST_PAGE, reach);
      this.refreshing = true;
      const generation = this.generation;
      const answer = await load({ ...query(), limit });
      this.refreshing = false;
      if (generation === this.generation && answer.ok) {
        merge(answer.body.cases);
        this.ids = [...new Set(answer.body.cases.map((c) => c.case_id))];
        this.idSet = new Set(this.ids);
        this.next = answer.body.next_cursor ?? null;
        this.total = answer.body.total ?? this.total;
        this.error = null;
        onChange();
      }
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refreshSoon(0);
      }
    },

    /** The operator sees rows up to `last`: a refresh missed while they were further down
     * happens now. */
    inView(last) {
      if (this.missed && last <= NEXT_PAGE) {
        this.missed = false;
        this.refreshSoon(last);
      }
    },

    /** Take a case out of the list at once (it moved to another status); the server's next
     * answer confirms it. */
    remove(caseId) {
      if (!this.idSet.has(caseId)) return false;
      this.idSet.delete(caseId);
      this.ids.splice(this.ids.indexOf(caseId), 1);
      if (this.total != null) this.total -= 1;
      onChange();
      return true;
    },

    has(caseId) {
      return this.idSet.has(caseId);
    },

    /** Load nothing more: a refresh waiting is dropped, and an answer on its way is ignored. */
    stop() {
      this.generation += 1;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
    },
  };
  return list;
}
