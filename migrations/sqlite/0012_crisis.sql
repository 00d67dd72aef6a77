-- Crises: the room answers several at once, and every case belongs to one (or to none yet).
-- Twin of migrations/postgres/0012 (bigint where SQLite has integer).

-- One row per crisis, as it now stands; each declaration, edit and phase change is also a
-- `crisis_*` event at `seq`. A crisis keeps its slug for life (links and filters hold it).
create table crisis (
    crisis_id   text    primary key,
    slug        text    not null unique,
    name_ar     text    not null,
    name_en     text    not null,
    countries   text    not null,      -- ISO 3166-1 alpha-2 codes, comma-separated
    area        text,                  -- GeoJSON (Multi)Polygon; null: the countries' outlines
    phase       text    not null,
    started_at  integer not null,
    ended_at    integer,
    version     integer not null,
    seq         integer                     -- null only for the crisis this migration makes
);

-- The crisis a case was placed in; null: unplaced (no crisis's ground held it, none chosen).
alter table case_file add column crisis_id text references crisis (crisis_id);
create index case_file_by_crisis on case_file (crisis_id, status, urgency, created_seq);

-- The cases reported before crises existed go into one crisis, so that filtering by crisis
-- loses none of them; a database without cases gets none. Operators rename it, give it its
-- countries and ground, or close it.
insert into crisis (crisis_id, slug, name_ar, name_en, countries, area, phase, started_at, ended_at, version, seq)
select '00000000-0000-4000-8000-000000000013', 'earlier-cases', 'حالات سابقة لتعريف الأزمات',
       'Cases from before crises were declared', '', null, 'monitoring', min(reported_at), null, 1, null
  from case_file
having count(*) > 0;
update case_file set crisis_id = '00000000-0000-4000-8000-000000000013';
