//! A model of stopping: refreshes that start and end at generated times, a stop at a generated
//! moment and a generated patience, on a paused clock. What the stop waits for, what it gives up
//! on and what it refuses must be exactly what the times say.

use std::time::Duration;

use proptest::prelude::*;

use super::*;

/// One refresh of the model: its account, when it asks to start and how long it is under way
/// (milliseconds). Times are even and the stop's moment odd, so that no two fall together.
#[derive(Clone, Debug)]
struct Planned {
    account: usize,
    starts: u64,
    lasts: u64,
}

const ACCOUNTS: [&str; 3] = ["home", "mail", "work"];

fn planned() -> impl Strategy<Value = Planned> {
    (0..ACCOUNTS.len(), 0..60u64, 0..100u64).prop_map(|(account, starts, lasts)| Planned {
        account,
        starts: starts * 2,
        lasts: lasts * 2,
    })
}

/// What the model says a stop at `stop_at` with `patience` comes to.
fn expected(plan: &[Planned], stop_at: u64, patience: u64) -> (Vec<String>, Settled, Vec<bool>) {
    let names = |keep: &dyn Fn(&Planned) -> bool| {
        let mut names: Vec<String> = plan
            .iter()
            .filter(|p| keep(p))
            .map(|p| ACCOUNTS[p.account].to_string())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let started = |p: &Planned| p.starts < stop_at;
    let under_way = names(&|p| started(p) && p.starts + p.lasts > stop_at);
    let left = names(&|p| started(p) && p.starts + p.lasts > stop_at + patience);
    let settled = if left.is_empty() {
        Settled::Ended
    } else {
        Settled::GaveUp(left)
    };
    let refused = plan.iter().map(|p| !started(p)).collect();
    (under_way, settled, refused)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_stop_waits_for_what_started_before_it_and_nothing_starts_after(
        plan in proptest::collection::vec(planned(), 0..8),
        stop_at in 0..70u64,
        patience in 0..120u64,
    ) {
        let (stop_at, patience) = (stop_at * 2 + 1, patience * 2);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let (under_way, settled, refused, abandoned) = runtime.block_on(async {
            let refreshes = Refreshes::default();
            let tasks: Vec<_> = plan
                .iter()
                .cloned()
                .map(|p| {
                    let refreshes = refreshes.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(p.starts)).await;
                        let Ok(ticket) = refreshes.enter(ACCOUNTS[p.account]) else {
                            return true;
                        };
                        tokio::time::sleep(Duration::from_millis(p.lasts)).await;
                        drop(ticket);
                        false
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(stop_at)).await;
            let stop = refreshes.stop();
            let under_way = stop.under_way();
            let settled = stop.settled(Duration::from_millis(patience)).await;
            let abandoned = refreshes.abandoned();
            let mut refused = Vec::new();
            for task in tasks {
                refused.push(task.await.unwrap());
            }
            (under_way, settled, refused, abandoned)
        });
        let (want_under_way, want_settled, want_refused) = expected(&plan, stop_at, patience);
        prop_assert_eq!(under_way, want_under_way, "under way at the stop");
        prop_assert_eq!(abandoned, want_settled != Settled::Ended, "given up");
        prop_assert_eq!(settled, want_settled);
        prop_assert_eq!(refused, want_refused, "refused: those after the stop");
    }
}

#[test]
fn a_second_signal_gives_up_on_what_is_under_way_and_says_which() {
    let refreshes = Refreshes::default();
    let work = refreshes.enter("work").unwrap();
    let mail = refreshes.enter("mail").unwrap();
    let again = refreshes.enter("work").unwrap();
    let stop = refreshes.stop();
    assert_eq!(stop.under_way(), ["mail", "work"], "each once, in order");
    assert!(!work.cut_short(), "not before it is given up on");
    drop(mail);
    assert_eq!(stop.abandon(), ["work"]);
    assert!(work.cut_short() && again.cut_short());
    assert_eq!(refreshes.enter("home").err(), Some(Stopping));
}
