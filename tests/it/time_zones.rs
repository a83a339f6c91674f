//! Issue 12, item 3: every time shown to a person is on their own clock (`TZ`), the same instant
//! whatever the zone, and the night clocks change neither breaks nor reorders the log. `--json`
//! stays RFC 3339 in UTC.

use crate::common;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use common::TestProvider;
use common::cli::Deck;

const ZONES: [(&str, &str); 3] = [
    ("Asia/Tokyo", "JST"),
    ("America/New_York", "E"), // EST or EDT, whichever the instant falls in
    ("UTC", "UTC"),
];

fn in_zone(rfc3339: &str, zone: &str) -> String {
    let t: Timestamp = rfc3339.parse().unwrap();
    t.to_zoned_datetime(TimeZone::get(zone).unwrap())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// A real link and a real refresh, read back by `log` in three zones: each line starts with the
/// instant `log --json` records, written on that zone's clock.
#[tokio::test]
async fn log_shows_the_same_instants_on_each_zones_clock() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck.ok(&["refresh", "work"]).await;

    let json = deck.ok(&["log", "--json"]).await;
    let events: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{json}");
    for event in &events {
        let time = event["time"].as_str().unwrap();
        assert!(time.ends_with('Z'), "--json stays in UTC: {time}");
    }

    let status: Value =
        serde_json::from_str(&deck.ok(&["status", "work", "--json"]).await).unwrap();
    let expires = status["expires_at"].as_str().unwrap();
    let refreshed = status["last_refresh"]["at"].as_str().unwrap();
    for (zone, abbreviation) in ZONES {
        let out = deck
            .command(&["status", "work"])
            .env("TZ", zone)
            .output()
            .await
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let expected = format!("  expires: {} (in ", in_zone(expires, zone));
        assert!(
            text.contains(&expected),
            "TZ={zone}: {text} should say {expected:?}"
        );
        let expected = format!("  last refresh: {} (", in_zone(refreshed, zone));
        assert!(
            text.contains(&expected),
            "TZ={zone}: {text} should say {expected:?}"
        );
        assert!(expected.contains(&format!(" {abbreviation}")), "{expected}");
    }

    for (zone, abbreviation) in ZONES {
        let out = deck
            .command(&["log"])
            .env("TZ", zone)
            .output()
            .await
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), events.len(), "{text}");
        for (line, event) in lines.iter().zip(&events) {
            let time = event["time"].as_str().unwrap();
            let expected = in_zone(time, zone);
            assert!(
                line.starts_with(&expected),
                "TZ={zone}: {line:?} should start with {expected:?}"
            );
            assert!(expected.contains(&format!(" {abbreviation}")), "{expected}");
            if let Some(expires) = event["expires_at"].as_str() {
                let local = in_zone(expires, zone);
                // The expiry is said on the same clock (the time of day, since it is the same day
                // or the date when not).
                assert!(
                    line.contains(&local[11..16]),
                    "TZ={zone}: {line:?} should say the expiry {local:?}"
                );
            }
        }
    }
}

/// New York, 2026-11-01: clocks go back from 02:00 EDT to 01:00 EST (06:00 UTC), so 01:30 happens
/// twice. Events across the change keep the log's order and say which 01:30 each is.
#[tokio::test]
async fn the_night_clocks_go_back_keeps_the_log_in_order() {
    let deck = Deck::new().with_env("TZ", "America/New_York");
    let times = [
        "2026-11-01T05:00:00Z", // 01:00 EDT
        "2026-11-01T05:30:00Z", // 01:30 EDT
        "2026-11-01T06:00:00Z", // 01:00 EST
        "2026-11-01T06:30:00Z", // 01:30 EST
    ];
    deck.write_events(&times);
    let text = deck.ok(&["log"]).await;
    let shown: Vec<&str> = text.lines().map(|l| &l[..23]).collect();
    assert_eq!(
        shown,
        [
            "2026-11-01 01:00:00 EDT",
            "2026-11-01 01:30:00 EDT",
            "2026-11-01 01:00:00 EST",
            "2026-11-01 01:30:00 EST",
        ],
        "{text}"
    );
    // And spring forward, where 02:xx never happens.
    let deck = Deck::new().with_env("TZ", "America/New_York");
    deck.write_events(&["2027-03-14T06:59:59Z", "2027-03-14T07:00:00Z"]);
    let text = deck.ok(&["log"]).await;
    let shown: Vec<&str> = text.lines().map(|l| &l[..23]).collect();
    assert_eq!(
        shown,
        ["2027-03-14 01:59:59 EST", "2027-03-14 03:00:00 EDT"],
        "{text}"
    );
}
