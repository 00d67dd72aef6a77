//! Row helpers every write uses: the event row, multi-row statements cut into chunks, and
//! lookups of many values at once.
//!
//! A leaf: it knows the `event` table's columns and how to chunk a statement, nothing about
//! any feature, and imports nothing of the crate but `sql`.

use std::collections::HashMap;
use std::sync::Arc;

use opsroom_domain::event::Event;

use crate::Result;
use crate::sql::{Backend, Conn, Row, Statement, placeholders};
use crate::write::Positions;

/// Write `event` at the next position; returns that position.
pub(crate) async fn record(
    conn: &mut Conn<'_>,
    positions: &mut Positions,
    event: &Event,
    recorded_at: i64,
) -> Result<u64> {
    let seq = positions.take();
    insert_event(conn, seq, event, recorded_at).await?;
    Ok(seq)
}

/// Insert one event row at `seq`.
async fn insert_event(conn: &mut Conn<'_>, seq: u64, event: &Event, recorded_at: i64) -> Result<()> {
    let data = event.data_json();
    let case_id = event.case_id().map(|id| id.to_string());
    let insert = conn
        .statement("insert into event (seq, kind, case_id, recorded_at, data) values ($1, $2, $3, $4, $5)")
        .bind(seq as i64)
        .bind(event.kind())
        .bind(case_id)
        .bind(recorded_at)
        .bind(data.as_str());
    conn.execute(insert).await.map(drop)
}

/// Most values one lookup binds: a whole batch of commands in one statement, while an import of
/// tens of thousands of reports stays below both backends' limits on bound values.
const LOOKUP_CHUNK: usize = 1024;

/// The rows of `sql` (which ends in `in`) for each of `values`, [`LOOKUP_CHUNK`] values per
/// statement.
pub(crate) async fn fetch_in(conn: &mut Conn<'_>, sql: &str, values: &[&str]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for chunk in values.chunks(LOOKUP_CHUNK) {
        let sql = format!("{sql} {}", placeholders(conn.backend(), 0, chunk.len()));
        let statement = chunk.iter().fold(conn.statement(&sql).persistent(false), |s, value| s.bind(*value));
        rows.extend(conn.fetch_all(statement).await?);
    }
    Ok(rows)
}

/// Rows per multi-row insert. A batch is cut into chunks of 64, 32, …, 1 rows, so each table
/// needs at most seven distinct statements and all of them stay in the statement cache.
const CHUNK: usize = 64;

/// Insert `rows` with multi-row `insert … values (…), (…)` statements of `columns` columns,
/// `bind` binding one row's values in column order.
pub(crate) async fn insert_rows<T>(
    conn: &mut Conn<'_>,
    head: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'s> Fn(Statement<'s>, &'s T) -> Statement<'s>,
) -> Result<()> {
    per_chunk(conn, &format!("{head} values {VALUES}"), columns, rows, bind).await.map(drop)
}

/// Where [`per_chunk`] puts a chunk's `(…), (…)` list in its SQL.
pub(crate) const VALUES: &str = "{values}";

/// Run `sql` once per chunk of `rows`, its [`VALUES`] replaced by the chunk's rows of `columns`
/// placeholders (`bind` binds one row's values in column order); returns every row fetched. For
/// multi-row inserts, set updates (`update … from (values …)`) and lookups joined against a
/// list, so that a thousand rows cost a handful of statements.
pub(crate) async fn per_chunk<T>(
    conn: &mut Conn<'_>,
    sql: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'s> Fn(Statement<'s>, &'s T) -> Statement<'s>,
) -> Result<Vec<Row>> {
    let mut fetched = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = if rest.len() >= CHUNK { CHUNK } else { 1 << rest.len().ilog2() };
        let (chunk, tail) = rest.split_at(size);
        let text = chunk_text(conn.backend(), sql, columns, size);
        let statement = chunk.iter().fold(conn.statement(&text), &bind);
        fetched.extend(conn.fetch_all(statement).await?);
        rest = tail;
    }
    Ok(fetched)
}

/// The text of `sql` for a `size`-row chunk, built once per (backend, statement, size) and then
/// reused: drivers cache prepared statements by text, and building 1,400 placeholders per chunk
/// showed in the benchmark.
fn chunk_text(backend: Backend, sql: &str, columns: usize, size: usize) -> Arc<str> {
    use std::sync::{LazyLock, Mutex};
    type Key = (Backend, String, usize);
    static TEXTS: LazyLock<Mutex<HashMap<Key, Arc<str>>>> = LazyLock::new(Default::default);
    let key = (backend, sql.to_owned(), size);
    let mut texts = TEXTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    texts
        .entry(key)
        .or_insert_with(|| {
            let values: Vec<String> = (0..size).map(|row| placeholders(backend, row * columns, columns)).collect();
            sql.replace(VALUES, &values.join(", ")).into()
        })
        .clone()
}
