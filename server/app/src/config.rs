//! Runtime configuration of a server. Built from flags and environment by the command line
//! (`opsroom-cli`), or directly by tests; nothing in this crate reads the environment.

use std::time::Duration;

use opsroom_domain::clock::{DEFAULT_TIME_ZONE, RoomTimeZone};
use opsroom_domain::country::CountryCode;
use opsroom_domain::workflow::SlaPolicy;
use opsroom_store::StoreOptions;

use crate::connections::ConnectionLimits;

/// Database used when none is given: an embedded SQLite file under `./data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/opsroom.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Requests per minute per client on public endpoints. Generous: in a crisis many phones share
/// one carrier address.
pub const DEFAULT_PUBLIC_RATE_LIMIT: u32 = 120;
pub const DEFAULT_CAP_SENDER: &str = "opsroom@localhost";
pub const DEFAULT_PFIF_DOMAIN: &str = "opsroom.localhost";
/// Who runs the public pages when none is configured.
pub const DEFAULT_MINISTRY_NAME_AR: &str = "وزارة الخارجية";
pub const DEFAULT_MINISTRY_NAME_EN: &str = "Ministry of Foreign Affairs";
/// The country whose citizens the room serves when none is configured.
pub const DEFAULT_HOME_COUNTRY: CountryCode = CountryCode::EGYPT;

/// Who runs the public pages and how else people can reach them: on every public page, and in
/// the confirmation's "what happens next". The numbers are E.164 (checked at start); a number not
/// configured is not shown (a made-up default would send frightened people to a dead line).
#[derive(Debug, Clone)]
pub struct PublicContact {
    pub ministry_ar: String,
    pub ministry_en: String,
    /// The hotline people call and operators call back from.
    pub hotline: Option<String>,
    /// The number people can write to on WhatsApp.
    pub whatsapp: Option<String>,
}

impl Default for PublicContact {
    fn default() -> Self {
        Self {
            ministry_ar: DEFAULT_MINISTRY_NAME_AR.to_owned(),
            ministry_en: DEFAULT_MINISTRY_NAME_EN.to_owned(),
            hotline: None,
            whatsapp: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://PATH` (embedded, the default) or `postgres://…` (several nodes may share it).
    pub database_url: String,
    /// Origins allowed to open the live websocket, e.g. `https://ops.example.org`. Empty means
    /// same origin only (the `Origin` must match the `Host` the request was sent to).
    pub allowed_origins: Vec<String>,
    /// How long an operator session lasts at most.
    pub session_ttl: Duration,
    /// How long a session may go unused before it ends (the idle timeout).
    pub session_idle: Duration,
    /// Password for user `admin` on first start; `None` generates one and prints it once.
    pub admin_password: Option<String>,
    /// Largest request body accepted by the public intake, in bytes.
    pub max_report_bytes: usize,
    pub store: StoreOptions,
    /// Events kept in the live hub's shared ring for briefly slow sockets.
    pub live_ring: usize,
    /// How often a live connection re-checks that its session still exists.
    pub session_recheck: Duration,
    /// An optional raster tile source for street-level detail on the ops map, as an XYZ URL
    /// template such as `http://tiles.lan:8088/{z}/{x}/{y}.png` (a server the operator runs; the
    /// basemap that ships with the binary works without it).
    pub tile_url: Option<String>,
    /// Minutes to first contact per priority.
    pub sla: SlaPolicy,
    /// How often overdue cases are looked for and escalated.
    pub sla_tick: Duration,
    /// Requests per minute per client address on public endpoints; 0 is unlimited.
    pub public_rate_limit: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `sender` of CAP messages.
    pub cap_sender: String,
    /// The domain of PFIF record ids (`domain/person.…`): this ops room's name among agencies.
    pub pfif_domain: String,
    /// How long a partner has to accept a referral before it is escalated to the ops room.
    pub referral_accept_time: Duration,
    /// Waits between webhook attempts; after the last, the item becomes a dead letter.
    pub webhook_retry: Vec<Duration>,
    /// Let webhooks go to `http://` URLs and to loopback or private addresses (a closed
    /// network, tests). Off by default: only `https` to public addresses.
    pub webhook_private_targets: bool,
    /// The address people reach this server at, e.g. `https://opsroom.example.org` behind a
    /// reverse proxy. When it is `https` (or TLS is served natively), cookies are `Secure` with
    /// `__Host-`/`__Secure-` names and every answer carries `Strict-Transport-Security`; its
    /// origin is always accepted as this site's.
    pub public_url: Option<String>,
    /// Serve HTTPS natively: a PEM certificate chain and its private key.
    pub tls: Option<TlsFiles>,
    /// Connections per client and in all, and the header deadline.
    pub connections: ConnectionLimits,
    /// Time for a request's whole body to arrive.
    pub body_timeout: Duration,
    /// The room's time zone: local times on the pages, hours and days in the situation report.
    pub time_zone: RoomTimeZone,
    /// Who runs the public pages, and their hotline and WhatsApp numbers.
    pub contact: PublicContact,
    /// The country whose citizens the room serves: where relatives who report dial from, so
    /// their numbers typed without a country code are read in its numbering plan, and the
    /// first country of the form's phone picker after the crises' countries. Has a calling
    /// code (checked at start).
    pub home_country: CountryCode,
}

/// A PEM certificate chain and private key for native TLS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Minutes an operator session may go unused before it ends, by default.
pub const DEFAULT_SESSION_IDLE_MINUTES: u32 = 30;

/// Minutes a partner has to accept a referral by default.
pub const DEFAULT_REFERRAL_ACCEPT_MINUTES: u32 = 30;

/// Waits between webhook attempts by default: about two minutes of trying in all.
pub fn default_webhook_retry() -> Vec<Duration> {
    [1, 2, 4, 8, 16, 32, 64].into_iter().map(Duration::from_secs).collect()
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            allowed_origins: Vec::new(),
            session_ttl: Duration::from_secs(12 * 3600),
            session_idle: Duration::from_secs(60 * u64::from(DEFAULT_SESSION_IDLE_MINUTES)),
            admin_password: None,
            max_report_bytes: 64 * 1024,
            store: StoreOptions::default(),
            live_ring: 4096,
            session_recheck: Duration::from_secs(15),
            tile_url: None,
            sla: SlaPolicy::default(),
            sla_tick: Duration::from_secs(10),
            public_rate_limit: DEFAULT_PUBLIC_RATE_LIMIT,
            trusted_proxies: Vec::new(),
            cap_sender: DEFAULT_CAP_SENDER.to_owned(),
            pfif_domain: DEFAULT_PFIF_DOMAIN.to_owned(),
            referral_accept_time: Duration::from_secs(60 * u64::from(DEFAULT_REFERRAL_ACCEPT_MINUTES)),
            webhook_retry: default_webhook_retry(),
            webhook_private_targets: false,
            public_url: None,
            tls: None,
            connections: ConnectionLimits::default(),
            body_timeout: Duration::from_secs(30),
            time_zone: RoomTimeZone::parse(DEFAULT_TIME_ZONE).expect("the built-in tz database knows Cairo"),
            contact: PublicContact::default(),
            home_country: DEFAULT_HOME_COUNTRY,
        }
    }

    /// Whether people reach this server over HTTPS (natively or through a TLS proxy).
    pub fn https(&self) -> bool {
        self.tls.is_some() || self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// The public URL's origin (`scheme://host[:port]`), without a path.
    pub fn public_origin(&self) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split('/').next().unwrap_or(rest);
        Some(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
    }
}
