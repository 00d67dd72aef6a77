-- Partner agencies: the registry, their tokens, referrals of cases to them, and webhook delivery.
-- The PostgreSQL twin has the same number.

create table partner (
    partner_id   text    primary key,
    name_en      text    not null unique,
    kind         text    not null,
    data         text    not null,    -- the domain's Partner as JSON (names, contacts, profile)
    -- Where webhooks go (null: none) and the HMAC key they are signed with. The key must be
    -- kept as it is to sign; it is shown once, and only admins can replace it.
    webhook_url    text,
    webhook_secret text,
    created_seq  integer not null references event (seq),
    updated_seq  integer not null references event (seq)
);

-- Bearer tokens: only their SHA-256 is kept.
create table partner_token (
    token_id    text    primary key,
    partner_id  text    not null references partner (partner_id),
    token_hash  text    not null unique,
    created_at  integer not null,
    expires_at  integer not null,
    revoked_at  integer
);
create index partner_token_by_partner on partner_token (partner_id);

-- The partner page's sessions: a short-lived token of their own (its SHA-256 only), opened with
-- an API token and ending with it, so the browser never holds the long-lived API token.
create table partner_web_session (
    session_hash  text    primary key,
    token_id      text    not null references partner_token (token_id),
    expires_at    integer not null
);

create table referral (
    referral_id   text    primary key,
    case_id       text    not null references case_file (case_id),
    partner_id    text    not null references partner (partner_id),
    request_type  text    not null,
    status        text    not null,
    note          text,
    referred_by   text    not null references app_user (user_id),
    referred_at   integer not null,
    updated_at    integer not null,
    created_seq   integer not null references event (seq),
    updated_seq   integer not null references event (seq),
    escalated_at  integer,
    -- The position at which the referral stopped giving the partner live access (declined,
    -- withdrawn, completed or unable); null while it does. The partner's feed carries events
    -- of the case only between created_seq and this.
    access_ended_seq integer
);
create index referral_by_partner on referral (partner_id, case_id);
create index referral_by_case on referral (case_id);
create index referral_unanswered on referral (referred_at) where status = 'pending' and escalated_at is null;

-- Each change of a referral after it was made (the partner's answer, progress, a withdrawal).
create table referral_step (
    referral_id  text    not null references referral (referral_id),
    seq          integer not null references event (seq),
    status       text    not null,
    text         text,
    at           integer not null,
    primary key (referral_id, seq)
);

-- Webhook delivery: how far each partner's deliveries have got in the log, and what could not
-- be delivered after every retry (admins can see and replay it).
create table webhook_cursor (
    partner_id    text    primary key references partner (partner_id),
    seq           integer not null,
    -- The node delivering this partner's webhooks, until when (ms): one node at a time, so
    -- deliveries stay in order.
    leased_by     text,
    leased_until  integer
);

create table webhook_dead_letter (
    dead_id      text    primary key,
    partner_id   text    not null references partner (partner_id),
    -- The item is rebuilt from the log when replayed (under the partner's profile and access
    -- then), so no copy of a case's data is kept here.
    seq          integer not null,
    attempts     integer not null,
    last_error   text    not null,
    dead_at      integer not null,
    replayed_at  integer
);
create index webhook_dead_letter_by_partner on webhook_dead_letter (partner_id, dead_at);
