//! The JSON shapes of the partner registry (admins): partners, their tokens, dead webhook items.

use opsroom_domain::user::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rfc3339;

/// A registered partner agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerBody {
    pub partner_id: Uuid,
    pub name: String,
    pub name_ar: Option<String>,
    pub kind: opsroom_domain::partner::PartnerKind,
    pub contacts: Vec<opsroom_domain::partner::Contact>,
    pub profile: opsroom_domain::partner::DataProfile,
    /// Where the partner's webhooks go: shown to admins and to the partner itself only (a
    /// delivery target tells where the partner's systems are; operators need not know).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl PartnerBody {
    /// A partner as staff of `role` see it: without its delivery target unless they are admins.
    pub fn for_staff(p: &opsroom_domain::partner::Partner, role: Role) -> Self {
        let body = Self::from(p);
        if role == Role::Admin { body } else { Self { webhook_url: None, ..body } }
    }
}

/// A partner as admins and the partner itself see it, delivery target included.
impl From<&opsroom_domain::partner::Partner> for PartnerBody {
    fn from(p: &opsroom_domain::partner::Partner) -> Self {
        Self {
            partner_id: p.partner_id,
            name: p.name_en.clone(),
            name_ar: p.name_ar.clone(),
            kind: p.kind,
            contacts: p.contacts.clone(),
            profile: p.profile.clone(),
            webhook_url: p.webhook_url.clone(),
        }
    }
}

/// A partner as registered or changed; the webhook signing key appears here once, when it was
/// made (store it: it is not shown again).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerSaved {
    #[serde(flatten)]
    pub partner: PartnerBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Days until the token expires (1 to 365; 90 if absent).
    pub expires_in_days: Option<u32>,
}

/// A new partner token: shown once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub token_id: Uuid,
    pub token: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub token_id: Uuid,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

impl From<&opsroom_store::TokenRow> for TokenBody {
    fn from(t: &opsroom_store::TokenRow) -> Self {
        Self {
            token_id: t.token_id,
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

/// A webhook item given up on after every retry (its position: the item is rebuilt from the log
/// when replayed).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterBody {
    pub dead_id: Uuid,
    pub seq: u64,
    pub attempts: u32,
    pub last_error: String,
    pub dead_at: String,
    pub replayed_at: Option<String>,
}

impl From<&opsroom_store::DeadLetter> for DeadLetterBody {
    fn from(d: &opsroom_store::DeadLetter) -> Self {
        Self {
            dead_id: d.dead_id,
            seq: d.seq,
            attempts: d.attempts,
            last_error: d.last_error.clone(),
            dead_at: rfc3339(d.dead_at),
            replayed_at: d.replayed_at.map(rfc3339),
        }
    }
}
