//! The JSON shapes of liveness and readiness.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready`, or what is not.
    pub status: String,
    /// The committed log head in the database.
    pub database_head: Option<u64>,
    /// The last position this node has published to its live streams.
    pub published: u64,
}
