//! Partner agencies: who they are and what each may see.
//!
//! Owns the partner vocabulary (kinds), the **data profile** (the fields a partner receives, the
//! H3 resolution its locations are coarsened to, an optional region it works in) with a default
//! per kind, and the refusals for bad registry input. `referral` holds the work handed to a
//! partner; `view` the only way a case reaches one. Must not decide who may call what (the app's
//! extractors do) nor read anything.

pub mod movement_view;
pub mod referral;
pub mod view;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::advisory::Area;
use crate::clock::Timestamp;
use crate::crisis::Slug;
use crate::text::MAX_NAME_CHARS;

/// What kind of organisation a partner is; it decides the default data profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerKind {
    RedCrescent,
    ForeignAffairs,
    Embassy,
    UnAgency,
    Ngo,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 6] = [
        PartnerKind::RedCrescent,
        PartnerKind::ForeignAffairs,
        PartnerKind::Embassy,
        PartnerKind::UnAgency,
        PartnerKind::Ngo,
        PartnerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::RedCrescent => "red_crescent",
            PartnerKind::ForeignAffairs => "foreign_affairs",
            PartnerKind::Embassy => "embassy",
            PartnerKind::UnAgency => "un_agency",
            PartnerKind::Ngo => "ngo",
            PartnerKind::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A piece of a case a partner may be given. Anything not listed in its profile never leaves
/// the server for that partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProfileField {
    /// The people's names.
    Names,
    Ages,
    Sex,
    /// The people's own phone numbers.
    Phones,
    Passports,
    /// What the case asks for (medical, water, evacuation…).
    Needs,
    /// Vulnerabilities (injured, unaccompanied minors…).
    Flags,
    /// The place name as typed: it can be as precise as a street, so it is off by default.
    Place,
    /// The reporter's free text: it can say anything, so it is off by default.
    Message,
    /// The reporter (often a relative abroad): name, phone and relation.
    Reporter,
}

impl ProfileField {
    pub const ALL: [ProfileField; 10] = [
        ProfileField::Names,
        ProfileField::Ages,
        ProfileField::Sex,
        ProfileField::Phones,
        ProfileField::Passports,
        ProfileField::Needs,
        ProfileField::Flags,
        ProfileField::Place,
        ProfileField::Message,
        ProfileField::Reporter,
    ];
}

/// Coarsest and finest resolution a profile may name. Resolution 9 is what the store keeps, so
/// nothing finer exists to hand out.
pub const COARSEST_RESOLUTION: u8 = 4;
pub const FINEST_RESOLUTION: u8 = 9;

/// What one partner receives of the cases referred to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataProfile {
    /// Sorted, each once.
    pub fields: Vec<ProfileField>,
    /// Locations are given as the enclosing H3 cell of this resolution (and its centre).
    pub resolution: u8,
    /// The resolution once the partner has accepted a medical evacuation of the case: a team on
    /// its way needs the street block, not the district.
    pub evacuation_resolution: u8,
    /// Where the partner works; cases outside it cannot be referred to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub region: Option<Area>,
    /// The crises the partner works in (their slugs); cases of other crises, and cases no
    /// crisis holds, cannot be referred to it. Empty: every crisis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub crises: Vec<Slug>,
}

impl DataProfile {
    /// The profile a partner of `kind` gets unless an admin says otherwise: the least each kind
    /// needs for its usual work.
    pub fn default_for(kind: PartnerKind) -> Self {
        use ProfileField::*;
        let fields = match kind {
            // Rescue and medical work: who, how old, how to call them, what is wrong. Not papers.
            PartnerKind::RedCrescent => vec![Names, Ages, Sex, Phones, Needs, Flags],
            // Consular work is about identity and documents, and the family abroad asking.
            PartnerKind::ForeignAffairs | PartnerKind::Embassy => {
                vec![Names, Ages, Sex, Phones, Passports, Needs, Flags, Reporter]
            }
            // Aid agencies plan by numbers and needs; names only if an admin adds them.
            PartnerKind::UnAgency | PartnerKind::Ngo => vec![Ages, Sex, Needs, Flags],
            PartnerKind::Other => vec![Needs, Flags],
        };
        Self { fields, resolution: 7, evacuation_resolution: FINEST_RESOLUTION, region: None, crises: Vec::new() }
    }

    pub fn allows(&self, field: ProfileField) -> bool {
        self.fields.contains(&field)
    }

    /// Build a profile from an admin's input over `base` (the kind's default for a new partner,
    /// the stored profile for a change): each part given replaces the base's, the rest stays.
    pub fn amend(base: &DataProfile, input: &ProfileInput) -> Result<Self, Rejected> {
        let mut profile = base.clone();
        if let Some(fields) = &input.fields {
            profile.fields = crate::need::sorted_unique(fields);
        }
        let check = |value: u8, field: &str| {
            if (COARSEST_RESOLUTION..=FINEST_RESOLUTION).contains(&value) {
                Ok(value)
            } else {
                Err(Rejected::new(
                    "out_of_range",
                    format!("profile.{field}"),
                    format!("an H3 resolution from {COARSEST_RESOLUTION} to {FINEST_RESOLUTION}"),
                ))
            }
        };
        if let Some(resolution) = input.resolution {
            profile.resolution = check(resolution, "resolution")?;
        }
        if let Some(resolution) = input.evacuation_resolution {
            profile.evacuation_resolution = check(resolution, "evacuation_resolution")?;
        }
        if profile.evacuation_resolution < profile.resolution {
            profile.evacuation_resolution = profile.resolution;
        }
        profile.region = match (&input.region, &input.region_cells) {
            (Some(Some(_)), Some(Some(_))) => {
                return Err(Rejected::new(
                    "ambiguous",
                    "profile.region",
                    "give the region as a GeoJSON polygon or as H3 cells, not both",
                ));
            }
            (Some(Some(geometry)), _) => Some(Area::from_geojson(geometry).map_err(|r| r.within("profile.region"))?),
            (_, Some(Some(cells))) => Some(Area::from_cells(cells).map_err(|r| r.within("profile.region_cells"))?),
            // `null` removes the region; leaving both out keeps it.
            (Some(None), _) | (_, Some(None)) => None,
            (None, None) => profile.region,
        };
        if let Some(crises) = &input.crises {
            let mut slugs = Vec::with_capacity(crises.len());
            for (i, raw) in crises.iter().enumerate() {
                let slug = Slug::parse(raw).map_err(|r| r.within(&format!("profile.crises[{i}]")))?;
                if !slugs.contains(&slug) {
                    slugs.push(slug);
                }
            }
            profile.crises = slugs;
        }
        Ok(profile)
    }
}

/// An admin's wishes for a profile; every part is optional: a part left out stays as it was (the
/// kind's default for a new partner), and `null` removes a region.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    pub fields: Option<Vec<ProfileField>>,
    pub resolution: Option<u8>,
    pub evacuation_resolution: Option<u8>,
    /// A GeoJSON Polygon or MultiPolygon.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub region: Option<Option<serde_json::Value>>,
    /// Or H3 cells (hex).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub region_cells: Option<Option<Vec<String>>>,
    /// The slugs of the crises it works in; `[]`: every crisis.
    pub crises: Option<Vec<String>>,
}

/// A field that was present in the JSON: `Some(None)` for `null`, `Some(Some(v))` for a value
/// (absent fields are `None` through `#[serde(default)]`), so "leave it" and "remove it" differ.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One way to reach a partner's desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A partner as registered: its names, kind, contacts and profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub partner_id: Uuid,
    pub name_en: String,
    pub name_ar: Option<String>,
    pub kind: PartnerKind,
    pub contacts: Vec<Contact>,
    pub profile: DataProfile,
    /// Where the partner's webhooks go, if it takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

/// What an admin sends to register a partner (`POST`) or change one (`PUT`). On a change, a
/// part left out stays as it was — the profile part by part — and `null` removes the Arabic
/// name, the contacts or the webhook URL: an admin who changes a phone number cannot widen a
/// profile or drop a webhook by accident.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerInput {
    /// The name in English (or Latin script).
    pub name: String,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name_ar: Option<Option<String>>,
    pub kind: PartnerKind,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Contact>>))]
    pub contacts: Option<Option<Vec<Contact>>>,
    #[serde(default)]
    pub profile: Option<ProfileInput>,
    /// `https://` (or, where the server allows it, `http://`) URL that receives signed webhooks.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub webhook_url: Option<Option<String>>,
}

/// Most contacts a partner lists.
const MAX_CONTACTS: usize = 20;

impl Partner {
    /// Validate an admin's registration of a new partner.
    pub fn register(partner_id: Uuid, input: &PartnerInput) -> Result<Self, Rejected> {
        let base = Partner {
            partner_id,
            name_en: String::new(),
            name_ar: None,
            kind: input.kind,
            contacts: Vec::new(),
            profile: DataProfile::default_for(input.kind),
            webhook_url: None,
        };
        base.amend(input)
    }

    /// Validate an admin's change: what the input leaves out stays as it is here.
    pub fn amend(&self, input: &PartnerInput) -> Result<Self, Rejected> {
        let name_en = required_text(&input.name, "name")?;
        let name_ar = match &input.name_ar {
            None => self.name_ar.clone(),
            Some(Some(raw)) if !raw.trim().is_empty() => Some(required_text(raw, "name_ar")?),
            Some(_) => None,
        };
        let contacts = match &input.contacts {
            None => self.contacts.clone(),
            Some(None) => Vec::new(),
            Some(Some(contacts)) => Self::contacts(contacts)?,
        };
        let profile = match &input.profile {
            None => self.profile.clone(),
            Some(profile) => DataProfile::amend(&self.profile, profile)?,
        };
        let webhook_url = match &input.webhook_url {
            None => self.webhook_url.clone(),
            Some(Some(url)) if !url.trim().is_empty() => Some(webhook_url(url.trim())?),
            Some(_) => None,
        };
        Ok(Self { partner_id: self.partner_id, name_en, name_ar, kind: input.kind, contacts, profile, webhook_url })
    }

    fn contacts(contacts: &[Contact]) -> Result<Vec<Contact>, Rejected> {
        if contacts.len() > MAX_CONTACTS {
            return Err(Rejected::new("too_many", "contacts", format!("at most {MAX_CONTACTS} contacts")));
        }
        contacts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let part = |value: &Option<String>, name: &str| -> Result<Option<String>, Rejected> {
                    match value.as_deref().map(str::trim) {
                        None | Some("") => Ok(None),
                        Some(v) => required_text(v, &format!("contacts[{i}].{name}")).map(Some),
                    }
                };
                Ok(Contact {
                    name: part(&c.name, "name")?,
                    phone: part(&c.phone, "phone")?,
                    email: part(&c.email, "email")?,
                })
            })
            .collect()
    }
}

/// A webhook URL: absolute `http` or `https`, a host, no credentials, no spaces, at most 2,000
/// characters. Kept as the WHATWG URL parser writes it — the parser the HTTP client uses — so
/// that what is stored, shown and checked is the address that will be called: `https://2130706433/`,
/// `https://0x7f.1/` and `https://%31%32%37.0.0.1./` are all kept as `https://127.0.0.1/`.
fn webhook_url(raw: &str) -> Result<String, Rejected> {
    let refuse = |message: &str| Err(Rejected::new("invalid_url", "webhook_url", message));
    if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("must be at most 2000 characters, without spaces");
    }
    let Ok(url) = url::Url::parse(raw) else { return refuse("must be an absolute URL") };
    if !matches!(url.scheme(), "https" | "http") {
        return refuse("must start with https:// or http://");
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return refuse("must name a host, without user or password");
    }
    Ok(url.into())
}

/// A partner's name or a contact's detail: one line of text under the same rules as every other
/// (no control or direction characters, something visible), and not empty.
fn required_text(raw: &str, field: &str) -> Result<String, Rejected> {
    let text = crate::text::single_line(raw, MAX_NAME_CHARS).map_err(|r| r.within(field))?;
    if text.is_empty() {
        return Err(Rejected::new("required", field, "must not be empty"));
    }
    Ok(text)
}

/// A partner was registered, or its profile or contacts changed (the whole new state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerRegistered {
    #[serde(flatten)]
    pub partner: Partner,
    pub by: Uuid,
    pub at: Timestamp,
}

/// A partner token was issued or revoked. Carries no secret: only the token's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerTokenChanged {
    pub partner_id: Uuid,
    pub token_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    pub by: Uuid,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_and_a_kind_are_enough() {
        let input: PartnerInput =
            serde_json::from_str(r#"{"name":"Egyptian Red Crescent","kind":"red_crescent"}"#).unwrap();
        let partner = Partner::register(Uuid::nil(), &input).unwrap();
        assert_eq!(partner.profile, DataProfile::default_for(PartnerKind::RedCrescent));
        assert!(partner.profile.allows(ProfileField::Names));
        assert!(!partner.profile.allows(ProfileField::Passports), "rescuers do not need papers");
        assert_eq!((partner.profile.resolution, partner.profile.evacuation_resolution), (7, 9));
    }

    #[test]
    fn profile_refusals_name_their_field() {
        let input: PartnerInput =
            serde_json::from_str(r#"{"name":"x","kind":"ngo","profile":{"resolution":12}}"#).unwrap();
        assert_eq!(Partner::register(Uuid::nil(), &input).unwrap_err().field.as_deref(), Some("profile.resolution"));
        let input: PartnerInput =
            serde_json::from_str(r#"{"name":"x","kind":"ngo","profile":{"region_cells":["zz"]}}"#).unwrap();
        assert_eq!(
            Partner::register(Uuid::nil(), &input).unwrap_err().field.as_deref(),
            Some("profile.region_cells[0]")
        );
        let input: PartnerInput = serde_json::from_str(r#"{"name":"  ","kind":"ngo"}"#).unwrap();
        assert_eq!(Partner::register(Uuid::nil(), &input).unwrap_err().field.as_deref(), Some("name"));
        for url in
            ["ftp://x", "https://", "https://user:pw@host/", "https://a b/", "https://[::1/", "https://256.1.1.1/"]
        {
            let input = PartnerInput { webhook_url: Some(Some(url.into())), ..input.clone() };
            let input = PartnerInput { name: "x".into(), ..input };
            assert_eq!(
                Partner::register(Uuid::nil(), &input).unwrap_err().field.as_deref(),
                Some("webhook_url"),
                "{url}"
            );
        }
    }

    #[test]
    fn names_and_contacts_follow_the_rules_of_every_text() {
        let refusal = |json: &str| {
            let input: PartnerInput = serde_json::from_str(json).unwrap();
            let refused = Partner::register(Uuid::nil(), &input).unwrap_err();
            (refused.code, refused.field)
        };
        assert_eq!(
            refusal(r#"{"name":"Red \u202eCrescent","kind":"ngo"}"#),
            ("invalid_characters", Some("name".into()))
        );
        assert_eq!(
            refusal(r#"{"name":"ERC","name_ar":"\u200b\u200b","kind":"ngo"}"#),
            ("no_visible_characters", Some("name_ar".into()))
        );
        assert_eq!(
            refusal(r#"{"name":"ERC","kind":"ngo","contacts":[{"phone":"+20 100\u2067"}]}"#),
            ("invalid_characters", Some("contacts[0].phone".into()))
        );
    }

    #[test]
    fn webhook_urls_are_kept_as_the_http_client_will_read_them() {
        for raw in [
            "https://2130706433/h",
            "https://127.1/h",
            "https://0x7f000001/h",
            "https://0177.0.0.1/h",
            "https://127.0.0.1./h",
            "https://%31%32%37.0.0.1/h",
        ] {
            assert_eq!(webhook_url(raw).unwrap(), "https://127.0.0.1/h", "{raw}");
        }
        assert_eq!(webhook_url("https://0/h").unwrap(), "https://0.0.0.0/h");
        assert_eq!(webhook_url("https://[::ffff:127.0.0.1]/h").unwrap(), "https://[::ffff:7f00:1]/h");
        assert_eq!(webhook_url("HTTPS://ERC.Example:443/hook").unwrap(), "https://erc.example/hook");
    }

    #[test]
    fn an_evacuation_resolution_is_never_coarser_than_the_usual_one() {
        let input = ProfileInput { resolution: Some(8), evacuation_resolution: Some(6), ..Default::default() };
        let profile = DataProfile::amend(&DataProfile::default_for(PartnerKind::Ngo), &input).unwrap();
        assert_eq!((profile.resolution, profile.evacuation_resolution), (8, 8));
    }

    #[test]
    fn a_change_keeps_what_it_leaves_out_and_null_removes() {
        let narrow: PartnerInput = serde_json::from_str(
            r#"{"name":"ERC","kind":"red_crescent","webhook_url":"https://erc.example/hook",
                "profile":{"fields":["needs"],"resolution":5,"region_cells":["85283473fffffff"]}}"#,
        )
        .unwrap();
        let partner = Partner::register(Uuid::nil(), &narrow).unwrap();
        let contacts_only: PartnerInput =
            serde_json::from_str(r#"{"name":"ERC","kind":"red_crescent","contacts":[{"phone":"+20 2 1234"}]}"#)
                .unwrap();
        let changed = partner.amend(&contacts_only).unwrap();
        assert_eq!(changed.profile, partner.profile, "a contacts change never widens the profile");
        assert_eq!(changed.webhook_url.as_deref(), Some("https://erc.example/hook"));
        assert_eq!(changed.contacts.len(), 1);
        let removal: PartnerInput = serde_json::from_str(
            r#"{"name":"ERC","kind":"red_crescent","webhook_url":null,"profile":{"region_cells":null}}"#,
        )
        .unwrap();
        let removed = changed.amend(&removal).unwrap();
        assert_eq!((removed.webhook_url, removed.profile.region), (None, None));
        assert_eq!(removed.profile.fields, vec![ProfileField::Needs]);
    }
}
