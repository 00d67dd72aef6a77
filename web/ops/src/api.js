// The HTTP API, in one place. Every call answers {ok, status, body}; errors carry the API's
// {"error":{"code","message","field"}} body so panels can explain them.
export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, body: { error: { code: 'network', message: 'network' } } };
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: { code: 'invalid_answer', message: text } };
  }
  return { ok: response.ok, status: response.status, body: parsed };
}

export const api = {
  session: () => call('GET', '/api/v1/session'),
  signIn: (name, password) => call('POST', '/api/v1/session', { name, password }),
  signOut: () => call('DELETE', '/api/v1/session'),
  cases: (query) => call('GET', `/api/v1/cases?${new URLSearchParams(query)}`),
  counts: (query) => call('GET', `/api/v1/cases/counts?${new URLSearchParams(query)}`),
  case: (id) => call('GET', `/api/v1/cases/${id}`),
  takeReport: (body, idempotencyKey) => call('POST', '/api/v1/cases', body, { 'idempotency-key': idempotencyKey }),
  calls: (phone) => call('GET', `/api/v1/calls?${new URLSearchParams({ phone, limit: 20 })}`),
  logCall: (id, body) => call('POST', `/api/v1/cases/${id}/calls`, body),
  kpis: () => call('GET', '/api/v1/kpis'),
  handovers: (before) => call('GET', `/api/v1/handovers${before ? `?before=${before}` : ''}`),
  writeHandover: (body) => call('POST', '/api/v1/handovers', body),
  sitrep: (from, to) => call('GET', `/api/v1/sitrep?${new URLSearchParams({ from, to })}`),
  sitrepCsvUrl: (from, to) => `/api/v1/sitrep.csv?${new URLSearchParams({ from, to })}`,
  users: () => call('GET', '/api/v1/users'),
  createUser: (body) => call('POST', '/api/v1/users', body),
  changeUser: (name, body) => call('PUT', `/api/v1/users/${encodeURIComponent(name)}`, body),
  resetPassword: (name, body) => call('POST', `/api/v1/users/${encodeURIComponent(name)}/password`, body),
  userSessions: (name) => call('GET', `/api/v1/users/${encodeURIComponent(name)}/sessions`),
  endSessions: (name) => call('DELETE', `/api/v1/users/${encodeURIComponent(name)}/sessions`),
  mapConfig: () => call('GET', '/api/v1/map/config'),
  /** `filters`: the board's filters as the map's query parameters (the map's `filters()`). */
  map: (bbox, resolution, filters = {}) =>
    call('GET', `/api/v1/map?${new URLSearchParams({ bbox: bbox.join(','), resolution, ...filters })}`),
  act: (id, action, body) => call('POST', `/api/v1/cases/${id}/${action}`, body),
  reissueLink: (id) => call('POST', `/api/v1/cases/${id}/tracking-link`),
  revokeLink: (id) => call('DELETE', `/api/v1/cases/${id}/tracking-link`),
  advisories: () => call('GET', '/api/v1/advisories'),
  matches: (id) => call('GET', `/api/v1/cases/${id}/matches`),
  openMatches: () => call('GET', '/api/v1/matches/open'),
  family: (id) => call('GET', `/api/v1/cases/${id}/family`),
  setTracing: (person, status) => call('POST', `/api/v1/persons/${person}/tracing-status`, { status }),
  decide: (suggestion, body) => call('POST', `/api/v1/matches/${suggestion}/decision`, body),
  undoDecision: (suggestion) => call('POST', `/api/v1/matches/${suggestion}/undo`),
  publishAdvisory: (body) => call('POST', '/api/v1/advisories', body),
  withdrawAdvisory: (id) => call('POST', `/api/v1/advisories/${id}/withdrawal`),
  partners: () => call('GET', '/api/v1/partners'),
  registerPartner: (body) => call('POST', '/api/v1/partners', body),
  tokens: (partner) => call('GET', `/api/v1/partners/${partner}/tokens`),
  issueToken: (partner, body = {}) => call('POST', `/api/v1/partners/${partner}/tokens`, body),
  revokeToken: (partner, token) => call('DELETE', `/api/v1/partners/${partner}/tokens/${token}`),
  deadLetters: (partner) => call('GET', `/api/v1/partners/${partner}/dead-letters`),
  replay: (partner, dead) => call('POST', `/api/v1/partners/${partner}/dead-letters/${dead}/replay`),
  referrals: (id) => call('GET', `/api/v1/cases/${id}/referrals`),
  refer: (id, body) => call('POST', `/api/v1/cases/${id}/referrals`, body),
  withdrawReferral: (referral, text) => call('POST', `/api/v1/referrals/${referral}/withdrawal`, text ? { text } : {}),
  places: () => call('GET', '/api/v1/places'),
  addPlace: (body) => call('POST', '/api/v1/places', body),
  zones: () => call('GET', '/api/v1/zones'),
  declareZone: (body) => call('POST', '/api/v1/zones', body),
  liftZone: (zone) => call('POST', `/api/v1/zones/${zone}/lifting`),
  movements: () => call('GET', '/api/v1/movements'),
  movement: (id) => call('GET', `/api/v1/movements/${id}`),
  planMovement: (body) => call('POST', '/api/v1/movements', body),
  moveMovement: (id, to) => call('POST', `/api/v1/movements/${id}/status`, { to }),
  suggestPassengers: (id, body) => call('POST', `/api/v1/movements/${id}/suggestion`, body),
  assignPassengers: (id, personIds) => call('POST', `/api/v1/movements/${id}/passengers`, { person_ids: personIds }),
  movePassengers: (id, personIds, to) => call('POST', `/api/v1/movements/${id}/passengers/status`, { person_ids: personIds, to }),
  evacuationSummary: () => call('GET', '/api/v1/evacuation/summary'),
};
