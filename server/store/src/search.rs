//! The search index and the urgency columns, kept with the cases they describe.
//!
//! Owns `search_term` (the name terms of everyone in a case, written with the report that names
//! them, in the same transaction), `case_file.sla_due_at` and `case_file.urgency` (computed by
//! `opsroom_domain::urgency` when a case is stored and again, in the same transaction, for every
//! case an event of the batch touched), the backfill of cases stored before they existed, the
//! recomputation when the SLA policy changed between runs, and the lookup of a search's
//! candidates. Must not decide what a term or a key is (that is the domain's) nor build lists
//! (`lists` does, from the candidates found here).

use std::collections::HashMap;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::reference::Reference;
use opsroom_domain::search::{
    NameQueryToken, PhoneQuery, SearchMatch, name_query, neighbour_pairs, passport_query, prefix_end,
};
use opsroom_domain::urgency::{UrgencyFacts, sla_due_at, urgency_key};
use opsroom_domain::workflow::SlaPolicy;

use crate::Result;
use crate::model::SEARCH_CANDIDATES;
use crate::reads::corrupt;
use crate::rows::{VALUES, per_chunk};
use crate::sql::{Arg, Conn, Query, Row};

/// The policy as stored in `sla_policy_applied`.
fn policy_text(policy: &SlaPolicy) -> String {
    format!("{},{},{},{}", policy.critical_minutes, policy.high_minutes, policy.normal_minutes, policy.low_minutes)
}

fn policy_from_text(text: &str) -> Option<SlaPolicy> {
    let minutes: Vec<u32> = text.split(',').map(str::parse).collect::<Result<_, _>>().ok()?;
    match minutes.as_slice() {
        &[critical_minutes, high_minutes, normal_minutes, low_minutes] => {
            Some(SlaPolicy { critical_minutes, high_minutes, normal_minutes, low_minutes })
        }
        _ => None,
    }
}

/// The due time and urgency key of a new case.
pub(crate) fn new_case_urgency(policy: &SlaPolicy, facts: &UrgencyFacts) -> (Option<i64>, i64) {
    (sla_due_at(policy, facts).map(Timestamp::millis), urgency_key(policy, facts))
}

/// The columns [`facts`] reads.
const FACT_COLUMNS: &str =
    "case_id, status, priority_level, priority_score, reported_at, first_contact_at, escalated_at, sla_due_at, urgency";

fn facts(row: &Row) -> Result<UrgencyFacts> {
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    Ok(UrgencyFacts {
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        score: row.get::<i64>("priority_score")?.clamp(0, i64::from(u32::MAX)) as u32,
        reported_at: Timestamp::from_millis(row.get("reported_at")?),
        first_contact_at: row.get::<Option<i64>>("first_contact_at")?.map(Timestamp::from_millis),
        escalated_at: row.get::<Option<i64>>("escalated_at")?.map(Timestamp::from_millis),
    })
}

/// Recompute the due time and urgency of the cases in `rows` (selected with [`FACT_COLUMNS`])
/// and write those that changed.
async fn rewrite_urgency(conn: &mut Conn<'_>, policy: &SlaPolicy, rows: &[Row]) -> Result<()> {
    let mut changed: Vec<(String, Option<i64>, i64)> = Vec::new();
    for row in rows {
        let (due, urgency) = new_case_urgency(policy, &facts(row)?);
        let stored = (row.get::<Option<i64>>("sla_due_at")?, row.get::<Option<i64>>("urgency")?);
        if stored != (due, Some(urgency)) {
            changed.push((row.get("case_id")?, due, urgency));
        }
    }
    let sql = format!(
        "update case_file set sla_due_at = v.column2, urgency = v.column3
           from (values {VALUES}) as v where case_file.case_id = v.column1"
    );
    per_chunk(conn, &sql, 3, &changed, |s, (id, due, urgency)| s.bind(id.as_str()).bind(*due).bind(*urgency)).await?;
    Ok(())
}

/// After a batch's commands ran (before commit): recompute the urgency of every case an event
/// in `(after, upto]` concerns, other than the reports that opened them (computed when stored).
/// Status, priority, first contact and escalation each record such an event, so the stored key
/// never lags a change, whichever command made it.
pub(crate) async fn refresh_touched(conn: &mut Conn<'_>, policy: &SlaPolicy, after: u64, upto: u64) -> Result<()> {
    if upto <= after {
        return Ok(());
    }
    let sql = format!(
        "select {FACT_COLUMNS} from case_file where case_id in
           (select case_id from event where seq > $1 and seq <= $2 and case_id is not null and kind <> 'case_reported')"
    );
    let statement = conn.statement(&sql).bind(after as i64).bind(upto as i64);
    let rows = conn.fetch_all(statement).await?;
    rewrite_urgency(conn, policy, &rows).await
}

/// A term row for `search_term`.
#[derive(Debug)]
pub struct TermRow {
    pub case_id: String,
    pub term: String,
}

/// The terms of cases from the names of their people, given as `(case_id, name)` with each
/// case's people next to each other (as a planned batch lists them).
pub(crate) fn terms_of<'a>(names_by_case: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<TermRow> {
    let mut by_case: Vec<(&str, Vec<&str>)> = Vec::new();
    for (case_id, name) in names_by_case {
        match by_case.last_mut() {
            Some((current, names)) if *current == case_id => names.push(name),
            _ => by_case.push((case_id, vec![name])),
        }
    }
    by_case
        .into_iter()
        .flat_map(|(case_id, names)| {
            opsroom_domain::search::name_terms(names)
                .into_iter()
                .map(|term| TermRow { case_id: case_id.to_owned(), term })
        })
        .collect()
}

/// Write term rows (a term already filed for its case is skipped, so a backfill may run twice).
pub(crate) async fn insert_terms(conn: &mut Conn<'_>, terms: &[TermRow]) -> Result<()> {
    per_chunk(
        conn,
        &format!("insert into search_term (term, case_id) values {VALUES} on conflict do nothing"),
        2,
        terms,
        |s, t| s.bind(t.term.as_str()).bind(t.case_id.as_str()),
    )
    .await
    .map(drop)
}

/// Cases per backfill transaction.
const BACKFILL_BATCH: i64 = 2_000;

/// At open, on the writer's connection before the writer starts: settle which SLA policy the
/// stored due times follow (recomputing them when `wanted` differs from the one they were
/// computed with) and backfill the cases stored before migration 0008. Returns the policy in
/// force. Idempotent and resumable: each step is a transaction under the log-head lock (so
/// nodes starting together and writers of other processes take turns), and a crash leaves
/// the rest for the next open.
pub(crate) async fn prepare(conn: &mut Conn<'_>, wanted: Option<SlaPolicy>) -> Result<SlaPolicy> {
    let statement = conn.statement("select policy from sla_policy_applied");
    let stored = match conn.fetch_optional(statement).await? {
        Some(row) => Some(policy_from_text(&row.get::<String>("policy")?).ok_or_else(|| corrupt("sla policy", "?"))?),
        None => None,
    };
    let policy = wanted.or(stored).unwrap_or_default();
    backfill(conn, &policy).await?;
    if stored != Some(policy) {
        recompute_open(conn, &policy).await?;
    }
    Ok(policy)
}

async fn begin_locked(conn: &mut Conn<'_>) -> Result<()> {
    conn.begin_write().await?;
    let lock = conn.locking("select seq from log_head");
    conn.run(&lock).await
}

/// Give every case stored before migration 0008 its terms, due time and urgency.
async fn backfill(conn: &mut Conn<'_>, policy: &SlaPolicy) -> Result<()> {
    loop {
        begin_locked(conn).await?;
        let step = async {
            let statement = conn.statement("select upto, done from search_backfill");
            let row = conn.fetch_one(statement).await?;
            let (upto, done) = (row.get::<i64>("upto")?, row.get::<i64>("done")?);
            if done >= upto {
                return Ok(false);
            }
            let sql = format!(
                "select {FACT_COLUMNS}, created_seq from case_file where created_seq > $1 and created_seq <= $2
                  order by created_seq limit $3"
            );
            let statement = conn.statement(&sql).bind(done).bind(upto).bind(BACKFILL_BATCH);
            let rows = conn.fetch_all(statement).await?;
            let last = match rows.last() {
                Some(row) => row.get::<i64>("created_seq")?,
                None => upto,
            };
            rewrite_urgency(conn, policy, &rows).await?;
            let ids: Vec<String> = rows.iter().map(|r| r.get("case_id")).collect::<Result<_>>()?;
            let persons = per_chunk(
                conn,
                &format!(
                    "select cp.case_id, p.name from case_person cp join person p on p.person_id = cp.person_id
                      where p.name is not null and cp.case_id in (select column1 from (values {VALUES}) as v)
                      order by cp.case_id"
                ),
                1,
                &ids,
                |s, id| s.bind(id.as_str()),
            )
            .await?;
            let mut names: HashMap<String, Vec<String>> = HashMap::new();
            for row in &persons {
                names.entry(row.get("case_id")?).or_default().push(row.get("name")?);
            }
            let terms: Vec<TermRow> = names
                .iter()
                .flat_map(|(case_id, names)| {
                    opsroom_domain::search::name_terms(names.iter().map(String::as_str))
                        .into_iter()
                        .map(|term| TermRow { case_id: case_id.clone(), term })
                })
                .collect();
            insert_terms(conn, &terms).await?;
            let update = conn.statement("update search_backfill set done = $1").bind(last);
            conn.execute(update).await?;
            Ok(true)
        }
        .await;
        match step {
            Ok(more) => {
                conn.run("commit").await?;
                if !more {
                    return Ok(());
                }
            }
            Err(error) => {
                let _ = conn.run("rollback").await;
                return Err(error);
            }
        }
    }
}

/// The policy changed: recompute the due time and urgency of every case that has a due time
/// (open, nobody reached), in batches, then record the policy.
async fn recompute_open(conn: &mut Conn<'_>, policy: &SlaPolicy) -> Result<()> {
    let mut after = -1i64;
    loop {
        begin_locked(conn).await?;
        let step = async {
            let sql = format!(
                "select {FACT_COLUMNS}, created_seq from case_file where created_seq > $1 and sla_due_at is not null
                  order by created_seq limit $2"
            );
            let statement = conn.statement(&sql).bind(after).bind(BACKFILL_BATCH);
            let rows = conn.fetch_all(statement).await?;
            rewrite_urgency(conn, policy, &rows).await?;
            rows.last().map(|r| r.get::<i64>("created_seq")).transpose()
        }
        .await;
        match step {
            Ok(Some(last)) => {
                conn.run("commit").await?;
                after = last;
            }
            Ok(None) => {
                conn.run("delete from sla_policy_applied").await?;
                let insert =
                    conn.statement("insert into sla_policy_applied (policy) values ($1)").bind(policy_text(policy));
                conn.execute(insert).await?;
                conn.run("commit").await?;
                return Ok(());
            }
            Err(error) => {
                let _ = conn.run("rollback").await;
                return Err(error);
            }
        }
    }
}

/// The cases a search finds, each with its best match, and whether the search's words matched
/// more cases than it considers ([`SEARCH_CANDIDATES`]).
pub(crate) async fn candidates(conn: &mut Conn<'_>, q: &str) -> Result<(HashMap<String, SearchMatch>, bool)> {
    let mut found: HashMap<String, SearchMatch> = HashMap::new();
    let note = |found: &mut HashMap<String, SearchMatch>, case_id: String, how: SearchMatch| {
        let best = found.entry(case_id).or_insert(how);
        *best = (*best).min(how);
    };
    if let Ok(reference) = Reference::parse(q) {
        let statement = conn.statement("select case_id from case_file where reference = $1").bind(reference.as_str());
        for row in conn.fetch_all(statement).await? {
            note(&mut found, row.get("case_id")?, SearchMatch::Reference);
        }
    }
    if let Some(phone) = PhoneQuery::parse(q) {
        let forms = phone.stored_forms();
        let list: Vec<String> = (1..=forms.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select distinct cp.case_id from person p join case_person cp on cp.person_id = p.person_id
              where p.phone in ({}) limit {}",
            list.join(", "),
            SEARCH_CANDIDATES
        );
        let statement = forms.iter().fold(conn.statement(&sql).persistent(false), |s, f| s.bind(f.as_str()));
        for row in conn.fetch_all(statement).await? {
            note(&mut found, row.get("case_id")?, SearchMatch::Phone);
        }
    }
    if let Some(passport) = passport_query(q) {
        let statement = conn
            .statement(
                "select distinct cp.case_id from person p join case_person cp on cp.person_id = p.person_id
                  where p.passport = $1 limit $2",
            )
            .bind(passport)
            .bind(SEARCH_CANDIDATES as i64);
        for row in conn.fetch_all(statement).await? {
            note(&mut found, row.get("case_id")?, SearchMatch::Passport);
        }
    }
    let tokens = name_query(q);
    let mut capped = false;
    if !tokens.is_empty() {
        let (names, names_capped) = name_candidates(conn, &tokens).await?;
        capped = names_capped;
        for (case_id, loose_words) in names {
            let how = match loose_words {
                0 => SearchMatch::NameExact,
                n => SearchMatch::NameSimilar { loose_words: n.min(u8::MAX as usize) as u8 },
            };
            note(&mut found, case_id, how);
        }
    }
    Ok((found, capped))
}

/// One way a stored term matches a query word.
enum TermMatch<'a> {
    /// Terms in `[from, to)`: the word's folded spelling and every longer term it begins.
    Prefix(&'a str, String),
    Equal(&'a str),
}

fn term_matches(token: &NameQueryToken) -> Vec<TermMatch<'_>> {
    let mut matches = vec![if token.prefix {
        TermMatch::Prefix(&token.exact, prefix_end(&token.exact))
    } else {
        TermMatch::Equal(&token.exact)
    }];
    matches.extend(token.canonical.iter().map(|c| TermMatch::Equal(c)));
    matches.extend(token.skeletons.iter().map(|s| TermMatch::Equal(s)));
    matches
}

/// How many index entries match any of `matches`, counting each up to `cap + 1`.
async fn count_matches(conn: &mut Conn<'_>, matches: &[TermMatch<'_>], cap: i64) -> Result<i64> {
    let mut count = 0;
    for m in matches {
        let mut query = Query::new("select count(*) as n from (select 1 from search_term where ");
        push_term_condition(&mut query, "term", m);
        query.push(" limit #) as t", [Arg::Int(cap + 1)]);
        count += conn.fetch_one(query.statement(conn)).await?.get::<i64>("n")?;
    }
    Ok(count)
}

/// `column` (a term) matching `m`, as SQL.
fn push_term_condition(query: &mut Query, column: &str, m: &TermMatch<'_>) {
    match m {
        TermMatch::Prefix(from, to) => query
            .push(&format!("{column} >= # and {column} < #"), [Arg::Text((*from).to_owned()), Arg::Text(to.clone())]),
        TermMatch::Equal(term) => query.push(&format!("{column} = #"), [Arg::Text((*term).to_owned())]),
    }
}

/// Whether case `d.case_id` holds a term matching any of `matches`, as SQL: one `exists` per
/// match, each a single seek of an index (an equal term on the primary key, a prefix on the
/// (case, term) index), rather than one `exists` with an `or` inside, which reads all of the
/// case's terms.
fn push_case_has_any(query: &mut Query, matches: &[TermMatch<'_>]) {
    query.push("(", []);
    for (i, m) in matches.iter().enumerate() {
        query.push(if i == 0 { "" } else { " or " }, []);
        query.push("exists (select 1 from search_term w where w.case_id = d.case_id and ", []);
        push_term_condition(query, "w.term", m);
        query.push(")", []);
    }
    query.push(")", []);
}

/// The cases whose people's names match every word (each case: how many words matched only
/// loosely, by prefix or skeleton), and whether the search left some out.
///
/// Index-driven: each word's matches are counted up to the limit (a range of the term index
/// each); the cases are read from the rarest word's terms and checked, in the same statement,
/// for the other words, so only cases matching them all leave the database, at most the limit.
/// When every word alone is too common (a naming chain of common names), the cases come from
/// the rarest pair of neighbouring words instead (`b:` terms): then a case holding the words
/// apart is not considered, and the answer says it may be incomplete.
async fn name_candidates(conn: &mut Conn<'_>, tokens: &[NameQueryToken]) -> Result<(HashMap<String, usize>, bool)> {
    let cap = SEARCH_CANDIDATES as i64;
    let mut counts = Vec::with_capacity(tokens.len());
    for token in tokens {
        counts.push(count_matches(conn, &term_matches(token), cap).await?);
    }
    let rarest = (0..tokens.len()).min_by_key(|&i| counts[i]).expect("tokens is not empty");
    let mut capped = counts[rarest] > cap;
    // The pair of words `(k, k + 1)` with the fewest cases, when that is fewer than the rarest word's.
    let mut pair_source: Option<(usize, Vec<String>)> = None;
    if capped {
        let mut best: Option<(i64, usize, Vec<String>)> = None;
        for k in 0..tokens.len().saturating_sub(1) {
            for terms in neighbour_pairs(&tokens[k..k + 2]) {
                let matches: Vec<TermMatch<'_>> = terms.iter().map(|t| TermMatch::Equal(t)).collect();
                let count = count_matches(conn, &matches, cap).await?;
                if best.as_ref().is_none_or(|(n, ..)| count < *n) {
                    best = Some((count, k, terms));
                }
            }
        }
        // The answer stays marked incomplete: a case holding the words apart is not considered.
        pair_source = best.filter(|(count, ..)| *count < counts[rarest]).map(|(_, k, terms)| (k, terms));
    }
    // Where the cases come from, and the words every one of them holds already.
    let (sources, implied): (Vec<TermMatch<'_>>, Vec<usize>) = match &pair_source {
        Some((k, terms)) => (terms.iter().map(|t| TermMatch::Equal(t)).collect(), vec![*k, k + 1]),
        None => (term_matches(&tokens[rarest]), vec![rarest]),
    };

    // case → how many words matched only loosely.
    let mut cases: HashMap<String, usize> = HashMap::new();
    for source in &sources {
        let room = cap + 1 - cases.len() as i64;
        if room <= 0 {
            break;
        }
        let mut query = Query::new("select d.case_id");
        // Whether the word matched whole: its spelling, or the same common name.
        for (i, token) in tokens.iter().enumerate() {
            let whole: Vec<TermMatch<'_>> =
                std::iter::once(&token.exact).chain(&token.canonical).map(|t| TermMatch::Equal(t)).collect();
            query.push(", ", []);
            push_case_has_any(&mut query, &whole);
            query.push(&format!(" as whole_{i}"), []);
        }
        // The source's cases, at most the room left: when the words are too common for that
        // (`capped`), the answer is the matches among the cases read, so the work stays bounded.
        query.push(" from (select case_id from search_term where ", []);
        push_term_condition(&mut query, "term", source);
        if let TermMatch::Equal(_) = source {
            // Case ids are UUIDv7, in the order cases were opened: when the limit cuts, the
            // newest cases are read (one term's cases are in that order in the index, read
            // backwards; a prefix spans several terms, so it is read as the index has it).
            query.push(" order by case_id desc", []);
        }
        query.push(" limit #) as d where 1 = 1", [Arg::Int(room)]);
        for token in tokens.iter().enumerate().filter(|(i, _)| !implied.contains(i)).map(|(_, t)| t) {
            query.push(" and ", []);
            push_case_has_any(&mut query, &term_matches(token));
        }
        for row in conn.fetch_all(query.statement(conn)).await? {
            let mut loose = 0;
            for i in 0..tokens.len() {
                loose += usize::from(!row.get::<bool>(&format!("whole_{i}"))?);
            }
            cases.insert(row.get("case_id")?, loose);
        }
    }
    if cases.len() as i64 > cap {
        capped = true;
    }
    Ok((cases, capped))
}
