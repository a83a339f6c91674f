//! `log`: the event log, whole or followed.

use std::time::Duration;

use super::CliError;
use crate::format::rfc3339;
use crate::store::{Event, Outcome, Store};

pub async fn log(
    store: &Store,
    name: Option<&str>,
    follow: bool,
    json: bool,
) -> Result<(), CliError> {
    let wanted = |event: &Event| name.is_none_or(|n| event.account == n);
    let mut following = store.log().follow();
    let history: Vec<Event> = store.log().read_all().into_iter().filter(wanted).collect();
    // A removed account keeps its history; only a name that is neither defined nor in the log
    // is a mistake.
    if let Some(name) = name
        && history.is_empty()
    {
        store.accounts()?.get(name)?;
    }
    for event in &history {
        print_event(event, json);
    }
    if !follow {
        return Ok(());
    }
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        for event in following.poll().iter().filter(|e| wanted(e)) {
            print_event(event, json);
        }
    }
}

fn print_event(event: &Event, json: bool) {
    if json {
        if let Ok(line) = serde_json::to_string(event) {
            println!("{line}");
        }
        return;
    }
    let trigger = serde_json::to_value(event.trigger)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let outcome = match event.outcome {
        Outcome::Ok => "ok",
        Outcome::Adopted => "ok (done by another process)",
        Outcome::Failed => "FAILED",
    };
    let mut line = format!(
        "{}  {:<16} {:<16} {outcome}",
        rfc3339(event.time),
        event.account,
        trigger
    );
    if let Some(at) = event.expires_at {
        line.push_str(&format!("  expires {}", rfc3339(at)));
    }
    if let Some(message) = &event.message {
        line.push_str(&format!("  {message}"));
    }
    println!("{line}  [pid {}]", event.pid);
}
