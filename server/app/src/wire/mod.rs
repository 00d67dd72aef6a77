//! The wire format: every request, response and websocket message the app speaks, one file per
//! resource.
//!
//! Owns the public JSON shapes, separate from the domain types, so that renaming a domain field
//! cannot silently break a browser or a partner: a domain or store struct reaches a caller only
//! through a twin here and its `From` conversion (the domain's enums — statuses, kinds, needs —
//! are written by their own `snake_case` names). Conversions to and from the domain and the store
//! live here too; handlers only call them. Must not depend on any other module of the app (it is
//! a leaf: `http`, `live`, `partner_feed` and `webhooks` use it, never the other way), and no type
//! outside this folder derives `Serialize`, `Deserialize` or `ToSchema` (a test reads the source).
//! The event log's `Event` JSON is the domain's (stored and streamed as it is, see
//! ARCHITECTURE.md), carried here as raw JSON.

use opsroom_domain::clock::Timestamp;

mod advisories;
mod calls;
mod cases;
mod crises;
mod errors;
mod evacuation;
mod health;
mod live;
mod map;
mod matching;
mod partner;
mod partners;
mod pfif;
mod referrals;
mod reports;
mod session;
mod shift;
mod tracking;
mod workflow;

pub use advisories::*;
pub use calls::*;
pub use cases::*;
pub use crises::*;
pub use errors::*;
pub use evacuation::*;
pub use health::*;
pub use live::*;
pub use map::*;
pub use matching::*;
pub use partner::*;
pub use partners::*;
pub use pfif::*;
pub use referrals::*;
pub use reports::*;
pub use session::*;
pub use shift::*;
pub use tracking::*;
pub use workflow::*;

/// A time of the log (ms since the epoch) as the API writes it: RFC 3339, UTC.
pub(crate) fn rfc3339(ms: i64) -> String {
    Timestamp(ms).to_rfc3339()
}
