-- Search and server-side lists (issue 16): the name terms a case is found by, the first-contact
-- due time and the urgency key the board sorts by, and indexes for keyset pages per status in
-- each sort. Twin of migrations/sqlite/0008 (bigint where SQLite has integer).
--
-- Cases stored before this migration get their terms, due time and urgency when the store
-- opens (a backfill in Rust, in batches, resumable): up to `search_backfill.upto` (the last case
-- stored before this migration), from `done` on.

-- When first contact is due (ms), while the case is open and nobody was reached; else null.
alter table case_file add column sla_due_at bigint;
-- `opsroom_domain::urgency::urgency_key`: smaller is more urgent. Null only until backfilled.
alter table case_file add column urgency bigint;

-- Keyset pages per status (the board's columns) in each sort; the log position that opened
-- the case breaks ties. Newest first uses case_file_by_status (status, created_seq).
create index case_file_by_urgency on case_file (status, urgency, created_seq);
create index case_file_by_waiting on case_file (status, reported_at, created_seq);
create index case_file_by_sla_due on case_file (status, coalesce(sla_due_at, 9223372036854775807), created_seq);
create index case_file_by_score on case_file (status, priority_score, created_seq);
create index case_file_by_updated on case_file (status, updated_seq, created_seq);
-- Overdue counts: open uncontacted cases by due time.
create index case_file_due on case_file (sla_due_at) where sla_due_at is not null;

-- The terms of the names of everyone in a case (`opsroom_domain::search::name_terms`: folded
-- tokens `n:…` and consonant skeletons `s:…`), once per case. Compared byte by byte (collation
-- "C"), so a prefix is the range [prefix, prefix + U+10FFFF).
create table search_term (
    term     text collate "C" not null,
    case_id  text not null references case_file (case_id),
    primary key (term, case_id)
);
create index search_term_by_case on search_term (case_id, term);

-- The backfill of cases stored before this migration.
create table search_backfill (
    upto  bigint not null,   -- created_seq of the last case to backfill
    done  bigint not null    -- cases with created_seq <= done are backfilled
);
insert into search_backfill (upto, done) select coalesce(max(created_seq), 0), 0 from case_file;

-- The SLA policy the stored due times and urgency were computed with (JSON), so that a server
-- started with another policy recomputes them.
create table sla_policy_applied (
    policy  text not null
);
