//! The `opsroom` server as a library (the binary is `server/cli`): configuration, the HTTP API
//! and the live websocket streams.
//!
//! # Layout
//!
//! - [`config`]: [`config::Config`], built by the command line (`opsroom-cli`, the only code that
//!   reads the environment) in production and directly by tests.
//! - [`server`]: [`server::run`] starts everything on a listener and stops it on a token, so tests
//!   start the real server on port 0 without sleeps.
//! - [`state`]: [`state::App`], what every handler shares, behind [`state::AppState`]; a leaf, so
//!   nothing that uses it is used by it (no module of this crate is in an import cycle:
//!   `tests/tests/imports.rs` reads the source).
//! - [`crises`]: the crises in memory, tiled, and the choice of a report's crisis.
//! - [`connections`]: the accept loop: connection caps per client and in all, the header
//!   deadline, native TLS, the open-file limit.
//! - [`limiter`]: the client-address rule and the rate limit's buckets; [`origin`]: whether a
//!   request comes from this site.
//! - [`http`]: the route table, one file per resource, the error type and extractors.
//! - [`live`]: the hub that reads the committed log and fans it out, and the websocket loop.
//! - [`matcher`]: follows the log and suggests possible duplicates and relatives for new reports.
//! - [`auth`]: passwords (argon2id), sessions (cookie, stored hashed), the operator extractor.
//! - [`cap`]: advisories as CAP 1.2 XML; [`pfif`]: persons as PFIF 1.4, out and in; [`xml`]: the
//!   escaping both use.
//! - [`wire`]: every JSON shape the API speaks, one file per resource (no type elsewhere is
//!   serialisable).
//! - [`secrets`]: random tokens, hashes and sealing.
//!
//! # API boundary
//!
//! HTTP under `/api/v1/`, described at `/api/v1/openapi.json`. Direction of dependencies:
//! app → store → domain.

pub mod auth;
pub mod cap;
pub mod config;
pub mod connections;
pub mod crises;
pub mod demo;
pub mod http;
pub mod limiter;
pub mod live;
pub mod matcher;
pub mod origin;
pub mod partner_feed;
pub mod pfif;
pub mod secrets;
pub mod server;
pub mod state;
pub mod webhooks;
pub mod wire;
pub mod xml;
