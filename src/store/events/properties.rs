//! Properties of the event log's line parser: whatever a line holds (another program's output,
//! a torn write, bytes that are not text), reading it never panics; an event written is read back
//! equal.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;

use super::{Event, FailureKind, Outcome, Trigger, parse_line};
use crate::properties::{config, text};

/// The last millisecond RFC 3339 can write: 9999-12-31T23:59:59.999Z.
const LAST_MS: u64 = 253_402_300_799_999;

fn time() -> impl Strategy<Value = SystemTime> {
    (0..=LAST_MS).prop_map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
}

fn event() -> impl Strategy<Value = Event> {
    let trigger = prop::sample::select(vec![
        Trigger::Manual,
        Trigger::AheadOfExpiry,
        Trigger::After401,
        Trigger::Link,
        Trigger::Revoke,
        Trigger::Remove,
        Trigger::Hook,
    ]);
    let outcome = prop::sample::select(vec![Outcome::Ok, Outcome::Adopted, Outcome::Failed]);
    let kind = prop::sample::select(vec![
        FailureKind::Transient,
        FailureKind::NeedsRelink,
        FailureKind::Ambiguous,
        FailureKind::Other,
    ]);
    (
        (time(), prop::option::of(time())),
        text(16),
        (trigger, outcome, prop::option::of(kind)),
        prop::option::of(text(40)),
        any::<u32>(),
    )
        .prop_map(
            |((time, expires_at), account, (trigger, outcome, error_kind), message, pid)| Event {
                time,
                account,
                trigger,
                outcome,
                expires_at,
                error_kind,
                message,
                hook: (trigger == Trigger::Hook).then_some(crate::store::HookEvent::NeedsRelink),
                pid,
            },
        )
}

/// A line as a damaged log may hold it: bytes, text, an event's JSON cut or altered.
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..96),
        text(96).prop_map(String::into_bytes),
        (event(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(event, at, byte)| {
            let mut bytes = serde_json::to_vec(&event).unwrap();
            let at = at.index(bytes.len());
            if byte % 2 == 0 {
                bytes.truncate(at);
            } else {
                bytes[at] = byte;
            }
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(line in line()) {
        let _ = parse_line(&line);
    }

    #[test]
    fn an_event_written_is_read_back_equal(event in event()) {
        let mut line = serde_json::to_string(&event).unwrap();
        prop_assert!(!line.contains('\n'), "one line: {}", line);
        line.push('\n');
        let back = parse_line(line.as_bytes());
        prop_assert!(back.is_ok(), "{}: {}", line, back.unwrap_err());
        prop_assert_eq!(back.unwrap(), event);
    }
}
