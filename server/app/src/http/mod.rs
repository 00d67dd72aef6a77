//! The HTTP API: one route table, one file per resource.
//!
//! Owns routing, the body limit, response headers common to every answer and the OpenAPI
//! description (built from the same route table, so it cannot drift from it).

pub mod advisories;
pub mod calls;
pub mod cases;
pub mod citizen;
pub mod citizen_form;
pub mod citizen_text;
pub mod crises;
pub mod doc;
pub mod error;
pub mod evacuation;
pub mod extract;
pub mod guard;
pub mod handovers;
pub mod health;
pub mod live;
pub mod map;
pub mod matches;
pub mod pages;
pub mod partner_api;
pub mod partners;
pub mod pfif;
pub mod rate_limit;
pub mod referrals;
pub mod reports;
pub mod session;
pub mod sitrep;
pub mod tracking;
pub mod users;
pub mod workflow;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use axum::{Router, middleware};
use error::ApiError;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Opsroom API",
        description = "Crisis operations room: distress reports, cases and their live stream. \
                       Errors are JSON {\"error\":{\"code\",\"message\",\"field\"}} with a 4xx status."
    ),
    components(schemas(crate::wire::ErrorBody, crate::wire::LiveRequest, crate::wire::LiveNotice, crate::wire::EventBody)),
    tags(
        (name = "intake", description = "Public report intake (no login)"),
        (name = "session", description = "Operator sign-in"),
        (name = "users", description = "Staff accounts (admins): disable, enable, roles, passwords, sessions"),
        (name = "cases", description = "Cases (operators)"),
        (name = "workflow", description = "Operators' changes to a case; each is an event on the live stream"),
        (name = "calls", description = "The hotline's call log: calls on a case, a number's earlier calls"),
        (name = "live", description = "Live event stream (operators)"),
        (name = "tracking", description = "Citizens' tracking links (the token is the key; rate-limited)"),
        (name = "matching", description = "Possible duplicates and relatives, and operators' decisions on them"),
        (name = "crises", description = "Crises the room answers: supervisors declare them and move their phase; everyone lists the open ones"),
        (name = "advisories", description = "Official advisories: supervisors publish, everyone reads (JSON, CAP 1.2)"),
        (name = "partners", description = "The partner registry (admins; operators list partners to refer cases)"),
        (name = "referrals", description = "Cases referred to partner agencies (operators)"),
        (name = "partner", description = "What a partner agency calls with its bearer token: only cases referred to it, cut to its data profile"),
        (name = "evacuation", description = "Evacuation logistics: places, danger zones and corridors, movements, seat allocation, manifests, the day's figures"),
        (name = "handovers", description = "Shift handover notes: what is open, what was promised, by whom (all staff)"),
        (name = "sitrep", description = "The situation report of a time window, JSON and CSV (supervisors and admins)"),
        (name = "health", description = "Liveness and readiness for load balancers"),
    )
)]
struct ApiDoc;

/// The route table and its OpenAPI description. Public routes (no login, or sign-in itself) are
/// rate-limited per client address.
pub fn routes(app: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let limit = middleware::from_fn_with_state(app.clone(), rate_limit::limit);
    let (router, mut openapi) = table(|public| public.route_layer(limit)).split_for_parts();
    doc::declare_guards(&mut openapi);
    (router, openapi)
}

/// The OpenAPI document alone, as `/api/v1/openapi.json` serves it (no server needed).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut openapi = table(|public| public).split_for_parts().1;
    doc::declare_guards(&mut openapi);
    openapi
}

/// Every API route, with `limit_public` applied to the public ones. One table serves the router
/// and the document, so the two cannot drift.
fn table(limit_public: impl FnOnce(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let mut public = OpenApiRouter::new()
        .routes(routes!(reports::post_report))
        .routes(routes!(session::post_session, session::get_session, session::delete_session))
        .routes(routes!(advisories::list_advisories, advisories::post_advisory))
        .routes(routes!(advisories::get_cap))
        .routes(routes!(crises::list_crises, crises::post_crisis))
        .routes(routes!(tracking::get_tracking))
        .routes(routes!(tracking::post_update))
        .routes(routes!(partner_api::post_session, partner_api::delete_session));
    doc::declare_rate_limit(public.get_openapi_mut());
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(limit_public(public))
        // The public pages take the same limit through `rate_limit::Admission`, so that a refusal
        // comes in the page's language with what was typed kept.
        .route("/", get(citizen::get_form).post(citizen::post_form))
        .route("/track/{token}", get(citizen::get_tracking_page).post(citizen::post_tracking_page))
        .routes(routes!(advisories::put_advisory))
        .routes(routes!(advisories::post_withdrawal))
        .routes(routes!(advisories::get_history))
        .routes(routes!(crises::list_all_crises))
        .routes(routes!(crises::get_crisis, crises::put_crisis))
        .routes(routes!(crises::post_phase))
        .routes(routes!(crises::put_case_crisis))
        .routes(routes!(tracking::post_tracking_link, tracking::delete_tracking_link))
        .routes(routes!(matches::get_matches))
        .routes(routes!(matches::get_open_counts))
        .routes(routes!(matches::post_decision))
        .routes(routes!(matches::post_undo))
        .routes(routes!(matches::get_family))
        .routes(routes!(matches::post_tracing))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(pfif::get_export, pfif::post_import))
                .layer(DefaultBodyLimit::max(pfif::MAX_IMPORT_BYTES)),
        )
        .routes(routes!(partners::list_partners, partners::post_partner))
        .routes(routes!(partners::get_partner, partners::put_partner))
        .routes(routes!(partners::list_tokens, partners::post_token))
        .routes(routes!(partners::delete_token))
        .routes(routes!(partners::list_dead_letters))
        .routes(routes!(partners::post_replay))
        .routes(routes!(referrals::list_referrals, referrals::post_referral))
        .routes(routes!(referrals::post_withdrawal))
        .routes(routes!(partner_api::get_me))
        .routes(routes!(partner_api::get_cases))
        .routes(routes!(partner_api::get_geojson))
        .routes(routes!(partner_api::get_csv))
        .routes(routes!(partner_api::get_case))
        .routes(routes!(partner_api::get_movements))
        .routes(routes!(partner_api::get_movement))
        .routes(routes!(partner_api::post_acceptance))
        .routes(routes!(partner_api::post_decline))
        .routes(routes!(partner_api::post_progress))
        .routes(routes!(partner_api::get_live))
        .routes(routes!(evacuation::list_places, evacuation::post_place))
        .routes(routes!(evacuation::put_place))
        .routes(routes!(evacuation::list_zones, evacuation::post_zone))
        .routes(routes!(evacuation::put_zone))
        .routes(routes!(evacuation::post_lifting))
        .routes(routes!(evacuation::list_movements, evacuation::post_movement))
        .routes(routes!(evacuation::get_movement))
        .routes(routes!(evacuation::post_movement_status))
        .routes(routes!(evacuation::post_suggestion))
        .routes(routes!(evacuation::post_passengers))
        .routes(routes!(evacuation::post_passenger_status))
        .routes(routes!(evacuation::get_manifest_csv))
        .routes(routes!(evacuation::get_summary))
        .routes(routes!(cases::list_cases, reports::post_case))
        .routes(routes!(cases::case_counts))
        .routes(routes!(cases::export_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(workflow::post_status))
        .routes(routes!(workflow::post_assignment))
        .routes(routes!(workflow::post_note))
        .routes(routes!(workflow::post_contact))
        .routes(routes!(workflow::post_priority))
        .routes(routes!(calls::post_call))
        .routes(routes!(calls::list_calls))
        .routes(routes!(users::list_users, users::post_user))
        .routes(routes!(users::put_user))
        .routes(routes!(users::post_password))
        .routes(routes!(users::list_sessions, users::delete_sessions))
        .routes(routes!(handovers::list_handovers, handovers::post_handover))
        .routes(routes!(sitrep::get_sitrep))
        .routes(routes!(sitrep::get_sitrep_csv))
        .routes(routes!(map::get_map))
        .routes(routes!(map::get_map_config))
        .routes(routes!(map::get_kpis))
        .routes(routes!(live::get_live))
        .routes(routes!(health::get_healthz))
        .routes(routes!(health::get_readyz))
}

pub fn router(app: AppState) -> Router {
    let (api, openapi) = routes(&app);
    let openapi_json = serde_json::to_string(&openapi).expect("the OpenAPI document serializes");
    let max_body = app.config.max_report_bytes;
    api.route(
        "/api/v1/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi_json) }),
    )
    .route("/ops", get(pages::ops_redirect))
    .route("/ops/", get(pages::ops_index))
    .route("/ops/movements/{movement_id}/manifest", get(evacuation::get_manifest_page))
    .route("/ops/{*file}", get(pages::ops_asset))
    .route("/partner", get(pages::partner_redirect))
    .route("/partner/", get(pages::partner_index))
    .route("/partner/{*file}", get(pages::partner_asset))
    .route("/static/{*file}", get(pages::public_asset))
    .route("/sw.js", get(pages::service_worker))
    .route("/offline", get(citizen::offline_page))
    .route("/phone-countries", get(citizen::get_phone_countries))
    .fallback(|| async { ApiError::NotFound })
    .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
    .layer(DefaultBodyLimit::max(max_body))
    // Pages and API answers: no-store; hashed static assets set their own (`pages`).
    .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
    .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
    .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
    .layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    ))
    .layer(middleware::from_fn_with_state(app.clone(), guard::guard))
    .layer(CompressionLayer::new())
    .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
        tracing::debug_span!("request", method = %request.method(), path = %loggable_path(request.uri().path()))
    }))
    .with_state(app)
}

/// A CSV download: `csv` (UTF-8, starting with its byte order mark) as the attachment `filename`.
pub(crate) fn csv_attachment(filename: &str, csv: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{filename}\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], csv)
        .into_response()
}

/// A request path fit for logs: a tracking token (a secret) is replaced by `…`.
fn loggable_path(path: &str) -> String {
    match path.split_once("/track/") {
        Some((head, rest)) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{head}/track/…{tail}")
        }
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tracking_tokens_stay_out_of_logs() {
        assert_eq!(super::loggable_path("/track/SECRET"), "/track/…");
        assert_eq!(super::loggable_path("/api/v1/track/SECRET/updates"), "/api/v1/track/…/updates");
        assert_eq!(super::loggable_path("/api/v1/cases"), "/api/v1/cases");
    }
}
