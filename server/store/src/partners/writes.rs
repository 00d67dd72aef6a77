//! The partners' writes: registry, tokens, referrals and their sweep, webhook bookkeeping and
//! partner page sessions, each a `Write` with its own outcome.

use super::*;

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

async fn refer(conn: &mut Conn<'_>, made: ReferralMade, positions: &mut Positions) -> Result<ReferralOutcome> {
    let statement = conn
        .statement(
            "select c.lat, c.lon, c.cell, k.slug from case_file c left join crisis k on k.crisis_id = c.crisis_id
              where c.case_id = $1",
        )
        .bind(made.case_id.to_string());
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
    let crisis: Option<String> = case.get("slug")?;
    let profile_crises = &partner.profile.crises;
    if !profile_crises.is_empty() && !crisis.is_some_and(|slug| profile_crises.iter().any(|s| s.as_str() == slug)) {
        return Ok(ReferralOutcome::Refused(Rejected::new(
            "outside_crises",
            "partner_id",
            "the case does not belong to a crisis this partner works in",
        )));
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
