//! The partners' reads: the registry, tokens, sessions, referrals, dead letters, webhook
//! targets, and the facts and events a partner's view and feed are cut from.

use super::*;

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
        if person.role == PersonRole::Reporter {
            let relation = person.relation.map(wire_name);
            reporter = Some(ReporterFacts { name: person.name, phone: person.phone, relation });
        } else {
            people.push(PersonFacts {
                name: person.name,
                age: person.age,
                sex: person.sex.map(wire_name),
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
