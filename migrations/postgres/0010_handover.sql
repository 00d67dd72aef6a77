-- Shift handover notes, and the indexes the situation report reads a window of time by.
-- Twin of migrations/sqlite/0010 (bigint where SQLite has integer).

-- One note per handover: what was open (counted by the store when it was written), what was
-- promised, by whom and when. Each is also a `handover_written` event.
create table handover (
    handover_id          text    primary key,
    seq                  bigint not null unique references event (seq),
    author_id            text    not null references app_user (user_id),
    written_at           bigint not null,
    open_cases           bigint not null,
    overdue              bigint not null,
    unassigned_critical  bigint not null,
    assigned_to_author   bigint not null,
    promised             text    not null,
    open_note            text
);
create index handover_by_time on handover (written_at, seq);

-- The situation report: cases reported in a window, by time.
create index case_file_by_reported_at on case_file (reported_at);
-- ... and the workflow events it counts (first contacts, status changes, SLA breaches) in a
-- window, by time, without reading the rest of the log. Queries repeat this `where` exactly,
-- so both planners see the index applies.
create index event_workflow_by_time on event (recorded_at)
    where kind in ('contact_recorded', 'status_changed', 'sla_breached');
