//! The smoke scenario end to end against an embedded server: every report acknowledged and
//! present, every live stream without a gap or a repeat, and the outcomes within bounds.

use opsroom_scenario::{RunOptions, Speed};
use opsroom_tests::{ADMIN_PASSWORD, TestServer};

#[tokio::test]
async fn the_smoke_scenario_plays_through_the_public_api_with_nothing_lost() {
    let server = TestServer::start().await;
    let scenario = opsroom_scenario::load("smoke").unwrap();
    let options = RunOptions {
        base_url: server.base_url(),
        admin_name: "admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        speed: Speed::Max,
        seed: None,
        operator_bots: true,
        progress: false,
    };
    let summary = opsroom_scenario::run(&scenario, &options).await.unwrap();
    summary.print();
    assert!(summary.ok(), "acknowledged reports missing or a stream gap: {summary:?}");
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    // 40 an hour for two hours and a wave of 20.
    assert_eq!((summary.planned, summary.sent, summary.acknowledged), (100, 100, 100));
    assert_eq!(summary.cases_total, 100);
    // Every case was worked: about 70% of contact attempts reach someone.
    assert!((50..=90).contains(&summary.contacted), "contacted {}", summary.contacted);
    // Reached cases with a medical need go to the Red Crescent; each is answered, and every
    // accepted one is completed.
    assert!(summary.referrals_made >= 5, "{summary:?}");
    assert_eq!(summary.referrals_accepted + summary.referrals_declined, summary.referrals_made);
    assert_eq!(summary.referrals_completed, summary.referrals_accepted);
    assert_eq!(summary.advisories, 1);
    // The bus took people from the waiting list (families kept together, so perhaps fewer than
    // its 20 seats), most boarded and all of those reached home.
    let e = &summary.evacuation;
    assert_eq!((e.zones, e.movements), (1, 1), "{e:?}");
    assert!((10..=20).contains(&e.assigned), "{e:?}");
    assert!(e.departed > 0 && e.departed <= e.assigned && e.arrived_home == e.departed, "{e:?}");
    assert_eq!(summary.streams.len(), 2, "the operators' stream and the Red Crescent's");
    assert!(summary.streams.iter().all(|s| s.events > 0));
    // The same seed plays the same crisis: a second run on a fresh server decides alike.
    let again = TestServer::start().await;
    let second = opsroom_scenario::run(&scenario, &RunOptions { base_url: again.base_url(), ..options }).await.unwrap();
    assert_eq!(
        (second.contacted, second.referrals_made, second.referrals_declined),
        (summary.contacted, summary.referrals_made, summary.referrals_declined)
    );
    again.stop().await.unwrap();
    server.stop().await.unwrap();
}
