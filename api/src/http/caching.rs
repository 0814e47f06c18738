//! HTTP caching of public reads: an anonymous GET query that succeeded may be cached by
//! browsers and CDNs for `EXODUS_CACHE_MAX_AGE` seconds and revalidated with its ETag
//! (`If-None-Match` → 304). Everything else (POST, editors, errors) is `no-store`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A weak ETag over the body's data with object keys sorted: async-graphql 7.2 may emit the
/// fields of one object in a different order from one run to the next, and such bodies are
/// the same data ("semantically equivalent", RFC 9110's weak validator).
pub fn etag(body: &Value) -> String {
    let bytes = serde_json::to_vec(&canonical(body)).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// The same value with every object's keys in sorted order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Whether the request's `If-None-Match` names this ETag (or is `*`).
pub fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag.trim_start_matches("W/") || t == "*")
}

/// Marks a response cacheable by anyone for `max_age` seconds, with its ETag.
pub fn public(response: &mut HttpResponse, etag: &str, max_age: u32) {
    let headers = response.headers_mut();
    let policy = if max_age == 0 {
        "public, no-cache".to_owned()
    } else {
        format!("public, max-age={max_age}")
    };
    if let Ok(v) = HeaderValue::from_str(&policy) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    vary(response);
}

/// Marks a response as not to be stored anywhere.
pub fn no_store(response: &mut HttpResponse) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    vary(response);
}

/// The answer depends on who asks and what they accept (the compression and CORS
/// middlewares add their own `Vary` entries).
fn vary(response: &mut HttpResponse) {
    response.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
}
