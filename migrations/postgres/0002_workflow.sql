-- Operators' workflow: assignment, first contact, priority overrides, SLA escalation, notes and
-- contact attempts. Twin of migrations/sqlite/0002 (bigint where SQLite has integer).

alter table case_file add column assigned_to text references app_user (user_id);
-- When someone in the case was first reached (ms); null until then.
alter table case_file add column first_contact_at bigint;
-- Set when a supervisor overrode the computed priority level.
alter table case_file add column priority_override_reason text;
-- When the missed first-contact SLA was escalated (ms); escalation happens once.
alter table case_file add column escalated_at bigint;
-- The SLA ticker's question: open cases nobody has reached and nobody has escalated.
create index case_file_awaiting_contact on case_file (reported_at)
    where first_contact_at is null and escalated_at is null;
-- The operator who took a report on behalf of a caller (hotline, WhatsApp, walk-in).
alter table report add column taken_by text references app_user (user_id);

create index case_file_by_assignee on case_file (assigned_to) where assigned_to is not null;

create table note (
    note_id     text    primary key,
    case_id     text    not null references case_file (case_id),
    seq         bigint not null references event (seq),
    author_id   text    not null references app_user (user_id),
    text        text    not null,
    created_at  bigint not null
);
create index note_by_case on note (case_id, seq);

create table contact_attempt (
    contact_id  text    primary key,
    case_id     text    not null references case_file (case_id),
    seq         bigint not null references event (seq),
    author_id   text    not null references app_user (user_id),
    channel     text    not null,  -- phone | whatsapp | sms | facebook | email | in_person
    outcome     text    not null,  -- reached | no_answer | wrong_number | message_left
    note        text,
    created_at  bigint not null
);
create index contact_attempt_by_case on contact_attempt (case_id, seq);
