//! Partner agencies: the writes to the registry, referrals, webhooks and partner page sessions,
//! with their outcomes, and what the partner reads return.

use super::*;

/// A write to the registry of partner agencies and their API tokens.
#[derive(Debug, Clone)]
pub enum RegistryWrite {
    /// Register a partner; refused with `NameTaken` when its English name is in use.
    Register {
        partner: opsroom_domain::partner::Partner,
        webhook_secret: Option<String>,
        by: Uuid,
        at: i64,
    },
    /// Replace a partner's registration. `webhook_secret` replaces the signing key when given;
    /// a partner without a webhook URL keeps no key.
    Update {
        partner: opsroom_domain::partner::Partner,
        webhook_secret: Option<String>,
        by: Uuid,
        at: i64,
    },
    IssueToken {
        partner_id: Uuid,
        token_id: Uuid,
        token_hash: String,
        expires_at: i64,
        by: Uuid,
        at: i64,
    },
    RevokeToken {
        partner_id: Uuid,
        token_id: Uuid,
        by: Uuid,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryOutcome {
    /// Done, with the position of its event.
    Applied { seq: u64 },
    /// No such partner.
    NotFound,
    /// Another partner has this English name.
    NameTaken,
}

/// A referral made to a partner, or changed by the partner or an operator.
#[derive(Debug, Clone)]
pub enum ReferralWrite {
    /// Refer a case; refused when the case lies outside the partner's region or the same request
    /// is already open with the partner.
    Refer {
        referral_id: Uuid,
        case_id: Uuid,
        partner_id: Uuid,
        request_type: opsroom_domain::partner::referral::RequestType,
        note: Option<opsroom_domain::text::Message>,
        by: Uuid,
        at: i64,
    },
    /// A partner's answer or progress, or an operator's withdrawal. A partner acting on a
    /// referral that is not its own gets `NotFound`, exactly as for one that does not exist.
    Change {
        referral_id: Uuid,
        command: opsroom_domain::partner::referral::ReferralCommand,
        actor: opsroom_domain::partner::referral::ReferralActor,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReferralOutcome {
    /// Done, with the position of its event.
    Applied {
        seq: u64,
    },
    /// No such case or referral (or, to a partner, not its own).
    NotFound,
    Refused(Rejected),
}

/// Raise `referral_escalated` for every referral pending since before `referred_before`;
/// answers how many.
#[derive(Debug, Clone, Copy)]
pub struct EscalateReferrals {
    pub referred_before: i64,
    pub at: i64,
}

/// The bookkeeping of a partner's webhook delivery.
#[derive(Debug, Clone)]
pub enum WebhookWrite {
    /// Take (or renew) the lease on a partner's webhook delivery for `node` until `until`;
    /// `Stale` while another node holds a live lease. One node delivers a partner's webhooks,
    /// so they go out in order.
    Lease { partner_id: Uuid, node: Uuid, until: i64, now: i64 },
    /// Move a partner's webhook cursor from `from` to `to` (refused as `Stale` if the cursor
    /// moved or `node` lost the lease), recording a dead letter for an item given up on.
    Delivered { partner_id: Uuid, node: Uuid, from: u64, to: u64, dead: Option<DeadLetter> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Recorded,
    /// The cursor had moved or the lease is another node's (another node delivers).
    Stale,
}

/// A partner page's session (the hash of its cookie), opened for a live API token or closed.
#[derive(Debug, Clone)]
pub enum PartnerSessionWrite {
    /// Sessions expired at `now` are removed.
    Open {
        session_hash: String,
        token_id: Uuid,
        expires_at: i64,
        now: i64,
    },
    Close {
        session_hash: String,
    },
}

/// A dead letter was delivered again on an admin's request; answers whether it exists.
#[derive(Debug, Clone, Copy)]
pub struct DeadLetterReplayed {
    pub dead_id: Uuid,
    pub at: i64,
}

/// A registered partner and its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRecord {
    pub partner: opsroom_domain::partner::Partner,
    pub created_seq: u64,
    pub updated_seq: u64,
}

/// Who a live partner token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSession {
    pub partner: opsroom_domain::partner::Partner,
    pub token_id: Uuid,
    pub expires_at: i64,
}

/// A token as admins see it: never its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub token_id: Uuid,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A referral as the ops room sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRow {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub partner_name: String,
    pub request_type: opsroom_domain::partner::referral::RequestType,
    pub status: opsroom_domain::partner::referral::ReferralStatus,
    pub note: Option<String>,
    pub referred_by: Uuid,
    pub referred_at: i64,
    pub updated_at: i64,
    pub escalated_at: Option<i64>,
}

/// A webhook item given up on after every retry: only its position, so that a replay rebuilds
/// it under the partner's profile and access at that time and no copy of a case is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub dead_id: Uuid,
    pub partner_id: Uuid,
    pub seq: u64,
    pub attempts: u32,
    pub last_error: String,
    pub dead_at: i64,
    pub replayed_at: Option<i64>,
}

/// Where a partner's webhooks go and how far they have got.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookTarget {
    pub partner_id: Uuid,
    pub url: String,
    pub secret: String,
    pub cursor: u64,
    /// The partner registration's position: a change means a new URL, key or profile.
    pub partner_seq: u64,
}
