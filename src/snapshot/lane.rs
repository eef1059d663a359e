//! One thread that does a run's snapshot file work, in order, off the async workers.
//!
//! Why one thread and not tokio's blocking pool: creating files concurrently in one folder makes
//! the kernel spin on the folder's lock (perf on ext4: `rwsem_spin_on_owner` and inode
//! allocation were a fifth of the samples of an update run), and every `block_in_place` or
//! `spawn_blocking` hand-off wakes threads. A single lane creates 3,000 files in ~40 ms on a
//! quiet file system while the workers go on sending requests: a case hands its files over once,
//! when it ends, and the lane finishes the case ([`FileLane::send`]), so no worker waits.
//!
//! The lane lets jobs gather for [`GATHER`] after each burst, as the reporters do: a case
//! handed over while the lane sleeps costs no wake-up, so the lane wakes once a pause rather
//! than once a case (on 2 cores, a futex wake and two context switches a case were CPU the
//! runner and the target share).

use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A handle on the lane; clones share the thread, which ends when the last handle is dropped.
#[derive(Clone)]
pub struct FileLane {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for FileLane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileLane")
    }
}

/// How long jobs gather after a burst before the lane looks for more.
pub const GATHER: Duration = Duration::from_millis(2);

/// The lane's thread is gone (it could not start, or a job panicked).
#[derive(Debug, thiserror::Error)]
#[error("the snapshot writer thread stopped")]
pub struct LaneStopped;

impl FileLane {
    /// Starts the lane's thread.
    pub fn spawn() -> std::io::Result<FileLane> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("conform-snapshots".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                    // Whatever came meanwhile, then whatever comes in one gathering pause; the
                    // lane blocks (and a sender wakes it) only after a pause that brought nothing.
                    loop {
                        while let Ok(job) = rx.try_recv() {
                            job();
                        }
                        std::thread::sleep(GATHER);
                        match rx.try_recv() {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                }
            })?;
        Ok(FileLane { tx })
    }

    /// Queues `work` on the lane without waiting for it. When the lane is gone, `work` is
    /// dropped unrun: work that must answer either way owns a guard that answers on drop.
    pub fn send<F>(&self, work: F) -> Result<(), LaneStopped>
    where
        F: FnOnce() + Send + 'static,
    {
        self.tx.send(Box::new(work)).map_err(|_| LaneStopped)
    }

    /// Runs `work` on the lane and waits (asynchronously) for its answer.
    pub async fn run<T, F>(&self, work: F) -> Result<T, LaneStopped>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .map_err(|_| LaneStopped)?;
        rx.await.map_err(|_| LaneStopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_order_on_one_thread_other_than_the_caller() {
        let lane = FileLane::spawn().expect("lane");
        let caller = std::thread::current().id();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waits = Vec::new();
        for i in 0..50 {
            let log = log.clone();
            let lane = lane.clone();
            waits.push(tokio::spawn(async move {
                lane.run(move || {
                    log.lock().expect("log").push(i);
                    std::thread::current().id()
                })
                .await
            }));
        }
        let mut threads = std::collections::HashSet::new();
        for w in waits {
            threads.insert(w.await.expect("task").expect("lane answers"));
        }
        assert_eq!(threads.len(), 1, "one lane thread");
        assert!(!threads.contains(&caller));
        assert_eq!(log.lock().expect("log").len(), 50);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_hang() {
        let lane = FileLane::spawn().expect("lane");
        let r: Result<(), LaneStopped> = lane.run(|| panic!("boom")).await;
        assert!(r.is_err());
        // The thread is gone: later jobs are refused, not lost silently.
        assert!(lane.run(|| 1).await.is_err());
    }
}
