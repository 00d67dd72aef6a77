//! The API's contract in review: the OpenAPI document the server serves is committed as
//! `server/app/openapi.json`, and this test fails when the generated document differs from it,
//! so every change of a path, a schema or a status shows up as a diff of that file.
//!
//! After a deliberate change, re-bless the committed copy and review its diff:
//! `OPSROOM_BLESS=1 cargo test -p opsroom --test openapi`.

use std::path::Path;

/// The document as committed: pretty, keys in sorted order (serde_json's default map), with a
/// final newline.
fn generated() -> String {
    let document = serde_json::to_value(opsroom::http::openapi()).expect("the OpenAPI document serializes");
    serde_json::to_string_pretty(&document).expect("a JSON value prints") + "\n"
}

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = generated();
    if std::env::var_os("OPSROOM_BLESS").is_some() {
        std::fs::write(&committed_path, &generated).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    if committed != generated {
        let first = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
        let line = first.unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "server/app/openapi.json differs from the generated document from line {} on \
             (committed: {:?}, generated: {:?}). If the change is meant, re-bless it with \
             `OPSROOM_BLESS=1 cargo test -p opsroom --test openapi` and review the diff.",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end>"),
            generated.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

/// The statuses a handler can answer before its body runs, read from its extractors: a session
/// or a partner's credential (401), a role (403), a cookie-authenticated write (403, the
/// same-site check), a JSON body (400, 413, 415, 422), a rate-limited public route (429).
fn guarded_statuses(method: &str, signature: &str, public: bool) -> Vec<u16> {
    let takes = |extractor: &str| {
        signature
            .split([',', '(', ')'])
            .any(|arg| arg.split(':').nth(1).is_some_and(|t| t.trim().starts_with(extractor)))
    };
    let mut statuses = Vec::new();
    let credential = ["Operator", "Supervisor", "Admin", "PartnerCaller"].iter().any(|e| takes(e));
    if credential {
        statuses.push(401);
    }
    if takes("Supervisor") || takes("Admin") || (credential && method != "get") {
        statuses.push(403);
    }
    if takes("ApiJson") || takes("OptionalJson") {
        statuses.extend([400, 413, 415, 422]);
    }
    if public {
        statuses.push(429);
    }
    statuses
}

/// Every documented handler: `(method, path, module::handler, signature)`, from the
/// `#[utoipa::path]` attributes of `src/http/`.
fn documented_handlers() -> Vec<(String, String, String, String)> {
    let mut handlers = Vec::new();
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut pending = vec![http];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).expect("read src/http") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read a handler file");
            let module = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            for (at, _) in text.match_indices("#[utoipa::path(") {
                let attribute = &text[at + "#[utoipa::path(".len()..];
                let method = attribute.trim_start().split([',', ' ']).next().unwrap_or("").to_owned();
                let route = attribute.split("path = \"").nth(1).and_then(|p| p.split('"').next()).unwrap_or("");
                let function = attribute.find("pub async fn ").map(|f| &attribute[f + "pub async fn ".len()..]);
                let Some(function) = function else { continue };
                let name: String = function.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let signature = function.split(['{', '-']).next().unwrap_or("").to_owned();
                handlers.push((method, route.to_owned(), format!("{module}::{name}"), signature));
            }
        }
    }
    handlers
}

/// The handlers of the rate-limited public router in `http/mod.rs` (`let mut public = …;`).
fn public_handlers() -> Vec<String> {
    let table = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/mod.rs")).unwrap();
    let block = table.split("let mut public = ").nth(1).and_then(|b| b.split(';').next()).expect("the public router");
    block
        .split("routes!(")
        .skip(1)
        .flat_map(|call| call.split(')').next().unwrap_or("").split(','))
        .map(|handler| handler.trim().to_owned())
        .collect()
}

#[test]
fn every_operation_declares_what_its_guards_answer() {
    let document = serde_json::to_value(opsroom::http::openapi()).unwrap();
    let public = public_handlers();
    assert!(public.contains(&"reports::post_report".to_owned()), "{public:?}");
    let handlers = documented_handlers();
    assert!(handlers.len() > 80, "the scan found the handlers ({})", handlers.len());
    let mut missing = Vec::new();
    for (method, route, name, signature) in &handlers {
        let is_public = public.contains(name);
        let Some(operation) = document["paths"][route.as_str()].get(method.as_str()) else {
            missing.push(format!("{method} {route} ({name}): not in the document"));
            continue;
        };
        let undeclared: Vec<String> = guarded_statuses(method, signature, is_public)
            .into_iter()
            .filter(|status| operation["responses"].get(status.to_string()).is_none())
            .map(|status| status.to_string())
            .collect();
        if !undeclared.is_empty() {
            missing.push(format!("{} {route} ({name}): {}", method.to_uppercase(), undeclared.join(", ")));
        }
    }
    assert!(
        missing.is_empty(),
        "operations that can answer these statuses without declaring them (declare them in \
         `http::doc` from the route table, or on the operation):\n{}",
        missing.join("\n")
    );
}
