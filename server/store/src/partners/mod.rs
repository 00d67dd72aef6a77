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

/// The seam for partner agencies.
impl crate::Store {
    /// A write to the partners' registry or their tokens (see [`RegistryWrite`]).
    pub async fn registry_write(&self, write: RegistryWrite) -> Result<RegistryOutcome> {
        self.submit(write).await
    }

    /// A referral made or changed (see [`ReferralWrite`]).
    pub async fn referral_write(&self, write: ReferralWrite) -> Result<ReferralOutcome> {
        self.submit(write).await
    }

    /// Escalate referrals left pending too long; returns how many.
    pub async fn escalate_referrals(&self, sweep: EscalateReferrals) -> Result<usize> {
        self.submit(sweep).await
    }

    /// Webhook delivery's bookkeeping (see [`WebhookWrite`]).
    pub async fn webhook_write(&self, write: WebhookWrite) -> Result<WebhookOutcome> {
        self.submit(write).await
    }

    /// Open or close a partner page's session.
    pub async fn partner_session_write(&self, write: PartnerSessionWrite) -> Result<()> {
        self.submit(write).await
    }

    /// Mark a dead letter delivered again; `false` when there is no such dead letter.
    pub async fn dead_letter_replayed(&self, replayed: DeadLetterReplayed) -> Result<bool> {
        self.submit(replayed).await
    }

    pub async fn partners(&self) -> Result<Vec<PartnerRecord>> {
        self::partners(&self.inner.reads).await
    }

    pub async fn partner(&self, partner_id: Uuid) -> Result<Option<PartnerRecord>> {
        self::partner(&self.inner.reads, partner_id).await
    }

    /// The partner behind a token's hash, if the token is live at `now_ms`.
    pub async fn partner_session(&self, token_hash: &str, now_ms: i64) -> Result<Option<PartnerSession>> {
        self::partner_session(&self.inner.reads, token_hash, now_ms).await
    }

    /// The partner behind a partner page session's hash, if it and its API token are live.
    pub async fn partner_web_session(&self, session_hash: &str, now_ms: i64) -> Result<Option<PartnerSession>> {
        self::partner_web_session(&self.inner.reads, session_hash, now_ms).await
    }

    /// Whether a partner may see a case now.
    pub async fn partner_has_access(&self, partner_id: Uuid, case_id: Uuid) -> Result<bool> {
        self::partner_has_access(&self.inner.reads, partner_id, case_id).await
    }

    pub async fn partner_tokens(&self, partner_id: Uuid) -> Result<Vec<TokenRow>> {
        self::tokens(&self.inner.reads, partner_id).await
    }

    pub async fn referrals_for_case(&self, case_id: Uuid) -> Result<Vec<ReferralRow>> {
        self::referrals_for_case(&self.inner.reads, case_id).await
    }

    /// Everything a partner could be shown of a case, before its profile cuts it.
    pub async fn case_facts(&self, case_id: Uuid) -> Result<Option<opsroom_domain::partner::view::CaseFacts>> {
        self::case_facts(&self.inner.reads, case_id).await
    }

    /// The cases a partner may see now, most recently changed first; at most `limit`.
    pub async fn partner_case_ids(&self, partner_id: Uuid, limit: u32) -> Result<Vec<Uuid>> {
        self::partner_case_ids(&self.inner.reads, partner_id, limit).await
    }

    /// Events on the cases referred to a partner in `(after, upto]`, in order; at most `limit`.
    pub async fn partner_events(
        &self,
        partner_id: Uuid,
        after: u64,
        upto: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>> {
        self::partner_events(&self.inner.reads, partner_id, after, upto, limit).await
    }

    pub async fn dead_letters(&self, partner_id: Uuid) -> Result<Vec<DeadLetter>> {
        self::dead_letters(&self.inner.reads, partner_id).await
    }

    pub async fn dead_letter(&self, dead_id: Uuid) -> Result<Option<DeadLetter>> {
        self::dead_letter_by_id(&self.inner.reads, dead_id).await
    }

    pub async fn webhook_targets(&self) -> Result<Vec<WebhookTarget>> {
        self::webhook_targets(&self.inner.reads, None).await
    }

    /// One partner's webhook target, if it takes webhooks.
    pub async fn webhook_target(&self, partner_id: Uuid) -> Result<Option<WebhookTarget>> {
        Ok(self::webhook_targets(&self.inner.reads, Some(partner_id)).await?.pop())
    }
}
