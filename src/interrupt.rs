//! Ctrl-C and SIGTERM: stop at a safe point, clean up, exit 130 or 143.
//!
//! A signal does not kill the process. The running command is abandoned at its next await
//! point, except inside a critical section (the renames that put a new database and uploads
//! folder in place), which always runs to its end first. The caller then cleans up what the
//! command left and exits with the signal's code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::watch;

use crate::error::Interrupted;

/// Watches for signals; cheap to clone.
#[derive(Clone)]
pub struct Interrupt {
    signal: watch::Receiver<Option<Interrupted>>,
    critical: Arc<watch::Sender<usize>>,
    /// Set once the command holds the lock and so may leave temporary databases or folders.
    cleanup_needed: Arc<AtomicBool>,
    /// Server sessions of ours that may still be working when the command is abandoned; the
    /// clean-up ends them, so they release their locks at once.
    sessions: Arc<std::sync::Mutex<Vec<i32>>>,
}

/// While alive, an interruption waits.
pub struct Critical {
    critical: Arc<watch::Sender<usize>>,
}

impl Drop for Critical {
    fn drop(&mut self) {
        self.critical.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Interrupt {
    /// Start listening for SIGINT and SIGTERM. Must be called inside the runtime.
    pub fn install() -> Interrupt {
        let (tx, rx) = watch::channel(None);
        tokio::spawn(async move {
            let signal = wait_for_signal().await;
            let _ = tx.send(Some(signal));
        });
        Interrupt {
            signal: rx,
            critical: Arc::new(watch::channel(0).0),
            cleanup_needed: Arc::new(AtomicBool::new(false)),
            sessions: Arc::default(),
        }
    }

    /// Resolves when a signal has come and no critical section is running.
    pub async fn wait(&self) -> Interrupted {
        let mut signal = self.signal.clone();
        let got = match signal.wait_for(Option::is_some).await {
            Ok(value) => *value,
            // The listener is gone (it could not be set up): never resolve.
            Err(_) => None,
        };
        let Some(got) = got else {
            return std::future::pending().await;
        };
        let mut critical = self.critical.subscribe();
        let _ = critical.wait_for(|n| *n == 0).await;
        got
    }

    /// From now on an interruption may leave something to clean up. Until this is called
    /// (while the command waits for another run's lock, say), an interruption exits at once:
    /// there is nothing to clean, and the clean-up would wait for that other run.
    pub fn mark_cleanup_needed(&self) {
        self.cleanup_needed.store(true, Ordering::SeqCst);
    }

    /// Whether [`Interrupt::mark_cleanup_needed`] was called.
    pub fn cleanup_needed(&self) -> bool {
        self.cleanup_needed.load(Ordering::SeqCst)
    }

    /// Have the clean-up end server session `pid` (a backend process id) should the command
    /// be abandoned.
    pub fn end_session_on_interrupt(&self, pid: i32) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.push(pid);
        }
    }

    /// The sessions [`Interrupt::end_session_on_interrupt`] named.
    pub fn sessions_to_end(&self) -> Vec<i32> {
        self.sessions.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Enter a critical section: an interruption waits until the returned guard is dropped.
    pub fn critical(&self) -> Critical {
        self.critical.send_modify(|n| *n += 1);
        Critical {
            critical: Arc::clone(&self.critical),
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() -> Interrupted {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut int) = signal(SignalKind::interrupt()) else {
        return std::future::pending().await;
    };
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => Interrupted::Int,
        _ = term.recv() => Interrupted::Term,
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> Interrupted {
    let _ = tokio::signal::ctrl_c().await;
    Interrupted::Int
}
