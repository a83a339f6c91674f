//! The event log: one JSON line per link, refresh or removal, appended by every tokendeck process
//! under the state dir and rotated by size, so the TUI can show refreshes that a script made in
//! another terminal. It never holds a secret: events carry times, names, outcomes and messages
//! that are secret-free by construction.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::home::Home;
use super::hooks::HookEvent;
use crate::oauth::{ErrorKind, RefreshTrigger};

/// The log is rotated (to `events.jsonl.1`) once it grows past this.
pub const MAX_LOG_BYTES: u64 = 1024 * 1024;

/// What set an event off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    Manual,
    AheadOfExpiry,
    #[serde(rename = "after-401")]
    After401,
    Link,
    /// The grant given back at the provider (RFC 7009), before a removal.
    Revoke,
    Remove,
    /// A hook command ran (the event's `hook` says for which event).
    Hook,
}

impl From<RefreshTrigger> for Trigger {
    fn from(trigger: RefreshTrigger) -> Self {
        match trigger {
            RefreshTrigger::Manual => Trigger::Manual,
            RefreshTrigger::AheadOfExpiry => Trigger::AheadOfExpiry,
            RefreshTrigger::After401 => Trigger::After401,
        }
    }
}

impl Trigger {
    /// In the words the CLI and the TUI show (the file keeps its serde names).
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::AheadOfExpiry => "ahead of expiry",
            Trigger::After401 => "after a 401",
            Trigger::Link => "link",
            Trigger::Revoke => "revoke",
            Trigger::Remove => "remove",
            Trigger::Hook => "hook",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Done: new tokens stored (or the record removed).
    Ok,
    /// Another process had just refreshed; its tokens were used.
    Adopted,
    Failed,
}

impl Outcome {
    /// In the words the CLI and the TUI show.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Adopted => "ok (done by another process)",
            Outcome::Failed => "failed",
        }
    }
}

/// How a failure is classified, in the log's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    Transient,
    NeedsRelink,
    Ambiguous,
    Other,
}

impl From<ErrorKind> for FailureKind {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Transient => FailureKind::Transient,
            ErrorKind::NeedsReauthorization => FailureKind::NeedsRelink,
            ErrorKind::Ambiguous => FailureKind::Ambiguous,
            // Only a link meets a refused configuration, and links are logged as successes.
            ErrorKind::Configuration | ErrorKind::Other => FailureKind::Other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "rfc3339")]
    pub time: SystemTime,
    pub account: String,
    pub trigger: Trigger,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_opt")]
    pub expires_at: Option<SystemTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<FailureKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a hook's run: the event it ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<HookEvent>,
    pub pid: u32,
}

impl Event {
    pub fn new(account: &str, trigger: Trigger, outcome: Outcome) -> Event {
        Event {
            time: SystemTime::now(),
            account: account.to_string(),
            trigger,
            outcome,
            expires_at: None,
            error_kind: None,
            message: None,
            hook: None,
            pid: std::process::id(),
        }
    }

    /// What set it off, in the words the CLI and the TUI show: `hook refreshed` for a hook.
    pub fn trigger_label(&self) -> String {
        match (self.trigger, self.hook) {
            (Trigger::Hook, Some(event)) => format!("hook {event}"),
            (trigger, _) => trigger.label().to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct EventLog {
    path: PathBuf,
    lock_path: PathBuf,
}

impl EventLog {
    pub fn new(home: &Home) -> EventLog {
        EventLog {
            path: home.events_file(),
            lock_path: home.state_dir().join("events.lock"),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Appends one line; rotates first when the log is full. Serialized across processes.
    pub fn append(&self, event: &Event) -> Result<(), StoreError> {
        super::unblocked(|| self.append_now(event))
    }

    fn append_now(&self, event: &Event) -> Result<(), StoreError> {
        if let Some(dir) = self.path.parent() {
            Home::ensure_private_dir(dir)?;
        }
        let io = |e| StoreError::io(&self.path, e);
        let lock = super::files::open_lock(&self.lock_path)?;
        lock.lock().map_err(io)?;
        if fs::metadata(&self.path).is_ok_and(|m| m.len() >= MAX_LOG_BYTES) {
            fs::rename(&self.path, self.rotated()).map_err(io)?;
        }
        let mut line = serde_json::to_string(event).map_err(|e| io(std::io::Error::other(e)))?;
        line.push('\n');
        let mut file = super::files::private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(io)?;
        super::files::make_private(&file).map_err(io)?;
        // A writer killed midway left a line without its end: end it, so that only that torn
        // line is unreadable and not this event too.
        if ends_torn(&mut file).map_err(io)? {
            line.insert(0, '\n');
        }
        file.write_all(line.as_bytes()).map_err(io)
    }

    /// Every event still on disk, oldest first, and how many lines could not be read.
    pub fn read(&self) -> Batch {
        let mut batch = read_events(&self.rotated(), 0).0;
        let current = read_events(&self.path, 0).0;
        batch.events.extend(current.events);
        batch.unreadable += current.unreadable;
        batch
    }

    /// Every event still on disk, oldest first; lines that cannot be read are skipped (see
    /// [`read`](Self::read) for how many).
    pub fn read_all(&self) -> Vec<Event> {
        self.read().events
    }

    /// Every event still on disk, as [`read`](Self::read) gives them, and a follower that starts
    /// exactly where this read ended: no event is missed or seen twice between the two.
    pub fn history(&self) -> (Batch, Follow) {
        let mut batch = read_events(&self.rotated(), 0).0;
        let (current, offset) = read_events(&self.path, 0);
        batch.events.extend(current.events);
        batch.unreadable += current.unreadable;
        let follow = Follow {
            path: self.path.clone(),
            offset,
        };
        (batch, follow)
    }

    /// Follows the log from its current end.
    pub fn follow(&self) -> Follow {
        let offset = fs::metadata(&self.path).map_or(0, |m| m.len());
        Follow {
            path: self.path.clone(),
            offset,
        }
    }

    fn rotated(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(".1");
        PathBuf::from(name)
    }
}

/// A reader that returns the events appended since it last looked.
#[derive(Debug)]
pub struct Follow {
    path: PathBuf,
    offset: u64,
}

impl Follow {
    /// The events appended since the last look, and how many new lines could not be read.
    pub fn read(&mut self) -> Batch {
        let len = fs::metadata(&self.path).map_or(0, |m| m.len());
        if len < self.offset {
            self.offset = 0; // rotated: the new file starts afresh
        }
        let (batch, offset) = read_events(&self.path, self.offset);
        self.offset = offset;
        batch
    }

    /// The events appended since the last look; unreadable lines are skipped.
    pub fn poll(&mut self) -> Vec<Event> {
        self.read().events
    }
}

/// What one read of the log found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub events: Vec<Event>,
    /// Lines skipped because they were not an event (not UTF-8, not JSON, not this shape): a
    /// damaged file, or one written by a newer tokendeck. The lines after them are still read.
    pub unreadable: usize,
}

/// One line of the log, as written by [`EventLog::append`].
pub fn parse_line(line: &[u8]) -> Result<Event, serde_json::Error> {
    serde_json::from_slice(line)
}

/// Reads whole lines from `offset`; returns them and the offset after the last whole line.
fn read_events(path: &std::path::Path, offset: u64) -> (Batch, u64) {
    let mut batch = Batch::default();
    let Ok(mut file) = File::open(path) else {
        return (batch, offset);
    };
    if file.seek(SeekFrom::Start(offset)).is_err() {
        return (batch, offset);
    }
    let mut reader = BufReader::new(file);
    let mut position = offset;
    // Bytes, not a String: one line that is not UTF-8 must not stop the reading of the rest.
    let mut line = Vec::new();
    while let Ok(n) = reader.read_until(b'\n', &mut line) {
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end, or a line still being written
        }
        position += n as u64;
        match parse_line(&line) {
            Ok(event) => batch.events.push(event),
            Err(_) if line.trim_ascii().is_empty() => {}
            Err(_) => batch.unreadable += 1,
        }
        line.clear();
    }
    (batch, position)
}

/// Whether the file's last byte is not a line's end (a writer died mid-line).
fn ends_torn(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut last)?;
    Ok(last != *b"\n")
}

mod rfc3339 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_rfc3339_millis(crate::time::showable(*t)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

mod rfc3339_opt {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::rfc3339::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| humantime::parse_rfc3339(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;

    use super::*;

    #[test]
    fn appends_follows_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let log = EventLog::new(&home);
        let mut follow = log.follow();
        let mut event = Event::new("work", Trigger::Manual, Outcome::Ok);
        event.expires_at = Some(SystemTime::now());
        log.append(&event).unwrap();
        let seen = follow.poll();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].account, "work");
        assert_eq!(seen[0].trigger, Trigger::Manual);
        assert!(follow.poll().is_empty());

        let line = fs::read_to_string(log.path()).unwrap();
        assert!(
            line.contains(r#""trigger":"manual""#) && line.contains(r#""outcome":"ok""#),
            "{line}"
        );

        // Fill past the limit; the next append rotates.
        let filler = "x".repeat(MAX_LOG_BYTES as usize);
        fs::write(log.path(), format!("{filler}\n")).unwrap();
        log.append(&Event::new("work", Trigger::After401, Outcome::Failed))
            .unwrap();
        assert!(fs::metadata(log.path()).unwrap().len() < 1000);
        let after = follow.poll();
        assert_eq!(after.len(), 1, "the follower starts over on the new file");
        assert_eq!(after[0].trigger, Trigger::After401);
        assert_eq!(log.read_all().len(), 1, "the filler line was not an event");
    }

    #[test]
    fn the_history_and_its_follower_see_every_event_once() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let log = EventLog::new(&home);
        let (batch, mut follow) = log.history();
        assert_eq!(batch, Batch::default(), "no log yet");
        for name in ["a", "b"] {
            log.append(&Event::new(name, Trigger::Manual, Outcome::Ok))
                .unwrap();
        }
        let (batch, mut from_here) = log.history();
        let names: Vec<_> = batch.events.iter().map(|e| e.account.clone()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            follow.poll().len(),
            2,
            "the first follower started before both"
        );
        assert!(from_here.poll().is_empty(), "the history already had them");
        log.append(&Event::new("c", Trigger::Manual, Outcome::Ok))
            .unwrap();
        assert_eq!(from_here.poll()[0].account, "c");
    }

    #[test]
    fn a_line_that_is_not_utf8_or_not_json_is_skipped_and_counted_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let log = EventLog::new(&home);
        let mut follow = log.follow();
        log.append(&Event::new("before", Trigger::Manual, Outcome::Ok))
            .unwrap();
        let mut file = OpenOptions::new().append(true).open(log.path()).unwrap();
        file.write_all(b"{\"account\":\"\xff\xfe\"}\n").unwrap();
        file.write_all(b"not json at all\n\n").unwrap();
        log.append(&Event::new("after", Trigger::Manual, Outcome::Ok))
            .unwrap();

        let batch = log.read();
        let names: Vec<&str> = batch.events.iter().map(|e| e.account.as_str()).collect();
        assert_eq!(names, ["before", "after"]);
        assert_eq!(batch.unreadable, 2, "the blank line is not counted");
        let batch = follow.read();
        assert_eq!((batch.events.len(), batch.unreadable), (2, 2));
        assert_eq!(follow.read(), Batch::default(), "each line is counted once");
        log.append(&Event::new("later", Trigger::Manual, Outcome::Ok))
            .unwrap();
        assert_eq!(
            follow.poll()[0].account,
            "later",
            "the follower is not stuck"
        );
    }

    #[test]
    fn a_torn_last_line_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        let log = EventLog::new(&home);
        log.append(&Event::new("first", Trigger::Manual, Outcome::Ok))
            .unwrap();
        let mut follow = log.follow();
        // A writer killed in the middle of its line.
        let mut file = OpenOptions::new().append(true).open(log.path()).unwrap();
        file.write_all(br#"{"time":"2030-01-01T00:00:00.000Z","acc"#)
            .unwrap();
        assert_eq!(
            follow.read(),
            Batch::default(),
            "a line still being written waits"
        );
        log.append(&Event::new("next", Trigger::Manual, Outcome::Ok))
            .unwrap();
        let batch = follow.read();
        assert_eq!(batch.unreadable, 1);
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.events[0].account, "next");
        let names: Vec<String> = log.read_all().into_iter().map(|e| e.account).collect();
        assert_eq!(names, ["first", "next"]);
    }
}
