// Content-hashed names for the static assets (used by build.mjs, tested in tests/asset-names.test.mjs).
// An asset's URL carries a hash of its bytes, so the server can let browsers keep it for a year
// (`immutable`): a changed file is a new URL, never a stale copy. Nothing here reads the disk.
import { createHash } from 'node:crypto';

/** 10 hex digits of the SHA-256 of `content`. */
export const contentHash = (content) => createHash('sha256').update(content).digest('hex').slice(0, 10);

/** `app.js` with these bytes → `app.<contentHash>.js`. */
export function hashedName(name, content) {
  const digest = contentHash(content);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.${digest}${name.slice(dot)}` : `${name}.${digest}`;
}

/**
 * Every quoted (or `url(…)`) occurrence of a logical URL in `text` replaced by its hashed URL;
 * `manifest` maps logical to hashed URLs. Only whole, delimited URLs are replaced, so
 * `/ops/places.json` never touches `/static/places.json`.
 */
export function rewriteReferences(text, manifest) {
  let out = text;
  for (const [logical, hashed] of Object.entries(manifest)) {
    const escaped = logical.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(["'\`(])${escaped}(?=["'\`)])`, 'g'), `$1${hashed}`);
  }
  return out;
}
