//! Evacuation logistics: places people leave from and go to (`place`), danger zones and safe
//! corridors tiled into H3 cells (`zone`), movements and each passenger's status (`movement`),
//! who gets a seat first (`allocation`), and as what each passenger travels and with whom
//! (`manifest`). Pure, like the rest of the domain: no store, no
//! clock, no IO.

pub mod allocation;
pub mod manifest;
pub mod movement;
pub mod place;
pub mod zone;
