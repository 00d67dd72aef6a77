//! Staff lifecycle (issue 15, finding 7): an admin disables and re-enables accounts, resets
//! passwords and ends sessions — through the API, across nodes, and on the command line beside
//! a running server — and each ends the user's sessions and live streams at once. Sessions also
//! end after an idle timeout. Nobody locks out the last admin. Who may call these routes is in
//! the authorization matrix (`authz.rs`).

use std::time::{Duration, Instant};

use opsroom_tests::{ADMIN_PASSWORD, Api, LiveClient, ServerProcess, TestDatabase, TestServer, sample_report};
use serde_json::{Value, json};

use crate::BINARY;

/// A password no policy refuses (256 random bits).
fn strong_password() -> String {
    opsroom::secrets::new_token()
}

/// Create an account beside the running server (as `opsroom user add` does); returns its
/// password.
async fn account(database_url: &str, name: &str, role: &str) -> String {
    let password = strong_password();
    let store = opsroom_store::Store::open(database_url, Default::default()).await.unwrap();
    let role = opsroom_domain::user::Role::parse(role).unwrap();
    opsroom::server::create_user(&store, name, role, password.clone()).await.unwrap();
    store.close(Duration::from_secs(5)).await;
    password
}

/// A client of `base` signed in as `name`.
async fn signed_in(base: &str, name: &str, password: &str) -> Api {
    let mut api = Api::new(base);
    let reply = api.sign_in(name, password).await.unwrap();
    assert_eq!(reply.status, 201, "{name} signs in: {}", reply.body);
    api
}

/// A live stream of `api`'s session, subscribed and past its snapshot.
async fn streaming(api: &Api) -> LiveClient {
    let mut live = api.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    assert_eq!(live.next_json().await.unwrap().unwrap()["type"], "snapshot");
    live
}

/// Read `live` until the server closes it, which must happen within `within` (events before
/// the close are fine: the change that ends the stream is itself an event).
async fn closes_within(live: &mut LiveClient, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match live.next_json_within(left).await {
            Ok(None) => return,
            Ok(Some(_)) => continue,
            Err(error) => panic!("{what}: the stream did not close within {within:?}: {error}"),
        }
    }
}

async fn put_user(admin: &Api, name: &str, body: Value) -> opsroom_tests::Reply {
    admin.put_json(&format!("/api/v1/users/{name}"), &body).await.unwrap()
}

async fn reset_password(admin: &Api, name: &str, body: Value) -> opsroom_tests::Reply {
    admin.post_json(&format!("/api/v1/users/{name}/password"), &body).await.unwrap()
}

async fn end_sessions(admin: &Api, name: &str) -> opsroom_tests::Reply {
    admin.send(admin.http.delete(admin.url(&format!("/api/v1/users/{name}/sessions")))).await.unwrap()
}

async fn session_status(api: &Api) -> u16 {
    api.get("/api/v1/session").await.unwrap().status
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_streams_at_once_and_enabling_lets_them_back() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let admin = server.admin().await;
    let password = account(&server.database_url, "omar", "operator").await;
    let desk = signed_in(&base, "omar", &password).await;
    let phone = signed_in(&base, "omar", &password).await;
    let mut live = streaming(&desk).await;

    let disabled = put_user(&admin, "Omar", json!({"disabled": true})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.body["user"]["disabled"], true);
    assert_eq!(disabled.body["sessions_ended"], 2);
    assert_eq!((session_status(&desk).await, session_status(&phone).await), (401, 401));
    closes_within(&mut live, Duration::from_secs(1), "the disabled user's stream").await;

    // A disabled account cannot sign in, and is told exactly what a wrong password is told.
    let mut again = server.api();
    let refused = again.sign_in("omar", &password).await.unwrap();
    let wrong = again.sign_in("omar", "not the password at all").await.unwrap();
    let unknown = again.sign_in("nobody", &password).await.unwrap();
    assert_eq!((refused.status, wrong.status, unknown.status), (401, 401, 401));
    assert_eq!(refused.body, wrong.body, "a disabled account looks like a wrong password");
    assert_eq!(refused.body, unknown.body);
    let users = admin.get("/api/v1/users").await.unwrap().body;
    let omar = users.as_array().unwrap().iter().find(|u| u["name"] == "omar").unwrap().clone();
    assert_eq!(omar["disabled"], true);

    // Nobody is given cases while disabled.
    let case = server.api().post_report(&sample_report(1), None).await.unwrap().body["case_id"].clone();
    let assign = json!({"user_id": omar["user_id"], "version": 1});
    let assigned = admin.post_json(&format!("/api/v1/cases/{}/assignment", case.as_str().unwrap()), &assign).await;
    assert_eq!(assigned.unwrap().error_code(), "unknown_user");

    // The change is an event on everyone's stream: the audit trail and the other nodes see it.
    let mut watching = admin.live(None).await.unwrap();
    watching.subscribe(Some(0)).await.unwrap();
    let events = watching.events_until(admin_head(&admin).await).await.unwrap();
    let event = events.iter().find(|e| e["kind"] == "user_disabled").expect("a user_disabled event");
    assert_eq!((event["data"]["name"].as_str(), event["data"]["by"].is_string()), (Some("omar"), true));

    let enabled = put_user(&admin, "omar", json!({"disabled": false})).await;
    assert_eq!((enabled.status, enabled.body["user"]["disabled"].as_bool()), (200, Some(false)));
    let back = signed_in(&base, "omar", &password).await;
    assert_eq!(session_status(&back).await, 200);
    server.stop().await.unwrap();
}

/// The log's head as the admin's stream reports it now.
async fn admin_head(admin: &Api) -> u64 {
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap()
}

#[tokio::test]
async fn admins_open_accounts_with_a_chosen_or_generated_password() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let admin = server.admin().await;
    let create = |body: Value| {
        let admin = &admin;
        async move { admin.post_json("/api/v1/users", &body).await.unwrap() }
    };

    let weak = create(json!({"name": "karim", "role": "operator", "password": "karim12345678"})).await;
    assert_eq!(
        (weak.status, weak.error_code(), weak.body["error"]["field"].as_str()),
        (422, "weak_password", Some("password"))
    );
    let bad_name = create(json!({"name": "كريم\u{202E}", "role": "operator"})).await;
    assert_eq!((bad_name.status, bad_name.body["error"]["field"].as_str()), (422, Some("name")), "{}", bad_name.body);
    let bad_role = create(json!({"name": "karim", "role": "root"})).await;
    assert_eq!(bad_role.status, 422, "{}", bad_role.body);
    assert!(
        server.admin().await.get("/api/v1/users").await.unwrap().body.to_string().find("karim").is_none(),
        "refusals open nothing"
    );

    let chosen = strong_password();
    let made = create(json!({"name": "karim", "role": "supervisor", "password": chosen})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(
        (made.body["user"]["role"].as_str(), made.body["user"]["disabled"].as_bool()),
        (Some("supervisor"), Some(false))
    );
    assert!(made.body.get("password").is_none(), "a chosen password is not echoed");
    signed_in(&base, "karim", &chosen).await;

    let taken = create(json!({"name": "karim", "role": "operator"})).await;
    assert_eq!((taken.status, taken.error_code()), (409, "name_taken"), "{}", taken.body);

    let generated = create(json!({"name": "amal", "role": "operator"})).await;
    assert_eq!(generated.status, 201, "{}", generated.body);
    let shown = generated.body["password"].as_str().expect("the generated password is shown once");
    let amal = signed_in(&base, "amal", shown).await;
    let by_operator = amal.post_json("/api/v1/users", &json!({"name": "mallory", "role": "admin"})).await.unwrap();
    assert_eq!(by_operator.status, 403, "only admins open accounts");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_password_reset_refuses_the_old_password_and_ends_the_other_sessions() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let admin = server.admin().await;
    let password = account(&server.database_url, "omar", "operator").await;
    let desk = signed_in(&base, "omar", &password).await;
    let mut live = streaming(&desk).await;

    let weak = reset_password(&admin, "omar", json!({"password": "short"})).await;
    assert_eq!((weak.status, weak.error_code()), (422, "weak_password"), "{}", weak.body);
    assert_eq!(session_status(&desk).await, 200, "a refused reset ends nothing");

    let chosen = strong_password();
    let reset = reset_password(&admin, "omar", json!({"password": chosen})).await;
    assert_eq!((reset.status, reset.body["sessions_ended"].as_u64()), (200, Some(1)), "{}", reset.body);
    assert!(reset.body.get("password").is_none(), "a chosen password is not echoed");
    assert_eq!(session_status(&desk).await, 401);
    closes_within(&mut live, Duration::from_secs(1), "the stream of a session ended by a reset").await;
    let mut api = server.api();
    assert_eq!(api.sign_in("omar", &password).await.unwrap().status, 401, "the old password");
    assert_eq!(api.sign_in("omar", &chosen).await.unwrap().status, 201, "the new one");

    // Without a password the server makes one and shows it once.
    let generated = reset_password(&admin, "omar", json!({})).await;
    assert_eq!(generated.status, 200, "{}", generated.body);
    let shown = generated.body["password"].as_str().expect("the generated password is shown").to_owned();
    assert_eq!(session_status(&api).await, 401);
    signed_in(&base, "omar", &shown).await;

    // Admins resetting their own password keep the session they did it from, and only it.
    let other_admin_session = server.admin().await;
    let own = reset_password(&admin, "admin", json!({"password": strong_password()})).await;
    assert_eq!((own.status, own.body["sessions_ended"].as_u64()), (200, Some(1)), "{}", own.body);
    assert_eq!((session_status(&admin).await, session_status(&other_admin_session).await), (200, 401));

    assert_eq!(reset_password(&admin, "nobody", json!({})).await.status, 404);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn admins_list_a_users_sessions_and_end_them() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let admin = server.admin().await;
    let password = account(&server.database_url, "omar", "operator").await;
    let mut desk = Api::new(&base);
    let with_agent = desk
        .http
        .post(desk.url("/api/v1/session"))
        .header("user-agent", format!("Mozilla/5.0 (ops desk 3) {}", "x".repeat(300)))
        .json(&json!({"name": "omar", "password": password}));
    let reply = desk.send(with_agent).await.unwrap();
    assert_eq!(reply.status, 201);
    desk.cookie = Some(reply.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned());
    let phone = signed_in(&base, "omar", &password).await;
    let mut live = streaming(&phone).await;

    let listed = admin.get("/api/v1/users/omar/sessions").await.unwrap();
    assert_eq!(listed.status, 200, "{}", listed.body);
    let sessions = listed.body.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions.iter().all(|s| s["client_address"] == "127.0.0.1" && s["current"] == false));
    // The user agent is kept to a length people read.
    let agent = sessions.iter().find_map(|s| s["user_agent"].as_str()).expect("the desk's user agent");
    assert!(agent.starts_with("Mozilla/5.0 (ops desk 3) xxx") && agent.chars().count() == 200, "{agent}");
    for session in sessions {
        for field in ["created_at", "last_seen_at", "expires_at"] {
            assert!(session[field].as_str().is_some_and(|t| t.ends_with('Z')), "{field}: {session}");
        }
    }
    // Never a token or its hash.
    let text = listed.body.to_string();
    for api in [&desk, &phone] {
        let token = api.cookie.as_deref().unwrap().trim_start_matches("opsroom_session=");
        let hash = opsroom::secrets::token_hash(opsroom::auth::SESSION_HASH_DOMAIN, token);
        assert!(!text.contains(token) && !text.contains(&hash), "{text}");
    }
    let own = admin.get("/api/v1/users/admin/sessions").await.unwrap().body;
    assert_eq!(own[0]["current"], true, "{own}");

    let ended = end_sessions(&admin, "omar").await;
    assert_eq!((ended.status, ended.body["sessions_ended"].as_u64()), (200, Some(2)), "{}", ended.body);
    assert_eq!((session_status(&desk).await, session_status(&phone).await), (401, 401));
    closes_within(&mut live, Duration::from_secs(1), "the stream of an ended session").await;
    assert_eq!(admin.get("/api/v1/users/omar/sessions").await.unwrap().body, json!([]));
    // Ending sessions is not disabling: the user signs in again.
    signed_in(&base, "omar", &password).await;
    assert_eq!(end_sessions(&admin, "nobody").await.status, 404);
    assert_eq!(admin.get("/api/v1/users/nobody/sessions").await.unwrap().status, 404);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn nobody_locks_out_the_last_admin() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let password = account(&server.database_url, "samira", "supervisor").await;

    for body in [json!({"disabled": true}), json!({"role": "supervisor"})] {
        let own = put_user(&admin, "admin", body).await;
        assert_eq!((own.status, own.error_code()), (422, "own_account"), "{}", own.body);
    }
    let nothing = put_user(&admin, "samira", json!({})).await;
    assert_eq!((nothing.status, nothing.error_code()), (422, "nothing_to_change"));
    assert_eq!(put_user(&admin, "samira", json!({"role": "root"})).await.status, 422);
    assert_eq!(put_user(&admin, "samira", json!({"disabled": true, "admin": true})).await.status, 422);
    assert_eq!(put_user(&admin, "nobody", json!({"disabled": true})).await.status, 404);
    assert_eq!(put_user(&admin, "NOT A NAME", json!({"disabled": true})).await.status, 404);

    // A promotion, and the new admin's powers at once (roles are read on every request).
    let samira = signed_in(&server.base_url(), "samira", &password).await;
    assert_eq!(samira.get("/api/v1/users/admin/sessions").await.unwrap().status, 403);
    let promoted = put_user(&admin, "samira", json!({"role": "admin"})).await;
    assert_eq!((promoted.status, promoted.body["user"]["role"].as_str()), (200, Some("admin")));
    assert_eq!(samira.get("/api/v1/users/admin/sessions").await.unwrap().status, 200);

    // Two admins disabling each other at once: one wins; the other is refused as the last
    // admin, or finds its own session already ended. One enabled admin is left either way.
    let (first, second) = tokio::join!(
        put_user(&admin, "samira", json!({"disabled": true})),
        put_user(&samira, "admin", json!({"disabled": true}))
    );
    let statuses = [first.status, second.status];
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{:?} {:?}", first.body, second.body);
    assert!(statuses.iter().all(|s| [200, 401, 409].contains(s)), "{statuses:?}");
    for reply in [&first, &second].into_iter().filter(|r| r.status == 409) {
        assert_eq!(reply.error_code(), "last_admin");
    }
    let store = opsroom_store::Store::open(&server.database_url, Default::default()).await.unwrap();
    let users = store.users().await.unwrap();
    store.close(Duration::from_secs(5)).await;
    let enabled_admins = users.iter().filter(|u| u.role == opsroom_domain::user::Role::Admin && !u.disabled).count();
    assert_eq!(enabled_admins, 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout_unless_used() {
    let server = TestServer::start_with(|config| {
        config.session_idle = Duration::from_secs(1);
        config.session_recheck = Duration::from_millis(100);
    })
    .await;
    let base = server.base_url();
    let busy = server.admin().await;
    let idle = signed_in(&base, "admin", ADMIN_PASSWORD).await;
    let mut live = streaming(&idle).await;

    // Used every 100 ms for twice the idle timeout, the busy session lives on.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        assert_eq!(session_status(&busy).await, 200, "a session in use does not idle out");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The other session was not used meanwhile (a live stream is not use): it is over, and so
    // is its stream.
    assert_eq!(session_status(&idle).await, 401);
    closes_within(&mut live, Duration::from_secs(1), "the idle session's stream").await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disabling_a_user_on_one_node_closes_their_stream_on_another() {
    let Some(database) = TestDatabase::postgres().await else { return };
    let node_a = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let node_b = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let admin = signed_in(&node_a.base_url, "admin", ADMIN_PASSWORD).await;
    let password = account(&database.url, "omar", "operator").await;
    let omar = signed_in(&node_b.base_url, "omar", &password).await;
    let mut live = streaming(&omar).await;

    let disabled = put_user(&admin, "omar", json!({"disabled": true})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    closes_within(&mut live, Duration::from_secs(1), "omar's stream on the other node").await;
    assert_eq!(session_status(&omar).await, 401);
    assert_eq!(Api::new(&node_b.base_url).sign_in("omar", &password).await.unwrap().status, 401);

    // Enabling, then ending the sessions on node A, ends the new stream on node B too.
    assert_eq!(put_user(&admin, "omar", json!({"disabled": false})).await.status, 200);
    let omar = signed_in(&node_b.base_url, "omar", &password).await;
    let mut live = streaming(&omar).await;
    assert_eq!(end_sessions(&admin, "omar").await.status, 200);
    closes_within(&mut live, Duration::from_secs(1), "omar's second stream on the other node").await;

    drop((node_a, node_b));
    database.remove().await;
}

/// Run the binary's `user …` command against the server's database; (success, stdout, stderr).
async fn user_command(args: &[&str], database_url: &str, stdin: Option<&str>) -> (bool, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut command = tokio::process::Command::new(BINARY);
    command.arg("user").args(args).args(["--database-url", database_url]).env("OPSROOM_LOG", "warn");
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).await.unwrap();
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.success(), text(output.stdout), text(output.stderr))
}

#[tokio::test]
async fn the_command_line_disables_enables_and_resets_passwords_beside_a_running_server() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let url = server.database_url.clone();
    let password = account(&url, "omar", "operator").await;
    let omar = signed_in(&base, "omar", &password).await;
    let mut live = streaming(&omar).await;

    let (ok, stdout, stderr) = user_command(&["disable", "omar"], &url, None).await;
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "disabled omar; 1 session(s) ended");
    // Another process wrote it: the server hears of it from the log and ends the stream.
    closes_within(&mut live, Duration::from_secs(1), "omar's stream after `user disable`").await;
    assert_eq!(session_status(&omar).await, 401);
    assert_eq!(server.api().sign_in("omar", &password).await.unwrap().status, 401);

    let (ok, _, stderr) = user_command(&["disable", "admin"], &url, None).await;
    assert!(!ok && stderr.contains("last enabled admin"), "{stderr}");
    let (ok, _, stderr) = user_command(&["disable", "nobody"], &url, None).await;
    assert!(!ok && stderr.contains("no user named"), "{stderr}");

    let (ok, stdout, stderr) = user_command(&["enable", "omar"], &url, None).await;
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "enabled omar");
    let omar = signed_in(&base, "omar", &password).await;

    let chosen = strong_password();
    let (ok, stdout, stderr) =
        user_command(&["reset-password", "omar", "--password-stdin"], &url, Some(&format!("{chosen}\n"))).await;
    assert!(ok, "{stderr}");
    assert!(!stdout.contains(&chosen), "a chosen password is not printed: {stdout}");
    assert_eq!(session_status(&omar).await, 401, "a reset ends the sessions");
    assert_eq!(server.api().sign_in("omar", &password).await.unwrap().status, 401);
    signed_in(&base, "omar", &chosen).await;

    let (ok, stdout, stderr) = user_command(&["reset-password", "omar"], &url, None).await;
    assert!(ok, "{stderr}");
    let generated = stdout.trim().rsplit(": ").next().unwrap();
    signed_in(&base, "omar", generated).await;
    let (ok, _, stderr) = user_command(&["reset-password", "omar", "--password-stdin"], &url, Some("short\n")).await;
    assert!(!ok && stderr.contains("password"), "{stderr}");
    server.stop().await.unwrap();
}
