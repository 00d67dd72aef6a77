//! Possible duplicates and relatives: what the matcher suggested about a case, and operators'
//! decisions on them (same person, relatives, not related), each undoable and each an event;
//! the family view those decisions build, and each person's tracing status.
//!
//! Owns the suggestion endpoints; the matcher (`crate::matcher`) makes the suggestions. Nothing
//! here merges or drops anything by itself: "same person" links two persons, every report kept.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use opsroom_domain::wire_name;
use opsroom_store::{DecideMatch, DecideOutcome, SetTracing, SuggestionRow};
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{DecisionRequest, ErrorBody, FamilyBody, FamilyMemberBody, MatchBody, TracingRequest};

/// Suggestions about a case: persons of other cases who may be the same as one of its persons,
/// or relatives; best first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}/matches",
    tag = "matching",
    params(("case_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = [MatchBody]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_matches(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<Json<Vec<MatchBody>>, ApiError> {
    app.store.case_detail(case_id).await?.ok_or(ApiError::NotFound)?;
    let rows = app.store.matches_for_case(case_id).await?;
    let mut others: HashMap<Uuid, Option<opsroom_store::CaseDetail>> = HashMap::new();
    let mut bodies = Vec::with_capacity(rows.len());
    for row in &rows {
        // Seen from this case: the other side is the one that is not here.
        let here_is_first = row.case_id == case_id;
        let (other_case, other_person, of_person) = if here_is_first {
            (row.other_case_id, row.other_person_id, row.person_id)
        } else {
            (row.case_id, row.person_id, row.other_person_id)
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = others.entry(other_case) {
            slot.insert(app.store.case_detail(other_case).await?);
        }
        let detail = others.get(&other_case).and_then(Option::as_ref);
        bodies.push(body(row, other_case, other_person, of_person, detail));
    }
    Ok(Json(bodies))
}

fn body(
    row: &SuggestionRow,
    case_id: Uuid,
    person_id: Uuid,
    of_person_id: Uuid,
    other: Option<&opsroom_store::CaseDetail>,
) -> MatchBody {
    MatchBody {
        suggestion_id: row.suggestion_id,
        case_id,
        person_id,
        reference: other.map(|d| d.summary.reference.clone()),
        name: other.and_then(|d| d.persons.iter().find(|p| p.person_id == person_id)).and_then(|p| p.name.clone()),
        of_person_id,
        kind: row.kind,
        score: row.score,
        reasons: row.reasons.iter().map(Into::into).collect(),
        status: row.decision.map_or_else(|| "open".to_owned(), wire_name),
        relation: row.relation,
    }
}

async fn decide(app: &AppState, command: DecideMatch) -> Result<Json<serde_json::Value>, ApiError> {
    match app.store.decide_match(command).await? {
        DecideOutcome::Applied { seq } => Ok(Json(serde_json::json!({ "seq": seq }))),
        DecideOutcome::NotFound => Err(ApiError::NotFound),
        DecideOutcome::Refused(r) => Err(r.into()),
    }
}

/// How many open suggestions each case has (cases without any are left out), for the board.
#[utoipa::path(
    get,
    path = "/api/v1/matches/open",
    tag = "matching",
    security(("session" = [])),
    responses((status = 200, body = HashMap<Uuid, u32>), (status = 401, body = ErrorBody))
)]
pub async fn get_open_counts(
    State(app): State<AppState>,
    _operator: Operator,
) -> Result<Json<HashMap<Uuid, u32>>, ApiError> {
    Ok(Json(app.store.open_match_counts().await?.into_iter().collect()))
}

/// Decide a suggestion: the same person (linked, every report kept), relatives (with the
/// relation), or not related (never suggested again). An event on the live stream.
#[utoipa::path(
    post,
    path = "/api/v1/matches/{suggestion_id}/decision",
    tag = "matching",
    params(("suggestion_id" = Uuid, Path)),
    request_body = DecisionRequest,
    security(("session" = [])),
    responses(
        (status = 200, description = "Recorded at the log position `seq`"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already decided (undo first), or `related` without a relation", body = ErrorBody),
    )
)]
pub async fn post_decision(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(suggestion_id): UuidPath,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let command = DecideMatch {
        suggestion_id,
        decision: Some(request.decision),
        relation: request.relation,
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    decide(&app, command).await
}

/// Undo the decision on a suggestion (the persons are unlinked; the suggestion is open again).
#[utoipa::path(
    post,
    path = "/api/v1/matches/{suggestion_id}/undo",
    tag = "matching",
    params(("suggestion_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200), (status = 404, body = ErrorBody), (status = 409, description = "Nothing to undo", body = ErrorBody))
)]
pub async fn post_undo(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(suggestion_id): UuidPath,
) -> Result<Json<serde_json::Value>, ApiError> {
    let command =
        DecideMatch { suggestion_id, decision: None, relation: None, by: operator.user.user_id, at: app.now_ms() };
    decide(&app, command).await
}

/// The family view of a case: its persons, the same persons in other cases and their relatives
/// (through operators' confirmed decisions), each with their cases and tracing status.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}/family",
    tag = "matching",
    params(("case_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = FamilyBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_family(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<Json<FamilyBody>, ApiError> {
    let members = app.store.family(case_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(FamilyBody { members: members.iter().map(FamilyMemberBody::from).collect() }))
}

/// Set where the search for a person stands: missing, located, in_contact, safe, evacuated,
/// reunited. An event on the live stream.
#[utoipa::path(
    post,
    path = "/api/v1/persons/{person_id}/tracing-status",
    tag = "matching",
    params(("person_id" = Uuid, Path)),
    request_body = TracingRequest,
    security(("session" = [])),
    responses(
        (status = 200),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Unknown status, or the person already has it", body = ErrorBody),
    )
)]
pub async fn post_tracing(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(person_id): UuidPath,
    ApiJson(request): ApiJson<TracingRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let set = SetTracing { person_id, to: request.status, by: operator.user.user_id, at: app.now_ms() };
    match app.store.set_tracing(set).await? {
        Some(Ok(())) => Ok(Json(serde_json::json!({ "tracing_status": request.status }))),
        Some(Err(rejected)) => Err(rejected.into()),
        None => Err(ApiError::NotFound),
    }
}
