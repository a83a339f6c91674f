//! The daemon's word about connections it refused: a process of another user that connects is
//! said once a minute per uid, with how many of its connections were refused since without a word
//! of their own, so that a flood of them fills no journal.

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
}
