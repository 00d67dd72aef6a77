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
