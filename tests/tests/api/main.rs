//! End-to-end tests: the real server on port 0 with a temporary database, spoken to over HTTP
//! and websocket. One test binary, one module per capability.

mod advisories;
mod auth;
mod authz;
mod bad_input;
mod caching;
mod calls;
mod citizens;
mod crash;
mod crises;
mod evacuation;
mod hostile;
mod idempotency;
mod intake;
mod live;
mod map;
mod matching;
mod partners;
mod pfif;
mod scale_out;
mod scenarios;
mod search;
mod shift;
mod staff;
mod webhooks;
mod workflow;

/// The production entry point under test, as a binary that tests can run and kill.
const BINARY: &str = env!("CARGO_BIN_EXE_opsroom-under-test");
