//! A full redraw of the home screen with 1,000 accounts and 10,000 log lines, on ratatui's
//! TestBackend at 160×48 and 80×24. Budget: ≤ 1 ms per redraw on the project's machine.
//!
//! Run: `cargo bench --bench render`.

#[path = "../tests/it/fixtures/mod.rs"]
#[allow(dead_code)] // a bench uses a few parts of the tests' fixtures
mod fixtures;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokendeck::store::{Outcome, Trigger};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut app = fixtures::app_with_accounts();
    let template = app.accounts.clone();
    app.accounts = (0..1000)
        .map(|i| {
            let mut row = template[i % template.len()].clone();
            row.name = format!("account-{i:04}");
            row
        })
        .collect();
    app.selected = 500;
    app.log = (0..10_000)
        .map(|i| {
            let outcome = if i % 7 == 0 {
                Outcome::Failed
            } else {
                Outcome::Ok
            };
            fixtures::event(
                10_000 - i,
                &format!("account-{:04}", i % 1000),
                Trigger::AheadOfExpiry,
                outcome,
                4242,
            )
        })
        .collect();

    for (width, height) in [(160, 48), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let mut times = Vec::new();
        for round in 0..2000 {
            // Each frame differs, as with a ticking countdown: a full redraw every time.
            app.now = fixtures::now() + Duration::from_secs(round);
            terminal.clear().unwrap();
            let started = Instant::now();
            terminal
                .draw(|frame| tokendeck::tui::views::render(&app, frame))
                .unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "home screen redraw at {width}x{height}, 1,000 accounts, 10,000 log lines: median {:.0} µs, p99 {:.0} µs, max {:.0} µs ({} frames)",
            us(times[times.len() / 2]),
            us(times[times.len() * 99 / 100]),
            us(times[times.len() - 1]),
            times.len()
        );
    }
}
