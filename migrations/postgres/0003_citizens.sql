-- Citizens: updates sent through the tracking link, and official advisories.
-- Twin of migrations/sqlite/0003 (bigint where SQLite has integer).

-- A citizen's update is stored as a report on the same case; this says which kind
-- (moved | safe | needs | message). Null for the report that opened the case.
alter table report add column update_kind text;

-- The current version of each advisory. Every version, including this one, is also in
-- advisory_version and in the event log.
create table advisory (
    advisory_id   text    primary key,
    version       bigint not null,
    withdrawn     bigint not null,    -- 0 or 1
    expires_at    bigint,             -- ms; null: until withdrawn
    published_at  bigint not null,
    updated_at    bigint not null,
    data          text    not null,    -- the domain's Advisory as JSON
    seq           bigint not null references event (seq)
);
create index advisory_current on advisory (updated_at) where withdrawn = 0;

create table advisory_version (
    advisory_id  text    not null references advisory (advisory_id),
    version      bigint not null,
    seq          bigint not null references event (seq),
    data         text    not null,
    primary key (advisory_id, version)
);
