//! A damaged event log (a line that is not UTF-8, not JSON, or torn by a killed writer) costs
//! only its bad lines: `log` and the TUI's live log show every event after them and say, once,
//! how many lines they skipped.

use crate::common;
use crate::fixtures;

use std::io::Write;

use common::cli::{Deck, text};
use fixtures::{app_with_accounts, draw};
use tokendeck::store::{Event, EventLog, Home, Outcome, Trigger};
use tokendeck::tui::message::Message;
use tokendeck::tui::update::update;

/// A log with an event, two unreadable lines, and two more events.
fn damaged_log(home: &std::path::Path) -> EventLog {
    let log = EventLog::new(&Home::rooted(home).unwrap());
    log.append(&Event::new("acct-before", Trigger::Manual, Outcome::Ok))
        .unwrap();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(log.path())
        .unwrap();
    file.write_all(b"{\"account\":\"\xff\xfe\"}\n").unwrap();
    file.write_all(b"\x00\x01 not an event\n").unwrap();
    log.append(&Event::new("acct-after", Trigger::Manual, Outcome::Ok))
        .unwrap();
    log.append(&Event::new(
        "acct-last",
        Trigger::AheadOfExpiry,
        Outcome::Ok,
    ))
    .unwrap();
    log
}

#[tokio::test]
async fn log_reads_past_unreadable_lines_and_says_so_once() {
    let deck = Deck::new();
    damaged_log(deck.home());
    for json in [false, true] {
        let args: &[&str] = if json { &["log", "--json"] } else { &["log"] };
        let out = deck.run(args, "").await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let accounts: Vec<&str> = ["acct-before", "acct-after", "acct-last"]
            .into_iter()
            .filter(|name| stdout.contains(name))
            .collect();
        assert_eq!(
            accounts,
            ["acct-before", "acct-after", "acct-last"],
            "{stdout}"
        );
        assert_eq!(stdout.lines().count(), 3, "{stdout}");
        let stderr = text(&out.stderr);
        assert_eq!(
            stderr
                .matches("2 lines of the event log could not be read")
                .count(),
            1,
            "said once: {stderr}"
        );
    }
}

#[test]
fn the_live_log_shows_the_count_once_and_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let log = damaged_log(dir.path());
    let batch = log.read();
    assert_eq!(batch.unreadable, 2);

    let mut app = app_with_accounts();
    app.log.clear();
    update(&mut app, Message::LogEvents(batch.events));
    update(&mut app, Message::LogUnreadable(batch.unreadable));
    update(&mut app, Message::LogUnreadable(1));
    let screen = draw(&app, 160, 48);
    assert_eq!(
        screen.matches("could not be read").count(),
        1,
        "one line, not one per skipped line:\n{screen}"
    );
    assert!(
        screen.contains("3 lines of the event log could not be read and were skipped."),
        "{screen}"
    );
    for name in ["acct-before", "acct-after", "acct-last"] {
        assert!(
            screen.contains(name),
            "{name} is in the live log:\n{screen}"
        );
    }
}
