// The lists of statuses, levels and request types the staff pages draw in order: one copy, in
// the order the server's domain gives them. They are names only; which step may follow which
// is the server's to decide.

/** Priority levels, worst first. */
export const LEVELS = ['critical', 'high', 'normal', 'low'];

/** A case's statuses while it is open, in the order work moves it. */
export const OPEN_STATUSES = ['new', 'triaged', 'in_progress', 'awaiting_evacuation'];

/** A case's statuses once it is finished. */
export const DONE_STATUSES = ['evacuated', 'resolved', 'closed', 'duplicate'];

/** What an ops room may ask of a partner with a referral. */
export const REQUEST_TYPES = ['medical_evacuation', 'transport', 'shelter', 'food_water', 'consular_documents', 'family_tracing'];

/** A referral's statuses once it is over (the partner's access may have ended with it). */
export const FINAL_REFERRAL = ['completed', 'unable', 'declined', 'withdrawn'];

/** A passenger's statuses in the order the pages list them: those holding a seat along the
 * way, then those who did not come or gave their seat back. */
export const PASSENGER_STATUSES = ['assigned', 'boarded', 'departed', 'crossed', 'arrived_home', 'no_show', 'waiting'];
