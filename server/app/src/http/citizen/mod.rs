//! The public pages: the report form (`/`) and the tracking page (`/track/{token}`), rendered on
//! the server so they work without JavaScript on any phone. `web/public/src/form.js` adds the
//! conveniences (location, place picker, more people, drafts, the offline queue) on top.
//!
//! Owns the pages' HTML and the form round trip. The form's first screen asks only what a
//! panicked person knows (who, a phone, where, the most urgent need) and holds Send; everything
//! else is "add more detail", after it. A form post goes through the same validation and intake
//! as the JSON API (`citizen_form` converts it), and a refused one comes back with everything
//! typed still in place, every refusal next to its field, a summary linking to each and the
//! first focused (`autofocus`, so without JavaScript too), in the page's language. A post asking
//! for JSON (`Accept: application/json`, what form.js sends) gets the API's answer with
//! localized messages and the form's field names. Every page says who runs it and how else to
//! reach them (`config::PublicContact`), and shows times in the room's time zone.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use opsroom_domain::country::CountryCode;
use opsroom_domain::report::{Channel, Language, NewReport};

use crate::http::advisories::current_advisories;
use crate::http::citizen_form::{FormFields, HONEYPOT, KEY_FIELD};
use crate::http::citizen_text::words;
use crate::http::error::ApiError;
use crate::http::extract::{JsonBody, unreadable_body};
use crate::http::rate_limit::Admission;
use crate::http::reports::{PUBLIC_SCOPE, Placement, checked_key, idempotency_key, intake};
use crate::http::tracking::{TokenPath, send_update, tracked_case, tracking_view};
use crate::http::{citizen_form, citizen_text as text};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{
    AdvisoryBody, ErrorBody, FieldProblem, Problem, PublicCrisisBody, ReportAccepted, ReportRequest,
    TrackingUpdateRequest,
};

mod country_names;
mod form;
mod page;
mod phone_picker;
mod tracking;

use form::{confirmation_page, form_page};
use page::{Refusal, contact_lines, html_response, layout, wants_json};
use tracking::tracking_page;

/// The pages' query (`?lang=en`, `&sent=1`), read leniently: a page never refuses a link over
/// a repeated or unknown parameter.
#[derive(Debug, Default)]
pub struct PageQuery {
    lang: Option<String>,
    /// Set after an update was sent (the page after the redirect says so).
    sent: bool,
}

impl PageQuery {
    pub(crate) fn from_raw(raw: Option<String>) -> Self {
        let pairs: Vec<(String, String)> =
            raw.and_then(|raw| serde_urlencoded::from_str(&raw).ok()).unwrap_or_default();
        let first = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        Self { lang: first("lang"), sent: first("sent").is_some() }
    }
}

/// `GET /`: the report form.
pub async fn get_form(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    let language = text::language_from(query.lang.as_deref());
    if let Err(limited) = admitted {
        // Still the form, so the person can fill it in and send it a minute later.
        return Ok(refused(&app, false, language, &FormFields::default(), limited).await);
    }
    let advisories = advisory_bodies(&app).await;
    let page = form_page(
        language,
        &app.config.contact,
        &app.config.time_zone,
        &FormFields::default(),
        &Refusal::default(),
        &secrets::new_token(),
        &advisories,
        &open_crises(&app),
        &place_countries(&app),
        &phone_picker(&app, language),
    );
    Ok(html_response(&app, StatusCode::OK, page))
}

/// The open crises, as the form names them (from memory: nothing is read).
fn open_crises(app: &AppState) -> Vec<PublicCrisisBody> {
    app.crises.index().open().into_iter().map(PublicCrisisBody::from).collect()
}

/// The countries whose towns the form's place picker offers, in order: the open crises'
/// countries, then the home country (where people cross to). From memory: nothing is read.
fn place_countries(app: &AppState) -> Vec<CountryCode> {
    let mut countries = app.crises.index().open_countries();
    if !countries.contains(&app.config.home_country) {
        countries.push(app.config.home_country);
    }
    countries
}

/// The countries the form's phone pickers offer on the page: the open crises' first, then the
/// home country.
fn phone_picker(app: &AppState, language: Language) -> Vec<phone_picker::PhoneCountry> {
    phone_picker::first_phone_countries(&app.crises.index().open_countries(), app.config.home_country, language)
}

/// `GET /phone-countries?lang=`: every country a phone picker can offer, alphabetically in the
/// language, as `[code, calling code, name]`; the form's script adds those its pickers lack.
/// The same for every server of a build, so browsers may keep it for a day.
pub async fn get_phone_countries(RawQuery(query): RawQuery) -> Response {
    let language = text::language_from(PageQuery::from_raw(query).lang.as_deref());
    let countries: Vec<serde_json::Value> = phone_picker::all_phone_countries(language)
        .into_iter()
        .map(|c| serde_json::json!([c.country.as_str(), c.calling_code, c.name]))
        .collect();
    ([(header::CACHE_CONTROL, "public, max-age=86400")], Json(countries)).into_response()
}

/// The current advisories for a page; a page still shows (without them) if they cannot be read.
async fn advisory_bodies(app: &AppState) -> Vec<AdvisoryBody> {
    match current_advisories(app).await {
        Ok(advisories) => advisories.iter().map(AdvisoryBody::from).collect(),
        Err(error) => {
            tracing::warn!(%error, "advisories could not be read for a public page");
            Vec::new()
        }
    }
}

/// `POST /`: a report from the form. HTML back for a plain form post, JSON for form.js.
pub async fn post_form(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let json = wants_json(&headers);
    let body = match body.map_err(unreadable_body) {
        Ok(body) => body,
        // Nothing of the form could be read, not even its language: Arabic, the default.
        Err(error) => return refused(&app, json, Language::Ar, &FormFields::default(), error).await,
    };
    let fields = match FormFields::parse(&body) {
        Ok(fields) => fields,
        Err(problem) => {
            return refused(&app, json, Language::Ar, &FormFields::default(), ApiError::BadRequest(problem)).await;
        }
    };
    let language = text::language_from(fields.get("lang"));
    if let Err(limited) = admitted {
        return refused(&app, json, language, &fields, limited).await;
    }
    match submit(&app, &headers, &fields).await {
        Ok(accepted) if json => (StatusCode::CREATED, Json(accepted)).into_response(),
        Ok(accepted) => {
            let advisories = advisory_bodies(&app).await;
            let page = confirmation_page(language, &app.config.contact, &app.config.time_zone, &accepted, &advisories);
            html_response(&app, StatusCode::CREATED, page)
        }
        Err(error) => refused(&app, json, language, &fields, error).await,
    }
}

/// Validate and store the form's report; refusals name the form's own fields.
async fn submit(app: &AppState, headers: &HeaderMap, fields: &FormFields) -> Result<ReportAccepted, ApiError> {
    if fields.is_bot() {
        return Err(ApiError::Unprocessable(Problem::new(
            "honeypot",
            "leave the hidden field empty",
            Some(HONEYPOT.into()),
        )));
    }
    let key = match fields.get(KEY_FIELD) {
        Some(key) => checked_key(Some(key))?,
        None => idempotency_key(headers)?,
    };
    let converted = citizen_form::report(fields);
    let on_form = |error: ApiError| match error {
        ApiError::Unprocessable(mut p) => {
            p.field = p.field.map(|f| converted.form_field(&f));
            ApiError::Unprocessable(p)
        }
        other => other,
    };
    let body = JsonBody(converted.json.clone());
    let request: ReportRequest = body.parse().map_err(on_form)?;
    let input = request.to_domain();
    let placed = Placement::of(app, &input, request.crisis.as_deref(), "crisis").map_err(on_form)?;
    // Every refusal at once: the form's own (an age that is not a number) and the domain's.
    let checked = NewReport::parse_all(&input, Channel::Web, &placed.regions);
    let mut refused = converted.refused.clone();
    if let Err(rejections) = &checked {
        refused.extend(rejections.iter().map(|r| FieldProblem {
            code: r.code.into(),
            message: r.message.clone(),
            field: r.field.as_deref().map(|f| converted.form_field(f)),
        }));
    }
    let report = match (checked, Problem::all(refused)) {
        (Ok(report), None) => placed.report(report),
        (_, Some(problem)) => return Err(ApiError::Unprocessable(problem)),
        (Err(_), None) => return Err(ApiError::Internal("a refused report without a reason".into())),
    };
    let (_, Json(accepted)) = intake(app, key, &body, report, PUBLIC_SCOPE).await?;
    Ok(accepted)
}

/// `problem` with every message (its list's too) in the page's language.
fn localized(problem: &Problem, language: Language) -> Problem {
    let mut each = problem.each();
    for refused in &mut each {
        refused.message = text::localize(&Problem::new(refused.code.clone(), "", None), language);
    }
    let mut localized = Problem::all(each).unwrap_or_else(|| problem.clone());
    if problem.errors.is_empty() {
        // A single refusal keeps its shape (no list), as the API answers it.
        localized.errors.clear();
    }
    localized
}

/// A refused form post: the form again with everything typed, or the API's error in JSON; either
/// way in the page's language.
async fn refused(app: &AppState, json: bool, language: Language, fields: &FormFields, error: ApiError) -> Response {
    let (status, mut problem) = error.status_and_problem();
    if status.is_server_error() {
        tracing::error!(%error, "public form post failed");
    }
    problem = localized(&problem, language);
    let mut response = if json {
        (status, Json(ErrorBody { error: problem })).into_response()
    } else {
        let refusal = Refusal::from_problem(&problem, language);
        // A key already spent on another report would refuse every retry: give the form a new one.
        let spent = problem.code == "idempotency_key_reused";
        let key = match fields.get(KEY_FIELD) {
            Some(key) if !spent => key.to_owned(),
            _ => secrets::new_token(),
        };
        // Over the rate limit, answer without reading anything.
        let advisories =
            if matches!(error, ApiError::TooManyRequests(_)) { Vec::new() } else { advisory_bodies(app).await };
        let crises = open_crises(app);
        let places = place_countries(app);
        let phones = phone_picker(app, language);
        let page = form_page(
            language,
            &app.config.contact,
            &app.config.time_zone,
            fields,
            &refusal,
            &key,
            &advisories,
            &crises,
            &places,
            &phones,
        );
        html_response(app, status, page)
    };
    let retry_after = match &error {
        ApiError::TooManyRequests(seconds) => Some(*seconds),
        ApiError::Unavailable(_) => Some(2),
        _ => None,
    };
    if let Some(value) = retry_after.and_then(|s| s.to_string().parse().ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The answer to every token that does not open a case: same status, same body.
fn bad_link(app: &AppState, language: Language) -> Response {
    let w = words(language);
    notice_page(app, StatusCode::NOT_FOUND, language, w.bad_link, w.bad_link_help)
}

/// A page with one message and the way to a new report.
pub(crate) fn notice_page(
    app: &AppState,
    status: StatusCode,
    language: Language,
    heading: &str,
    text: &str,
) -> Response {
    let w = words(language);
    let main = html! {
        section.done {
            h2 { (heading) }
            p { (text) }
            p { a href={ "/?lang=" (w.lang) } { (w.new_report) } }
            (contact_lines(w, &app.config.contact))
        }
    };
    let switch = format!("/?lang={}", w.other_lang);
    html_response(app, status, layout(w, &app.config.contact, heading, &switch, false, main))
}

/// A refused tracking-page request (over the rate limit, a body too large): the reason in the
/// page's language, `Retry-After` kept.
fn refusal_page(app: &AppState, language: Language, refusal: ApiError) -> Response {
    let (status, problem) = refusal.status_and_problem();
    let mut response = notice_page(app, status, language, words(language).title, &text::localize(&problem, language));
    if let ApiError::TooManyRequests(seconds) = refusal
        && let Ok(value) = seconds.to_string().parse()
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub(crate) fn page_language(query: &PageQuery, case_language: Option<&str>) -> Language {
    text::language_from(query.lang.as_deref().or(case_language))
}

/// `GET /track/{token}`: the citizen's view of their case.
pub async fn get_tracking_page(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    TokenPath(token): TokenPath,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    if let Err(limited) = admitted {
        return Ok(refusal_page(&app, page_language(&query, None), limited));
    }
    let detail = match tracked_case(&app, &token).await {
        Ok(detail) => detail,
        Err(ApiError::NotFound) => return Ok(bad_link(&app, page_language(&query, None))),
        Err(other) => return Err(other),
    };
    let view = tracking_view(&app, &detail).await?;
    let language = page_language(&query, Some(view.language.as_str()));
    let page = tracking_page(
        language,
        &app.config.contact,
        &app.config.time_zone,
        &token,
        &view,
        &Refusal::default(),
        &FormFields::default(),
        query.sent,
    );
    Ok(html_response(&app, StatusCode::OK, page))
}

/// `POST /track/{token}`: an update from the tracking page's form; back to the page when sent.
pub async fn post_tracking_page(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    TokenPath(token): TokenPath,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    if let Err(limited) = admitted {
        return Ok(refusal_page(&app, page_language(&query, None), limited));
    }
    let language = page_language(&query, None);
    let fields =
        match body.map_err(unreadable_body).and_then(|body| FormFields::parse(&body).map_err(ApiError::BadRequest)) {
            Ok(fields) => fields,
            Err(refusal) => return Ok(refusal_page(&app, language, refusal)),
        };
    let sent = async {
        let request: TrackingUpdateRequest = JsonBody(citizen_form::update(&fields)).parse()?;
        send_update(&app, &token, &request.to_domain()).await
    }
    .await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/track/{token}?lang={}&sent=1", words(language).lang)).into_response()),
        Err(ApiError::NotFound) => Ok(bad_link(&app, language)),
        Err(error) => {
            let detail = match tracked_case(&app, &token).await {
                Ok(detail) => detail,
                Err(ApiError::NotFound) => return Ok(bad_link(&app, language)),
                Err(other) => return Err(other),
            };
            let view = tracking_view(&app, &detail).await?;
            let (status, problem) = error.status_and_problem();
            let mut problem = localized(&problem, language);
            problem.field = problem.field.map(|f| citizen_form::form_field(&f, &[]));
            let refusal = Refusal::from_problem(&problem, language);
            let config = &app.config;
            let page =
                tracking_page(language, &config.contact, &config.time_zone, &token, &view, &refusal, &fields, false);
            Ok(html_response(&app, status, page))
        }
    }
}

/// `GET /offline`: what a tracking link shows with no network, kept by the service worker in
/// place of the tracking page (which holds case data and is never stored): it says the page
/// needs the network and leads to the report form, which works offline.
pub async fn offline_page(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let language = page_language(&PageQuery::from_raw(query), None);
    let words = text::offline_words(language);
    notice_page(&app, StatusCode::OK, language, words.no_connection, words.tracking_offline)
}
