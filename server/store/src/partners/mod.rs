//! Partner agencies in the database: the registry, tokens, referrals, webhook bookkeeping
//! (`writes`), and the reads a partner's feed is built from (`reads`).
//!
//! Writes run inside the writer's transaction at a given log position and write one event plus
//! the rows it changes. Must not decide what the domain decides: referral transitions are
//! `referral::decide`, what a partner may see is `partner::view` (this module only gathers the
//! facts for it, and never the exact coordinates).

use opsroom_domain::case::PersonRole;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::location::Coordinates;
use opsroom_domain::partner::referral::{
    ReferralActor, ReferralEscalated, ReferralMade, ReferralState, ReferralStatus, RequestType,
};
use opsroom_domain::partner::view::{CaseFacts, PersonFacts, ReferralFacts, ReferralStep, ReporterFacts};
use opsroom_domain::partner::{Partner, PartnerRegistered, PartnerTokenChanged, referral};
use opsroom_domain::{Rejected, wire_name};
use uuid::Uuid;

use crate::Result;
use crate::model::*;
use crate::reads::{case_persons, case_summary, cell_col, corrupt, stored_event, uuid_col};
use crate::rows::record;
use crate::sql::{Conn, Pool, Row, listed};
use crate::write::{Positions, Write};

mod reads;
mod writes;

pub(crate) use reads::*;

/// The referral statuses for which `rule` holds, as a list of SQL literals (the rules are the
/// domain's; the SQL only lists their outcome).
/// The referral statuses for which `rule` holds, as an SQL list.
fn statuses_where(rule: impl Fn(ReferralStatus) -> bool) -> String {
    listed(ReferralStatus::ALL, rule, |s| s.as_str().to_owned())
}

fn parse_partner(row: &Row) -> Result<Partner> {
    let data: String = row.get("data")?;
    serde_json::from_str(&data).map_err(|e| corrupt("partner.data", e))
}

fn referral_state(row: &Row) -> Result<ReferralState> {
    let request: String = row.get("request_type")?;
    let status: String = row.get("status")?;
    Ok(ReferralState {
        referral_id: uuid_col(row, "referral_id")?,
        case_id: uuid_col(row, "case_id")?,
        partner_id: uuid_col(row, "partner_id")?,
        request_type: RequestType::parse(&request).ok_or_else(|| corrupt("request_type", &request))?,
        status: ReferralStatus::parse(&status).ok_or_else(|| corrupt("referral.status", &status))?,
    })
}
