//! Answers to anonymous queries, kept until the data changes.
//!
//! Every change to curated data writes a revision, and the change bus knows the newest one
//! (a local commit pokes it before the mutation answers; other replicas hear PostgreSQL's
//! NOTIFY). An answer is stored with the head it was computed under and served only while
//! the head is still that: the first request after any change empties the cache. The head is
//! read before the query runs, so an answer that raced a commit is stored under the old head
//! and never served. Only anonymous, error-free query operations are stored: an editor sees
//! drafts, and a mutation must always run.

use actix_web::web::Bytes;
use lru::LruCache;
use std::sync::Mutex;

/// Stored answers, bounded by the bytes of their bodies.
pub struct ResponseCache {
    budget: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    head: i64,
    bytes: usize,
    entries: LruCache<String, Bytes>,
}

impl ResponseCache {
    /// A cache holding up to `budget` bytes of answers; 0 turns it off.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(Inner {
                head: i64::MIN,
                bytes: 0,
                entries: LruCache::unbounded(),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// What identifies an answer: the query text, the operation and the variables.
    pub fn key(query: &str, operation: Option<&str>, variables: &str) -> String {
        format!("{}\u{0}{query}\u{0}{variables}", operation.unwrap_or(""))
    }

    /// The stored answer, if it was computed under this head.
    pub fn get(&self, key: &str, head: i64) -> Option<Bytes> {
        if !self.enabled() {
            return None;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.head != head {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    /// Stores an answer computed under `head`. Answers larger than a sixteenth of the budget
    /// are not kept, so one huge page cannot push out everything else.
    pub fn put(&self, key: String, head: i64, body: Bytes) {
        if !self.enabled() || body.len() > self.budget / 16 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if head > inner.head {
            // The data changed since the stored answers were computed.
            inner.entries.clear();
            inner.bytes = 0;
            inner.head = head;
        } else if head < inner.head {
            return;
        }
        inner.bytes += body.len() + key.len();
        if let Some(old) = inner.entries.put(key.clone(), body) {
            inner.bytes -= old.len() + key.len();
        }
        while inner.bytes > self.budget {
            match inner.entries.pop_lru() {
                Some((k, v)) => inner.bytes -= k.len() + v.len(),
                None => break,
            }
        }
    }
}
