-- The hotline's call log: every call taken or made, on the case it was about. Each row is
-- written in the same transaction as its `call_logged` event (at `seq`). Twin of
-- migrations/postgres/0009 (bigint where SQLite has integer).

create table call_log (
    call_id          text    primary key,
    case_id          text    not null references case_file (case_id),
    seq              integer not null references event (seq),
    phone            text    not null,  -- E.164
    -- The digits after the country calling code: what a caller's number is typed as at home
    -- (after the trunk 0), so a lookup in national form finds it in any country.
    phone_national   text    not null,
    direction        text    not null,  -- incoming | outgoing
    outcome          text    not null,  -- report_taken | update_given | information_only | dropped | wrong_number
    started_at       integer not null,  -- ms
    ended_at         integer not null,  -- ms, not before started_at
    note             text,
    operator_id      text    not null references app_user (user_id),
    logged_at        integer not null
);
-- Earlier calls of a number, newest first, a page at a time (keyset on started_at, seq).
create index call_log_by_national on call_log (phone_national, started_at, seq);
create index call_log_by_case on call_log (case_id, started_at);
