// The partner API, in one place. Calls go with the page's HttpOnly cookie (set by signing in
// with the token); the page's script never holds the token after sending it once.
import { call } from '../../shared/api.js';

export const api = {
  me: () => call('GET', '/api/v1/partner/me'),
  signIn: (token) => call('POST', '/api/v1/partner/session', { token }),
  signOut: () => call('DELETE', '/api/v1/partner/session'),
  cases: () => call('GET', '/api/v1/partner/cases'),
  case: (id) => call('GET', `/api/v1/partner/cases/${id}`),
  movements: () => call('GET', '/api/v1/partner/movements'),
  accept: (referral, text) => call('POST', `/api/v1/partner/referrals/${referral}/acceptance`, text ? { text } : {}),
  decline: (referral, reason) => call('POST', `/api/v1/partner/referrals/${referral}/decline`, { reason }),
  progress: (referral, step, text) => call('POST', `/api/v1/partner/referrals/${referral}/progress`, { step, ...(text ? { text } : {}) }),
};

/** The exports, downloaded with the same cookie. */
export const EXPORTS = { csv: '/api/v1/partner/cases.csv', geojson: '/api/v1/partner/cases.geojson' };
