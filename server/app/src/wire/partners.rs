//! The JSON shapes of the partner registry (admins): partners, their tokens, dead webhook items.

use opsroom_domain::partner::{Contact, DataProfile, PartnerInput, PartnerKind, ProfileField, ProfileInput};
use opsroom_domain::user::Role;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
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
    pub contacts: Vec<ContactBody>,
    pub profile: DataProfileBody,
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
            contacts: p.contacts.iter().map(ContactBody::from).collect(),
            profile: DataProfileBody::from(&p.profile),
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

/// What an admin sends to register a partner (`POST`) or change one (`PUT`). On a change, a
/// part left out stays as it was — the profile part by part — and `null` removes the Arabic
/// name, the contacts or the webhook URL: an admin who changes a phone number cannot widen a
/// profile or drop a webhook by accident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerRequest {
    /// The name in English (or Latin script).
    pub name: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name_ar: Option<Option<String>>,
    pub kind: PartnerKind,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<ContactBody>>)]
    pub contacts: Option<Option<Vec<ContactBody>>>,
    #[serde(default)]
    pub profile: Option<ProfileRequest>,
    /// `https://` (or, where the server allows it, `http://`) URL that receives signed webhooks.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub webhook_url: Option<Option<String>>,
}

impl PartnerRequest {
    pub fn to_domain(&self) -> PartnerInput {
        let contacts = |list: &Vec<ContactBody>| list.iter().map(ContactBody::to_domain).collect();
        PartnerInput {
            name: self.name.clone(),
            name_ar: self.name_ar.clone(),
            kind: self.kind,
            contacts: self.contacts.as_ref().map(|c| c.as_ref().map(contacts)),
            profile: self.profile.as_ref().map(ProfileRequest::to_domain),
            webhook_url: self.webhook_url.clone(),
        }
    }
}

/// An admin's wishes for a profile; every part is optional: a part left out stays as it was (the
/// kind's default for a new partner), and `null` removes a region.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub fields: Option<Vec<ProfileField>>,
    pub resolution: Option<u8>,
    pub evacuation_resolution: Option<u8>,
    /// A GeoJSON Polygon or MultiPolygon.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub region: Option<Option<serde_json::Value>>,
    /// Or H3 cells (hex).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub region_cells: Option<Option<Vec<String>>>,
    /// The slugs of the crises the partner works in (cases of other crises cannot be referred
    /// to it); `[]`: every crisis.
    pub crises: Option<Vec<String>>,
}

impl ProfileRequest {
    fn to_domain(&self) -> ProfileInput {
        ProfileInput {
            fields: self.fields.clone(),
            resolution: self.resolution,
            evacuation_resolution: self.evacuation_resolution,
            region: self.region.clone(),
            region_cells: self.region_cells.clone(),
            crises: self.crises.clone(),
        }
    }
}

/// A field that was present in the JSON: `Some(None)` for `null`, `Some(Some(v))` for a value
/// (absent fields are `None` through `#[serde(default)]`), so "leave it" and "remove it" differ.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One way to reach a partner's desk.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactBody {
    fn to_domain(&self) -> Contact {
        Contact { name: self.name.clone(), phone: self.phone.clone(), email: self.email.clone() }
    }
}

impl From<&Contact> for ContactBody {
    fn from(c: &Contact) -> Self {
        Self { name: c.name.clone(), phone: c.phone.clone(), email: c.email.clone() }
    }
}

/// What one partner receives of the cases referred to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataProfileBody {
    /// Sorted, each once.
    pub fields: Vec<ProfileField>,
    /// Locations are given as the enclosing H3 cell of this resolution (and its centre).
    pub resolution: u8,
    /// The resolution once the partner has accepted a medical evacuation of the case: a team on
    /// its way needs the street block, not the district.
    pub evacuation_resolution: u8,
    /// Where the partner works; cases outside it cannot be referred to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub region: Option<Box<RawValue>>,
    /// The crises it works in (slugs); empty: every crisis.
    pub crises: Vec<String>,
}

impl From<&DataProfile> for DataProfileBody {
    fn from(p: &DataProfile) -> Self {
        // The area's own JSON, written as it is (a `Value` would reorder its keys).
        let region = p.region.as_ref().and_then(|area| serde_json::value::to_raw_value(area).ok());
        Self {
            fields: p.fields.clone(),
            resolution: p.resolution,
            evacuation_resolution: p.evacuation_resolution,
            region,
            crises: p.crises.iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}
