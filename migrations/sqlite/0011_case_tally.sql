-- The board's counts without counting rows (issue 16): how many cases share each combination of
-- the columns the board's cheap filters test, kept by triggers in the same transaction as every
-- insert, update and delete of a case, so it cannot drift from `case_file`. The PostgreSQL twin
-- has the same number. `lists::count_cases` sums it; filters it cannot answer (a cell, one
-- assignee, a partner, a search) count rows instead.
create table case_tally (
    status          text    not null,
    priority_level  text    not null,
    channel         text    not null,
    needs           integer not null,   -- the case's needs mask, as in case_file
    flags           integer not null,   -- its vulnerability flags mask
    assigned        integer not null,   -- 1 when assigned_to is set
    due             integer not null,   -- 1 when sla_due_at is set (open, nobody reached yet)
    n               integer not null,
    primary key (status, priority_level, channel, needs, flags, assigned, due)
) without rowid;

insert into case_tally
select status, priority_level, channel, needs, flags, assigned_to is not null, sla_due_at is not null, count(*)
  from case_file
 group by 1, 2, 3, 4, 5, 6, 7;

create trigger case_tally_insert after insert on case_file
begin
    insert into case_tally values (new.status, new.priority_level, new.channel, new.needs, new.flags,
                                   new.assigned_to is not null, new.sla_due_at is not null, 1)
        on conflict (status, priority_level, channel, needs, flags, assigned, due) do update set n = n + 1;
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
       and needs = old.needs and flags = old.flags and assigned = (old.assigned_to is not null)
       and due = (old.sla_due_at is not null);
    insert into case_tally values (new.status, new.priority_level, new.channel, new.needs, new.flags,
                                   new.assigned_to is not null, new.sla_due_at is not null, 1)
        on conflict (status, priority_level, channel, needs, flags, assigned, due) do update set n = n + 1;
end;

create trigger case_tally_delete after delete on case_file
begin
    update case_tally set n = n - 1
     where status = old.status and priority_level = old.priority_level and channel = old.channel
       and needs = old.needs and flags = old.flags and assigned = (old.assigned_to is not null)
       and due = (old.sla_due_at is not null);
end;
