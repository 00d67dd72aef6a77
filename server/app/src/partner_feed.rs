//! What a partner hears: feed items built from the log and cut to the partner's profile.
//!
//! Owns the one rule for every partner channel (poll, websocket, webhook, one case, exports):
//! an event reaches a partner when it is about the partner's own referral (even one that ends
//! its access, so it learns of it), when it changes what the partner's view of a case it may
//! see shows, or when it is about a movement shared with the partner; each item carries the case
//! (or the movement) as the partner may see it *now*. Must not shape
//! anything the domain's `partner::view::project` does not allow.

use std::collections::HashMap;

use opsroom_domain::evacuation::movement::Movement;
use opsroom_domain::evacuation::place::Place;
use opsroom_domain::event::Event;
use opsroom_domain::partner::movement_view::{PartnerMovement, PassengerFacts, project_change, project_movement};
use opsroom_domain::partner::referral::ReferralStatus;
use opsroom_domain::partner::view::PartnerCase;
use opsroom_domain::partner::{Partner, view};
use opsroom_store::{Store, StoredEvent};
use uuid::Uuid;

use crate::wire::{FeedItem, PartnerCaseBody, PartnerMovementBody, ReferralRef};

/// The case as `partner` may see it now; `None` when it may not (no referral, or none that gives
/// access) or there is no such case — the two are never told apart.
pub async fn case_view(store: &Store, partner: &Partner, case_id: Uuid) -> opsroom_store::Result<Option<PartnerCase>> {
    // Access first, in one query: a case the partner may not see costs the same as one that does
    // not exist, and its people are never even read.
    if !store.partner_has_access(partner.partner_id, case_id).await? {
        return Ok(None);
    }
    projected(store, partner, case_id).await
}

/// The case cut to `partner`'s profile (`project` decides access again from the facts).
async fn projected(store: &Store, partner: &Partner, case_id: Uuid) -> opsroom_store::Result<Option<PartnerCase>> {
    Ok(store.case_facts(case_id).await?.and_then(|facts| view::project(&facts, partner.partner_id, &partner.profile)))
}

/// The cases `partner` may see now, most recently changed first.
pub async fn current_cases(store: &Store, partner: &Partner, limit: u32) -> opsroom_store::Result<Vec<PartnerCase>> {
    let mut cases = Vec::new();
    // These ids are the cases it has access to: no second access query per case.
    for case_id in store.partner_case_ids(partner.partner_id, limit).await? {
        if let Some(case) = projected(store, partner, case_id).await? {
            cases.push(case);
        }
    }
    Ok(cases)
}

/// What a partner's view of a movement is cut from.
struct MovementFacts {
    movement: Movement,
    origin: Place,
    destination: Place,
    passengers: Vec<PassengerFacts>,
}

/// The facts of a movement shared with `partner`; `None` when it is not shared or does not
/// exist (never told apart). Sharing is checked first, in one query: an unshared movement's
/// passengers are never read.
async fn movement_facts(
    store: &Store,
    partner: &Partner,
    movement_id: Uuid,
) -> opsroom_store::Result<Option<MovementFacts>> {
    if !store.movement_shared(partner.partner_id, movement_id).await? {
        return Ok(None);
    }
    let Some((record, passengers)) = store.movement(movement_id).await? else { return Ok(None) };
    let movement = record.movement;
    let (Some(origin), Some(destination)) =
        (store.place(movement.origin_place_id).await?, store.place(movement.destination_place_id).await?)
    else {
        return Ok(None);
    };
    let passengers = passengers
        .iter()
        .map(|p| PassengerFacts {
            person_id: p.person_id,
            reference: p.reference.clone(),
            person: view::PersonFacts {
                name: p.name.clone(),
                age: p.age,
                sex: p.sex.map(opsroom_domain::wire_name),
                phone: p.phone.clone(),
                passport: p.passport.clone(),
            },
            needs: p.needs.clone(),
            flags: p.flags.clone(),
            status: p.status,
        })
        .collect();
    Ok(Some(MovementFacts { movement, origin, destination, passengers }))
}

/// The movement as `partner` may see it now, with everyone holding a seat; `None` unless it is
/// shared with the partner (or there is no such movement — the two are never told apart).
pub async fn movement_view(
    store: &Store,
    partner: &Partner,
    movement_id: Uuid,
) -> opsroom_store::Result<Option<PartnerMovement>> {
    Ok(movement_facts(store, partner, movement_id).await?.and_then(|f| {
        project_movement(&f.movement, &f.origin, &f.destination, &f.passengers, partner.partner_id, &partner.profile)
    }))
}

/// A feed item's movement: as the partner may see it now, with only the passenger the event
/// changed (as they stand now on this movement; only their id and the event's status if they
/// have since left it), so an item stays small however many seats the movement has.
fn movement_change(facts: &MovementFacts, event: &Event, partner: &Partner) -> Option<PartnerMovement> {
    let left;
    let changed: Vec<&PassengerFacts> = match event {
        Event::PassengerChanged(change) => match facts.passengers.iter().find(|p| p.person_id == change.person_id) {
            Some(now) => vec![now],
            None => {
                left = PassengerFacts {
                    person_id: change.person_id,
                    reference: String::new(),
                    person: view::PersonFacts::default(),
                    needs: Vec::new(),
                    flags: Vec::new(),
                    status: change.to,
                };
                vec![&left]
            }
        },
        _ => Vec::new(),
    };
    let f = facts;
    project_change(&f.movement, &f.origin, &f.destination, &changed, partner.partner_id, &partner.profile)
}

/// The movements shared with `partner`, by departure.
pub async fn current_movements(store: &Store, partner: &Partner) -> opsroom_store::Result<Vec<PartnerMovement>> {
    let mut movements = Vec::new();
    for movement_id in store.shared_movement_ids(partner.partner_id).await? {
        movements.extend(movement_view(store, partner, movement_id).await?);
    }
    Ok(movements)
}

/// Turn a page of events on the partner's cases into feed items (one view per case per page).
pub async fn items_from(
    store: &Store,
    partner: &Partner,
    events: &[StoredEvent],
) -> opsroom_store::Result<Vec<FeedItem>> {
    let mut views: HashMap<Uuid, Option<PartnerCase>> = HashMap::new();
    let mut movements: HashMap<Uuid, Option<MovementFacts>> = HashMap::new();
    let mut items = Vec::new();
    let at = |stored: &StoredEvent| opsroom_domain::clock::Timestamp(stored.recorded_at).to_rfc3339();
    for stored in events {
        let event = match Event::from_parts(&stored.kind, &stored.data) {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(%error, seq = stored.seq, "an event the partner feed cannot read; skipped");
                continue;
            }
        };
        if let Some(movement_id) = event.movement_id() {
            let facts = match movements.entry(movement_id) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(movement_facts(store, partner, movement_id).await?)
                }
            };
            let movement = facts.as_ref().and_then(|facts| movement_change(facts, &event, partner));
            let movement = movement.as_ref().map(PartnerMovementBody::from);
            // A movement not shared with the partner is not its business, whoever is on it.
            if movement.is_some() {
                items.push(FeedItem {
                    kind_of_message: "event",
                    seq: stored.seq,
                    kind: stored.kind.clone(),
                    // Never the passenger's case id: a case not referred to the partner is not
                    // its to know of, even by id.
                    case_id: None,
                    at: at(stored),
                    referral: None,
                    case: None,
                    movement,
                });
            }
            continue;
        }
        let Some(case_id) = stored.case_id else { continue };
        let referral = match (&event, event.referral_partner()) {
            (_, Some(owner)) if owner != partner.partner_id => continue,
            (Event::ReferralMade(made), Some(_)) => {
                Some(ReferralRef { referral_id: made.referral_id, status: ReferralStatus::Pending })
            }
            (Event::ReferralUpdated(change), Some(_)) => {
                Some(ReferralRef { referral_id: change.referral_id, status: change.to })
            }
            // An escalation is the ops room's chase; the partner sees its referral unchanged.
            (_, Some(_)) => continue,
            (_, None) if event.concerns_partners() => None,
            (_, None) => continue,
        };
        let case = match views.entry(case_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(case_view(store, partner, case_id).await?).clone()
            }
        };
        // A change to a case the partner may no longer see is not its business.
        if case.is_none() && referral.is_none() {
            continue;
        }
        items.push(FeedItem {
            kind_of_message: "event",
            seq: stored.seq,
            kind: stored.kind.clone(),
            case_id: Some(case_id),
            at: at(stored),
            referral,
            case: case.as_ref().map(PartnerCaseBody::from),
            movement: None,
        });
    }
    Ok(items)
}

/// A partner's websocket or webhook reads the store at most this often, however fast the log
/// grows: under heavy intake the head moves hundreds of times a second, and a read per move
/// per partner would take CPU from intake for nothing a partner could notice.
pub const FEED_PACE: std::time::Duration = std::time::Duration::from_millis(100);

/// Events read per page when building a feed.
pub const FEED_PAGE: u32 = 500;

/// Most log positions one page looks across, so that a page never sorts a partner's whole
/// history (a catch-up from an old position takes more pages, each of bounded cost).
pub const FEED_WINDOW: u64 = 20_000;

/// The partner's items after position `after`, up to `upto`: at most one page. Returns the
/// items and the position to continue from (`upto` once everything was read).
pub async fn items_after(
    store: &Store,
    partner: &Partner,
    after: u64,
    upto: u64,
) -> opsroom_store::Result<(Vec<FeedItem>, u64)> {
    let upto = upto.max(after).min(after.saturating_add(FEED_WINDOW));
    let events = store.partner_events(partner.partner_id, after, upto, FEED_PAGE).await?;
    let next = if events.len() < FEED_PAGE as usize { upto } else { events.last().map_or(upto, |e| e.seq) };
    Ok((items_from(store, partner, &events).await?, next))
}
