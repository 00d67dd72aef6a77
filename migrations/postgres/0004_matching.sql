-- Matching: the keys persons are filed under for candidate search, the matcher's position in the
-- log, and the suggestions it made with the operators' decisions. Twin of
-- migrations/sqlite/0004 (bigint where SQLite has integer, double precision for real).

-- Derived from person rows (names, phones, passports) by the matcher; rebuilt by replaying the
-- log, so not themselves events.
create table person_key (
    key        text    not null,
    person_id  text    not null references person (person_id),
    -- The case the person is in, and its cell for a person in danger (a reporter abroad has
    -- none): carried here so a candidate search reads one index range and the person row.
    case_id    text    not null references case_file (case_id),
    cell       bigint,
    primary key (key, person_id)
);

-- The last log position whose reported persons the matcher has filed and matched. Moved in the
-- same transaction as the keys and suggestions it covers, so every person is matched once even
-- with several nodes running matchers.
create table matcher_state (
    seq  bigint not null
);
insert into matcher_state (seq) values (0);

-- A suggestion that a person of a new report (person_id, in case_id) is a known one
-- (other_person_id, in other_case_id) or a relative of them. Decided by an operator:
-- open → same | related | not_related, and back to open by an undo. A pair is suggested once.
create table match_suggestion (
    suggestion_id    text    primary key,
    case_id          text    not null references case_file (case_id),
    person_id        text    not null references person (person_id),
    other_case_id    text    not null references case_file (case_id),
    other_person_id  text    not null references person (person_id),
    kind             text    not null,   -- duplicate | relative
    score            double precision    not null,
    reasons          text    not null,   -- JSON array of {code, en, ar}
    status           text    not null,   -- open | same | related | not_related
    relation         text,               -- for related: what person_id is to other_person_id
    decided_by       text    references app_user (user_id),
    decided_at       bigint,
    created_seq      bigint not null references event (seq),
    updated_seq      bigint not null references event (seq),
    unique (person_id, other_person_id)
);
create index match_suggestion_by_case on match_suggestion (case_id);
create index match_suggestion_by_other_case on match_suggestion (other_case_id);
create index match_suggestion_by_other_person on match_suggestion (other_person_id);

-- Where the search for each person stands (missing → located → in_contact → safe → evacuated →
-- reunited), set by operators.
alter table person add column tracing_status text not null default 'missing';
