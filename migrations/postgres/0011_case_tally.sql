-- The board's counts without counting rows (issue 16): how many cases share each combination of
-- the columns the board's cheap filters test, kept by a trigger in the same transaction as every
-- insert, update and delete of a case, so it cannot drift from `case_file`. Twin of
-- migrations/sqlite/0011. Writers already take turns on the log head, so the tally's rows add
-- no contention between nodes.
create table case_tally (
    status          text    not null,
    priority_level  text    not null,
    channel         text    not null,
    needs           bigint  not null,   -- the case's needs mask, as in case_file
    flags           bigint  not null,   -- its vulnerability flags mask
    assigned        integer not null,   -- 1 when assigned_to is set
    due             integer not null,   -- 1 when sla_due_at is set (open, nobody reached yet)
    n               bigint  not null,
    primary key (status, priority_level, channel, needs, flags, assigned, due)
);

insert into case_tally
select status, priority_level, channel, needs, flags,
       (assigned_to is not null)::integer, (sla_due_at is not null)::integer, count(*)
  from case_file
 group by 1, 2, 3, 4, 5, 6, 7;

create function case_tally_keep() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update case_tally set n = n - 1
         where status = old.status and priority_level = old.priority_level and channel = old.channel
           and needs = old.needs and flags = old.flags
           and assigned = (old.assigned_to is not null)::integer
           and due = (old.sla_due_at is not null)::integer;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into case_tally values (new.status, new.priority_level, new.channel, new.needs, new.flags,
                                       (new.assigned_to is not null)::integer,
                                       (new.sla_due_at is not null)::integer, 1)
            on conflict (status, priority_level, channel, needs, flags, assigned, due)
            do update set n = case_tally.n + 1;
    end if;
    return null;
end;
$$;

create trigger case_tally_insert_delete after insert or delete on case_file
    for each row execute function case_tally_keep();

-- Only changes of a tallied column move a case between rows.
create trigger case_tally_update after update of status, priority_level, channel, needs, flags, assigned_to, sla_due_at
    on case_file for each row
    when (old.status is distinct from new.status or old.priority_level is distinct from new.priority_level
          or old.channel is distinct from new.channel or old.needs is distinct from new.needs
          or old.flags is distinct from new.flags
          or (old.assigned_to is null) <> (new.assigned_to is null)
          or (old.sla_due_at is null) <> (new.sla_due_at is null))
    execute function case_tally_keep();
