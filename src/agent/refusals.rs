//! The daemon's word about connections it refused: a process of another user that connects is
//! said once a minute per uid, with how many of its connections were refused since without a word
//! of their own, so that a flood of them fills no journal; a count left when the flood stops is
//! said a minute after the last line (the only time the listener wakes for it).

use std::time::Duration;

/// How often a refusal of one uid's connections is said.
pub const REFUSALS_SAID_EVERY: Duration = Duration::from_secs(60);

/// When each refused uid was last said, and how many of its refusals were not said since.
#[derive(Default)]
pub struct Refusals {
    by_uid: std::collections::HashMap<u32, (tokio::time::Instant, u64)>,
}

impl Refusals {
    /// `Some(unsaid)` when this refusal is to be said, with the count of those that were not.
    pub fn say(&mut self, uid: u32, now: tokio::time::Instant) -> Option<u64> {
        match self.by_uid.get_mut(&uid) {
            Some((said, unsaid)) if now.duration_since(*said) < REFUSALS_SAID_EVERY => {
                *unsaid += 1;
                None
            }
            Some((said, unsaid)) => {
                *said = now;
                Some(std::mem::take(unsaid))
            }
            None => {
                self.by_uid.insert(uid, (now, 0));
                Some(0)
            }
        }
    }

    /// When a count not said yet is due: a minute after its uid's last line.
    pub fn due(&self) -> Option<tokio::time::Instant> {
        self.by_uid
            .values()
            .filter(|(_, unsaid)| *unsaid > 0)
            .map(|(said, _)| *said + REFUSALS_SAID_EVERY)
            .min()
    }

    /// The counts due by `now`, each with its uid, taken to be said; uids quiet for a minute
    /// with nothing left to say are forgotten.
    pub fn flush(&mut self, now: tokio::time::Instant) -> Vec<(u32, u64)> {
        let mut due = Vec::new();
        self.by_uid.retain(|uid, (said, unsaid)| {
            if now.duration_since(*said) < REFUSALS_SAID_EVERY {
                return true;
            }
            if *unsaid > 0 {
                due.push((*uid, std::mem::take(unsaid)));
                *said = now;
                return true;
            }
            false
        });
        due.sort_unstable();
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flood of connections from another uid is said once a minute per uid, with the count of
    /// those that were not said; another uid is said at once.
    #[test]
    fn refusals_are_said_once_a_minute_per_uid_with_the_count_left_unsaid() {
        let mut refusals = Refusals::default();
        let start = tokio::time::Instant::now();
        assert_eq!(refusals.say(65534, start), Some(0));
        for second in 1..60 {
            let at = start + Duration::from_secs(second);
            assert_eq!(refusals.say(65534, at), None, "second {second}");
        }
        assert_eq!(refusals.say(1001, start + Duration::from_secs(30)), Some(0));
        assert_eq!(
            refusals.say(65534, start + REFUSALS_SAID_EVERY),
            Some(59),
            "the next one says how many were not said"
        );
        assert_eq!(refusals.say(65534, start + REFUSALS_SAID_EVERY), None);
    }

    /// What a flood left unsaid when it stopped is said a minute after the last line, once.
    #[test]
    fn a_count_left_when_the_flood_stops_is_said_a_minute_after_the_last_line() {
        let mut refusals = Refusals::default();
        let start = tokio::time::Instant::now();
        assert_eq!(refusals.due(), None);
        refusals.say(65534, start);
        assert_eq!(refusals.due(), None, "nothing unsaid: no wake-up");
        refusals.say(65534, start + Duration::from_secs(5));
        refusals.say(65534, start + Duration::from_secs(6));
        assert_eq!(refusals.due(), Some(start + REFUSALS_SAID_EVERY));
        assert!(refusals.flush(start + Duration::from_secs(59)).is_empty());
        assert_eq!(refusals.flush(start + REFUSALS_SAID_EVERY), [(65534, 2)]);
        assert_eq!(refusals.due(), None);
        assert!(refusals.flush(start + 3 * REFUSALS_SAID_EVERY).is_empty());
        assert!(refusals.by_uid.is_empty(), "a quiet uid is forgotten");
    }
}
