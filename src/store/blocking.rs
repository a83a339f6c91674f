//! File work from async code: the one way every blocking method of the store runs, below
//! everything in the store that touches a file.

/// Runs file work — a read, a write, a short `flock` — from code that may be async without
/// stalling the runtime's other tasks: on a multi-thread runtime (the TUI, its refresh engine)
/// the worker first hands its other tasks on ([`tokio::task::block_in_place`]); on a
/// current-thread runtime (the one-shot commands, which do one thing at a time), on a blocking
/// thread and outside any runtime it simply runs. Every blocking method of the store goes
/// through it, so no caller has to remember.
pub fn unblocked<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::unblocked;

    #[test]
    fn file_work_runs_on_every_kind_of_runtime_and_nested() {
        assert_eq!(unblocked(|| 1), 1, "outside a runtime");
        let current = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(current.block_on(async { unblocked(|| 2) }), 2);
        let multi = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let nested = multi.block_on(async {
            tokio::spawn(async { unblocked(|| unblocked(|| 3)) })
                .await
                .unwrap()
        });
        assert_eq!(
            nested, 3,
            "on a worker, and nested (remove appends to the log inside)"
        );
        let blocking = multi.block_on(async {
            tokio::task::spawn_blocking(|| unblocked(|| 4))
                .await
                .unwrap()
        });
        assert_eq!(blocking, 4, "on a blocking thread");
    }
}
