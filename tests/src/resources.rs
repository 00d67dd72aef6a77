//! Typed helpers per resource of the API, for the end-to-end tests: staff accounts, cases,
//! partners and referrals, evacuation places. Each does one call the way a client would and
//! fails the test, with the server's answer, when the call is refused; tests that check a
//! refusal call the endpoint themselves.
//!
//! Owns no server state and no assertions of a test's own: a helper returns what the next step
//! needs (an id, a token), never judges the answer beyond "it was accepted".

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Api, Reply, TestServer, sample_report};

/// The password every account made by [`TestServer::user`] has.
pub fn password_of(name: &str) -> String {
    format!("{name} password 2023")
}

impl TestServer {
    /// Create an account (through the store beside the running server, as `opsroom user add`
    /// does) with the password [`password_of`] its name, and sign it in. Returns the signed-in
    /// client and the user's id.
    pub async fn user(&self, name: &str, role: &str) -> (Api, String) {
        let store = opsroom_store::Store::open(&self.database_url, Default::default()).await.unwrap();
        let role = opsroom_domain::user::Role::parse(role).unwrap();
        opsroom::server::create_user(&store, name, role, password_of(name)).await.unwrap();
        store.close(Duration::from_secs(5)).await;
        let mut api = self.api();
        let signed_in = api.sign_in(name, &password_of(name)).await.unwrap();
        assert_eq!(signed_in.status, 201, "{name} signs in: {}", signed_in.body);
        let me = api.get("/api/v1/session").await.unwrap().body["user_id"].as_str().unwrap().to_owned();
        (api, me)
    }
}

/// A case as `POST /api/v1/reports` answered it.
#[derive(Debug, Clone)]
pub struct Reported {
    pub case_id: String,
    pub tracking_token: String,
    /// The stored H3 cell, when the report was located.
    pub cell: Option<String>,
}

impl Api {
    /// `POST` a JSON body to `path`, failing the test only if no answer came.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.post_json(path, &body).await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// File `report` (no idempotency key); the case it opened.
    pub async fn reported(&self, report: &Value) -> Reported {
        let reply = self.post_report(report, None).await.unwrap();
        assert_eq!(reply.status, 201, "filing a report: {}", reply.body);
        let field = |name: &str| reply.body[name].as_str().map(str::to_owned);
        Reported {
            case_id: field("case_id").expect("a case id"),
            tracking_token: field("tracking_token").expect("a tracking token"),
            cell: field("cell"),
        }
    }

    /// File the `n`th sample report; its case id.
    pub async fn report(&self, n: usize) -> String {
        self.reported(&sample_report(n)).await.case_id
    }

    /// Register a partner as admin; its id.
    pub async fn register_partner(&self, body: Value) -> String {
        let reply = self.post("/api/v1/partners", body).await;
        assert_eq!(reply.status, 201, "registering a partner: {}", reply.body);
        reply.body["partner_id"].as_str().unwrap().to_owned()
    }

    /// Issue a token for a partner as admin; `(token, token_id)`.
    pub async fn partner_token(&self, partner_id: &str) -> (String, String) {
        let reply = self.post(&format!("/api/v1/partners/{partner_id}/tokens"), json!({})).await;
        assert_eq!(reply.status, 201, "issuing a partner token: {}", reply.body);
        (reply.body["token"].as_str().unwrap().to_owned(), reply.body["token_id"].as_str().unwrap().to_owned())
    }

    /// Refer a case to a partner as an operator; the referral's id.
    pub async fn refer(&self, case_id: &str, partner_id: &str, request_type: &str) -> String {
        let body = json!({"partner_id": partner_id, "request_type": request_type, "note": "please call the father"});
        let reply = self.post(&format!("/api/v1/cases/{case_id}/referrals"), body).await;
        assert_eq!(reply.status, 201, "referring a case: {}", reply.body);
        reply.body["referral_id"].as_str().unwrap().to_owned()
    }

    /// Register an evacuation place as a supervisor or admin; its id.
    pub async fn place(&self, kind: &str, en: &str, ar: &str, lat: f64, lon: f64) -> String {
        let body = json!({"kind": kind, "name": {"en": en, "ar": ar}, "lat": lat, "lon": lon});
        let reply = self.post("/api/v1/places", body).await;
        assert_eq!(reply.status, 201, "registering a place: {}", reply.body);
        reply.body["place_id"].as_str().unwrap().to_owned()
    }
}
