//! Parsed documents, kept by their text (issue 17).
//!
//! Clients send the same few documents again and again with new variables, and parsing one
//! with async-graphql's parser (pest) cost about a twentieth of a nested page's server CPU
//! (BENCHMARKS.md); a copy of the parsed document costs a fraction of that. Only the parse
//! is kept: validation and every check still run on each request, since they depend on the
//! variables and the viewer.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError};
use lru::LruCache;
use std::any::TypeId;
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// Documents kept at most.
const ENTRIES: usize = 256;
/// Longer documents are parsed every time: the cache's memory stays bounded (about 2 MiB of
/// text and the trees parsed from it), whatever clients send.
const MAX_TEXT: usize = 8 * 1024;

/// The most recently used parsed documents.
pub struct Documents(Mutex<LruCache<String, ExecutableDocument>>);

/// Request data: the request's document already came through [`Documents::parse`] (the HTTP
/// handler parses before the schema's checks do; the second call must not copy it again).
struct Parsed;

impl Default for Documents {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(
            NonZeroUsize::new(ENTRIES).unwrap_or(NonZeroUsize::MIN),
        )))
    }
}

impl Documents {
    /// The request's document: the one parsed before from the same text, or parsed now (and
    /// kept). A document that does not parse is not kept.
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Result<&'r ExecutableDocument, ServerError> {
        if request.data.contains_key(&TypeId::of::<Parsed>()) {
            return request.parsed_query();
        }
        request.data.insert(Parsed);
        let keep = request.query.len() <= MAX_TEXT;
        if keep {
            let found = self.lock().get(request.query.as_str()).cloned();
            if let Some(document) = found {
                request.set_parsed_query(document);
                return request.parsed_query();
            }
        }
        let document = request.parsed_query()?.clone();
        if keep {
            self.lock().put(request.query.clone(), document);
        }
        request.parsed_query()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        // The cache holds no invariant a panic could break.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_document_is_the_one_parsed_from_its_text() {
        let documents = Documents::default();
        let text = "query Q($a: String) { withdrawals(after: $a) { nodes { id } } }";
        let mut first = Request::new(text);
        let parsed = format!("{:?}", documents.parse(&mut first).unwrap());
        let mut second = Request::new(text);
        assert_eq!(
            format!("{:?}", documents.parse(&mut second).unwrap()),
            parsed
        );
        assert_eq!(documents.lock().len(), 1);
        // The same request again (the schema's checks after the handler) is not looked up.
        documents.lock().clear();
        assert!(documents.parse(&mut second).is_ok());
        assert_eq!(documents.lock().len(), 0);
        assert!(documents.parse(&mut first).is_ok());
        assert_eq!(documents.lock().len(), 0);
        let mut third = Request::new(text);
        assert!(documents.parse(&mut third).is_ok());
        assert_eq!(documents.lock().len(), 1);

        let mut other = Request::new("{ stats { withdrawals } }");
        assert_ne!(
            format!("{:?}", documents.parse(&mut other).unwrap()),
            parsed
        );

        let mut broken = Request::new("{ stats {");
        assert!(documents.parse(&mut broken).is_err());
        let mut long = Request::new(format!(
            "{{ stats {{ withdrawals }} }} #{}",
            "x".repeat(MAX_TEXT)
        ));
        assert!(documents.parse(&mut long).is_ok());
        assert_eq!(
            documents.lock().len(),
            2,
            "neither the broken nor the long one is kept"
        );
    }
}
