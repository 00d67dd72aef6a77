// The idempotency key a page sends with a report (`Idempotency-Key`), shared by the citizen
// form and the ops room's hotline desk: a retry after a lost answer replays the stored case
// instead of filing a second one. Made with getRandomValues, which (unlike randomUUID) also
// works on a page served over plain http on a closed network.

/** A fresh idempotency key (256 random bits, base64url), as the server makes them. */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
