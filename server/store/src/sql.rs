//! The two-armed SQL layer: one statement, bound and run on whichever backend is open.
//!
//! Owns the only `match` on SQLite versus PostgreSQL for executing SQL. Everything above it
//! (the writer, the reads) is written once, with `$1`-style placeholders that both accept.
//! Values cross it as Rust types both drivers encode the same way: `i64` (INTEGER / BIGINT),
//! `f64` (REAL / DOUBLE PRECISION), `&str`/`String` (TEXT) and `Option`s of them. That is why
//! the PostgreSQL schema uses `bigint` and `text` where SQLite has `integer` and `text`.

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Connection as _, Decode, Encode, Postgres, Row as _, Sqlite, Type};

use crate::{Result, StoreError};

/// Which database engine is underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A value both drivers can bind.
pub(crate) trait Param<'q>:
    'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}
impl<'q, T> Param<'q> for T where
    T: 'q + Send + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}

/// A value both drivers can read from a column.
pub(crate) trait Column:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Column for T where T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}

/// A statement with its bound values, for one backend.
pub(crate) enum Statement<'q> {
    Sqlite(sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>),
    Postgres(sqlx::query::Query<'q, Postgres, PgArguments>),
}

impl Backend {
    /// Short name, for logs and readiness.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl<'q> Statement<'q> {
    pub(crate) fn new(backend: Backend, sql: &'q str) -> Self {
        match backend {
            Backend::Sqlite => Statement::Sqlite(sqlx::query(sql)),
            Backend::Postgres => Statement::Postgres(sqlx::query(sql)),
        }
    }

    pub(crate) fn bind(self, value: impl Param<'q>) -> Self {
        match self {
            Statement::Sqlite(q) => Statement::Sqlite(q.bind(value)),
            Statement::Postgres(q) => Statement::Postgres(q.bind(value)),
        }
    }

    /// Keep the prepared statement cached (the default) or not (for SQL whose text varies).
    pub(crate) fn persistent(self, keep: bool) -> Self {
        match self {
            Statement::Sqlite(q) => Statement::Sqlite(q.persistent(keep)),
            Statement::Postgres(q) => Statement::Postgres(q.persistent(keep)),
        }
    }
}

/// A row from either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub(crate) fn get<T: Column>(&self, column: &str) -> Result<T> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(column)?,
            Row::Postgres(r) => r.try_get(column)?,
        })
    }
}

/// A connection of either backend, borrowed for a few statements.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

fn mismatch() -> StoreError {
    StoreError::Corrupt("a statement was built for the other backend".into())
}

impl Conn<'_> {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Start building a statement for this connection's backend.
    pub(crate) fn statement<'q>(&self, sql: &'q str) -> Statement<'q> {
        Statement::new(self.backend(), sql)
    }

    pub(crate) async fn execute(&mut self, statement: Statement<'_>) -> Result<u64> {
        Ok(match (self, statement) {
            (Conn::Sqlite(c), Statement::Sqlite(q)) => q.execute(&mut **c).await?.rows_affected(),
            (Conn::Postgres(c), Statement::Postgres(q)) => q.execute(&mut **c).await?.rows_affected(),
            _ => return Err(mismatch()),
        })
    }

    /// Begin a write transaction that holds the database's write lock until commit: SQLite's
    /// `begin immediate` takes it at once (a plain `begin` would take it at the first write and
    /// could fail there); on PostgreSQL rows are locked as they are read ([`Conn::locking`]).
    pub(crate) async fn begin_write(&mut self) -> Result<()> {
        self.run(match self.backend() {
            Backend::Sqlite => "begin immediate",
            Backend::Postgres => "begin",
        })
        .await
    }

    /// `select` (of rows a write transaction will change) that locks what it reads until commit:
    /// `for update` on PostgreSQL; SQLite's write transaction already holds the whole database.
    pub(crate) fn locking(&self, select: &str) -> String {
        match self.backend() {
            Backend::Sqlite => select.to_owned(),
            Backend::Postgres => format!("{select} for update"),
        }
    }

    /// Begin a read-only transaction whose reads all see one snapshot of the database (SQLite's
    /// deferred transaction does from its first read; PostgreSQL needs repeatable read).
    pub(crate) async fn begin_snapshot(&mut self) -> Result<()> {
        self.run(match self.backend() {
            Backend::Sqlite => "begin",
            Backend::Postgres => "begin isolation level repeatable read",
        })
        .await
    }

    /// ` indexed by INDEX` after a table name on SQLite, whose planner (without statistics) may
    /// pick a worse index; nothing on PostgreSQL, whose planner has statistics.
    pub(crate) fn index_hint(&self, index: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!(" indexed by {index}"),
            Backend::Postgres => String::new(),
        }
    }

    /// Tell the other nodes that the log grew (PostgreSQL's `NOTIFY` on `channel`, without a
    /// payload); SQLite has no other nodes, and its other processes poll.
    pub(crate) async fn notify(&mut self, channel: &str) -> Result<()> {
        if self.backend() == Backend::Postgres {
            let notify = self.statement("select pg_notify($1, '')").bind(channel);
            self.execute(notify).await?;
        }
        Ok(())
    }

    /// Run SQL without parameters (`begin`, `commit`).
    pub(crate) async fn run(&mut self, sql: &str) -> Result<()> {
        let statement = self.statement(sql);
        self.execute(statement).await.map(drop)
    }

    pub(crate) async fn fetch_all(&mut self, statement: Statement<'_>) -> Result<Vec<Row>> {
        Ok(match (self, statement) {
            (Conn::Sqlite(c), Statement::Sqlite(q)) => {
                q.fetch_all(&mut **c).await?.into_iter().map(Row::Sqlite).collect()
            }
            (Conn::Postgres(c), Statement::Postgres(q)) => {
                q.fetch_all(&mut **c).await?.into_iter().map(Row::Postgres).collect()
            }
            _ => return Err(mismatch()),
        })
    }

    pub(crate) async fn fetch_optional(&mut self, statement: Statement<'_>) -> Result<Option<Row>> {
        Ok(match (self, statement) {
            (Conn::Sqlite(c), Statement::Sqlite(q)) => q.fetch_optional(&mut **c).await?.map(Row::Sqlite),
            (Conn::Postgres(c), Statement::Postgres(q)) => q.fetch_optional(&mut **c).await?.map(Row::Postgres),
            _ => return Err(mismatch()),
        })
    }

    pub(crate) async fn fetch_one(&mut self, statement: Statement<'_>) -> Result<Row> {
        self.fetch_optional(statement).await?.ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }
}

/// The read pool of either backend.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection checked out of a [`Pool`].
pub(crate) enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pool {
    pub(crate) async fn acquire(&self) -> Result<Pooled> {
        Ok(match self {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(&mut *c),
            Pooled::Postgres(c) => Conn::Postgres(&mut *c),
        }
    }
}

/// `($1, $2, …)` with `count` placeholders numbered after `offset` (PostgreSQL), or `(?, ?, …)`
/// (SQLite), for a row of values or an `in` list. SQLite looks numbered parameters up by name
/// with a linear scan, which makes a 1,400-parameter insert quadratic; anonymous `?` bind in order.
pub(crate) fn placeholders(backend: Backend, offset: usize, count: usize) -> String {
    let list: Vec<String> = match backend {
        Backend::Sqlite => vec!["?".to_owned(); count],
        Backend::Postgres => (1..=count).map(|i| format!("${}", offset + i)).collect(),
    };
    format!("({})", list.join(", "))
}

/// A value bound in order with the SQL that mentions it.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// SQL under construction: `#` in a clause becomes the next placeholder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    sql: String,
    args: Vec<Arg>,
}

impl Query {
    pub(crate) fn new(sql: &str) -> Self {
        Self { sql: sql.to_owned(), args: Vec::new() }
    }

    pub(crate) fn push(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) {
        let mut text = String::new();
        let mut args = args.into_iter();
        for piece in clause.split_inclusive('#') {
            if let Some(before) = piece.strip_suffix('#') {
                text.push_str(before);
                self.args.push(args.next().expect("one value per #"));
                text.push_str(&format!("${}", self.args.len()));
            } else {
                text.push_str(piece);
            }
        }
        self.sql.push_str(&text);
    }

    /// `(#, #, …)`: one placeholder per value, for an `in` list.
    pub(crate) fn push_list(&mut self, values: impl IntoIterator<Item = Arg>) {
        let values: Vec<Arg> = values.into_iter().collect();
        self.push(&format!("({})", vec!["#"; values.len()].join(", ")), values);
    }

    pub(crate) fn statement<'q>(&'q self, conn: &Conn<'_>) -> Statement<'q> {
        self.args.iter().fold(conn.statement(&self.sql).persistent(false), |s, arg| match arg {
            Arg::Int(v) => s.bind(*v),
            Arg::Text(v) => s.bind(v.as_str()),
        })
    }
}

/// `(‘a’, ‘b’, …)`: the names of the `values` for which `rule` holds, as an SQL list for
/// `in`. The rule is the domain's (which statuses are finished, hold a seat …); the SQL only
/// lists its outcome, so the two cannot drift. Never empty: a rule no value meets lists `''`.
pub(crate) fn listed<T: Copy>(
    values: impl IntoIterator<Item = T>,
    rule: impl Fn(T) -> bool,
    name: fn(T) -> String,
) -> String {
    let names: Vec<String> = values.into_iter().filter(|v| rule(*v)).map(|v| format!("'{}'", name(v))).collect();
    if names.is_empty() { "('')".to_owned() } else { format!("({})", names.join(", ")) }
}

/// The writer's own connection.
pub(crate) enum WriterConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriterConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            WriterConn::Sqlite(c) => Conn::Sqlite(c),
            WriterConn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(crate) async fn close(self) -> Result<()> {
        match self {
            WriterConn::Sqlite(c) => c.close().await?,
            WriterConn::Postgres(c) => c.close().await?,
        }
        Ok(())
    }
}
