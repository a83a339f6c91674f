//! Bounded concurrency: at most N refreshes in flight against one token endpoint, so that a
//! thousand accounts falling due together are not a thousand simultaneous requests to one
//! provider. Automatic refreshes only take a free slot (the scheduler keeps the rest due and
//! starts them as slots free up, earliest first); manual ones wait for a slot, and since nothing
//! automatic queues on it, they wait behind at most the N in flight, never behind a thousand.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many refreshes may be in flight against one token endpoint unless told otherwise.
pub const DEFAULT_PER_ENDPOINT: u16 = 4;

/// The environment variable that sets it for every engine (the TUI's and the daemon's).
pub const PER_ENDPOINT_ENV: &str = "TOKENDECK_MAX_PER_ENDPOINT";

/// The slots of every token endpoint this engine has refreshed against.
#[derive(Debug)]
pub struct EndpointLimits {
    per_endpoint: usize,
    slots: HashMap<String, Arc<Semaphore>>,
}

impl EndpointLimits {
    pub fn new(per_endpoint: usize) -> EndpointLimits {
        EndpointLimits {
            per_endpoint: per_endpoint.max(1),
            slots: HashMap::new(),
        }
    }

    /// `TOKENDECK_MAX_PER_ENDPOINT` when it holds a whole number of at least 1, or the default.
    pub fn per_endpoint_from_env() -> usize {
        std::env::var(PER_ENDPOINT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n >= 1)
            .unwrap_or(DEFAULT_PER_ENDPOINT.into())
    }

    fn semaphore(&mut self, endpoint: &str) -> Arc<Semaphore> {
        self.slots
            .entry(endpoint.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
            .clone()
    }

    /// A slot for an automatic refresh, if one is free now.
    pub fn try_take(&mut self, endpoint: &str) -> Option<OwnedSemaphorePermit> {
        self.semaphore(endpoint).try_acquire_owned().ok()
    }

    /// Whether `endpoint` has a free slot now.
    pub fn has_room(&mut self, endpoint: &str) -> bool {
        self.semaphore(endpoint).available_permits() > 0
    }

    /// A slot for a manual refresh: a future that waits for one (behind other manual refreshes
    /// and the ones in flight only).
    pub fn take(
        &mut self,
        endpoint: &str,
    ) -> impl Future<Output = Option<OwnedSemaphorePermit>> + Send + use<> {
        let semaphore = self.semaphore(endpoint);
        async move { semaphore.acquire_owned().await.ok() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn n_slots_per_endpoint_and_a_manual_refresh_gets_the_next_one() {
        let mut limits = EndpointLimits::new(2);
        let a = limits.try_take("https://a/token").unwrap();
        let _b = limits.try_take("https://a/token").unwrap();
        assert!(limits.try_take("https://a/token").is_none());
        assert!(!limits.has_room("https://a/token"));
        // Another endpoint has its own slots.
        assert!(limits.try_take("https://b/token").is_some());
        // A manual refresh waits for a slot, and gets the first one freed.
        let manual = limits.take("https://a/token");
        drop(a);
        assert!(manual.await.is_some());
    }

    #[test]
    fn zero_means_one() {
        let mut limits = EndpointLimits::new(0);
        let _held = limits.try_take("t").unwrap();
        assert!(limits.try_take("t").is_none());
    }
}
