-- Opsroom foundation (PostgreSQL twin of migrations/sqlite/0001): the event log and the tables
-- projected from it. Never edit a migration once applied; add a new one with the same number in
-- both folders.
--
-- The column types are the ones both drivers bind from the same Rust types (bigint for every
-- bigint, double precision, text), so the store's SQL is written once. Ids are UUIDs as text,
-- times are bigint milliseconds since the Unix epoch (UTC), H3 cells are bigint (resolution 9),
-- needs and flags are bit sets.

-- The spine. `seq` is the log position: assigned by the single writer, one above the previous
-- committed event, never reused (rows are never deleted or updated).
create table event (
    seq          bigint primary key,
    kind         text    not null,
    case_id      text,                  -- the case the event concerns, if any
    recorded_at  bigint not null,
    data         text    not null       -- the event's data as JSON
);
create index event_by_case on event (case_id, seq) where case_id is not null;

-- The last position handed out. Writers lock its row (`select … for update`) until commit, so
-- positions are gap-free and in commit order across every node: a reader that sees position N
-- sees every position below it.
create table log_head (
    seq  bigint not null
);
insert into log_head (seq) values (0);

-- One appeal for help. ("case" is an SQL keyword.)
create table case_file (
    case_id              text    primary key,
    reference            text    not null unique,   -- short human code, e.g. K7QM-2XPD
    tracking_token_hash  text    not null unique,   -- hex SHA-256; the token is never stored
    status               text    not null,
    priority_level       text    not null,
    priority_score       bigint not null,
    priority_reasons     text    not null,          -- JSON array of {code, points}
    needs                bigint not null,
    flags                bigint not null,
    channel              text    not null,
    language             text    not null,
    lat                  double precision,
    lon                  double precision,
    accuracy_m           double precision,
    place                text,
    cell                 bigint,
    message              text,
    people_count         bigint not null,
    reported_at          bigint not null,
    created_seq          bigint not null unique references event (seq),
    updated_seq          bigint not null references event (seq),
    version              bigint not null             -- optimistic concurrency between operators
);
create index case_file_by_status on case_file (status, created_seq);
create index case_file_by_cell on case_file (cell) where cell is not null;

-- People are first-class: a person may later appear in several cases.
create table person (
    person_id    text    primary key,
    name         text,
    age          bigint,
    sex          text,
    passport     text,                  -- normalised: upper case, no spaces
    phone        text,                  -- E.164
    created_seq  bigint not null references event (seq)
);
create index person_by_phone on person (phone) where phone is not null;
create index person_by_passport on person (passport) where passport is not null;

create table case_person (
    case_id    text not null references case_file (case_id),
    person_id  text not null references person (person_id),
    role       text not null,           -- 'subject' (in danger) or 'reporter'
    relation   text,                    -- the reporter's relation to the people in danger
    position   bigint not null,        -- order within the report that named them
    primary key (case_id, person_id)
);
create index case_person_by_person on case_person (person_id);

-- Every report received, including the one that opened the case.
create table report (
    report_id           text    primary key,
    case_id             text    not null references case_file (case_id),
    seq                 bigint not null references event (seq),
    channel             text    not null,
    language            text    not null,
    reporter_person_id  text    references person (person_id),
    reporter_place      text,
    lat                 double precision,
    lon                 double precision,
    accuracy_m          double precision,
    place               text,
    cell                bigint,
    needs               bigint not null,
    flags               bigint not null,
    message             text,
    received_at         bigint not null
);
create index report_by_case on report (case_id, seq);

-- Idempotency-Key claims on public intake. The key is stored hashed; the tracking token is
-- sealed with a pad derived from the key, so the database alone does not reveal it.
create table idempotency (
    key_hash      text    primary key,
    request_hash  text    not null,
    case_id       text    not null references case_file (case_id),
    token_sealed  text    not null,
    created_at    bigint not null
);

create table app_user (
    user_id        text    primary key,
    name           text    not null unique,
    role           text    not null,    -- operator | supervisor | admin
    password_hash  text    not null,    -- argon2id PHC string
    created_at     bigint not null,
    created_seq    bigint not null references event (seq)
);

-- Operator sessions. Not in the event log: credentials, not facts about the crisis.
create table session (
    token_hash  text    primary key,    -- hex SHA-256 of the cookie value
    user_id     text    not null references app_user (user_id),
    created_at  bigint not null,
    expires_at  bigint not null
);
create index session_by_expiry on session (expires_at);
