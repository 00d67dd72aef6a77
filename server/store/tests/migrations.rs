//! The migrations as files: an applied migration is never edited (`migrations/CHECKSUMS` holds
//! the SHA-256 of every one), both backends carry the same numbers, and a fresh database of
//! each backend has the same tables, columns and indexes.
//!
//! These tests read the migration folders and the migrated databases' catalogues; they do not
//! test what the store does with the tables (that is the contract's job).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use opsroom_store::testing::TestDatabase;
use opsroom_store::{Store, StoreOptions};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};

/// The repository's root (this crate is `server/store`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const BACKENDS: [&str; 2] = ["postgres", "sqlite"];

/// Every migration file, as the repository-relative path `sha256sum` prints.
fn migration_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for backend in BACKENDS {
        let dir = root().join("migrations").join(backend);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
            let name = entry.expect("a directory entry").file_name().into_string().expect("a UTF-8 file name");
            if name.ends_with(".sql") {
                files.insert(format!("migrations/{backend}/{name}"));
            }
        }
    }
    files
}

/// `migrations/CHECKSUMS`: path → SHA-256 (hex), in `sha256sum`'s format, `#` lines are comments.
fn listed_checksums() -> BTreeMap<String, String> {
    let path = root().join("migrations/CHECKSUMS");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut listed = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (hash, file) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("migrations/CHECKSUMS line {}: not `<sha256>  <path>`: {line:?}", n + 1));
        let earlier = listed.insert(file.trim().to_owned(), hash.trim().to_owned());
        assert!(earlier.is_none(), "migrations/CHECKSUMS line {}: {file} is listed twice", n + 1);
    }
    listed
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Sha256::digest(bytes).iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// A database that ran a migration keeps what it did, whatever the file says later: an edited
/// migration makes new databases differ from old ones without anyone noticing.
#[test]
fn applied_migrations_are_never_edited() {
    let files = migration_files();
    let listed = listed_checksums();
    let mut problems = Vec::new();
    for (file, hash) in &listed {
        if !files.contains(file) {
            problems.push(format!(
                "{file} is listed in migrations/CHECKSUMS but is gone: databases have applied it, so it stays"
            ));
        } else if sha256_hex(&root().join(file)) != *hash {
            problems.push(format!(
                "{file} changed since it was listed in migrations/CHECKSUMS: a migration is never edited once \
                 applied; restore it (git checkout main -- {file}) and change the schema in a new migration"
            ));
        }
    }
    for file in files.iter().filter(|file| !listed.contains_key(*file)) {
        problems.push(format!(
            "{file} is not in migrations/CHECKSUMS: once it is final, add it with `sha256sum {file} >> migrations/CHECKSUMS`"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Both backends carry the same numbered migrations (`0007_staff_lifecycle.sql` in each folder),
/// so a schema change is never made on one backend alone.
#[test]
fn both_backends_have_the_same_migrations() {
    let files = migration_files();
    let names = |backend: &str| -> BTreeSet<String> {
        let prefix = format!("migrations/{backend}/");
        files.iter().filter_map(|f| f.strip_prefix(&prefix)).map(str::to_owned).collect()
    };
    let (postgres, sqlite) = (names("postgres"), names("sqlite"));
    assert_eq!(
        postgres.symmetric_difference(&sqlite).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "migrations present in only one of migrations/postgres and migrations/sqlite"
    );
}

// ---------------------------------------------------------------------------------------------
// Schema parity
// ---------------------------------------------------------------------------------------------

/// What the schema of one backend holds, by name: tables with their columns and primary key,
/// and the indexes created by the migrations (not those a constraint makes, whose names each
/// backend chooses) with their table, columns, uniqueness and whether they are partial.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeMap<String, Table>,
    indexes: BTreeMap<String, Index>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeSet<String>,
    primary_key: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
struct Index {
    table: String,
    /// Column names in key order; an expression is `<expression>`.
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

const EXPRESSION: &str = "<expression>";

/// Where the backends differ on purpose: (what, why). A difference not listed here fails.
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[];

async fn migrated(database: &TestDatabase) {
    let store = Store::open(&database.url, StoreOptions { read_connections: 1, ..StoreOptions::default() })
        .await
        .expect("a fresh database migrates");
    store.close(Duration::from_secs(5)).await;
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open the SQLite file");
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    for table in tables {
        let mut entry = Table::default();
        let mut key = Vec::new();
        for row in sqlx::query(&format!("pragma table_info(\"{table}\")")).fetch_all(&mut conn).await.expect("columns")
        {
            let name: String = row.get("name");
            let position: i64 = row.get("pk");
            if position > 0 {
                key.push((position, name.clone()));
            }
            entry.columns.insert(name);
        }
        key.sort();
        entry.primary_key = key.into_iter().map(|(_, name)| name).collect();
        for row in sqlx::query(&format!("pragma index_list(\"{table}\")")).fetch_all(&mut conn).await.expect("indexes")
        {
            // 'c': made by `create index`; 'u' and 'pk' are a constraint's own.
            if row.get::<String, _>("origin") != "c" {
                continue;
            }
            let name: String = row.get("name");
            let columns = sqlx::query(&format!("pragma index_info(\"{name}\")"))
                .fetch_all(&mut conn)
                .await
                .expect("index columns")
                .iter()
                .map(|c| c.get::<Option<String>, _>("name").unwrap_or_else(|| EXPRESSION.to_owned()))
                .collect();
            let index = Index {
                table: table.clone(),
                columns,
                unique: row.get::<i64, _>("unique") == 1,
                partial: row.get::<i64, _>("partial") == 1,
            };
            schema.indexes.insert(name, index);
        }
        schema.tables.insert(table, entry);
    }
    conn.close().await.expect("close");
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to the test database");
    let mut schema = Schema::default();
    let columns = sqlx::query(
        "select c.relname as table_name, a.attname as column_name
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          where n.nspname = 'public' and c.relkind = 'r'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list columns");
    for row in columns {
        let table: String = row.get("table_name");
        schema.tables.entry(table).or_default().columns.insert(row.get("column_name"));
    }
    let keys = sqlx::query(
        "select c.relname as table_name, a.attname as column_name
           from pg_constraint k join pg_class c on c.oid = k.conrelid
           join pg_namespace n on n.oid = c.relnamespace
           cross join lateral unnest(k.conkey) with ordinality as key(attnum, position)
           join pg_attribute a on a.attrelid = c.oid and a.attnum = key.attnum
          where n.nspname = 'public' and k.contype = 'p'
          order by c.relname, key.position",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list primary keys");
    for row in keys {
        let table: String = row.get("table_name");
        schema.tables.entry(table).or_default().primary_key.push(row.get("column_name"));
    }
    // Indexes no constraint owns, each key column by name (0: an expression).
    let indexes = sqlx::query(
        "select i.relname as index_name, t.relname as table_name, x.indisunique as is_unique,
                x.indpred is not null as is_partial, key.position, a.attname as column_name
           from pg_index x join pg_class i on i.oid = x.indexrelid
           join pg_class t on t.oid = x.indrelid
           join pg_namespace n on n.oid = t.relnamespace
           cross join lateral unnest(x.indkey::int2[]) with ordinality as key(attnum, position)
           left join pg_attribute a on a.attrelid = t.oid and a.attnum = key.attnum and key.attnum > 0
          where n.nspname = 'public' and key.position <= x.indnkeyatts
            and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
          order by i.relname, key.position",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list indexes");
    for row in indexes {
        let name: String = row.get("index_name");
        let index = schema.indexes.entry(name).or_insert_with(|| Index {
            table: row.get("table_name"),
            columns: Vec::new(),
            unique: row.get("is_unique"),
            partial: row.get("is_partial"),
        });
        index.columns.push(row.get::<Option<String>, _>("column_name").unwrap_or_else(|| EXPRESSION.to_owned()));
    }
    conn.close().await.expect("close");
    schema
}

/// Every difference between the two schemas, one line each, phrased as `what` keys
/// (`table x`, `column x.y`, `primary key of x`, `index x`).
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let tables: BTreeSet<&String> = sqlite.tables.keys().chain(postgres.tables.keys()).collect();
    for name in tables {
        match (sqlite.tables.get(name), postgres.tables.get(name)) {
            (Some(s), Some(p)) => {
                for column in s.columns.symmetric_difference(&p.columns) {
                    let only = if s.columns.contains(column) { "SQLite" } else { "PostgreSQL" };
                    found.push((format!("column {name}.{column}"), format!("only on {only}")));
                }
                if s.primary_key != p.primary_key {
                    found.push((
                        format!("primary key of {name}"),
                        format!("SQLite {:?}, PostgreSQL {:?}", s.primary_key, p.primary_key),
                    ));
                }
            }
            (s, _) => found.push((
                format!("table {name}"),
                format!("only on {}", if s.is_some() { "SQLite" } else { "PostgreSQL" }),
            )),
        }
    }
    let indexes: BTreeSet<&String> = sqlite.indexes.keys().chain(postgres.indexes.keys()).collect();
    for name in indexes {
        match (sqlite.indexes.get(name), postgres.indexes.get(name)) {
            (Some(s), Some(p)) if s == p => {}
            (Some(s), Some(p)) => found.push((format!("index {name}"), format!("SQLite {s:?}, PostgreSQL {p:?}"))),
            (s, _) => found.push((
                format!("index {name}"),
                format!("only on {}", if s.is_some() { "SQLite" } else { "PostgreSQL" }),
            )),
        }
    }
    found
}

/// A fresh database of each backend, migrated by the store, has the same tables, columns,
/// primary keys and indexes (names, key columns, unique, partial): the store's SQL is written
/// once for both, so a table or an index on one backend alone is a bug waiting for that
/// backend's users (a missing index is a table scan only they pay for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDatabase::postgres().await else { return };
    let lite = TestDatabase::sqlite();
    migrated(&lite).await;
    migrated(&pg).await;
    let (sqlite, postgres) = (sqlite_schema(&lite.url).await, postgres_schema(&pg.url).await);
    pg.remove().await;
    assert!(sqlite.tables.contains_key("case_file") && postgres.tables.contains_key("case_file"), "schemas were read");
    assert!(sqlite.indexes.len() > 10 && postgres.indexes.len() > 10, "indexes were read");

    let found = differences(&sqlite, &postgres);
    let unexpected: Vec<String> = found
        .iter()
        .filter(|(what, _)| !EXPECTED_DIFFERENCES.iter().any(|(expected, _)| expected == what))
        .map(|(what, how)| format!("{what}: {how}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "the SQLite and PostgreSQL schemas differ (fix the migration of the backend that is wrong, in a new \
         migration; or, if the difference is on purpose, list it in EXPECTED_DIFFERENCES with the reason):\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<&str> = EXPECTED_DIFFERENCES
        .iter()
        .filter(|(expected, _)| !found.iter().any(|(what, _)| what == expected))
        .map(|(expected, _)| *expected)
        .collect();
    assert!(stale.is_empty(), "EXPECTED_DIFFERENCES lists differences that are gone: {stale:?}");
}
