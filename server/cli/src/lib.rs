//! The `opsroom` command line: `opsroom serve` (optionally playing a demo scenario), `opsroom
//! migrate`, `opsroom user add|disable|enable|reset-password`, `opsroom scenario run`, `opsroom
//! seed` and `opsroom bench`. The only code that
//! reads the environment; everything below takes a [`Config`]. A crate of its own so that the
//! one binary can carry the benchmark, which itself starts servers of the `opsroom` library.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use opsroom_domain::clock::{DEFAULT_TIME_ZONE, RoomTimeZone};
use opsroom_domain::country::CountryCode;
use opsroom_domain::staff::{AccountChange, StaffActor};
use opsroom_domain::user::{Role, UserName};
use opsroom_domain::workflow::SlaPolicy;
use opsroom_store::{AccountOutcome, AccountWrite, Store, StoreOptions, UserOutcome};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use opsroom::config::{Config, DEFAULT_BIND, DEFAULT_DATABASE_URL};
use opsroom::{secrets, server};

#[derive(Debug, Parser)]
#[command(name = "opsroom", version, about = "Crisis operations room for citizens abroad")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Apply database migrations, then exit (nodes also migrate at start).
    Migrate(DatabaseArg),
    /// Manage operator accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Play scenarios (scenarios/README.md).
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Run the benchmark suite and print one table (use a release build).
    Bench(opsroom_bench::BenchArgs),
    /// Fill a database with synthetic cases for trying the room at scale: realistic cases
    /// (Arabic and Latin names, Sudanese and Egyptian phones, passports, greater Khartoum and
    /// other places, reported over the last eight hours so some are overdue), most of them new
    /// and some in every other status. Prints what it stored as JSON (the counts per status and
    /// one case to search for: its reference, a name in both scripts, a phone, a passport).
    Seed {
        /// How many cases to store.
        #[arg(long)]
        cases: usize,
        #[command(flatten)]
        database: DatabaseArg,
        /// Seed of the generator: the same seed draws the same people.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The benchmark's bare-broadcast baseline server (started by `bench`, not by people).
    #[command(hide = true)]
    BenchBroadcaster {
        #[arg(long)]
        subscribers: usize,
    },
}

#[derive(Debug, Subcommand)]
enum ScenarioCommand {
    /// Play a scenario through the public API and print a summary; exits non-zero if an
    /// acknowledged report is missing afterwards or a live stream had a gap or a repeat.
    Run {
        /// A built-in scenario (smoke, sudan-2023, libya-2011, surge) or a scenario file.
        scenario: String,
        /// The server to play against (its admin password in OPSROOM_ADMIN_PASSWORD).
        #[arg(long, conflicts_with = "embedded", required_unless_present = "embedded")]
        server: Option<String>,
        /// Start a server here on a fresh temporary database and play against it.
        #[arg(long)]
        embedded: bool,
        /// Scenario seconds per real second, or `max` for as fast as the server answers.
        #[arg(long, default_value = "max")]
        speed: opsroom_scenario::Speed,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// The staff account the bots use (an admin: it registers partners and publishes
        /// advisories).
        #[arg(long, default_value = "admin")]
        admin: String,
    },
}

#[derive(Debug, clap::Args)]
struct DatabaseArg {
    /// Database URL: sqlite://PATH (embedded, one node) or postgres://USER@HOST:PORT/DB (several
    /// nodes may share it).
    #[arg(long, env = "OPSROOM_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "OPSROOM_BIND", default_value = DEFAULT_BIND)]
    bind: String,
    #[command(flatten)]
    database: DatabaseArg,
    /// Origins allowed to open the live websocket (comma-separated). Default: same origin only.
    #[arg(long, env = "OPSROOM_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origin: Vec<String>,
    /// Optional XYZ raster tile URL template for street-level detail on the ops map, e.g.
    /// http://tiles.lan:8088/{z}/{x}/{y}.png (the built-in basemap works without it).
    #[arg(long, env = "OPSROOM_TILE_URL", value_parser = parse_tile_url)]
    tile_url: Option<String>,
    /// The room's time zone (an IANA name): local times on the pages, hours and days in the
    /// situation report.
    #[arg(long, env = "OPSROOM_TIME_ZONE", default_value = DEFAULT_TIME_ZONE, value_parser = parse_time_zone)]
    time_zone: RoomTimeZone,
    /// Who runs the public pages, in Arabic (shown on every public page).
    #[arg(long, env = "OPSROOM_MINISTRY_NAME_AR", default_value = opsroom::config::DEFAULT_MINISTRY_NAME_AR)]
    ministry_name_ar: String,
    /// Who runs the public pages, in English.
    #[arg(long, env = "OPSROOM_MINISTRY_NAME_EN", default_value = opsroom::config::DEFAULT_MINISTRY_NAME_EN)]
    ministry_name_en: String,
    /// The country whose citizens the room serves (ISO 3166 code, e.g. EG): relatives' phones
    /// typed without a country code are read in its numbering plan, and the form's phone
    /// picker offers it first after the crises' countries.
    #[arg(long, env = "OPSROOM_HOME_COUNTRY", default_value_t = opsroom::config::DEFAULT_HOME_COUNTRY, value_parser = parse_home_country)]
    home_country: CountryCode,
    /// The hotline's number with its country code (e.g. +20 2 1234 5678): on every public page
    /// and in the confirmation ("we will call you from …"); not shown when not set.
    #[arg(long, env = "OPSROOM_HOTLINE", value_parser = parse_public_phone)]
    hotline: Option<String>,
    /// The WhatsApp number with its country code, on every public page; not shown when not set.
    #[arg(long, env = "OPSROOM_WHATSAPP", value_parser = parse_public_phone)]
    whatsapp: Option<String>,
    /// Minutes to first contact for a critical case before it is escalated.
    #[arg(long, env = "OPSROOM_SLA_CRITICAL_MINUTES", default_value_t = SlaPolicy::default().critical_minutes)]
    sla_critical_minutes: u32,
    /// Minutes to first contact for a high-priority case.
    #[arg(long, env = "OPSROOM_SLA_HIGH_MINUTES", default_value_t = SlaPolicy::default().high_minutes)]
    sla_high_minutes: u32,
    /// Minutes to first contact for a normal-priority case.
    #[arg(long, env = "OPSROOM_SLA_NORMAL_MINUTES", default_value_t = SlaPolicy::default().normal_minutes)]
    sla_normal_minutes: u32,
    /// Minutes to first contact for a low-priority case.
    #[arg(long, env = "OPSROOM_SLA_LOW_MINUTES", default_value_t = SlaPolicy::default().low_minutes)]
    sla_low_minutes: u32,
    /// Requests per minute per client address on the public endpoints (report form, tracking
    /// links, advisories, sign-in); 0 turns the limit off (load tests, drills).
    #[arg(long, env = "OPSROOM_PUBLIC_RATE_LIMIT", default_value_t = opsroom::config::DEFAULT_PUBLIC_RATE_LIMIT)]
    public_rate_limit: u32,
    /// Minutes an operator session may go unused before it ends (sessions end after 12 hours
    /// however much they are used).
    #[arg(long, env = "OPSROOM_SESSION_IDLE_MINUTES", default_value_t = opsroom::config::DEFAULT_SESSION_IDLE_MINUTES, value_parser = clap::value_parser!(u32).range(1..=720))]
    session_idle_minutes: u32,
    /// Minutes a partner has to accept a referral before the ops room is alerted.
    #[arg(long, env = "OPSROOM_REFERRAL_ACCEPT_MINUTES", default_value_t = opsroom::config::DEFAULT_REFERRAL_ACCEPT_MINUTES)]
    referral_accept_minutes: u32,
    /// Let partner webhooks go to http:// URLs and to loopback or private-network addresses (a
    /// closed network); by default only https to public addresses.
    #[arg(long, env = "OPSROOM_WEBHOOK_ALLOW_PRIVATE")]
    webhook_allow_private: bool,
    /// SQLite: once the write-ahead log passes this many MiB it is copied back into the
    /// database and started over, between two batches of writes, and the file cut back to
    /// this size.
    #[arg(long, env = "OPSROOM_SQLITE_WAL_LIMIT_MIB", default_value_t = opsroom_store::DEFAULT_SQLITE_WAL_LIMIT_MIB,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    sqlite_wal_limit_mib: u64,
    /// Play this scenario (smoke, sudan-2023, libya-2011, or a file) against the server at a watchable
    /// speed, on a fresh temporary database (its admin password is printed).
    #[arg(long)]
    demo: Option<String>,
    /// With --demo: bots play citizens and partners, people play the operators.
    #[arg(long, requires = "demo")]
    drill: bool,
    /// Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated).
    #[arg(long, env = "OPSROOM_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The `sender` of CAP advisories: an address with no spaces or commas.
    #[arg(long, env = "OPSROOM_CAP_SENDER", default_value = opsroom::config::DEFAULT_CAP_SENDER, value_parser = parse_identifier_name)]
    cap_sender: String,
    /// The domain of PFIF record ids this ops room exports (`DOMAIN/person.…`), e.g. the
    /// ministry's web domain.
    #[arg(long, env = "OPSROOM_PFIF_DOMAIN", default_value = opsroom::config::DEFAULT_PFIF_DOMAIN, value_parser = parse_identifier_name)]
    pfif_domain: String,
    /// The address people use to reach this server, e.g. https://opsroom.example.org behind a
    /// TLS reverse proxy. With https, cookies are Secure (__Host-) and answers carry HSTS.
    #[arg(long, env = "OPSROOM_PUBLIC_URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Serve HTTPS natively with this PEM certificate chain (needs --tls-key).
    #[arg(long, env = "OPSROOM_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "OPSROOM_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Open connections one client address (IPv4, or IPv6 /64) may hold; trusted proxies are
    /// exempt.
    #[arg(long, env = "OPSROOM_MAX_CONNECTIONS_PER_CLIENT", default_value_t = opsroom::connections::ConnectionLimits::default().per_client)]
    max_connections_per_client: usize,
    /// Open connections in all; by default what the open-file limit allows (raised to its
    /// hard maximum at start) less a reserve.
    #[arg(long, env = "OPSROOM_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
}

/// A public URL: http(s)://host[:port][/path], nothing a header could be split with.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !raw.contains(|c: char| c.is_whitespace() || c.is_control()) =>
        {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err("expected http(s)://HOST[:PORT]".into()),
    }
}

/// A name other systems see in identifiers (a CAP sender, a PFIF domain).
fn parse_identifier_name(raw: &str) -> Result<String, String> {
    if raw.is_empty() || raw.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&' | '/')) {
        return Err("no spaces, commas, slashes, '<' or '&'".into());
    }
    Ok(raw.to_owned())
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an operator account. The password is read from standard input (one line) with
    /// --password-stdin, or generated and printed once.
    Add {
        name: String,
        #[arg(long, default_value = "operator", value_parser = ["operator", "supervisor", "admin"])]
        role: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Disable an account: it cannot sign in, and its sessions and live streams end at once
    /// (also on a running server). The last enabled admin cannot be disabled.
    Disable {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Enable a disabled account again.
    Enable {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Give an account a new password and end its sessions. The password is read from standard
    /// input (one line) with --password-stdin, or generated and printed once.
    ResetPassword {
        name: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// Entry point of the `opsroom` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("OPSROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let mut config = Config::new(args.database.database_url);
            config.allowed_origins = args.allowed_origin;
            config.tile_url = args.tile_url;
            config.time_zone = args.time_zone;
            config.contact = opsroom::config::PublicContact {
                ministry_ar: args.ministry_name_ar,
                ministry_en: args.ministry_name_en,
                hotline: args.hotline,
                whatsapp: args.whatsapp,
            };
            config.home_country = args.home_country;
            config.public_rate_limit = args.public_rate_limit;
            config.trusted_proxies = args.trusted_proxy;
            config.cap_sender = args.cap_sender;
            config.pfif_domain = args.pfif_domain;
            config.webhook_private_targets = args.webhook_allow_private;
            config.store.sqlite_wal_limit = args.sqlite_wal_limit_mib * 1024 * 1024;
            config.public_url = args.public_url;
            config.tls = args.tls_cert.zip(args.tls_key).map(|(cert, key)| opsroom::config::TlsFiles { cert, key });
            config.connections.per_client = args.max_connections_per_client;
            config.connections.total = args.max_connections;
            config.referral_accept_time = std::time::Duration::from_secs(60 * u64::from(args.referral_accept_minutes));
            config.session_idle = std::time::Duration::from_secs(60 * u64::from(args.session_idle_minutes));
            config.sla = SlaPolicy {
                critical_minutes: args.sla_critical_minutes,
                high_minutes: args.sla_high_minutes,
                normal_minutes: args.sla_normal_minutes,
                low_minutes: args.sla_low_minutes,
            };
            config.admin_password = std::env::var("OPSROOM_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
            let demo = args.demo.as_deref().map(opsroom_scenario::load).transpose()?;
            let mut demo_directory = None;
            if let Some(scenario) = &demo {
                // A demo never writes into a real database: it gets a fresh one, and its admin
                // password is printed so people can sign in and watch (or, in a drill, work).
                let directory = std::env::temp_dir().join(format!("opsroom-demo-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&directory)?;
                config.database_url = format!("sqlite://{}", directory.join("demo.db").display());
                demo_directory = Some(directory);
                let password = config.admin_password.get_or_insert_with(secrets::new_token).clone();
                println!(
                    "demo {}: database {}; sign in as admin with password: {password}",
                    scenario.name, config.database_url
                );
            }
            let listener = tokio::net::TcpListener::bind(&args.bind).await?;
            let shutdown = CancellationToken::new();
            tokio::spawn(stop_on_signal(shutdown.clone()));
            if let (Some(scenario), Some(password)) = (demo, config.admin_password.clone()) {
                opsroom::demo::spawn_demo(listener.local_addr()?, password, scenario, args.drill, shutdown.clone());
            }
            let served = server::run(listener, config, shutdown).await;
            if let Some(directory) = demo_directory {
                let _ = std::fs::remove_dir_all(directory);
            }
            served
        }
        Command::Bench(args) => opsroom_bench::run(args).await,
        Command::Seed { cases, database, seed } => {
            let stored = opsroom_bench::synthetic::seed(&database.database_url, cases, seed).await?;
            println!("{stored}");
            Ok(())
        }
        Command::BenchBroadcaster { subscribers } => opsroom_bench::delivery::broadcaster(subscribers).await,
        Command::Scenario(ScenarioCommand::Run { scenario, server: target, embedded, speed, seed, admin }) => {
            let scenario = opsroom_scenario::load(&scenario)?;
            let summary = if embedded {
                opsroom::demo::run_embedded(&scenario, speed, seed, true).await?
            } else {
                let base_url = target.expect("clap requires --server without --embedded");
                let admin_password = std::env::var("OPSROOM_ADMIN_PASSWORD")
                    .map_err(|_| anyhow::anyhow!("set OPSROOM_ADMIN_PASSWORD to the password of {admin:?}"))?;
                opsroom::demo::wait_ready(&base_url).await?;
                let options = opsroom_scenario::RunOptions {
                    base_url,
                    admin_name: admin,
                    admin_password,
                    speed,
                    seed,
                    operator_bots: true,
                    progress: true,
                };
                opsroom_scenario::run(&scenario, &options).await?
            };
            summary.print();
            if !summary.ok() {
                anyhow::bail!("the scenario's checks failed");
            }
            Ok(())
        }
        Command::Migrate(database) => {
            let store = Store::open(&database.database_url, StoreOptions::default()).await?;
            store.close(std::time::Duration::from_secs(5)).await;
            println!("migrations applied to {}", store.backend_name());
            Ok(())
        }
        Command::User(UserCommand::Add { name, role, password_stdin, database }) => {
            let role = Role::parse(&role).expect("clap restricts the role");
            let (password, generated) = new_password(password_stdin)?;
            let store = Store::open(&database.database_url, StoreOptions::default()).await?;
            let outcome = server::create_user(&store, &name, role, password.clone()).await;
            store.close(std::time::Duration::from_secs(5)).await;
            match outcome? {
                UserOutcome::NameTaken => anyhow::bail!("a user named {name:?} already exists"),
                UserOutcome::Created { .. } if generated => {
                    println!("created {} {name} with password: {password}", role.as_str());
                }
                UserOutcome::Created { .. } => println!("created {} {name}", role.as_str()),
            }
            Ok(())
        }
        Command::User(UserCommand::Disable { name, database }) => {
            let change = AccountChange { disabled: Some(true), ..Default::default() };
            let (name, outcome) = change_account(&database, &name, |name, at| AccountWrite::Change {
                name,
                change,
                actor: StaffActor::CommandLine,
                at,
            })
            .await?;
            println!("disabled {name}; {} session(s) ended", sessions_ended(&outcome));
            Ok(())
        }
        Command::User(UserCommand::Enable { name, database }) => {
            let change = AccountChange { disabled: Some(false), ..Default::default() };
            let (name, _) = change_account(&database, &name, |name, at| AccountWrite::Change {
                name,
                change,
                actor: StaffActor::CommandLine,
                at,
            })
            .await?;
            println!("enabled {name}");
            Ok(())
        }
        Command::User(UserCommand::ResetPassword { name, password_stdin, database }) => {
            let (password, generated) = new_password(password_stdin)?;
            let user = UserName::parse(&name).map_err(|refused| anyhow::anyhow!("user name: {}", refused.message))?;
            let password_hash = server::hash_new_password(password.clone(), &user)
                .await?
                .map_err(|refused| anyhow::anyhow!("password: {}", refused.message))?;
            let (name, outcome) = change_account(&database, &name, |name, at| AccountWrite::ResetPassword {
                name,
                password_hash,
                keep_session: None,
                actor: StaffActor::CommandLine,
                at,
            })
            .await?;
            let ended = sessions_ended(&outcome);
            if generated {
                println!("new password for {name} ({ended} session(s) ended): {password}");
            } else {
                println!("new password set for {name}; {ended} session(s) ended");
            }
            Ok(())
        }
    }
}

/// A new password: one line of standard input, or (`false`) a generated one to print once.
/// Returns the password and whether it was generated.
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((secrets::new_token(), true))
    }
}

/// Apply a write (built from the account's name and the time) to an account, beside a running
/// server if there is one; a refusal or an unknown name is an error. Returns the name as stored.
async fn change_account(
    database: &DatabaseArg,
    name: &str,
    write: impl FnOnce(String, i64) -> AccountWrite,
) -> anyhow::Result<(String, AccountOutcome)> {
    let name = UserName::parse(name).map_err(|r| anyhow::anyhow!("user name: {}", r.message))?;
    let store = Store::open(&database.database_url, StoreOptions::default()).await?;
    let outcome = store.account_write(write(name.as_str().to_owned(), server::now_ms())).await;
    store.close(std::time::Duration::from_secs(5)).await;
    match outcome? {
        AccountOutcome::NotFound => anyhow::bail!("no user named {:?}", name.as_str()),
        AccountOutcome::Refused(refusal) => anyhow::bail!("{}", refusal.message()),
        applied => Ok((name.as_str().to_owned(), applied)),
    }
}

fn sessions_ended(outcome: &AccountOutcome) -> u64 {
    match outcome {
        AccountOutcome::Applied { sessions_ended, .. } => *sessions_ended,
        _ => 0,
    }
}

/// A tile URL template must be http(s) and name {z}, {x} and {y}.
fn parse_tile_url(raw: &str) -> Result<String, String> {
    let scheme_ok = raw.starts_with("http://") || raw.starts_with("https://");
    let placeholders_ok = ["{z}", "{x}", "{y}"].iter().all(|p| raw.contains(p));
    if scheme_ok && placeholders_ok && !raw.contains(['"', '\'', ' ', ';']) {
        Ok(raw.to_owned())
    } else {
        Err("expected an http(s) URL template with {z}, {x} and {y}".into())
    }
}

/// A time zone the built-in tz database knows, refused at start otherwise.
fn parse_time_zone(raw: &str) -> Result<RoomTimeZone, String> {
    RoomTimeZone::parse(raw).map_err(|refused| refused.message)
}

/// A country with a numbering plan, refused at start otherwise (a home country nobody can dial
/// would refuse every relative's local number).
fn parse_home_country(raw: &str) -> Result<CountryCode, String> {
    let country = CountryCode::parse(raw).map_err(|refused| refused.message)?;
    match country.calling_code() {
        Some(_) => Ok(country),
        None => Err(format!("{country} has no telephone numbering plan")),
    }
}

/// A number for the public pages, in E.164 (`+201001234567`), refused at start otherwise.
fn parse_public_phone(raw: &str) -> Result<String, String> {
    opsroom_domain::text::PhoneNumber::parse(raw, None)
        .map(|phone| phone.as_str().to_owned())
        .map_err(|refused| refused.message)
}

/// Fire `shutdown` on SIGINT or SIGTERM.
async fn stop_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
    shutdown.cancel();
}
