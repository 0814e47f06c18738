//! Persisted queries.
//!
//! - Automatic Persisted Queries, as Apollo's clients speak them: the client sends
//!   `extensions.persistedQuery = { version: 1, sha256Hash }` without the query; when the
//!   server does not know the hash it answers `PERSISTED_QUERY_NOT_FOUND`, and the client sends
//!   the query once more with the hash, which registers it. Public queries then fit in a short,
//!   cacheable GET.
//! - A safelist (`EXODUS_SAFELIST`): a file of registered operations. When it is set,
//!   anonymous clients may run only those operations (by hash, or by sending their exact
//!   text); editors may run anything.

use crate::error::ErrorCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// Why a request's query could not be settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedError {
    /// The hash is unknown: send the query along with it.
    NotFound,
    /// Safelist mode: anonymous clients may run registered operations only.
    NotInSafelist,
    /// The query does not hash to the given `sha256Hash`.
    HashMismatch,
    /// The request is not a valid persisted-query request.
    Malformed(String),
}

impl PersistedError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::PersistedQueryNotFound,
            Self::NotInSafelist => ErrorCode::PersistedQueryNotInList,
            Self::HashMismatch => ErrorCode::PersistedQueryHashMismatch,
            Self::Malformed(_) => ErrorCode::BadRequest,
        }
    }

    pub fn message(&self) -> String {
        match self {
            // Apollo's clients look for this exact message to send the full query.
            Self::NotFound => "PersistedQueryNotFound".into(),
            Self::NotInSafelist => {
                "this server runs only registered operations for anonymous clients".into()
            }
            Self::HashMismatch => "the query does not match its sha256Hash".into(),
            Self::Malformed(m) => m.clone(),
        }
    }
}

/// The registered and the learned queries.
pub struct PersistedQueries {
    /// Learned through APQ; bounded, least recently used first out.
    learned: Mutex<lru::LruCache<String, Arc<str>>>,
    /// From the safelist file, when one is configured.
    safelist: Option<HashMap<String, Arc<str>>>,
}

/// The lowercase hex SHA-256 of a query, as APQ and manifests name it.
pub fn hash(query: &str) -> String {
    format!("{:x}", Sha256::digest(query.as_bytes()))
}

impl PersistedQueries {
    /// `capacity` learned queries at most; `safelist` is the registered operations, if any.
    pub fn new(capacity: usize, safelist: Option<HashMap<String, Arc<str>>>) -> Self {
        let capacity = NonZeroUsize::new(capacity.max(1)).expect("capacity is at least 1");
        Self {
            learned: Mutex::new(lru::LruCache::new(capacity)),
            safelist,
        }
    }

    /// Whether anonymous clients are held to the safelist.
    pub fn safelist_mode(&self) -> bool {
        self.safelist.is_some()
    }

    /// The query to run, from the request's `query` (may be absent) and its
    /// `extensions.persistedQuery` (may be absent).
    pub fn resolve(
        &self,
        query: Option<String>,
        persisted: Option<&Value>,
        anonymous: bool,
    ) -> Result<String, PersistedError> {
        let restricted = anonymous && self.safelist.is_some();
        let wanted = persisted.map(parse_extension).transpose()?;
        match (query, wanted) {
            (None, None) => Err(PersistedError::Malformed(
                "the request has no `query`".into(),
            )),
            (Some(query), None) => {
                if restricted && !self.in_safelist(&hash(&query)) {
                    return Err(PersistedError::NotInSafelist);
                }
                Ok(query)
            }
            (None, Some(wanted)) => {
                if let Some(query) = self.safelist.as_ref().and_then(|s| s.get(&wanted)) {
                    return Ok(query.to_string());
                }
                if restricted {
                    return Err(PersistedError::NotInSafelist);
                }
                self.learned
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&wanted)
                    .map(|q| q.to_string())
                    .ok_or(PersistedError::NotFound)
            }
            (Some(query), Some(wanted)) => {
                if hash(&query) != wanted {
                    return Err(PersistedError::HashMismatch);
                }
                if restricted {
                    return if self.in_safelist(&wanted) {
                        Ok(query)
                    } else {
                        Err(PersistedError::NotInSafelist)
                    };
                }
                if !self.in_safelist(&wanted) {
                    self.learned
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .put(wanted, Arc::from(query.as_str()));
                }
                Ok(query)
            }
        }
    }

    fn in_safelist(&self, hash: &str) -> bool {
        self.safelist.as_ref().is_some_and(|s| s.contains_key(hash))
    }
}

/// The `sha256Hash` of a `persistedQuery` extension, checked.
fn parse_extension(value: &Value) -> Result<String, PersistedError> {
    let malformed = |m: &str| PersistedError::Malformed(m.to_owned());
    let object = value
        .as_object()
        .ok_or_else(|| malformed("`extensions.persistedQuery` must be an object"))?;
    if object.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(malformed(
            "`extensions.persistedQuery.version` must be 1, the only version there is",
        ));
    }
    let hash = object
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            malformed("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits")
        })?;
    Ok(hash.to_ascii_lowercase())
}

/// Reads a safelist file: an Apollo persisted-query manifest
/// (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}, …]}`) or a
/// plain JSON object of `{ "<sha256>": "<query>" }`. Every hash is checked against its query.
pub fn load_safelist(path: &std::path::Path) -> anyhow::Result<HashMap<String, Arc<str>>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the safelist {}: {e}", path.display()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the safelist {} is not JSON: {e}", path.display()))?;
    let pairs: Vec<(String, String)> = match json.get("operations") {
        Some(Value::Array(operations)) => operations
            .iter()
            .map(|op| {
                let body = op.get("body").and_then(Value::as_str);
                let id = op.get("id").and_then(Value::as_str);
                match (id, body) {
                    (Some(id), Some(body)) => Ok((id.to_owned(), body.to_owned())),
                    _ => Err(anyhow::anyhow!(
                        "every operation of the safelist needs an `id` and a `body`"
                    )),
                }
            })
            .collect::<anyhow::Result<_>>()?,
        _ => match json {
            Value::Object(map) => map
                .into_iter()
                .map(|(hash, query)| match query {
                    Value::String(q) => Ok((hash, q)),
                    _ => Err(anyhow::anyhow!("the safelist maps hashes to query strings")),
                })
                .collect::<anyhow::Result<_>>()?,
            _ => anyhow::bail!("the safelist must be a JSON object"),
        },
    };
    let mut list = HashMap::new();
    for (id, body) in pairs {
        let actual = hash(&body);
        if actual != id.to_ascii_lowercase() {
            anyhow::bail!("the safelist entry {id} does not match its query (sha256 {actual})");
        }
        list.insert(actual, Arc::from(body.as_str()));
    }
    Ok(list)
}
