//! `log`: the event log, whole or followed.

use std::time::Duration;

use super::CliError;
use jiff::tz::TimeZone;

use crate::store::events::Batch;
use crate::store::{Event, Store};
use crate::text::{FORMAT_VERSION, Lines, printable, printable_json};
use crate::time::{date_time, near};

pub async fn log(
    store: &Store,
    name: Option<&str>,
    follow: bool,
    json: bool,
) -> Result<(), CliError> {
    let wanted = |event: &Event| name.is_none_or(|n| event.account == n);
    let mut following = store.log().follow();
    let batch = store.log().read();
    let history: Vec<&Event> = batch.events.iter().filter(|e| wanted(e)).collect();
    // A removed account keeps its history; only a name that is neither defined nor in the log
    // is a mistake.
    if let Some(name) = name
        && history.is_empty()
    {
        store.accounts()?.get(name)?;
    }
    let zone = crate::time::local_zone();
    let show = |batch: Batch| {
        for event in batch.events.iter().filter(|e| wanted(e)) {
            print_event(event, json, &zone);
        }
        // Said once per read, not once per line: a damaged log must not drown the events.
        if batch.unreadable > 0 {
            eprintln!(
                "tokendeck: {} line{} of the event log could not be read and {} skipped ({}).",
                batch.unreadable,
                if batch.unreadable == 1 { "" } else { "s" },
                if batch.unreadable == 1 { "was" } else { "were" },
                store.log().path().display()
            );
        }
    };
    show(batch);
    if !follow {
        return Ok(());
    }
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        show(following.read());
    }
}

/// One event per line. The account and the message come from a file anyone can edit and from
/// the provider's words: escaped for the terminal (and in JSON, beyond what serde escapes).
fn print_event(event: &Event, json: bool, zone: &TimeZone) {
    if json {
        // The version goes on the printed line only: the log file's lines are the store's.
        if let Ok(mut value) = serde_json::to_value(event) {
            if let Some(object) = value.as_object_mut() {
                object.insert("format_version".into(), FORMAT_VERSION.into());
            }
            println!("{}", printable_json(&value.to_string()));
        }
        return;
    }
    let mut line = format!(
        "{}  {:<16} {:<16} {}",
        date_time(event.time, zone),
        printable(&event.account, Lines::One),
        event.trigger_label(),
        event.outcome.label()
    );
    if let Some(at) = event.expires_at {
        line.push_str(&format!("  expires {}", near(at, event.time, zone)));
    }
    if let Some(message) = &event.message {
        line.push_str(&format!("  {}", printable(message, Lines::One)));
    }
    println!("{line}  [pid {}]", event.pid);
}
