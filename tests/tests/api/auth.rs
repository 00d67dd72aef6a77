//! Operators: sign-in, sessions, and 401 on every non-public endpoint.

use opsroom_tests::{ADMIN_PASSWORD, TestServer, sample_report};
use tokio_tungstenite::tungstenite::Error as WsError;

#[tokio::test]
async fn every_non_public_endpoint_needs_a_session() {
    let server = TestServer::start().await;
    let case_id =
        server.api().post_report(&sample_report(1), None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    let mut anonymous = server.api();
    let forged = {
        let mut api = server.api();
        api.cookie = Some("opsroom_session=forged-token".into());
        api
    };
    for api in [&mut anonymous, &mut forged.clone()] {
        for path in ["/api/v1/cases", &format!("/api/v1/cases/{case_id}"), "/api/v1/session"] {
            let reply = api.get(path).await.unwrap();
            assert_eq!((reply.status, reply.error_code()), (401, "unauthenticated"), "{path}");
        }
        assert_eq!(api.sign_out().await.unwrap().status, 401);
        match api.live(None).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 401),
            Err(other) => panic!("expected a 401 handshake, got {other}"),
            Ok(_) => panic!("the live stream opened without a session"),
        }
    }
    // The public endpoints stay public.
    assert_eq!(anonymous.get("/api/v1/openapi.json").await.unwrap().status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn sign_in_sign_out() {
    let server = TestServer::start().await;
    let mut api = server.api();
    let wrong = api.sign_in("admin", "not the password").await.unwrap();
    let unknown = api.sign_in("nobody", "not the password").await.unwrap();
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.body, unknown.body, "an unknown name and a wrong password look the same");
    assert!(api.cookie.is_none());

    let ok = api.sign_in("Admin", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["role"], "admin");
    let set_cookie = ok.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert_eq!(api.get("/api/v1/session").await.unwrap().body["name"], "admin");
    assert_eq!(api.get("/api/v1/cases").await.unwrap().status, 200);

    assert_eq!(api.sign_out().await.unwrap().status, 204);
    assert_eq!(api.get("/api/v1/cases").await.unwrap().status, 401, "the old cookie is dead");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn openapi_describes_every_route_and_the_error_shape() {
    let server = TestServer::start().await;
    let doc = server.api().get("/api/v1/openapi.json").await.unwrap().body;
    let paths = doc["paths"].as_object().unwrap();
    for path in ["/api/v1/reports", "/api/v1/session", "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/live"] {
        assert!(paths.contains_key(path), "{path} is missing from the OpenAPI document");
    }
    for method in ["post", "get", "delete"] {
        assert!(paths["/api/v1/session"].get(method).is_some(), "session {method}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let status = &paths["/api/v1/cases/{case_id}/status"]["post"]["responses"];
    for code in ["200", "401", "404", "409", "422"] {
        assert!(status.get(code).is_some(), "workflow answers {code} are described: {status}");
    }
    assert!(doc["components"]["schemas"]["ReportRequest"].is_object());
    server.stop().await.unwrap();
}
