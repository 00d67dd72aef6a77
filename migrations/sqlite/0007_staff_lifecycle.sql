-- Staff lifecycle: an account can be disabled (it cannot sign in and its sessions are gone), and
-- a session knows when it was last used (the idle timeout) and where from (for admins' list of
-- active sessions). Twin of migrations/postgres/0007 (bigint where SQLite has integer).

alter table app_user add column disabled_at integer;    -- null: enabled

-- Moved forward by requests at most about once a minute, not on every request.
alter table session add column last_seen_at integer not null default 0;
alter table session add column client_address text;
alter table session add column user_agent text;
update session set last_seen_at = created_at;
create index session_by_user on session (user_id);
