//! The answers every operation can get before its handler runs, declared in the OpenAPI document
//! from one place.
//!
//! Owns the document's security schemes and the responses the guards add: 401 to an operation
//! that needs a session or a partner's credential (its `security`), 403 to one that needs a role
//! (a scope of its `session` requirement) and to a cookie-authenticated write (the same-site
//! check of `guard`), 400/408/413/415/422 to one with a JSON body (`extract::ApiJson`; 408 when
//! the body does not arrive within the body deadline), 503 to every one (the store is failing,
//! busy or shutting down: any handler may meet it), 429 to the rate-limited public ones. Each is derived from what the route table and the operation already
//! say, and added only where the operation does not declare it itself (its own words win). Must
//! not change what any route answers; `server/app/tests/openapi.rs` checks the declarations
//! against the handlers' extractors.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};

use crate::auth::{PARTNER_COOKIE, SESSION_COOKIE};

/// The staff session cookie (`__Host-opsroom_session` on HTTPS); scopes name the roles needed.
pub const SESSION: &str = "session";
/// A partner agency's bearer token.
pub const PARTNER_TOKEN: &str = "partner_token";
/// The partner page's session cookie (`__Secure-opsroom_partner` on HTTPS).
pub const PARTNER_PAGE: &str = "partner_page";

/// Declares the guards' answers on every operation of `openapi`, and the security schemes.
pub fn declare_guards(openapi: &mut OpenApi) {
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(SESSION, SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
    components.add_security_scheme(PARTNER_TOKEN, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    components
        .add_security_scheme(PARTNER_PAGE, SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(PARTNER_COOKIE))));
    each_operation(openapi, |write, operation| {
        let schemes = security_of(operation);
        declare(operation, 503, "The store is failing, busy or shutting down; retry");
        if !schemes.is_empty() {
            declare(operation, 401, "Not signed in, or the credential is not (or no longer) valid");
        }
        if schemes.iter().any(|(_, roles)| !roles.is_empty()) {
            declare(operation, 403, "Signed in without the role this needs");
        }
        if write && schemes.iter().any(|(scheme, _)| scheme == SESSION || scheme == PARTNER_PAGE) {
            declare(operation, 403, "A cookie-authenticated write from another site");
        }
        let json_body =
            operation.request_body.as_ref().is_some_and(|body| body.content.contains_key("application/json"));
        if json_body {
            declare(operation, 400, "The body is not JSON");
            declare(operation, 408, "The body did not arrive within the body deadline");
            declare(operation, 413, "The body is too large");
            declare(operation, 415, "The body is not `application/json`");
            declare(operation, 422, "A field is missing, unknown or invalid (named in `field`)");
        }
    });
}

/// Declares 429 on every operation of `openapi`: the public routes' per-client rate limit.
pub fn declare_rate_limit(openapi: &mut OpenApi) {
    each_operation(openapi, |_, operation| declare(operation, 429, "Too many requests from this client; retry later"));
}

/// `f(is_write, operation)` for every operation of the document.
fn each_operation(openapi: &mut OpenApi, mut f: impl FnMut(bool, &mut Operation)) {
    for item in openapi.paths.paths.values_mut() {
        for (write, operation) in [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ] {
            if let Some(operation) = operation.as_mut() {
                f(write, operation);
            }
        }
    }
}

/// The schemes an operation's security names, each with its scopes (roles).
fn security_of(operation: &Operation) -> Vec<(String, Vec<String>)> {
    // `SecurityRequirement` keeps its map private; its JSON is that map.
    let requirements = operation.security.iter().flatten().filter_map(|r| serde_json::to_value(r).ok());
    requirements
        .filter_map(|value| value.as_object().cloned())
        .flat_map(|map| map.into_iter())
        .map(|(scheme, roles)| {
            let roles = roles.as_array().into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect();
            (scheme, roles)
        })
        .collect()
}

/// Adds `status` with the error body unless the operation declares it already.
fn declare(operation: &mut Operation, status: u16, description: &str) {
    let key = status.to_string();
    if operation.responses.responses.contains_key(&key) {
        return;
    }
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", body).build();
    operation.responses.responses.insert(key, response.into());
}
