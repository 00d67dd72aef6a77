//! The board's lists: filters, sorts, keyset pages, true counts and the export, written once
//! for both backends.
//!
//! Owns the SQL of `list_cases`, `case_counts` and `export_cases`. Every page is read per status
//! through an index that has the status first and the sort key next (`case_file_by_urgency`,
//! `…_by_waiting`, …, migration 0008), seeking to the cursor, so a page costs its rows whatever
//! the number of cases; without a status filter the per-status pages are merged. A search first
//! finds its candidates (`search::candidates`, a bounded set), then filters and orders them.
//! Must not write, and must not compute urgency (the stored key is the domain's).

use std::cmp::Ordering;
use std::collections::HashMap;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::location;
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::search::SearchMatch;
use opsroom_domain::workflow::{SlaPolicy, is_finished};
use uuid::Uuid;

use crate::Result;
use crate::masks;
use crate::model::*;
use crate::reads::{CASE_COLUMNS, case_summary, cell_count, uuid_col, vocabulary};
use crate::search;
use crate::sql::{Arg, Conn, Pool, Query};

/// Sorts the sentinel stands for "no due time" in (after every real one).
const NO_DUE: i64 = i64::MAX;

/// A sort's key as SQL (the expression the index of migration 0008 holds) and whether larger
/// keys come first. Ties are broken by `created_seq` in the same direction.
fn key_sql(sort: CaseSort) -> (&'static str, bool) {
    match sort {
        CaseSort::Newest | CaseSort::Relevance => ("created_seq", true),
        CaseSort::Urgency => ("urgency", false),
        CaseSort::Waiting => ("reported_at", false),
        CaseSort::SlaDue => ("coalesce(sla_due_at, 9223372036854775807)", false),
        CaseSort::Score => ("priority_score", true),
        CaseSort::Updated => ("updated_seq", true),
    }
}

/// The same key computed from a case read back.
fn key_of(sort: CaseSort, case: &CaseSummary) -> i64 {
    match sort {
        CaseSort::Newest | CaseSort::Relevance => case.created_seq as i64,
        CaseSort::Urgency => case.urgency,
        CaseSort::Waiting => case.reported_at,
        CaseSort::SlaDue => case.sla_due_at.unwrap_or(NO_DUE),
        CaseSort::Score => i64::from(case.priority_score),
        CaseSort::Updated => case.updated_seq as i64,
    }
}

/// The filters on columns `case_file` and `case_tally` share (priority, channel), as `and …`.
fn push_shared_filters(query: &mut Query, filter: &CaseFilter) {
    if let Some(priority) = filter.priority {
        query.push(" and priority_level = #", [Arg::Text(priority.as_str().into())]);
    }
    if let Some(channel) = filter.channel {
        query.push(" and channel = #", [Arg::Text(channel.as_str().into())]);
    }
}

/// The filters every read shares (all but status, sort, cursor and the search), as `and …`.
fn push_filters(query: &mut Query, filter: &CaseFilter, policy: &SlaPolicy) {
    push_shared_filters(query, filter);
    if let Some(need) = filter.need {
        query.push(" and (needs & #) != 0", [Arg::Int(masks::needs_mask(&[need]))]);
    }
    if let Some(flag) = filter.flag {
        query.push(" and (flags & #) != 0", [Arg::Int(masks::flags_mask(&[flag]))]);
    }
    if let Some(cell) = filter.cell {
        match cell.stored_descendant_range() {
            Some((first, last)) => {
                query.push(" and cell >= # and cell <= #", [Arg::Int(first as i64), Arg::Int(last as i64)])
            }
            // Finer than stored: no case can be placed that precisely.
            None => query.push(" and 1 = 0", []),
        }
    }
    match filter.assignee {
        Some(AssigneeFilter::User(user)) => query.push(" and assigned_to = #", [Arg::Text(user.to_string())]),
        Some(AssigneeFilter::Unassigned) => query.push(" and assigned_to is null", []),
        None => {}
    }
    match filter.crisis {
        Some(CrisisFilter::Crisis(crisis)) => query.push(" and crisis_id = #", [Arg::Text(crisis.to_string())]),
        Some(CrisisFilter::Unplaced) => query.push(" and crisis_id is null", []),
        None => {}
    }
    if let Some(partner) = filter.partner {
        query.push(
            " and case_id in (select case_id from referral where partner_id = # and status <> 'withdrawn')",
            [Arg::Text(partner.to_string())],
        );
    }
    if let Some(sla) = filter.sla {
        let now = filter.now_ms;
        // Amber from half the clock on: due within half of the level's minutes.
        let half = |level: PriorityLevel| Arg::Int(now + i64::from(policy.minutes(level)) * 30_000);
        let levels = [PriorityLevel::Critical, PriorityLevel::High, PriorityLevel::Normal, PriorityLevel::Low];
        let per_level = |op: &str| {
            let parts: Vec<String> =
                levels.iter().map(|l| format!("(priority_level = '{}' and sla_due_at {op} #)", l.as_str())).collect();
            format!("({})", parts.join(" or "))
        };
        match sla {
            SlaFilter::Red => query.push(" and sla_due_at <= #", [Arg::Int(now)]),
            SlaFilter::Amber => query.push(
                &format!(" and sla_due_at > # and {}", per_level("<=")),
                std::iter::once(Arg::Int(now)).chain(levels.map(half)),
            ),
            SlaFilter::Green => query.push(&format!(" and {}", per_level(">")), levels.map(half)),
            SlaFilter::Met => query.push(" and sla_due_at is null", []),
        }
    }
}

/// Compare two cases in a list's order: search rank, then the sort key, then the position that
/// opened them.
fn order(sort: CaseSort, a: (u8, i64, u64), b: (u8, i64, u64)) -> Ordering {
    let (_, descending) = key_sql(sort);
    let by_key = (a.1, a.2).cmp(&(b.1, b.2));
    a.0.cmp(&b.0).then(if descending { by_key.reverse() } else { by_key })
}

fn position(sort: CaseSort, case: &CaseSummary) -> (u8, i64, u64) {
    (case.matched.map_or(0, SearchMatch::rank), key_of(sort, case), case.created_seq)
}

/// A page of cases (see [`CaseFilter`]), with the total matching the filters.
pub(crate) async fn list_cases(pool: &Pool, filter: &CaseFilter, policy: &SlaPolicy) -> Result<CasePage> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sort = filter.sort;
    let limit = filter.limit as usize;
    let (mut cases, total, total_capped, more) = match filter.q.as_deref() {
        Some(q) => {
            let (found, capped) = search::candidates(&mut conn, q).await?;
            let mut positions = searched_positions(&mut conn, &found, filter, policy).await?;
            positions.sort_by(|a, b| order(sort, a.0, b.0));
            let total = positions.len() as u64;
            if let Some(cursor) = filter.cursor {
                let after = (cursor.rank, cursor.key, cursor.seq);
                positions.retain(|(at, _)| order(sort, *at, after) == Ordering::Greater);
            }
            let more = positions.len() > limit;
            positions.truncate(limit);
            let mut cases = cases_by_id(&mut conn, positions.iter().map(|(_, id)| id.as_str())).await?;
            for case in &mut cases {
                case.matched = found.get(&case.case_id.to_string()).copied();
            }
            cases.sort_by(|a, b| order(sort, position(sort, a), position(sort, b)));
            (cases, total, capped, more)
        }
        None => {
            let counts = count_by_status(&mut conn, filter, policy).await?;
            let total = match filter.status {
                Some(status) => counts.get(status.as_str()).copied().unwrap_or(0),
                None => counts.values().sum(),
            };
            // A status none of whose cases pass the filters is not read: its index would be
            // walked to the end looking for them (the overdue queue in the finished columns).
            let statuses: Vec<CaseStatus> = filter.status.map_or(CaseStatus::ALL.to_vec(), |s| vec![s]);
            let mut cases = Vec::new();
            for status in statuses.into_iter().filter(|s| counts.get(s.as_str()).is_some_and(|n| *n > 0)) {
                cases.extend(page_of_status(&mut conn, filter, policy, status).await?);
            }
            cases.sort_by(|a, b| order(sort, position(sort, a), position(sort, b)));
            let more = cases.len() > limit;
            cases.truncate(limit);
            (cases, total, false, more)
        }
    };
    let next_cursor = more
        .then(|| {
            cases.last().map(|c| {
                let (rank, key, seq) = position(sort, c);
                CaseCursor { rank, key, seq }
            })
        })
        .flatten();
    decorate(&mut conn, &mut cases).await?;
    Ok(CasePage { cases, next_cursor, total, total_capped })
}

/// Up to `limit + 1` cases of one status after the cursor, in the sort's order, through the
/// status's index for that sort.
async fn page_of_status(
    conn: &mut Conn<'_>,
    filter: &CaseFilter,
    policy: &SlaPolicy,
    status: CaseStatus,
) -> Result<Vec<CaseSummary>> {
    let (key, descending) = key_sql(filter.sort);
    let mut query = Query::new(&format!("select {CASE_COLUMNS} from case_file where 1 = 1"));
    query.push(" and status = #", [Arg::Text(status.as_str().into())]);
    push_filters(&mut query, filter, policy);
    if let Some(cursor) = filter.cursor {
        let (bound, after) = if descending { ("<=", "<") } else { (">=", ">") };
        // The plain bound lets SQLite seek on an expression key too; the row value is exact.
        query.push(
            &format!(" and {key} {bound} # and ({key}, created_seq) {after} (#, #)"),
            [Arg::Int(cursor.key), Arg::Int(cursor.key), Arg::Int(cursor.seq.min(i64::MAX as u64) as i64)],
        );
    }
    let direction = if descending { "desc" } else { "asc" };
    query.push(
        &format!(" order by {key} {direction}, created_seq {direction} limit #"),
        [Arg::Int(filter.limit as i64 + 1)],
    );
    conn.fetch_all(query.statement(conn)).await?.iter().map(case_summary).collect()
}

/// The candidates of a search that pass the filters, each with its place in the list's order
/// (see [`position`]): only the columns that order needs are read, so a search that matched
/// thousands of cases reads whole rows for one page only ([`cases_by_id`]).
async fn searched_positions(
    conn: &mut Conn<'_>,
    found: &HashMap<String, SearchMatch>,
    filter: &CaseFilter,
    policy: &SlaPolicy,
) -> Result<Vec<((u8, i64, u64), String)>> {
    let (key, _) = key_sql(filter.sort);
    let ids: Vec<&String> = found.keys().collect();
    let mut positions = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut query =
            Query::new(&format!("select case_id, {key} as sort_key, created_seq from case_file where case_id in "));
        query.push_list(chunk.iter().map(|id| Arg::Text((*id).clone())));
        if let Some(status) = filter.status {
            query.push(" and status = #", [Arg::Text(status.as_str().into())]);
        }
        push_filters(&mut query, filter, policy);
        for row in conn.fetch_all(query.statement(conn)).await? {
            let case_id: String = row.get("case_id")?;
            let rank = found.get(&case_id).map_or(0, |how| how.rank());
            let seq = row.get::<i64>("created_seq")?.max(0) as u64;
            positions.push(((rank, row.get::<i64>("sort_key")?, seq), case_id));
        }
    }
    Ok(positions)
}

/// The cases with these ids (in no particular order).
async fn cases_by_id(conn: &mut Conn<'_>, ids: impl Iterator<Item = &str>) -> Result<Vec<CaseSummary>> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Query::new(&format!("select {CASE_COLUMNS} from case_file where case_id in "));
    query.push_list(ids.iter().map(|id| Arg::Text((*id).to_owned())));
    conn.fetch_all(query.statement(conn)).await?.iter().map(case_summary).collect()
}

/// Most people a card previews.
const PREVIEW: usize = 3;

/// Fill in what cards show beyond the case row: the lead person's name, a preview of the
/// people, the assignee's name. Two queries for the whole page.
async fn decorate(conn: &mut Conn<'_>, cases: &mut [CaseSummary]) -> Result<()> {
    if cases.is_empty() {
        return Ok(());
    }
    let mut query = Query::new(
        "select cp.case_id, cp.role, p.name, p.age from case_person cp join person p on p.person_id = cp.person_id
          where cp.case_id in ",
    );
    query.push_list(cases.iter().map(|c| Arg::Text(c.case_id.to_string())));
    query.push(" order by cp.case_id, case when cp.role = 'subject' then 0 else 1 end, p.created_seq, cp.position", []);
    let mut people: HashMap<Uuid, Vec<PersonPreview>> = HashMap::new();
    for row in conn.fetch_all(query.statement(conn)).await? {
        people.entry(uuid_col(&row, "case_id")?).or_default().push(PersonPreview {
            name: row.get("name")?,
            age: row.get::<Option<i64>>("age")?.map(|a| a.clamp(0, 255) as u8),
            role: vocabulary(&row, "role")?,
        });
    }
    let assignees: Vec<Uuid> = cases.iter().filter_map(|c| c.assigned_to).collect();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    if !assignees.is_empty() {
        let mut query = Query::new("select user_id, name from app_user where user_id in ");
        query.push_list(assignees.iter().map(|u| Arg::Text(u.to_string())));
        for row in conn.fetch_all(query.statement(conn)).await? {
            names.insert(uuid_col(&row, "user_id")?, row.get("name")?);
        }
    }
    for case in cases {
        let everyone = people.remove(&case.case_id).unwrap_or_default();
        case.lead_name = everyone.iter().find_map(|p| p.name.clone());
        case.people_preview = everyone.into_iter().take(PREVIEW).collect();
        case.assignee_name = case.assigned_to.and_then(|u| names.get(&u).cloned());
    }
    Ok(())
}

/// The cases a count may read: every case (`[None]`) without a search, else the search's
/// candidates in chunks of ids (none when it found nothing).
async fn search_scope(conn: &mut Conn<'_>, filter: &CaseFilter) -> Result<Vec<Option<Vec<String>>>> {
    let Some(q) = filter.q.as_deref() else { return Ok(vec![None]) };
    let found = search::candidates(conn, q).await?.0;
    Ok(found.keys().cloned().collect::<Vec<_>>().chunks(500).map(|c| Some(c.to_vec())).collect())
}

/// `select` (with its values) from the cases among `ids` (if any) that pass the filters.
fn filtered(mut select: Query, ids: &Option<Vec<String>>, filter: &CaseFilter, policy: &SlaPolicy) -> Query {
    select.push(" from case_file where 1 = 1", []);
    if let Some(ids) = ids {
        select.push(" and case_id in ", []);
        select.push_list(ids.iter().map(|id| Arg::Text(id.clone())));
    }
    push_filters(&mut select, filter, policy);
    select
}

/// Cases per status for the filters (`filter.status`, `sort`, `cursor` and `limit` are
/// ignored), the overdue ones at `filter.now_ms` and the unassigned critical open ones.
pub(crate) async fn case_counts(pool: &Pool, filter: &CaseFilter, policy: &SlaPolicy) -> Result<CaseCounts> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let by_status = count_by_status(&mut conn, filter, policy).await?;
    // Overdue is the red clock: none when the filters ask for another colour.
    let overdue = match filter.sla {
        None | Some(SlaFilter::Red) => {
            let red = CaseFilter { sla: Some(SlaFilter::Red), ..filter.clone() };
            count_by_status(&mut conn, &red, policy).await?.values().sum()
        }
        Some(_) => 0,
    };
    let unassigned_critical = match (filter.priority, filter.assignee) {
        (None | Some(PriorityLevel::Critical), None | Some(AssigneeFilter::Unassigned)) => {
            let critical_unassigned = CaseFilter {
                priority: Some(PriorityLevel::Critical),
                assignee: Some(AssigneeFilter::Unassigned),
                ..filter.clone()
            };
            let counts = count_by_status(&mut conn, &critical_unassigned, policy).await?;
            CaseStatus::ALL.iter().filter(|s| !is_finished(**s)).filter_map(|s| counts.get(s.as_str())).sum()
        }
        _ => 0,
    };
    Ok(CaseCounts {
        by_status: CaseStatus::ALL.map(|s| (s, by_status.get(s.as_str()).copied().unwrap_or(0))).to_vec(),
        overdue,
        unassigned_critical,
    })
}

/// Cases per status (as stored) that pass the filters, `filter.status` aside.
///
/// From the tally (migration 0011: rows per status, priority, channel, assigned or not and due
/// or not, for all cases, per need and per flag) when the filters are among those it keeps, so
/// the cost does not grow with the cases; a red clock is the due cases less those not yet due,
/// a short range of the due-time index. Other filters (a search, a cell, a crisis, one assignee,
/// a partner, a need and a flag together, an amber or green clock) count the rows they choose.
async fn count_by_status(conn: &mut Conn<'_>, filter: &CaseFilter, policy: &SlaPolicy) -> Result<HashMap<String, u64>> {
    let tally_rows = match (filter.need, filter.flag) {
        (None, None) => Some(("all", 0)),
        (Some(need), None) => Some(("need", masks::needs_mask(&[need]))),
        (None, Some(flag)) => Some(("flag", masks::flags_mask(&[flag]))),
        (Some(_), Some(_)) => None,
    };
    let tallied = filter.q.is_none()
        && filter.cell.is_none()
        && filter.crisis.is_none()
        && filter.partner.is_none()
        && !matches!(filter.assignee, Some(AssigneeFilter::User(_)))
        && matches!(filter.sla, None | Some(SlaFilter::Red | SlaFilter::Met));
    let Some((kind, bit)) = tally_rows.filter(|_| tallied) else {
        return count_rows(conn, filter, policy).await;
    };
    // Cast: PostgreSQL sums bigints as numeric.
    let mut query = Query::new("select status, cast(sum(n) as bigint) as n from case_tally where 1 = 1");
    query.push(" and kind = # and bit = #", [Arg::Text(kind.into()), Arg::Int(bit)]);
    push_shared_filters(&mut query, filter);
    if filter.assignee == Some(AssigneeFilter::Unassigned) {
        query.push(" and assigned = 0", []);
    }
    match filter.sla {
        Some(SlaFilter::Met) => query.push(" and due = 0", []),
        Some(SlaFilter::Red) => query.push(" and due = 1", []),
        _ => {}
    }
    query.push(" group by status", []);
    let mut counts = HashMap::new();
    for row in conn.fetch_all(query.statement(conn)).await? {
        counts.insert(row.get::<String>("status")?, row.get::<i64>("n")?.max(0) as u64);
    }
    if filter.sla == Some(SlaFilter::Red) {
        let not_yet = CaseFilter { sla: None, ..filter.clone() };
        for (status, n) in count_not_yet_due(conn, &not_yet, policy).await? {
            let due = counts.entry(status).or_default();
            *due = due.saturating_sub(n);
        }
    }
    Ok(counts)
}

/// Cases per status among the rows the filters choose (the search's candidates, if any).
async fn count_rows(conn: &mut Conn<'_>, filter: &CaseFilter, policy: &SlaPolicy) -> Result<HashMap<String, u64>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for ids in search_scope(conn, filter).await? {
        let mut query = filtered(Query::new("select status, count(*) as n"), &ids, filter, policy);
        query.push(" group by status", []);
        for row in conn.fetch_all(query.statement(conn)).await? {
            *counts.entry(row.get("status")?).or_default() += row.get::<i64>("n")? as u64;
        }
    }
    Ok(counts)
}

/// Cases per status that pass the filters (no search) and are due after `filter.now_ms`: a
/// range of `case_file_due`, which holds every column the tallied filters test (migration
/// 0011), so the count reads that index alone. SQLite is told to use it: without statistics its
/// planner prefers walking the status index to save the `group by` a sort.
async fn count_not_yet_due(
    conn: &mut Conn<'_>,
    filter: &CaseFilter,
    policy: &SlaPolicy,
) -> Result<HashMap<String, u64>> {
    let hint = conn.index_hint("case_file_due");
    let mut query = Query::new(&format!("select status, count(*) as n from case_file{hint} where 1 = 1"));
    query.push(" and sla_due_at > #", [Arg::Int(filter.now_ms)]);
    push_filters(&mut query, filter, policy);
    query.push(" group by status", []);
    let mut counts = HashMap::new();
    for row in conn.fetch_all(query.statement(conn)).await? {
        counts.insert(row.get::<String>("status")?, row.get::<i64>("n")? as u64);
    }
    Ok(counts)
}

/// The cases the filters choose (`sort`, `cursor` and `limit` ignored) counted by their cell at
/// `resolution` (the parent's index computed in SQL from the stored one with
/// `location::parent_masks`), priority and status; unlocated cases have no cell.
pub(crate) async fn map_counts(
    pool: &Pool,
    filter: &CaseFilter,
    policy: &SlaPolicy,
    resolution: u8,
) -> Result<Vec<CellCount>> {
    let Some((keep, set)) = location::parent_masks(resolution) else { return Ok(Vec::new()) };
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let mut counts = Vec::new();
    for ids in search_scope(&mut conn, filter).await? {
        let mut select = Query::default();
        select.push(
            "select (cell & #) | # as cell, priority_level, status, count(*) as n",
            [Arg::Int(keep as i64), Arg::Int(set as i64)],
        );
        let mut query = filtered(select, &ids, filter, policy);
        if let Some(status) = filter.status {
            query.push(" and status = #", [Arg::Text(status.as_str().into())]);
        }
        query.push(" group by 1, priority_level, status", []);
        for row in conn.fetch_all(query.statement(&conn)).await? {
            counts.push(cell_count(&row)?);
        }
    }
    Ok(counts)
}

/// Every case the filters match in the list's order, at most `max`; and whether there were
/// more. Read page by page, so each read stays as cheap as a page of the board.
pub(crate) async fn export_cases(
    pool: &Pool,
    filter: &CaseFilter,
    policy: &SlaPolicy,
    max: usize,
) -> Result<(Vec<CaseSummary>, bool)> {
    let mut filter = CaseFilter { limit: 1_000, cursor: None, ..filter.clone() };
    let mut cases = Vec::new();
    loop {
        let page = list_cases(pool, &filter, policy).await?;
        cases.extend(page.cases);
        if cases.len() >= max {
            let more = cases.len() > max || page.next_cursor.is_some();
            cases.truncate(max);
            return Ok((cases, more));
        }
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => return Ok((cases, false)),
        }
    }
}
