//! The authorization matrix (issue 7's security requirement): every route of the router and
//! every message type of the two websockets, for each kind of caller, with the answer it must
//! get. The routes come from the router itself — the OpenAPI document (built from the same route
//! table) and the `.route(…)` calls of the server's source — so a route nobody classified here
//! fails [`every_route_of_the_router_is_classified`] until it is added to [`ROUTES`].
//!
//! The callers (the columns of every row):
//! - anonymous: no credentials at all;
//! - citizen: a valid tracking token in the path of the tracking routes (`{token}`), nothing
//!   else; everyone else puts a well-formed token that was never issued there;
//! - operator, supervisor, admin: a session cookie;
//! - partner A, partner B: a bearer token. Case X is referred to A only, so A gets 2xx on it and
//!   B the same 404 as for a case that does not exist — never a 403.
//!
//! Bodies are chosen so each allowed caller's answer is deterministic and little changes: most
//! writes send `{}` and an allowed caller gets the body's 422 — the request got past
//! authorization — while a denied one gets 401, 403 or 404.

use std::collections::BTreeSet;
use std::path::Path;

use futures_util::SinkExt;
use opsroom_tests::{ADMIN_PASSWORD, Api, LiveClient, Reply, TestServer, eventually, sample_report};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

// ---------------------------------------------------------------------------------------------
// Callers and expectations

/// Who calls, in the order of the columns of [`ROUTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Citizen,
    Operator,
    Supervisor,
    Admin,
    PartnerA,
    PartnerB,
}

const CALLERS: [Who; 7] =
    [Who::Anonymous, Who::Citizen, Who::Operator, Who::Supervisor, Who::Admin, Who::PartnerA, Who::PartnerB];

impl Who {
    fn label(self) -> &'static str {
        match self {
            Who::Anonymous => "anon",
            Who::Citizen => "citizen",
            Who::Operator => "operator",
            Who::Supervisor => "supervisor",
            Who::Admin => "admin",
            Who::PartnerA => "partner A",
            Who::PartnerB => "partner B",
        }
    }

    fn is_partner(self) -> bool {
        matches!(self, Who::PartnerA | Who::PartnerB)
    }
}

/// The answer a caller must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Exactly this status.
    Is(u16),
}

use Expect::Is;

const DENIED: Expect = Is(401);

/// The same answer for every caller (public routes).
const fn everyone(expect: Expect) -> [Expect; 7] {
    [expect; 7]
}

/// Staff only (a session): nobody else gets past the 401.
const fn staff(operator: u16, supervisor: u16, admin: u16) -> [Expect; 7] {
    [DENIED, DENIED, Is(operator), Is(supervisor), Is(admin), DENIED, DENIED]
}

/// Any signed-in operator, supervisor or admin, alike.
const fn operators(code: u16) -> [Expect; 7] {
    staff(code, code, code)
}

/// Supervisors and admins (`auth::Supervisor`): an operator gets 403.
const fn supervisors(code: u16) -> [Expect; 7] {
    staff(403, code, code)
}

/// Admins only (`auth::Admin`): operators and supervisors get 403.
const fn admins(code: u16) -> [Expect; 7] {
    staff(403, 403, code)
}

/// Partner agencies only (a bearer token): everybody else gets 401.
const fn partners(a: u16, b: u16) -> [Expect; 7] {
    [DENIED, DENIED, DENIED, DENIED, DENIED, Is(a), Is(b)]
}

/// The tracking token is the key: the citizen holding it gets `citizen`, everyone else (with a
/// token that was never issued) `others`, whatever else they carry.
const fn token_holder(citizen: u16, others: u16) -> [Expect; 7] {
    let o = Is(others);
    [o, Is(citizen), o, o, o, o, o]
}

// ---------------------------------------------------------------------------------------------
// The table

/// What a request carries as its body.
#[derive(Clone, Copy, Debug)]
enum Body {
    Empty,
    Json(&'static str),
    Form(&'static str),
    Xml(&'static str),
}

/// What a path placeholder is filled with.
#[derive(Clone, Copy, Debug)]
enum Fixture {
    /// A case reported through the public API, referred to partner A only.
    CaseX,
    /// A case nobody is assigned to, whose tracking link staff reissue and revoke.
    CaseZ,
    /// A current advisory.
    Advisory,
    /// An advisory the matrix withdraws.
    AdvisoryToWithdraw,
    /// An open match suggestion.
    Suggestion,
    /// A person on case X.
    PersonX,
    PartnerA,
    /// Case X's referral to partner A.
    ReferralA,
    /// Case X's tracking token for the citizen; a never-issued token for everyone else.
    TrackingToken,
    /// An assembly point.
    Place,
    /// A safe corridor the matrix lifts.
    Zone,
    /// A bus shared with partner A only.
    Movement,
    /// A well-formed id that names nothing.
    Unknown,
    /// A literal path segment.
    Literal(&'static str),
    /// A static asset by its logical URL: the file name it is served under (content-hashed).
    Asset(&'static str),
}

/// The fixture a placeholder names unless a row says otherwise.
fn default_fixture(placeholder: &str) -> Fixture {
    match placeholder {
        "case_id" => Fixture::CaseX,
        "advisory_id" => Fixture::Advisory,
        "token" => Fixture::TrackingToken,
        "suggestion_id" => Fixture::Suggestion,
        "person_id" => Fixture::PersonX,
        "partner_id" => Fixture::PartnerA,
        "referral_id" => Fixture::ReferralA,
        "place_id" => Fixture::Place,
        "zone_id" => Fixture::Zone,
        "movement_id" => Fixture::Movement,
        "token_id" | "dead_id" => Fixture::Unknown,
        "name" => Fixture::Literal(STAFF_FIXTURE),
        "slug" => Fixture::Literal(CRISIS_FIXTURE),
        other => panic!("no fixture for the placeholder {{{other}}}: add one to `default_fixture` or to the row's ids"),
    }
}

/// One row of the matrix: a route, what is sent, and each caller's answer.
#[derive(Clone, Copy, Debug)]
struct Route {
    method: &'static str,
    /// The path template as the OpenAPI document (or the `.route` call) spells it.
    path: &'static str,
    body: Body,
    /// Answers of anonymous, citizen, operator, supervisor, admin, partner A, partner B.
    expect: [Expect; 7],
    /// Placeholders filled with another fixture than [`default_fixture`]'s.
    ids: &'static [(&'static str, Fixture)],
    /// In the OpenAPI document (`false`: registered with a plain `.route`).
    documented: bool,
    /// The request ends the caller's session: staff call it with a session of its own.
    own_session: bool,
}

/// A route of the OpenAPI document.
const fn api(method: &'static str, path: &'static str, body: Body, expect: [Expect; 7]) -> Route {
    Route { method, path, body, expect, ids: &[], documented: true, own_session: false }
}

/// A route registered with a plain `.route` (pages, assets, the document itself).
const fn page(method: &'static str, path: &'static str, body: Body, expect: [Expect; 7]) -> Route {
    Route { method, path, body, expect, ids: &[], documented: false, own_session: false }
}

impl Route {
    const fn with(self, ids: &'static [(&'static str, Fixture)]) -> Self {
        Route { ids, ..self }
    }

    const fn own_session(self) -> Self {
        Route { own_session: true, ..self }
    }
}

const NONE: Body = Body::Empty;
const EMPTY_OBJECT: Body = Body::Json("{}");

/// Every route of the router and who may call it. Rows run in this order, which matters where
/// an earlier row changes what a later one finds (noted at the row).
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    // Intake and sign-in: anyone may try.
    api("POST",   "/api/v1/reports", EMPTY_OBJECT, everyone(Is(422))),
    api("POST",   "/api/v1/session", EMPTY_OBJECT, everyone(Is(422))),
    api("GET",    "/api/v1/session", NONE, operators(200)),
    api("DELETE", "/api/v1/session", NONE, operators(204)).own_session(),
    api("POST",   "/api/v1/partner/session", EMPTY_OBJECT, everyone(Is(422))),
    api("DELETE", "/api/v1/partner/session", NONE, everyone(Is(204))),

    // Advisories: everyone reads, supervisors and admins write.
    api("GET",    "/api/v1/advisories", NONE, everyone(Is(200))),
    api("POST",   "/api/v1/advisories", EMPTY_OBJECT, supervisors(422)),
    api("GET",    "/api/v1/advisories/{advisory_id}/cap", NONE, everyone(Is(200))),
    api("PUT",    "/api/v1/advisories/{advisory_id}", EMPTY_OBJECT, supervisors(422)),
    // The supervisor withdraws it; the admin then finds it withdrawn.
    api("POST",   "/api/v1/advisories/{advisory_id}/withdrawal", NONE, staff(403, 200, 409))
        .with(&[("advisory_id", Fixture::AdvisoryToWithdraw)]),
    api("GET",    "/api/v1/advisories/{advisory_id}/history", NONE, operators(200)),

    // Crises: everyone lists the open ones, operators read them whole, supervisors and admins
    // declare and change them (an empty edit changes nothing; a phase must be named).
    api("GET",    "/api/v1/crises", NONE, everyone(Is(200))),
    api("POST",   "/api/v1/crises", EMPTY_OBJECT, supervisors(422)),
    api("GET",    "/api/v1/crises/all", NONE, operators(200)),
    api("GET",    "/api/v1/crises/{slug}", NONE, operators(200)),
    api("PUT",    "/api/v1/crises/{slug}", EMPTY_OBJECT, supervisors(422)),
    api("POST",   "/api/v1/crises/{slug}/phase", EMPTY_OBJECT, supervisors(422)),
    // Operators sort the unplaced cases: case Z (unplaced) stays unplaced.
    api("PUT",    "/api/v1/cases/{case_id}/crisis", Body::Json(r#"{"crisis": null}"#), operators(200))
        .with(&[("case_id", Fixture::CaseZ)]),

    // Tracking links: the token is the key; staff reissue and revoke (an operator only when
    // assigned to the case, and nobody is assigned to case Z).
    api("GET",    "/api/v1/track/{token}", NONE, token_holder(200, 404)),
    api("POST",   "/api/v1/track/{token}/updates", Body::Json(r#"{"kind":"message","message":"authz matrix"}"#),
        token_holder(201, 404)),
    api("POST",   "/api/v1/cases/{case_id}/tracking-link", NONE, staff(403, 201, 201))
        .with(&[("case_id", Fixture::CaseZ)]),
    api("DELETE", "/api/v1/cases/{case_id}/tracking-link", NONE, staff(403, 204, 204))
        .with(&[("case_id", Fixture::CaseZ)]),

    // Cases and operators' actions.
    api("GET",    "/api/v1/cases", NONE, operators(200)),
    api("GET",    "/api/v1/cases/counts", NONE, operators(200)),
    api("GET",    "/api/v1/cases/export.csv", NONE, supervisors(200)),
    api("POST",   "/api/v1/cases", EMPTY_OBJECT, operators(422)),
    api("GET",    "/api/v1/cases/{case_id}", NONE, operators(200)),
    api("POST",   "/api/v1/cases/{case_id}/status", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/cases/{case_id}/assignment", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/cases/{case_id}/notes", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/cases/{case_id}/contacts", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/cases/{case_id}/priority", EMPTY_OBJECT, operators(422)),
    // The hotline's call log: any staff logs and reads calls.
    api("POST",   "/api/v1/cases/{case_id}/calls", EMPTY_OBJECT, operators(422)),
    api("GET",    "/api/v1/calls", NONE, operators(400)),
    api("GET",    "/api/v1/users", NONE, operators(200)),
    api("POST",   "/api/v1/users", Body::Json(r#"{"name":"newcomer","role":"operator","password":"short"}"#), admins(422)),
    // Staff accounts (admins): the matrix's account is one nobody calls with, and the bodies
    // change nothing (nothing to change, a password the policy refuses).
    api("PUT",    "/api/v1/users/{name}", EMPTY_OBJECT, admins(422)),
    api("POST",   "/api/v1/users/{name}/password", Body::Json(r#"{"password":"short"}"#), admins(422)),
    api("GET",    "/api/v1/users/{name}/sessions", NONE, admins(200)),
    api("DELETE", "/api/v1/users/{name}/sessions", NONE, admins(200)),
    api("GET",    "/api/v1/map", NONE, operators(200)),
    api("GET",    "/api/v1/map/config", NONE, operators(200)),
    api("GET",    "/api/v1/kpis", NONE, operators(200)),
    // A plain GET (no upgrade) that got past the session check is told to use a websocket.
    api("GET",    "/api/v1/live", NONE, operators(400)),

    // Matching and PFIF.
    api("GET",    "/api/v1/cases/{case_id}/matches", NONE, operators(200)),
    api("GET",    "/api/v1/matches/open", NONE, operators(200)),
    api("POST",   "/api/v1/matches/{suggestion_id}/decision", EMPTY_OBJECT, operators(422)),
    // An open suggestion has nothing to undo.
    api("POST",   "/api/v1/matches/{suggestion_id}/undo", NONE, operators(409)),
    api("GET",    "/api/v1/cases/{case_id}/family", NONE, operators(200)),
    api("POST",   "/api/v1/persons/{person_id}/tracing-status", EMPTY_OBJECT, operators(422)),
    api("GET",    "/api/v1/pfif/persons", NONE, supervisors(200)),
    api("POST",   "/api/v1/pfif/persons", Body::Xml(""), supervisors(400)),

    // The partner registry: operators read it (to refer cases), admins change it.
    api("GET",    "/api/v1/partners", NONE, operators(200)),
    api("POST",   "/api/v1/partners", EMPTY_OBJECT, admins(422)),
    api("GET",    "/api/v1/partners/{partner_id}", NONE, operators(200)),
    api("PUT",    "/api/v1/partners/{partner_id}", EMPTY_OBJECT, admins(422)),
    api("GET",    "/api/v1/partners/{partner_id}/tokens", NONE, admins(200)),
    api("POST",   "/api/v1/partners/{partner_id}/tokens", Body::Json(r#"{"expires_in_days":0}"#), admins(422)),
    api("DELETE", "/api/v1/partners/{partner_id}/tokens/{token_id}", NONE, admins(404)),
    api("GET",    "/api/v1/partners/{partner_id}/dead-letters", NONE, admins(200)),
    api("POST",   "/api/v1/partners/{partner_id}/dead-letters/{dead_id}/replay", NONE, admins(404)),

    // Referrals, as the ops room sees them.
    api("GET",    "/api/v1/cases/{case_id}/referrals", NONE, operators(200)),
    api("POST",   "/api/v1/cases/{case_id}/referrals", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/referrals/{referral_id}/withdrawal", Body::Json(r#"{"text":42}"#), operators(422)),

    // What partners call: case X and referral A are partner A's; partner B gets 404, never 403.
    api("GET",    "/api/v1/partner/me", NONE, partners(200, 200)),
    api("GET",    "/api/v1/partner/cases", NONE, partners(200, 200)),
    api("GET",    "/api/v1/partner/cases.geojson", NONE, partners(200, 200)),
    api("GET",    "/api/v1/partner/cases.csv", NONE, partners(200, 200)),
    api("GET",    "/api/v1/partner/cases/{case_id}", NONE, partners(200, 404)),
    // Valid bodies, so B's answer comes from the ownership check (a bad body is refused first).
    // A accepts, then cannot decline an accepted referral, then reports progress.
    api("POST",   "/api/v1/partner/referrals/{referral_id}/acceptance", EMPTY_OBJECT, partners(200, 404)),
    api("POST",   "/api/v1/partner/referrals/{referral_id}/decline", Body::Json(r#"{"reason":"authz matrix"}"#),
        partners(409, 404)),
    api("POST",   "/api/v1/partner/referrals/{referral_id}/progress", Body::Json(r#"{"step":"en_route"}"#),
        partners(200, 404)),
    api("GET",    "/api/v1/partner/live", NONE, partners(400, 400)),

    // Evacuation: supervisors and admins declare places, zones and movements; every operator
    // reads them and works the movements; partner A sees the bus shared with it, B gets 404.
    api("GET",    "/api/v1/places", NONE, operators(200)),
    api("POST",   "/api/v1/places", EMPTY_OBJECT, supervisors(422)),
    api("PUT",    "/api/v1/places/{place_id}", EMPTY_OBJECT, supervisors(422)),
    api("GET",    "/api/v1/zones", NONE, operators(200)),
    api("POST",   "/api/v1/zones", EMPTY_OBJECT, supervisors(422)),
    api("PUT",    "/api/v1/zones/{zone_id}", EMPTY_OBJECT, supervisors(422)),
    // The supervisor lifts it; the admin then finds it lifted.
    api("POST",   "/api/v1/zones/{zone_id}/lifting", NONE, staff(403, 200, 409)),
    api("GET",    "/api/v1/movements", NONE, operators(200)),
    api("POST",   "/api/v1/movements", EMPTY_OBJECT, supervisors(422)),
    api("GET",    "/api/v1/movements/{movement_id}", NONE, operators(200)),
    api("POST",   "/api/v1/movements/{movement_id}/status", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/movements/{movement_id}/suggestion", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/movements/{movement_id}/passengers", EMPTY_OBJECT, operators(422)),
    api("POST",   "/api/v1/movements/{movement_id}/passengers/status", EMPTY_OBJECT, operators(422)),
    api("GET",    "/api/v1/movements/{movement_id}/manifest.csv", NONE, operators(200)),
    api("GET",    "/api/v1/evacuation/summary", NONE, operators(200)),

    // The shift: every staff member writes and reads handover notes (an empty one says nothing
    // promised: refused); the situation report is for supervisors (no window: 400 past the role).
    api("GET",    "/api/v1/handovers", NONE, operators(200)),
    api("POST",   "/api/v1/handovers", EMPTY_OBJECT, operators(422)),
    api("GET",    "/api/v1/sitrep", NONE, supervisors(400)),
    api("GET",    "/api/v1/sitrep.csv", NONE, supervisors(400)),
    api("GET",    "/api/v1/partner/movements", NONE, partners(200, 200)),
    api("GET",    "/api/v1/partner/movements/{movement_id}", NONE, partners(200, 404)),

    // Health, for load balancers.
    api("GET",    "/healthz", NONE, everyone(Is(200))),
    api("GET",    "/readyz", NONE, everyone(Is(200))),

    // Pages and assets (not in the OpenAPI document).
    page("GET",   "/", NONE, everyone(Is(200))),
    page("POST",  "/", Body::Form(""), everyone(Is(422))),
    page("GET",   "/track/{token}", NONE, token_holder(200, 404)),
    page("POST",  "/track/{token}", Body::Form(""), token_holder(422, 404)),
    page("GET",   "/api/v1/openapi.json", NONE, everyone(Is(200))),
    page("GET",   "/ops", NONE, everyone(Is(308))),
    page("GET",   "/ops/", NONE, everyone(Is(200))),
    page("GET",   "/ops/movements/{movement_id}/manifest", NONE, operators(200)),
    page("GET",   "/ops/{*file}", NONE, everyone(Is(200))).with(&[("file", Fixture::Asset("/ops/app.js"))]),
    page("GET",   "/partner", NONE, everyone(Is(308))),
    // The partner page and its files are public (it signs in with a token).
    page("GET",   "/partner/", NONE, everyone(Is(200))),
    page("GET",   "/partner/{*file}", NONE, everyone(Is(200))).with(&[("file", Fixture::Asset("/partner/app.js"))]),
    page("GET",   "/static/{*file}", NONE, everyone(Is(200))).with(&[("file", Fixture::Asset("/static/form.css"))]),
    // The public pages' service worker and the page it shows for a tracking link offline.
    page("GET",   "/sw.js", NONE, everyone(Is(200))),
    page("GET",   "/offline", NONE, everyone(Is(200))),
    // Every country the form's phone pickers can offer (the page carries only the first few).
    page("GET",   "/phone-countries", NONE, everyone(Is(200))),
];

/// The message types a websocket client may send, as `LiveRequest` in the OpenAPI document
/// lists them; each is exercised by [`websockets_admit_only_their_callers_and_partner_b_never_sees_case_x`].
const WEBSOCKET_MESSAGE_TYPES: &[&str] = &["subscribe"];

/// The account the staff routes (`/users/{name}`) act on: none of the callers.
const STAFF_FIXTURE: &str = "zaid";

/// The crisis the crisis routes act on.
const CRISIS_FIXTURE: &str = "authz-crisis";

/// A 43-character token (the length of a real one) that was never issued.
const NEVER_ISSUED_TOKEN: &str = "AuthzMatrixNeverIssuedTrackingToken00000000";
const UNKNOWN_ID: &str = "0190f000-0000-7000-8000-0000000a07a2";

// ---------------------------------------------------------------------------------------------
// The world the matrix runs in

struct Fixtures {
    case_x: String,
    case_z: String,
    advisory: String,
    advisory_to_withdraw: String,
    suggestion: String,
    person_x: String,
    partner_a: String,
    partner_b: String,
    referral_a: String,
    tracking_token: String,
    place: String,
    zone: String,
    movement: String,
}

impl Fixtures {
    fn value(&self, fixture: Fixture, who: Who) -> String {
        match fixture {
            Fixture::CaseX => self.case_x.clone(),
            Fixture::CaseZ => self.case_z.clone(),
            Fixture::Advisory => self.advisory.clone(),
            Fixture::AdvisoryToWithdraw => self.advisory_to_withdraw.clone(),
            Fixture::Suggestion => self.suggestion.clone(),
            Fixture::PersonX => self.person_x.clone(),
            Fixture::PartnerA => self.partner_a.clone(),
            Fixture::ReferralA => self.referral_a.clone(),
            Fixture::TrackingToken if who == Who::Citizen => self.tracking_token.clone(),
            Fixture::TrackingToken => NEVER_ISSUED_TOKEN.to_owned(),
            Fixture::Place => self.place.clone(),
            Fixture::Zone => self.zone.clone(),
            Fixture::Movement => self.movement.clone(),
            Fixture::Unknown => UNKNOWN_ID.to_owned(),
            Fixture::Literal(text) => text.to_owned(),
            Fixture::Asset(logical) => {
                opsroom::http::pages::asset_url(logical).rsplit('/').next().unwrap_or_default().to_owned()
            }
        }
    }

    /// `route`'s path with its placeholders filled as `who` would fill them.
    fn path(&self, route: &Route, who: Who) -> String {
        let mut path = String::new();
        let mut rest = route.path;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("a closing brace");
            let name = rest[open + 1..close].trim_start_matches('*');
            let fixture = route.ids.iter().find(|(n, _)| *n == name).map_or_else(|| default_fixture(name), |(_, f)| *f);
            path.push_str(&rest[..open]);
            path.push_str(&self.value(fixture, who));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        path
    }
}

struct World {
    /// A client per caller, in [`CALLERS`] order.
    clients: Vec<Api>,
    /// Name and password of the staff callers, to open a session of their own.
    logins: Vec<Option<(&'static str, String)>>,
    fx: Fixtures,
}

impl World {
    fn client(&self, who: Who) -> &Api {
        &self.clients[CALLERS.iter().position(|w| *w == who).unwrap()]
    }
}

/// Partner A's webhook URL (nothing listens there): where a partner's systems are is for admins
/// and the partner itself to see, so no other caller's answer may contain it.
const PARTNER_A_WEBHOOK: &str = "http://127.0.0.1:9/partner-a-webhook";

/// Users of each role, partners A (taking webhooks) and B, case X (reported through the public API, so its
/// tracking token is known) referred to A only, case Z, two advisories and a match suggestion.
async fn world(server: &TestServer) -> World {
    let admin = server.admin().await;
    let (operator, _) = server.user("omar", "operator").await;
    let (supervisor, _) = server.user("samira", "supervisor").await;
    server.user(STAFF_FIXTURE, "operator").await;
    let crisis = json!({"slug": CRISIS_FIXTURE, "name": {"ar": "أزمة", "en": "A crisis"}, "countries": ["LY"]});
    assert_eq!(admin.post("/api/v1/crises", crisis).await.status, 201);

    let partner_a =
        admin.register_partner(json!({"name": "Partner A", "kind": "ngo", "webhook_url": PARTNER_A_WEBHOOK})).await;
    let partner_b = admin.register_partner(json!({"name": "Partner B", "kind": "ngo"})).await;
    let (token_a, _) = admin.partner_token(&partner_a).await;
    let (token_b, _) = admin.partner_token(&partner_b).await;

    let reported = server.api().post_report(&sample_report(1), None).await.unwrap();
    assert_eq!(reported.status, 201, "{}", reported.body);
    let case_x = reported.body["case_id"].as_str().unwrap().to_owned();
    let tracking_token = reported.body["tracking_token"].as_str().unwrap().to_owned();
    let referral_a = operator.refer(&case_x, &partner_a, "shelter").await;
    let detail = operator.case(&case_x).await.unwrap();
    let person_x = detail.body["persons"][0]["person_id"].as_str().unwrap().to_owned();
    let case_z = server.api().report(2).await;

    let advisory = |tag: &str| {
        json!({
            "headline": {"ar": format!("تنبيه {tag}"), "en": format!("Advisory {tag}")},
            "body": {"ar": format!("نص التنبيه {tag}"), "en": format!("Text of advisory {tag}")},
            "severity": "severe",
        })
    };
    let mut advisories = Vec::new();
    for tag in ["kept", "withdrawn"] {
        let published = admin.post_json("/api/v1/advisories", &advisory(tag)).await.unwrap();
        assert_eq!(published.status, 201, "{}", published.body);
        advisories.push(published.body["advisory_id"].as_str().unwrap().to_owned());
    }

    // The same woman reported twice: the matcher suggests the pair shortly after intake.
    let amna = |name: &str, phone: &str| {
        let person = json!({"name": name, "age": 30, "phone": phone});
        json!({"people": [person], "location": {"lat": 15.55, "lon": 32.53}})
    };
    server.api().reported(&amna("Amna Hassan Ali Elsayed", "+201001112223")).await;
    let second = server.api().reported(&amna("Amna Hassan", "+20 100 111 2223")).await.case_id;
    let suggestion = first_suggestion(&admin, &second).await;

    let (place, zone, movement) = evacuation(&admin, &partner_a).await;

    let clients = vec![
        server.api(),
        server.api(),
        operator,
        supervisor,
        admin,
        server.api().as_partner(&token_a),
        server.api().as_partner(&token_b),
    ];
    let logins = vec![
        None,
        None,
        Some(("omar", "omar password 2023".to_owned())),
        Some(("samira", "samira password 2023".to_owned())),
        Some(("admin", ADMIN_PASSWORD.to_owned())),
        None,
        None,
    ];
    let [advisory, advisory_to_withdraw] = <[String; 2]>::try_from(advisories).unwrap();
    let fx = Fixtures {
        case_x,
        case_z,
        advisory,
        advisory_to_withdraw,
        suggestion,
        person_x,
        partner_a,
        partner_b,
        referral_a,
        tracking_token,
        place,
        zone,
        movement,
    };
    World { clients, logins, fx }
}

/// An assembly point, a safe corridor, and a bus from the point to a crossing shared with
/// `partner`: (place, zone, movement).
async fn evacuation(admin: &Api, partner: &str) -> (String, String, String) {
    let created = |reply: Reply, id: &str| {
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body[id].as_str().unwrap().to_owned()
    };
    let place =
        |kind: &str, lat: f64| json!({"kind": kind, "name": {"ar": "نقطة", "en": "Point"}, "lat": lat, "lon": 32.5});
    let point = created(admin.post_json("/api/v1/places", &place("assembly_point", 15.6)).await.unwrap(), "place_id");
    let crossing =
        created(admin.post_json("/api/v1/places", &place("border_crossing", 21.9)).await.unwrap(), "place_id");
    let corridor = json!({"kind": "safe_corridor", "name": {"ar": "ممر", "en": "Corridor"}, "area": {"type": "Polygon",
        "coordinates": [[[33.0, 17.0], [33.1, 17.0], [33.1, 17.1], [33.0, 17.1], [33.0, 17.0]]]}});
    let zone = created(admin.post_json("/api/v1/zones", &corridor).await.unwrap(), "zone_id");
    let bus = json!({"mode": "bus", "label": "Bus", "origin_place_id": point, "destination_place_id": crossing,
                     "departure_at": "2023-04-24T06:00:00Z", "seats": 40, "shared_with": [partner]});
    let movement = created(admin.post_json("/api/v1/movements", &bus).await.unwrap(), "movement_id");
    (point, zone, movement)
}

async fn first_suggestion(staff: &Api, case_id: &str) -> String {
    eventually(&format!("the matcher to suggest something for case {case_id}"), async || {
        let reply = staff.get(&format!("/api/v1/cases/{case_id}/matches")).await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body[0]["suggestion_id"].as_str().map(str::to_owned)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Completeness: the routes of the router against the table

/// `(METHOD, path)` of every operation in the OpenAPI document.
fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("the OpenAPI document has paths");
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    paths
        .iter()
        .flat_map(|(path, item)| {
            methods.iter().filter(|m| item.get(**m).is_some()).map(|m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// `(METHOD, path)` of every plain `.route("…", get(…).post(…))` call in the server's source:
/// the routes the OpenAPI document does not list.
fn source_routes() -> (BTreeSet<(String, String)>, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/app/src");
    let files = opsroom_tests::rust_files(&root);
    assert!(!files.is_empty(), "no Rust source under {}", root.display());
    let mut routes = BTreeSet::new();
    let mut unclassifiable = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
        for call in [".nest(", ".nest_service(", ".route_service(", ".fallback_service("] {
            if source.contains(call) {
                unclassifiable.push(format!("{name} registers routes with `{call}…)`, which this test cannot read"));
            }
        }
        for (at, _) in source.match_indices(".route(") {
            let rest = source[at + ".route(".len()..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else {
                unclassifiable.push(format!("{name}: a `.route(` whose path is not a string literal"));
                continue;
            };
            let path = &literal[..literal.find('"').unwrap()];
            // The handler expression: up to the parenthesis that closes `.route(`.
            let handler = &literal[path.len() + 1..];
            let mut depth = 1;
            let end = handler
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(handler.len(), |(i, _)| i);
            let handler = &handler[..end];
            let mut found = false;
            for method in ["get", "post", "put", "delete", "patch"] {
                let needle = format!("{method}(");
                let called = handler
                    .match_indices(&needle)
                    .any(|(i, _)| handler[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_')));
                if called {
                    routes.insert((method.to_uppercase(), path.to_owned()));
                    found = true;
                }
            }
            if !found {
                unclassifiable.push(format!("{name}: `.route(\"{path}\", …)` with no method this test recognises"));
            }
        }
    }
    (routes, unclassifiable)
}

fn documented_message_types(document: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(values) = map.get("properties").and_then(|p| p["type"]["enum"].as_array()) {
                    found.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                map.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let schema = &document["components"]["schemas"]["LiveRequest"];
    assert!(schema.is_object(), "the OpenAPI document no longer describes LiveRequest; update this test");
    let mut found = BTreeSet::new();
    walk(schema, &mut found);
    found
}

/// Lines naming what is in `a` but not in `b`.
fn difference(a: &BTreeSet<(String, String)>, b: &BTreeSet<(String, String)>) -> Vec<String> {
    a.difference(b).map(|(method, path)| format!("  {method:<6} {path}")).collect()
}

#[tokio::test]
async fn every_route_of_the_router_is_classified() {
    let server = TestServer::start().await;
    let document = server.api().get("/api/v1/openapi.json").await.unwrap();
    assert_eq!(document.status, 200);

    let table = |documented: bool| -> BTreeSet<(String, String)> {
        ROUTES.iter().filter(|r| r.documented == documented).map(|r| (r.method.to_owned(), r.path.to_owned())).collect()
    };
    let mut problems = Vec::new();
    let mut note = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            problems.push(format!("{title}:\n{}", lines.join("\n")));
        }
    };

    let in_document = documented_routes(&document.body);
    note(
        "in the OpenAPI document but not classified in ROUTES (add a row: who may call it, with which answer)",
        difference(&in_document, &table(true)),
    );
    note(
        "classified as documented in ROUTES but no longer in the OpenAPI document",
        difference(&table(true), &in_document),
    );

    let (in_source, unclassifiable) = source_routes();
    note(
        "registered with `.route(…)` in server/app/src but not classified in ROUTES (add a `page(…)` row)",
        difference(&in_source, &table(false)),
    );
    note(
        "classified as a `page(…)` row in ROUTES but no longer registered with `.route(…)`",
        difference(&table(false), &in_source),
    );
    note("routes this test cannot enumerate", unclassifiable);

    let messages = documented_message_types(&document.body);
    let classified: BTreeSet<String> = WEBSOCKET_MESSAGE_TYPES.iter().map(|t| t.to_string()).collect();
    note(
        "websocket message types in the OpenAPI document (LiveRequest) but not in WEBSOCKET_MESSAGE_TYPES",
        messages.difference(&classified).map(|t| format!("  {t}")).collect(),
    );
    note(
        "websocket message types in WEBSOCKET_MESSAGE_TYPES but not in the OpenAPI document",
        classified.difference(&messages).map(|t| format!("  {t}")).collect(),
    );

    let rows: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
    let unique: BTreeSet<&(&str, &str)> = rows.iter().collect();
    if unique.len() != rows.len() {
        problems.push("a route is classified twice in ROUTES".to_owned());
    }
    println!(
        "authz: {} routes in the OpenAPI document, {} registered with .route, {} rows in the matrix, websocket message types {:?}",
        in_document.len(),
        in_source.len(),
        ROUTES.len(),
        messages
    );
    assert!(
        problems.is_empty(),
        "the authorization matrix is out of date with the router:\n\n{}",
        problems.join("\n\n")
    );
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// The matrix

/// The table's own rules, checked before anything is sent.
fn check_table() {
    for route in ROUTES {
        for (who, expect) in CALLERS.iter().zip(route.expect) {
            assert!(
                !(who.is_partner() && expect == Is(403)),
                "{} {}: a partner is never told 403 (not yours is 404, like nothing there)",
                route.method,
                route.path
            );
            let Is(code) = expect;
            assert!(code < 500, "{} {}: a 5xx is never an expected answer", route.method, route.path);
        }
    }
}

async fn send(client: &Api, plain: &reqwest::Client, method: &str, path: &str, body: Body) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let request = plain.request(method, client.url(path));
    let request = match body {
        Body::Empty => request,
        Body::Json(text) => request.header("content-type", "application/json").body(text),
        Body::Form(text) => request.header("content-type", "application/x-www-form-urlencoded").body(text),
        Body::Xml(text) => request.header("content-type", "application/xml").body(text),
    };
    client.send(request).await.unwrap()
}

/// Whether `status` is what `expect` allows.
fn allowed(expect: Expect, status: u16) -> bool {
    let Is(code) = expect;
    status == code
}

async fn every_route_answers_each_caller_as_classified(server: TestServer) {
    check_table();
    let world = world(&server).await;
    // Redirects are answers too: see them rather than follow them.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let mut failures = Vec::new();
    let mut lines = vec![format!(
        "{:<7}{:<62}{}",
        "",
        "",
        CALLERS.iter().map(|w| format!("{:>11}", w.label())).collect::<String>()
    )];
    for route in ROUTES {
        let mut cells = String::new();
        for (index, who) in CALLERS.iter().enumerate() {
            let path = world.fx.path(route, *who);
            let mut client = world.clients[index].clone();
            if let (true, Some((name, password))) = (route.own_session, &world.logins[index]) {
                let signed_in = client.sign_in(name, password).await.unwrap();
                assert_eq!(signed_in.status, 201, "{name} signs in again");
            }
            let reply = send(&client, &plain, route.method, &path, route.body).await;
            let expect = route.expect[index];
            let mut wrong = Vec::new();
            if !allowed(expect, reply.status) {
                wrong.push(format!("expected {expect:?}"));
            }
            // Whatever the table says: no 5xx, never a 403 for a partner, no webhook URL but to admins.
            if reply.status >= 500 {
                wrong.push("a server error".to_owned());
            }
            if who.is_partner() && reply.status == 403 {
                wrong.push("a partner was told 403".to_owned());
            }
            if !matches!(who, Who::Admin | Who::PartnerA) && reply.body.to_string().contains(PARTNER_A_WEBHOOK) {
                wrong.push("partner A's webhook URL was shown".to_owned());
            }
            let mark = if wrong.is_empty() { " " } else { "!" };
            cells.push_str(&format!("{:>10}{mark}", reply.status));
            if !wrong.is_empty() {
                let body = reply.body.to_string();
                let body: String = body.chars().take(300).collect();
                failures.push(format!(
                    "{} {} as {}: got {} ({}); request {} {path}; body {body}",
                    route.method,
                    route.path,
                    who.label(),
                    reply.status,
                    wrong.join(", "),
                    route.method
                ));
            }
        }
        lines.push(format!("{:<7}{:<62}{cells}", route.method, route.path));
    }
    println!(
        "authz matrix ({} routes × {} callers; ! marks a wrong answer):\n{}",
        ROUTES.len(),
        CALLERS.len(),
        lines.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} cell(s) of the authorization matrix are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Websockets: who may open them, and their message types

/// Open `path` as `client`: the stream, or the status the handshake was refused with.
async fn open(client: &Api, path: &str, origin: Option<&str>) -> Result<LiveClient, u16> {
    match client.websocket(path, origin).await {
        Ok(live) => Ok(live),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("opening {path}: {other}"),
    }
}

async fn send_text(live: &mut LiveClient, text: &str) {
    live.socket.send(Message::text(text.to_owned())).await.unwrap();
}

async fn next(live: &mut LiveClient, what: &str) -> Value {
    live.next_json().await.unwrap().unwrap_or_else(|| panic!("{what}: the stream closed"))
}

/// Read until a message about `case_id` arrives; returns every message read, that one last.
async fn until_case(live: &mut LiveClient, case_id: &str, what: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let message = next(live, what).await;
        let done = message["case_id"].as_str() == Some(case_id);
        seen.push(message);
        if done {
            return seen;
        }
    }
}

async fn websockets_admit_only_their_callers_and_partner_b_never_sees_case_x(server: TestServer) {
    let world = world(&server).await;
    let fx = &world.fx;
    const STAFF_LIVE: &str = "/api/v1/live";
    const PARTNER_LIVE: &str = "/api/v1/partner/live";
    // Who may open which stream (`None`: opens); everyone else is refused at the handshake.
    let handshakes: [(&str, [Option<u16>; 7]); 2] = [
        (STAFF_LIVE, [Some(401), Some(401), None, None, None, Some(401), Some(401)]),
        (PARTNER_LIVE, [Some(401), Some(401), Some(401), Some(401), Some(401), None, None]),
    ];

    let mut streams: Vec<(Who, &str, LiveClient)> = Vec::new();
    for (path, expected) in handshakes {
        for (index, who) in CALLERS.iter().enumerate() {
            let label = format!("{} on {path}", who.label());
            match (open(&world.clients[index], path, None).await, expected[index]) {
                (Err(status), Some(refused)) => assert_eq!(status, refused, "{label}: refused with the wrong status"),
                (Ok(_), Some(refused)) => panic!("{label}: the stream opened; expected a {refused} at the handshake"),
                (Err(status), None) => panic!("{label}: refused with {status}"),
                (Ok(mut live), None) => {
                    // An unknown message type is answered with an error notice; the stream lives on.
                    send_text(&mut live, r#"{"type":"unsubscribe"}"#).await;
                    let error = next(&mut live, &label).await;
                    assert_eq!(
                        (error["type"].as_str(), error["error"]["code"].as_str()),
                        (Some("error"), Some("invalid_message")),
                        "{label}: {error}"
                    );
                    // `subscribe`, the one message type, starts the stream.
                    live.subscribe(None).await.unwrap();
                    let snapshot = next(&mut live, &label).await;
                    assert_eq!(snapshot["type"], "snapshot", "{label}: {snapshot}");
                    // Anything after it is an error notice too, not the end of the stream.
                    send_text(&mut live, r#"{"type":"subscribe","since":null}"#).await;
                    let again = next(&mut live, &label).await;
                    assert_eq!(again["error"]["code"], "already_subscribed", "{label}: {again}");
                    send_text(&mut live, "not json").await;
                    assert_eq!(next(&mut live, &label).await["type"], "error", "{label}");
                    streams.push((*who, path, live));
                }
            }
        }
    }
    // A foreign page cannot ride a caller's credentials into either stream.
    let evil = Some("http://evil.example");
    assert_eq!(open(world.client(Who::Operator), STAFF_LIVE, evil).await.err(), Some(403));
    assert_eq!(open(world.client(Who::PartnerA), PARTNER_LIVE, evil).await.err(), Some(403));

    // Partner B replays its whole feed from the start, and follows it live.
    let mut b_replay = open(world.client(Who::PartnerB), PARTNER_LIVE, None).await.unwrap();
    b_replay.subscribe(Some(0)).await.unwrap();

    // Something happens on case X (A accepts it), then case Y is reported and referred to B.
    let path = format!("/api/v1/partner/referrals/{}/acceptance", fx.referral_a);
    let accepted = world.client(Who::PartnerA).post_json(&path, &json!({})).await.unwrap();
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let case_y = server.api().report(3).await;
    world.client(Who::Operator).refer(&case_y, &fx.partner_b, "food_water").await;

    for (who, path, live) in &mut streams {
        let label = format!("{} on {path}", who.label());
        match who {
            // Staff see everything: case Y's report arrives.
            Who::Operator | Who::Supervisor | Who::Admin => {
                until_case(live, &case_y, &label).await;
            }
            // A sees its case X move (the control that X's items do reach a stream).
            Who::PartnerA => {
                let seen = until_case(live, &fx.case_x, &label).await;
                assert_eq!(seen.last().unwrap()["referral"]["status"], "accepted", "{label}: {seen:?}");
            }
            Who::PartnerB => {
                let seen = until_case(live, &case_y, &label).await;
                assert_no_case_x(&seen, &fx.case_x, &label);
            }
            other => panic!("{other:?} has no stream"),
        }
    }
    let seen = until_case(&mut b_replay, &case_y, "partner B replaying from 0").await;
    assert_no_case_x(&seen, &fx.case_x, "partner B replaying from 0");
    println!(
        "authz websockets: {} opened {STAFF_LIVE}, {} opened {PARTNER_LIVE}; everyone else refused at the handshake; \
         partner B's feed replayed from 0 ({} items) carried nothing about case X",
        streams.iter().filter(|(_, p, _)| *p == STAFF_LIVE).map(|(w, _, _)| w.label()).collect::<Vec<_>>().join(", "),
        streams.iter().filter(|(_, p, _)| *p == PARTNER_LIVE).map(|(w, _, _)| w.label()).collect::<Vec<_>>().join(", "),
        seen.len()
    );
    server.stop().await.unwrap();
}

fn assert_no_case_x(seen: &[Value], case_x: &str, label: &str) {
    for message in seen {
        assert!(!message.to_string().contains(case_x), "{label}: partner B's stream carried case X: {message}");
    }
}

opsroom_tests::on_both_backends!(
    every_route_answers_each_caller_as_classified,
    websockets_admit_only_their_callers_and_partner_b_never_sees_case_x,
);
