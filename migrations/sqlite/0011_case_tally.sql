-- The board's counts without counting rows (issue 16): how many cases share each status,
-- priority, channel, assignment (assigned or not) and clock (due or not), in total and per need
-- and per vulnerability flag, kept by triggers in the same transaction as every insert, update
-- and delete of a case, so it cannot drift from `case_file`. The PostgreSQL twin has the same
-- number. `lists::count_by_status` sums it; filters it cannot answer (a cell, one assignee, a
-- partner, a search, a need and a flag together) count rows instead.
--
-- A case is counted once in the `all` rows and once per need and per flag it has: the rows stay
-- a few thousand at most however many cases there are (combinations of needs would not).

-- The rows a case is counted in: `all` (bit 0), and each bit of the needs and flags masks.
create table tally_bit (
    kind  text    not null,   -- 'all', 'need' or 'flag'
    bit   integer not null,   -- 0 for 'all'; else one bit of case_file.needs or .flags
    primary key (kind, bit)
) without rowid;
insert into tally_bit values ('all', 0);
with recursive b(i) as (select 0 union all select i + 1 from b where i < 30)
insert into tally_bit select 'need', 1 << i from b union all select 'flag', 1 << i from b;

create table case_tally (
    kind            text    not null,
    bit             integer not null,
    status          text    not null,
    priority_level  text    not null,
    channel         text    not null,
    assigned        integer not null,   -- 1 when assigned_to is set
    due             integer not null,   -- 1 when sla_due_at is set (open, nobody reached yet)
    n               integer not null,
    primary key (kind, bit, status, priority_level, channel, assigned, due)
) without rowid;

insert into case_tally
select b.kind, b.bit, c.status, c.priority_level, c.channel, c.assigned_to is not null, c.sla_due_at is not null,
       count(*)
  from case_file c join tally_bit b
    on b.kind = 'all' or (b.kind = 'need' and (c.needs & b.bit) != 0) or (b.kind = 'flag' and (c.flags & b.bit) != 0)
 group by 1, 2, 3, 4, 5, 6, 7;

create trigger case_tally_insert after insert on case_file
begin
    insert into case_tally
    select b.kind, b.bit, new.status, new.priority_level, new.channel, new.assigned_to is not null,
           new.sla_due_at is not null, 1
      from tally_bit b
     where b.kind = 'all' or (b.kind = 'need' and (new.needs & b.bit) != 0)
        or (b.kind = 'flag' and (new.flags & b.bit) != 0)
        on conflict (kind, bit, status, priority_level, channel, assigned, due) do update set n = n + 1;
end;

create trigger case_tally_update after update of status, priority_level, channel, needs, flags, assigned_to, sla_due_at
    on case_file
    when old.status is not new.status or old.priority_level is not new.priority_level
      or old.channel is not new.channel or old.needs is not new.needs or old.flags is not new.flags
      or (old.assigned_to is null) <> (new.assigned_to is null)
      or (old.sla_due_at is null) <> (new.sla_due_at is null)
begin
    update case_tally set n = n - 1
     where status = old.status and priority_level = old.priority_level and channel = old.channel
       and assigned = (old.assigned_to is not null) and due = (old.sla_due_at is not null)
       and (kind, bit) in (select kind, bit from tally_bit b
                            where b.kind = 'all' or (b.kind = 'need' and (old.needs & b.bit) != 0)
                               or (b.kind = 'flag' and (old.flags & b.bit) != 0));
    insert into case_tally
    select b.kind, b.bit, new.status, new.priority_level, new.channel, new.assigned_to is not null,
           new.sla_due_at is not null, 1
      from tally_bit b
     where b.kind = 'all' or (b.kind = 'need' and (new.needs & b.bit) != 0)
        or (b.kind = 'flag' and (new.flags & b.bit) != 0)
        on conflict (kind, bit, status, priority_level, channel, assigned, due) do update set n = n + 1;
end;

create trigger case_tally_delete after delete on case_file
begin
    update case_tally set n = n - 1
     where status = old.status and priority_level = old.priority_level and channel = old.channel
       and assigned = (old.assigned_to is not null) and due = (old.sla_due_at is not null)
       and (kind, bit) in (select kind, bit from tally_bit b
                            where b.kind = 'all' or (b.kind = 'need' and (old.needs & b.bit) != 0)
                               or (b.kind = 'flag' and (old.flags & b.bit) != 0));
end;

-- Counting the cases not yet due (a red clock's count is the due cases less those) reads this
-- index alone: it holds every column the tallied filters test. Replaces 0008's case_file_due,
-- which the escalator also reads.
drop index case_file_due;
create index case_file_due on case_file (sla_due_at, status, priority_level, channel, needs, flags, assigned_to)
    where sla_due_at is not null;
