//! Webhooks to partners: a receiver in the test checks each delivery's signature, the order of
//! deliveries, redelivery once it comes back from being down, and the dead-letter list with its
//! replay.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::Mac;
use opsroom_tests::{Api, TestServer, eventually};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    headers: Vec<(String, String)>,
    body: String,
    /// The status the receiver answered.
    answered: u16,
}

impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn seq(&self) -> u64 {
        self.header("x-opsroom-delivery").and_then(|s| s.parse().ok()).expect("a delivery position")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A partner's webhook endpoint: answers 200 while up and 503 while down, and keeps every request.
#[derive(Clone, Default)]
struct Receiver {
    down: Arc<Mutex<bool>>,
    seen: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    async fn start() -> (Self, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Receiver::default();
        let serving = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let receiver = serving.clone();
                tokio::spawn(async move {
                    let Some((headers, body)) = read_request(&mut socket).await else { return };
                    let answered = if *receiver.down.lock().unwrap() { 503 } else { 200 };
                    receiver.seen.lock().unwrap().push(Delivery { headers, body, answered });
                    let reply = format!("HTTP/1.1 {answered} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        (receiver, url)
    }

    fn set_down(&self, down: bool) {
        *self.down.lock().unwrap() = down;
    }

    fn seen(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }

    /// Wait until `done` holds for what was seen (at most 10 s).
    async fn wait_for(&self, what: &str, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        eventually(&format!("the receiver to see {what}"), async || {
            let seen = self.seen();
            done(&seen).then_some(seen)
        })
        .await
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<(Vec<(String, String)>, String)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some((headers, String::from_utf8_lossy(&buffer[head_end..head_end + length]).to_string()))
}

/// What a partner checks: HMAC-SHA256 under its key of `timestamp.body`.
fn signature_is_valid(delivery: &Delivery, key: &str) -> bool {
    let (Some(timestamp), Some(signature)) =
        (delivery.header("x-opsroom-timestamp"), delivery.header("x-opsroom-signature"))
    else {
        return false;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{}", delivery.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    signature == format!("sha256={expected}")
}

async fn dead_letters(admin: &Api, partner_id: &str) -> Vec<Value> {
    let reply = admin.get(&format!("/api/v1/partners/{partner_id}/dead-letters")).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

fn quick_retries(config: &mut opsroom_tests::Config) {
    config.webhook_retry = vec![Duration::from_millis(40); 5];
}

#[tokio::test]
async fn webhooks_are_signed_in_order_redelivered_after_an_outage_and_dead_lettered_for_replay() {
    webhooks_on(TestServer::start_with(quick_retries).await).await;
}

#[tokio::test]
async fn webhooks_work_the_same_on_postgres() {
    let Some(server) = TestServer::start_postgres_with(quick_retries).await else { return };
    webhooks_on(server).await;
}

async fn webhooks_on(server: TestServer) {
    let (receiver, url) = Receiver::start().await;
    let admin = server.admin().await;
    let reply = admin
        .post_json("/api/v1/partners", &json!({"name": "Red Crescent", "kind": "red_crescent", "webhook_url": url}))
        .await
        .unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let partner_id = reply.body["partner_id"].as_str().unwrap().to_owned();
    let key = reply.body["webhook_secret"].as_str().expect("the signing key, shown once").to_owned();
    let shown_again = admin.get(&format!("/api/v1/partners/{partner_id}")).await.unwrap();
    assert!(!shown_again.body.to_string().contains(&key), "the key is not shown again");
    let other = admin.register_partner(json!({"name": "IOM", "kind": "un_agency"})).await;

    // Down: the first item is retried until the endpoint is back, and nothing overtakes it.
    receiver.set_down(true);
    let first_case = admin.report(11).await;
    admin.refer(&first_case, &partner_id, "medical_evacuation").await;
    receiver.wait_for("two failed attempts", |seen| seen.len() >= 2).await;
    receiver.set_down(false);
    let second_case = admin.report(12).await;
    admin.refer(&admin.report(13).await, &other, "transport").await; // not this partner's
    admin.refer(&second_case, &partner_id, "shelter").await;
    let seen =
        receiver.wait_for("both items delivered", |seen| seen.iter().filter(|d| d.answered == 200).count() >= 2).await;
    let delivered: Vec<&Delivery> = seen.iter().filter(|d| d.answered == 200).collect();
    assert_eq!(delivered[0].json()["case_id"].as_str(), Some(first_case.as_str()));
    assert_eq!(delivered[1].json()["case_id"].as_str(), Some(second_case.as_str()));
    assert!(delivered[0].seq() < delivered[1].seq(), "in order");
    let failed_first = seen.iter().take_while(|d| d.answered == 503).count();
    assert!(failed_first >= 2 && seen[..failed_first].iter().all(|d| d.seq() == delivered[0].seq()));
    assert!(seen.iter().all(|d| signature_is_valid(d, &key)), "every delivery is signed");
    let mut forged = delivered[0].clone();
    forged.body = forged.body.replace("medical_evacuation", "transport");
    assert!(!signature_is_valid(&forged, &key), "a changed body fails the check");
    assert!(seen.iter().all(|d| d.json()["case"]["people"][0].get("passport").is_none()), "profile applies");

    // Down for longer than every retry: the item becomes a dead letter and delivery goes on.
    receiver.set_down(true);
    let lost_case = admin.report(14).await;
    admin.refer(&lost_case, &partner_id, "food_water").await;
    let letters = eventually("a dead letter", async || {
        let letters = dead_letters(&admin, &partner_id).await;
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    assert_eq!(letters.len(), 1, "one dead letter");
    assert_eq!(letters[0]["attempts"], 6);
    let lost = receiver.seen().into_iter().rfind(|d| d.json()["case_id"].as_str() == Some(lost_case.as_str()));
    assert_eq!(letters[0]["seq"].as_u64(), lost.map(|d| d.seq()), "the letter names the item's position");
    assert!(letters[0].get("body").is_none(), "no copy of the case is kept in the list");
    receiver.set_down(false);
    let later_case = admin.report(15).await;
    admin.refer(&later_case, &partner_id, "transport").await;
    receiver
        .wait_for("the item after the dead letter", |seen| {
            seen.iter().any(|d| d.answered == 200 && d.json()["case_id"].as_str() == Some(later_case.as_str()))
        })
        .await;

    // An admin replays the dead letter: delivered, signed, marked as a replay.
    let dead_id = letters[0]["dead_id"].as_str().unwrap();
    let replay = format!("/api/v1/partners/{partner_id}/dead-letters/{dead_id}/replay");
    assert_eq!(admin.post_json(&replay, &json!({})).await.unwrap().status, 204);
    let seen = receiver.seen();
    let replayed = seen.iter().rfind(|d| d.header("x-opsroom-replay") == Some(dead_id)).expect("the replay arrived");
    assert_eq!(replayed.json()["case_id"].as_str(), Some(lost_case.as_str()));
    assert!(signature_is_valid(replayed, &key));
    assert!(dead_letters(&admin, &partner_id).await[0]["replayed_at"].is_string());
    let (operator, _) = server.user("omar", "operator").await;
    let refused = operator.get(&format!("/api/v1/partners/{partner_id}/dead-letters")).await.unwrap();
    assert_eq!(refused.status, 403);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn two_nodes_deliver_each_item_once_and_in_order() {
    let Some(database) = opsroom_tests::TestDatabase::postgres().await else { return };
    let (receiver, url) = Receiver::start().await;
    let first = TestServer::start_on(&database.url, quick_retries).await;
    let second = TestServer::start_on(&database.url, quick_retries).await;
    let admin = first.admin().await;
    let body = json!({"name": "Red Crescent", "kind": "red_crescent", "webhook_url": url});
    let partner_id =
        admin.post_json("/api/v1/partners", &body).await.unwrap().body["partner_id"].as_str().unwrap().to_owned();
    let other_node = second.admin().await;
    for n in 0..6 {
        // Half the referrals through each node.
        let api = if n % 2 == 0 { &admin } else { &other_node };
        api.refer(&api.report(50 + n).await, &partner_id, "transport").await;
    }
    let seen = receiver.wait_for("six deliveries", |seen| seen.len() >= 6).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = if receiver.seen().len() > seen.len() { receiver.seen() } else { seen };
    let seqs: Vec<u64> = seen.iter().map(Delivery::seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(seqs, sorted, "each item once, in order, whichever node delivered it");
    first.stop_keep_database().await.unwrap();
    second.stop_keep_database().await.unwrap();
    database.remove().await;
}
