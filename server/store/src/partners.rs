//! Partner agencies in the database: the registry, tokens, referrals, webhook bookkeeping, and
//! the reads a partner's feed is built from.
//!
//! Writes run inside the writer's transaction at a given log position and write one event plus
//! the rows it changes. Must not decide what the domain decides: referral transitions are
//! `referral::decide`, what a partner may see is `partner::view` (this module only gathers the
//! facts for it, and never the exact coordinates).

use opsroom_domain::Rejected;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::location::Coordinates;
use opsroom_domain::partner::referral::{
    ReferralActor, ReferralEscalated, ReferralMade, ReferralState, ReferralStatus, RequestType,
};
use opsroom_domain::partner::view::{CaseFacts, PersonFacts, ReferralFacts, ReferralStep, ReporterFacts};
use opsroom_domain::partner::{Partner, PartnerRegistered, PartnerTokenChanged, referral};
use uuid::Uuid;

use crate::Result;
use crate::model::*;
use crate::reads::{case_persons, case_summary, cell_col, corrupt, stored_event, uuid_col};
use crate::rows::record;
use crate::sql::{Conn, Pool, Row, listed};
use crate::write::{Positions, Write};

/// The referral statuses for which `rule` holds, as a list of SQL literals (the rules are the
/// domain's; the SQL only lists their outcome).
/// The referral statuses for which `rule` holds, as an SQL list.
fn statuses_where(rule: impl Fn(ReferralStatus) -> bool) -> String {
    listed(ReferralStatus::ALL, rule, |s| s.as_str().to_owned())
}

// ---- writes

impl Write for RegistryWrite {
    type Outcome = RegistryOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<RegistryOutcome> {
        match self {
            RegistryWrite::Register { partner, webhook_secret, by, at } => {
                register(conn, partner, webhook_secret.as_deref(), *by, *at, positions).await
            }
            RegistryWrite::Update { partner, webhook_secret, by, at } => {
                update(conn, partner, webhook_secret.as_deref(), *by, *at, positions).await
            }
            RegistryWrite::IssueToken { partner_id, token_id, token_hash, expires_at, by, at } => {
                if partner_row(conn, *partner_id).await?.is_none() {
                    return Ok(RegistryOutcome::NotFound);
                }
                let event = Event::PartnerTokenIssued(PartnerTokenChanged {
                    partner_id: *partner_id,
                    token_id: *token_id,
                    expires_at: Some(Timestamp(*expires_at)),
                    by: *by,
                    at: Timestamp(*at),
                });
                let seq = record(conn, positions, &event, *at).await?;
                let insert = conn
                    .statement(
                        "insert into partner_token (token_id, partner_id, token_hash, created_at, expires_at)
                         values ($1, $2, $3, $4, $5)",
                    )
                    .bind(token_id.to_string())
                    .bind(partner_id.to_string())
                    .bind(token_hash.as_str())
                    .bind(*at)
                    .bind(*expires_at);
                conn.execute(insert).await?;
                Ok(RegistryOutcome::Applied { seq })
            }
            RegistryWrite::RevokeToken { partner_id, token_id, by, at } => {
                let revoke = conn
                    .statement(
                        "update partner_token set revoked_at = $1
                          where token_id = $2 and partner_id = $3 and revoked_at is null",
                    )
                    .bind(*at)
                    .bind(token_id.to_string())
                    .bind(partner_id.to_string());
                if conn.execute(revoke).await? == 0 {
                    return Ok(RegistryOutcome::NotFound);
                }
                let event = Event::PartnerTokenRevoked(PartnerTokenChanged {
                    partner_id: *partner_id,
                    token_id: *token_id,
                    expires_at: None,
                    by: *by,
                    at: Timestamp(*at),
                });
                let seq = record(conn, positions, &event, *at).await?;
                Ok(RegistryOutcome::Applied { seq })
            }
        }
    }
}

impl Write for ReferralWrite {
    type Outcome = ReferralOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<ReferralOutcome> {
        match self {
            ReferralWrite::Refer { referral_id, case_id, partner_id, request_type, note, by, at } => {
                let made = ReferralMade {
                    referral_id: *referral_id,
                    case_id: *case_id,
                    partner_id: *partner_id,
                    request_type: *request_type,
                    note: note.clone(),
                    by: *by,
                    at: Timestamp(*at),
                };
                refer(conn, made, positions).await
            }
            ReferralWrite::Change { referral_id, command, actor, at } => {
                change_referral(conn, *referral_id, command.clone(), *actor, *at, positions).await
            }
        }
    }
}

impl Write for EscalateReferrals {
    /// How many referrals were escalated.
    type Outcome = usize;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<usize> {
        escalate(conn, self.referred_before, self.at, positions).await
    }
}

impl Write for WebhookWrite {
    type Outcome = WebhookOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<WebhookOutcome> {
        match self {
            WebhookWrite::Lease { partner_id, node, until, now } => {
                let lease = conn
                    .statement(
                        "update webhook_cursor set leased_by = $1, leased_until = $2
                          where partner_id = $3 and (leased_by is null or leased_by = $1 or leased_until < $4)",
                    )
                    .bind(node.to_string())
                    .bind(*until)
                    .bind(partner_id.to_string())
                    .bind(*now);
                Ok(if conn.execute(lease).await? == 0 { WebhookOutcome::Stale } else { WebhookOutcome::Recorded })
            }
            WebhookWrite::Delivered { partner_id, node, from, to, dead } => {
                let moved = conn
                    .statement(
                        "update webhook_cursor set seq = $1 where partner_id = $2 and seq = $3 and leased_by = $4",
                    )
                    .bind(*to as i64)
                    .bind(partner_id.to_string())
                    .bind(*from as i64)
                    .bind(node.to_string());
                if conn.execute(moved).await? == 0 {
                    return Ok(WebhookOutcome::Stale);
                }
                if let Some(dead) = dead {
                    let insert = conn
                        .statement(
                            "insert into webhook_dead_letter (dead_id, partner_id, seq, attempts, last_error, dead_at)
                             values ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(dead.dead_id.to_string())
                        .bind(dead.partner_id.to_string())
                        .bind(dead.seq as i64)
                        .bind(i64::from(dead.attempts))
                        .bind(dead.last_error.as_str())
                        .bind(dead.dead_at);
                    conn.execute(insert).await?;
                }
                Ok(WebhookOutcome::Recorded)
            }
        }
    }
}

impl Write for PartnerSessionWrite {
    type Outcome = ();

    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<()> {
        match self {
            PartnerSessionWrite::Open { session_hash, token_id, expires_at, now } => {
                let expired = conn.statement("delete from partner_web_session where expires_at <= $1").bind(*now);
                conn.execute(expired).await?;
                let insert = conn
                    .statement(
                        "insert into partner_web_session (session_hash, token_id, expires_at) values ($1, $2, $3)",
                    )
                    .bind(session_hash.as_str())
                    .bind(token_id.to_string())
                    .bind(*expires_at);
                conn.execute(insert).await?;
            }
            PartnerSessionWrite::Close { session_hash } => {
                let delete = conn
                    .statement("delete from partner_web_session where session_hash = $1")
                    .bind(session_hash.as_str());
                conn.execute(delete).await?;
            }
        }
        Ok(())
    }
}

impl Write for DeadLetterReplayed {
    /// Whether the dead letter exists.
    type Outcome = bool;

    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<bool> {
        let update = conn
            .statement("update webhook_dead_letter set replayed_at = $1 where dead_id = $2")
            .bind(self.at)
            .bind(self.dead_id.to_string());
        Ok(conn.execute(update).await? > 0)
    }
}

async fn name_taken(conn: &mut Conn<'_>, name: &str, other_than: Uuid) -> Result<bool> {
    let statement = conn
        .statement("select count(*) as n from partner where name_en = $1 and partner_id <> $2")
        .bind(name)
        .bind(other_than.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? > 0)
}

async fn register(
    conn: &mut Conn<'_>,
    partner: &Partner,
    webhook_secret: Option<&str>,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<RegistryOutcome> {
    if name_taken(conn, &partner.name_en, partner.partner_id).await? {
        return Ok(RegistryOutcome::NameTaken);
    }
    let event =
        Event::PartnerRegistered(Box::new(PartnerRegistered { partner: partner.clone(), by, at: Timestamp(at) }));
    let seq = record(conn, positions, &event, at).await?;
    let data = serde_json::to_string(partner).expect("partners serialize");
    let insert = conn
        .statement(
            "insert into partner (partner_id, name_en, kind, data, webhook_url, webhook_secret, created_seq, updated_seq)
             values ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(partner.partner_id.to_string())
        .bind(partner.name_en.as_str())
        .bind(partner.kind.as_str())
        .bind(data.as_str())
        .bind(partner.webhook_url.as_deref())
        .bind(webhook_secret.filter(|_| partner.webhook_url.is_some()))
        .bind(seq as i64);
    conn.execute(insert).await?;
    start_webhooks(conn, partner, seq).await?;
    Ok(RegistryOutcome::Applied { seq })
}

/// A partner whose webhook URL is new (or changed) gets webhooks from now on, not the backlog
/// since an earlier URL.
async fn start_webhooks(conn: &mut Conn<'_>, partner: &Partner, seq: u64) -> Result<()> {
    if partner.webhook_url.is_some() {
        let insert = conn
            .statement(
                "insert into webhook_cursor (partner_id, seq) values ($1, $2)
                 on conflict (partner_id) do update set seq = excluded.seq, leased_by = null, leased_until = null",
            )
            .bind(partner.partner_id.to_string())
            .bind(seq as i64);
        conn.execute(insert).await?;
    }
    Ok(())
}

async fn update(
    conn: &mut Conn<'_>,
    partner: &Partner,
    webhook_secret: Option<&str>,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<RegistryOutcome> {
    let Some(before) = partner_row(conn, partner.partner_id).await? else { return Ok(RegistryOutcome::NotFound) };
    if name_taken(conn, &partner.name_en, partner.partner_id).await? {
        return Ok(RegistryOutcome::NameTaken);
    }
    let event = Event::PartnerUpdated(Box::new(PartnerRegistered { partner: partner.clone(), by, at: Timestamp(at) }));
    let seq = record(conn, positions, &event, at).await?;
    let data = serde_json::to_string(partner).expect("partners serialize");
    // No URL: no key. A new key only when one is given; otherwise the old one stays.
    let update = conn
        .statement(
            "update partner set name_en = $1, kind = $2, data = $3, webhook_url = $4, updated_seq = $5,
                    webhook_secret = case when $4 is null then null else coalesce($6, webhook_secret) end
              where partner_id = $7",
        )
        .bind(partner.name_en.as_str())
        .bind(partner.kind.as_str())
        .bind(data.as_str())
        .bind(partner.webhook_url.as_deref())
        .bind(seq as i64)
        .bind(webhook_secret)
        .bind(partner.partner_id.to_string());
    conn.execute(update).await?;
    if partner.webhook_url != before.webhook_url {
        start_webhooks(conn, partner, seq).await?;
    }
    Ok(RegistryOutcome::Applied { seq })
}

async fn partner_row(conn: &mut Conn<'_>, partner_id: Uuid) -> Result<Option<Partner>> {
    let statement = conn.statement("select data from partner where partner_id = $1").bind(partner_id.to_string());
    conn.fetch_optional(statement).await?.map(|row| parse_partner(&row)).transpose()
}

fn parse_partner(row: &Row) -> Result<Partner> {
    let data: String = row.get("data")?;
    serde_json::from_str(&data).map_err(|e| corrupt("partner.data", e))
}

async fn refer(conn: &mut Conn<'_>, made: ReferralMade, positions: &mut Positions) -> Result<ReferralOutcome> {
    let statement =
        conn.statement("select lat, lon, cell from case_file where case_id = $1").bind(made.case_id.to_string());
    let Some(case) = conn.fetch_optional(statement).await? else { return Ok(ReferralOutcome::NotFound) };
    let Some(partner) = partner_row(conn, made.partner_id).await? else {
        return Ok(ReferralOutcome::Refused(Rejected::new("unknown_partner", "partner_id", "no such partner")));
    };
    if let Some(region) = &partner.profile.region {
        let (lat, lon): (Option<f64>, Option<f64>) = (case.get("lat")?, case.get("lon")?);
        let coordinates = lat.zip(lon).and_then(|(lat, lon)| Coordinates::parse(lat, lon).ok());
        if !region.covers(coordinates, cell_col(&case)?) {
            return Ok(ReferralOutcome::Refused(Rejected::new(
                "outside_region",
                "partner_id",
                "the case is not located inside this partner's region",
            )));
        }
    }
    let open = format!(
        "select count(*) as n from referral
          where case_id = $1 and partner_id = $2 and request_type = $3 and status not in {}",
        statuses_where(ReferralStatus::is_final)
    );
    let statement = conn
        .statement(&open)
        .bind(made.case_id.to_string())
        .bind(made.partner_id.to_string())
        .bind(made.request_type.as_str());
    if conn.fetch_one(statement).await?.get::<i64>("n")? > 0 {
        return Ok(ReferralOutcome::Refused(Rejected::conflict(
            "already_referred",
            "request_type",
            "this partner already has this request for the case open",
        )));
    }
    let at = made.at.millis();
    let seq = record(conn, positions, &Event::ReferralMade(made.clone()), at).await?;
    let insert = conn
        .statement(
            "insert into referral (referral_id, case_id, partner_id, request_type, status, note, referred_by,
                                   referred_at, updated_at, created_seq, updated_seq)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9)",
        )
        .bind(made.referral_id.to_string())
        .bind(made.case_id.to_string())
        .bind(made.partner_id.to_string())
        .bind(made.request_type.as_str())
        .bind(ReferralStatus::Pending.as_str())
        .bind(made.note.as_ref().map(|n| n.as_str().to_owned()))
        .bind(made.by.to_string())
        .bind(at)
        .bind(seq as i64);
    conn.execute(insert).await?;
    Ok(ReferralOutcome::Applied { seq })
}

async fn change_referral(
    conn: &mut Conn<'_>,
    referral_id: Uuid,
    command: referral::ReferralCommand,
    actor: ReferralActor,
    at: i64,
    positions: &mut Positions,
) -> Result<ReferralOutcome> {
    let statement = conn
        .statement("select referral_id, case_id, partner_id, request_type, status from referral where referral_id = $1")
        .bind(referral_id.to_string());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(ReferralOutcome::NotFound) };
    let state = referral_state(&row)?;
    // Another partner's referral does not exist, as far as this partner can tell.
    if let ReferralActor::Partner(partner_id) = actor
        && partner_id != state.partner_id
    {
        return Ok(ReferralOutcome::NotFound);
    }
    let change = match referral::decide(&state, command, actor, Timestamp(at)) {
        Ok(change) => change,
        Err(rejected) => return Ok(ReferralOutcome::Refused(rejected)),
    };
    let seq = record(conn, positions, &Event::ReferralUpdated(change.clone()), at).await?;
    // A final status ends the partner's live view of the case here.
    let update = conn
        .statement(
            "update referral set status = $1, updated_at = $2, updated_seq = $3,
                    access_ended_seq = case when $4 = 1 then $3 else access_ended_seq end
              where referral_id = $5",
        )
        .bind(change.to.as_str())
        .bind(at)
        .bind(seq as i64)
        .bind(i64::from(change.to.is_final()))
        .bind(referral_id.to_string());
    conn.execute(update).await?;
    let step = conn
        .statement("insert into referral_step (referral_id, seq, status, text, at) values ($1, $2, $3, $4, $5)")
        .bind(referral_id.to_string())
        .bind(seq as i64)
        .bind(change.to.as_str())
        .bind(change.text.as_ref().map(|t| t.as_str().to_owned()))
        .bind(at);
    conn.execute(step).await?;
    Ok(ReferralOutcome::Applied { seq })
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

/// Most referrals escalated in one sweep, so one write transaction stays short; the next sweep
/// takes the rest.
const ESCALATION_SWEEP: i64 = 200;

async fn escalate(conn: &mut Conn<'_>, referred_before: i64, at: i64, positions: &mut Positions) -> Result<usize> {
    let statement = conn
        .statement(
            "select referral_id, case_id, partner_id, referred_at from referral
              where status = 'pending' and escalated_at is null and referred_at < $1
              order by referred_at limit $2",
        )
        .bind(referred_before)
        .bind(ESCALATION_SWEEP);
    let rows = conn.fetch_all(statement).await?;
    for row in &rows {
        let escalated = ReferralEscalated {
            referral_id: uuid_col(row, "referral_id")?,
            case_id: uuid_col(row, "case_id")?,
            partner_id: uuid_col(row, "partner_id")?,
            referred_at: Timestamp(row.get("referred_at")?),
            at: Timestamp(at),
        };
        record(conn, positions, &Event::ReferralEscalated(escalated.clone()), at).await?;
        let update = conn
            .statement("update referral set escalated_at = $1 where referral_id = $2")
            .bind(at)
            .bind(escalated.referral_id.to_string());
        conn.execute(update).await?;
    }
    Ok(rows.len())
}

// ---- reads

fn partner_record(row: &Row) -> Result<PartnerRecord> {
    Ok(PartnerRecord {
        partner: parse_partner(row)?,
        created_seq: row.get::<i64>("created_seq")? as u64,
        updated_seq: row.get::<i64>("updated_seq")? as u64,
    })
}

pub(crate) async fn partners(pool: &Pool) -> Result<Vec<PartnerRecord>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select data, created_seq, updated_seq from partner order by name_en");
    conn.fetch_all(statement).await?.iter().map(partner_record).collect()
}

pub(crate) async fn partner(pool: &Pool, partner_id: Uuid) -> Result<Option<PartnerRecord>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement("select data, created_seq, updated_seq from partner where partner_id = $1")
        .bind(partner_id.to_string());
    conn.fetch_optional(statement).await?.map(|row| partner_record(&row)).transpose()
}

/// The partner behind a token, if the token exists, is not revoked and has not expired.
pub(crate) async fn partner_session(pool: &Pool, token_hash: &str, now_ms: i64) -> Result<Option<PartnerSession>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select p.data, t.token_id, t.expires_at from partner_token t join partner p on p.partner_id = t.partner_id
              where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms);
    conn.fetch_optional(statement).await?.map(|row| partner_session_row(&row)).transpose()
}

pub(crate) async fn tokens(pool: &Pool, partner_id: Uuid) -> Result<Vec<TokenRow>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select token_id, created_at, expires_at, revoked_at from partner_token
              where partner_id = $1 order by created_at desc",
        )
        .bind(partner_id.to_string());
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(TokenRow {
                token_id: uuid_col(r, "token_id")?,
                created_at: r.get("created_at")?,
                expires_at: r.get("expires_at")?,
                revoked_at: r.get("revoked_at")?,
            })
        })
        .collect()
}

const REFERRAL_COLUMNS: &str = "r.referral_id, r.case_id, r.partner_id, p.name_en, r.request_type, r.status, r.note,
    r.referred_by, r.referred_at, r.updated_at, r.escalated_at";

fn referral_row(row: &Row) -> Result<ReferralRow> {
    let state = referral_state(row)?;
    Ok(ReferralRow {
        referral_id: state.referral_id,
        case_id: state.case_id,
        partner_id: state.partner_id,
        partner_name: row.get("name_en")?,
        request_type: state.request_type,
        status: state.status,
        note: row.get("note")?,
        referred_by: uuid_col(row, "referred_by")?,
        referred_at: row.get("referred_at")?,
        updated_at: row.get("updated_at")?,
        escalated_at: row.get("escalated_at")?,
    })
}

/// Every referral of a case, oldest first (the ops room's view).
pub(crate) async fn referrals_for_case(pool: &Pool, case_id: Uuid) -> Result<Vec<ReferralRow>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select {REFERRAL_COLUMNS} from referral r join partner p on p.partner_id = r.partner_id
          where r.case_id = $1 order by r.created_seq"
    );
    let statement = conn.statement(&sql).bind(case_id.to_string());
    conn.fetch_all(statement).await?.iter().map(referral_row).collect()
}

/// Everything a partner could be shown of a case (see `partner::view::project`); `None` for no
/// such case.
pub(crate) async fn case_facts(pool: &Pool, case_id: Uuid) -> Result<Option<CaseFacts>> {
    let id = case_id.to_string();
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!("select {}, message from case_file where case_id = $1", crate::reads::CASE_COLUMNS);
    let statement = conn.statement(&sql).bind(id.as_str());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(None) };
    let summary = case_summary(&row)?;
    let message: Option<String> = row.get("message")?;

    let mut people = Vec::new();
    let mut reporter = None;
    for person in case_persons(&mut conn, &id).await? {
        if person.role == "reporter" {
            reporter = Some(ReporterFacts { name: person.name, phone: person.phone, relation: person.relation });
        } else {
            people.push(PersonFacts {
                name: person.name,
                age: person.age,
                sex: person.sex,
                phone: person.phone,
                passport: person.passport,
            });
        }
    }

    let statement = conn
        .statement(
            "select referral_id, case_id, partner_id, request_type, status, note, referred_at, updated_at
               from referral where case_id = $1 order by created_seq",
        )
        .bind(id.as_str());
    let mut referrals = Vec::new();
    for r in conn.fetch_all(statement).await? {
        let state = referral_state(&r)?;
        referrals.push(ReferralFacts {
            referral_id: state.referral_id,
            partner_id: state.partner_id,
            request_type: state.request_type,
            status: state.status,
            note: r.get("note")?,
            referred_at: Timestamp(r.get("referred_at")?),
            updated_at: Timestamp(r.get("updated_at")?),
            history: Vec::new(),
        });
    }
    let statement = conn
        .statement(
            "select s.referral_id, s.status, s.text, s.at from referral_step s
               join referral r on r.referral_id = s.referral_id where r.case_id = $1 order by s.seq",
        )
        .bind(id.as_str());
    for r in conn.fetch_all(statement).await? {
        let referral_id = uuid_col(&r, "referral_id")?;
        let status: String = r.get("status")?;
        let step = ReferralStep {
            status: ReferralStatus::parse(&status).ok_or_else(|| corrupt("referral_step.status", &status))?,
            text: r.get("text")?,
            at: Timestamp(r.get("at")?),
        };
        if let Some(referral) = referrals.iter_mut().find(|f| f.referral_id == referral_id) {
            referral.history.push(step);
        }
    }

    Ok(Some(CaseFacts {
        case_id,
        reference: summary.reference,
        status: summary.status,
        priority: summary.priority,
        needs: summary.needs,
        flags: summary.flags,
        cell: summary.cell,
        place: summary.place,
        message,
        people,
        reporter,
        referrals,
    }))
}

/// Whether a partner may see a case now (a referral of it in a status that gives access).
pub(crate) async fn partner_has_access(pool: &Pool, partner_id: Uuid, case_id: Uuid) -> Result<bool> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select count(*) as n from referral where partner_id = $1 and case_id = $2 and status not in {}",
        statuses_where(|s| !s.gives_access())
    );
    let statement = conn.statement(&sql).bind(partner_id.to_string()).bind(case_id.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? > 0)
}

/// The partner page's session: the partner behind it, if the session and its API token are live.
pub(crate) async fn partner_web_session(
    pool: &Pool,
    session_hash: &str,
    now_ms: i64,
) -> Result<Option<PartnerSession>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select p.data, t.token_id, s.expires_at from partner_web_session s
               join partner_token t on t.token_id = s.token_id
               join partner p on p.partner_id = t.partner_id
              where s.session_hash = $1 and s.expires_at > $2 and t.revoked_at is null and t.expires_at > $2",
        )
        .bind(session_hash)
        .bind(now_ms);
    conn.fetch_optional(statement).await?.map(|row| partner_session_row(&row)).transpose()
}

fn partner_session_row(row: &Row) -> Result<PartnerSession> {
    Ok(PartnerSession {
        partner: parse_partner(row)?,
        token_id: uuid_col(row, "token_id")?,
        expires_at: row.get("expires_at")?,
    })
}

/// The cases a partner may see now, most recently changed referral first.
pub(crate) async fn partner_case_ids(pool: &Pool, partner_id: Uuid, limit: u32) -> Result<Vec<Uuid>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select case_id, max(updated_seq) as last from referral
          where partner_id = $1 and status not in {} group by case_id order by last desc limit $2",
        statuses_where(|s| !s.gives_access())
    );
    let statement = conn.statement(&sql).bind(partner_id.to_string()).bind(i64::from(limit));
    conn.fetch_all(statement).await?.iter().map(|r| uuid_col(r, "case_id")).collect()
}

/// Events on cases referred to a partner while a referral gave it live access (from the
/// referral to the step that ended it), and events about the movements shared with it, after
/// `after` and up to `upto`, in log order; at most `limit`. The caller keeps those the partner
/// hears of. Found through the partner's referrals and each case's events by index, and through
/// each shared movement's log, so the cost follows the partner's own cases; callers keep
/// `upto - after` bounded so one page never sorts a partner's whole history.
pub(crate) async fn partner_events(
    pool: &Pool,
    partner_id: Uuid,
    after: u64,
    upto: u64,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select e.seq, e.kind, e.case_id, e.recorded_at, e.data from event e
              where e.case_id in (select case_id from referral where partner_id = $1)
                and e.seq > $2 and e.seq <= $3
                and exists (select 1 from referral r
                             where r.partner_id = $1 and r.case_id = e.case_id and e.seq >= r.created_seq
                               and (r.access_ended_seq is null or e.seq <= r.access_ended_seq))
             union
             select e.seq, e.kind, e.case_id, e.recorded_at, e.data
               from movement_share s join movement_log l on l.movement_id = s.movement_id join event e on e.seq = l.seq
              where s.partner_id = $1 and l.seq > $2 and l.seq <= $3
              order by seq limit $4",
        )
        .bind(partner_id.to_string())
        .bind(i64::try_from(after).unwrap_or(i64::MAX))
        .bind(i64::try_from(upto).unwrap_or(i64::MAX))
        .bind(i64::from(limit));
    conn.fetch_all(statement).await?.iter().map(stored_event).collect()
}

fn dead_letter(row: &Row) -> Result<DeadLetter> {
    Ok(DeadLetter {
        dead_id: uuid_col(row, "dead_id")?,
        partner_id: uuid_col(row, "partner_id")?,
        seq: row.get::<i64>("seq")? as u64,
        attempts: row.get::<i64>("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
        last_error: row.get("last_error")?,
        dead_at: row.get("dead_at")?,
        replayed_at: row.get("replayed_at")?,
    })
}

const DEAD_LETTER_COLUMNS: &str = "dead_id, partner_id, seq, attempts, last_error, dead_at, replayed_at";

pub(crate) async fn dead_letters(pool: &Pool, partner_id: Uuid) -> Result<Vec<DeadLetter>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select {DEAD_LETTER_COLUMNS} from webhook_dead_letter where partner_id = $1 order by dead_at desc limit 500"
    );
    let statement = conn.statement(&sql).bind(partner_id.to_string());
    conn.fetch_all(statement).await?.iter().map(dead_letter).collect()
}

pub(crate) async fn dead_letter_by_id(pool: &Pool, dead_id: Uuid) -> Result<Option<DeadLetter>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!("select {DEAD_LETTER_COLUMNS} from webhook_dead_letter where dead_id = $1");
    let statement = conn.statement(&sql).bind(dead_id.to_string());
    conn.fetch_optional(statement).await?.map(|row| dead_letter(&row)).transpose()
}

/// Every partner that takes webhooks (or only `only`), with its key and cursor.
pub(crate) async fn webhook_targets(pool: &Pool, only: Option<Uuid>) -> Result<Vec<WebhookTarget>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select p.partner_id, p.webhook_url, p.webhook_secret, p.updated_seq, c.seq
               from partner p join webhook_cursor c on c.partner_id = p.partner_id
              where p.webhook_url is not null and p.webhook_secret is not null
                and ($1 is null or p.partner_id = $1)",
        )
        .bind(only.map(|id| id.to_string()));
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(WebhookTarget {
                partner_id: uuid_col(r, "partner_id")?,
                url: r.get("webhook_url")?,
                secret: r.get("webhook_secret")?,
                cursor: r.get::<i64>("seq")? as u64,
                partner_seq: r.get::<i64>("updated_seq")? as u64,
            })
        })
        .collect()
}
