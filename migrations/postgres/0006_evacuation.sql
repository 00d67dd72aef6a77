-- Evacuation logistics: places, danger zones and safe corridors (tiled into H3 cells),
-- movements, each person's evacuation status, and which partners see which movement.
-- Twin of migrations/sqlite/0006 (bigint where SQLite has integer).

create table place (
    place_id     text    primary key,
    kind         text    not null,    -- assembly_point | border_crossing | airport | port
    data         text    not null,    -- the domain's Place as JSON
    version      bigint  not null,
    created_seq  bigint  not null references event (seq),
    updated_seq  bigint  not null references event (seq)
);

create table zone (
    zone_id      text    primary key,
    kind         text    not null,    -- danger | safe_corridor
    active       bigint  not null,    -- 0 once lifted
    data         text    not null,    -- the domain's Zone as JSON (names, GeoJSON area)
    flagged      bigint  not null,    -- open cases the last declaration or change flagged
    version      bigint  not null,
    created_seq  bigint  not null references event (seq),
    updated_seq  bigint  not null references event (seq)
);

-- The compacted H3 cells of every active danger zone: a report's cell and its ancestors looked
-- up here tell whether it arrived inside one. Rows go when the zone is lifted.
create table zone_cell (
    cell     bigint  not null,
    zone_id  text    not null references zone (zone_id),
    primary key (cell, zone_id)
);
create index zone_cell_by_zone on zone_cell (zone_id);

-- The danger zone a case was found in (null: none, or the zone was lifted).
alter table case_file add column danger_zone_id text;
create index case_file_by_danger_zone on case_file (danger_zone_id) where danger_zone_id is not null;
-- What the people's ages say for seat allocation (bit 0: someone under 18; bit 1: someone 70 or
-- older), set when the case is reported (its people do not change), so allocation reads one
-- row per case instead of one per person. Cases reported before this migration get theirs here.
alter table case_file add column age_marks bigint  not null default 0;
update case_file set age_marks =
    (case when exists (select 1 from case_person cp join person p on p.person_id = cp.person_id
                        where cp.case_id = case_file.case_id and cp.role = 'subject' and p.age < 18)
          then 1 else 0 end)
  + (case when exists (select 1 from case_person cp join person p on p.person_id = cp.person_id
                        where cp.case_id = case_file.case_id and cp.role = 'subject' and p.age >= 70)
          then 2 else 0 end);

-- Seat allocation reads the cases awaiting evacuation around an origin by cell ranges, from
-- this index alone (everything allocation weighs is in it).
create index case_file_awaiting_by_cell
    on case_file (status, cell, flags, needs, age_marks, reported_at, people_count, case_id)
    where status = 'awaiting_evacuation';

create table movement (
    movement_id   text    primary key,
    status        text    not null,
    departure_at  bigint  not null,
    data          text    not null,    -- the domain's Movement as JSON
    version       bigint  not null,
    created_seq   bigint  not null references event (seq),
    updated_seq   bigint  not null references event (seq)
);

-- Each person's evacuation status, once they were first given a seat (no row: waiting).
create table passenger (
    person_id    text    primary key references person (person_id),
    case_id      text    not null references case_file (case_id),
    movement_id  text    not null references movement (movement_id),
    status       text    not null,
    updated_seq  bigint  not null references event (seq)
);
create index passenger_by_movement on passenger (movement_id, status);

-- Which partners see which movement (from the movement's `shared_with`).
create table movement_share (
    partner_id   text not null references partner (partner_id),
    movement_id  text not null references movement (movement_id),
    primary key (partner_id, movement_id)
);

-- The log positions of every event about a movement (planned, changed, a passenger's change):
-- a manifest and a partner's feed read a movement's history by this index, not by the log.
create table movement_log (
    movement_id  text    not null references movement (movement_id),
    seq          bigint  not null references event (seq),
    primary key (movement_id, seq)
);
