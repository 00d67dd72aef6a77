//! Live streams: every committed event, in order, to every subscribed operator.
//!
//! - [`hub`]: one task that follows the committed head, reads new events from the log and
//!   broadcasts each as a ready-to-send frame (serialised once, shared by every socket).
//! - [`socket`]: one task per websocket: subscribe, replay from the store, then follow the hub;
//!   on any gap or lag it goes back to the store, so a client never silently misses an event.
//! - [`map`]: the map's counts per cell, moved by the hub with every event.
//! - [`partner_socket`]: a partner agency's websocket: the items of its feed (see
//!   `partner_feed`), read from the store whenever the head moves; its token is re-checked
//!   whenever the hub sees a token revoked or a partner changed; [`seats`]: how many of those
//!   each partner has open (bounded).
//!
//! Architecture invariant: nothing here ever sees an event that is not committed, because both
//! the hub and the replay read the log through the store's read pool.

pub mod hub;
pub mod map;
pub mod partner_socket;
pub mod seats;
pub mod socket;

pub use hub::{Frame, Hub, Scope};
