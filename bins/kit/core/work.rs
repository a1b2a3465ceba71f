//! Work spread over every core with results handed on in order: seance-grep and
//! seance-sessions read many transcripts, and their output must not depend on which thread
//! finished first.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work(i, stop)` for every `i` in `0..count` on all cores, and hands each result to
/// `take` in the order of `i`, each as soon as it and all before it are done. When `take`
/// returns false, `stop` is raised: items not started are never started, and work in progress
/// can watch `stop` to end early (its result is then dropped).
pub fn ordered<T: Send>(
    count: usize,
    work: impl Fn(usize, &Arc<AtomicBool>) -> T + Sync,
    mut take: impl FnMut(T) -> bool,
) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(count).max(1);
    let stop = Arc::new(AtomicBool::new(false));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, T)>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (work, next, stop) = (&work, &next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let result = work(i, stop);
                    if sender.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (i, result) in receiver.iter() {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&due) {
                due += 1;
                if !take(result) {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_stop_stops() {
        let mut seen = Vec::new();
        ordered(
            50,
            |i, _| {
                std::thread::sleep(std::time::Duration::from_micros(((50 - i) * 20) as u64));
                i * 2
            },
            |r| {
                seen.push(r);
                true
            },
        );
        assert_eq!(seen, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        let started = AtomicUsize::new(0);
        let mut taken = 0;
        ordered(
            1000,
            |_, _| {
                std::thread::sleep(std::time::Duration::from_millis(1));
                started.fetch_add(1, Ordering::Relaxed)
            },
            |_| {
                taken += 1;
                taken < 3
            },
        );
        assert_eq!(taken, 3);
        assert!(started.load(Ordering::Relaxed) < 1000);
    }
}
