//! One lazily built rayon pool for the whole core, sized by `GENIML_NUM_THREADS`.
//!
//! After a `fork()` the child must not touch the parent's pool (its threads do not exist in the
//! child); [`after_fork`] forgets it so that the next call builds a fresh one.

use std::sync::{Arc, Mutex, PoisonError};

use rayon::{ThreadPool, ThreadPoolBuilder};

static POOL: Mutex<Option<Arc<ThreadPool>>> = Mutex::new(None);

fn default_threads() -> usize {
    std::env::var("GENIML_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

fn build(n: usize) -> Arc<ThreadPool> {
    let pool = ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("geniml-{i}"))
        .build();
    match pool {
        Ok(p) => Arc::new(p),
        // Building a pool only fails when the OS refuses threads; fall back to one thread.
        Err(_) => Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
                .expect("a one-thread pool on the current thread always builds"),
        ),
    }
}

/// The shared pool (built on first use).
pub fn pool() -> Arc<ThreadPool> {
    let mut guard = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    guard
        .get_or_insert_with(|| build(default_threads()))
        .clone()
}

/// Run `f` inside a pool with `n_threads` threads (`None`: the shared pool).
pub fn install<R: Send, F: FnOnce() -> R + Send>(n_threads: Option<usize>, f: F) -> R {
    match n_threads {
        Some(n) if n > 0 => build(n).install(f),
        _ => pool().install(f),
    }
}

/// Forget the parent's pool in a freshly forked child.
pub fn after_fork() {
    let mut guard = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = guard.take() {
        // Dropping would signal threads that do not exist in the child; leak it instead.
        std::mem::forget(p);
    }
}

/// Number of threads of the shared pool.
pub fn current_num_threads() -> usize {
    pool().current_num_threads()
}
