//! `/feeds/changes.atom`: the change feed as an Atom feed (RFC 4287) for feed readers and
//! newsrooms, with the `changes` filters as query parameters (`kind`, `id`, repeatable).
//!
//! Paging follows RFC 5005's archived feeds. The log is cut into fixed pages of [`PAGE`]
//! revisions (page k holds sequences k·PAGE+1 ..= (k+1)·PAGE), whatever the filter, so a
//! page's content is fixed once the log has moved past it (but for records taken out of
//! public view, whose entries leave every document). `?page=k` is such an archive document.
//! The subscription document (no `page`) holds the page with the PAGE-th newest change the
//! filter selects and every page after it: at least PAGE changes when there are as many, and
//! nothing older that is not in an archive. `prev-archive` links skip pages with nothing for
//! the filter. A reader that was away follows `prev-archive` until it reaches entries it has
//! seen; an entry may be in two documents, with the same id. Conditional GET: ETag and
//! Last-Modified.

use super::caching;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::events::feed::{self, Change, FeedFilter};
use crate::graphql::render::Shape;
use crate::service::{ids, summary, Viewer};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Generator, Link, Person, Text};
use chrono::{DateTime, Utc};
use entity::enums::RecordKind;
use sea_orm::Iterable;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Revisions per page.
pub const PAGE: i64 = 50;
/// RFC 5005's namespace.
const HISTORY: &str = "http://purl.org/syndication/history/1.0";
const MEDIA: &str = "application/atom+xml; charset=utf-8";

/// What the query string asked for.
struct Params {
    filter: FeedFilter,
    /// The filter as query parameters, in a canonical order (for links and the feed's id).
    canonical: String,
    page: Option<i64>,
}

/// `GET /feeds/changes.atom`.
pub async fn changes(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refused) = super::export::rate_limited(&req, &state) {
        return refused;
    }
    match answer(&req, &state).await {
        Ok(response) => response,
        Err(e) => super::body::app_error_response(&e),
    }
}

async fn answer(req: &HttpRequest, state: &AppState) -> AppResult<HttpResponse> {
    let params = params(req.query_string())?;
    let head = feed::head(&state.db).await?;
    let filter = &params.filter;
    let page_of = |sequence: i64| (sequence - 1).max(0) / PAGE;
    let complete = |k: i64| (k + 1) * PAGE <= head;
    // (entries after this sequence, up to this one, an archive?)
    let (after, through, archive) = match params.page {
        // The page that holds the PAGE-th newest matching change, and every page after it:
        // at least PAGE changes for any filter, and nothing before it left out of archives.
        None => match feed::nth_newest(&state.db, filter, head, PAGE as u64).await? {
            Some(sequence) => (page_of(sequence) * PAGE, head, false),
            None => (0, head, false),
        },
        Some(k) if k < head / PAGE && complete(k) => (k * PAGE, (k + 1) * PAGE, true),
        Some(k) => {
            return Err(AppError::NotFound(format!(
                "page {k} is not complete yet: the log has {head} revisions and a page holds \
                 {PAGE}; the newest entries are in the feed without `page`"
            )))
        }
    };
    // Pages with nothing for this filter are skipped: the nearest one with a match.
    let prev = match after {
        0 => None,
        _ => feed::nth_newest(&state.db, filter, after, 1)
            .await?
            .map(page_of),
    };
    let next = match archive {
        true => feed::oldest_above(&state.db, filter, through)
            .await?
            .map(page_of)
            .filter(|k| complete(*k)),
        false => None,
    };
    let changes = read(state, &params.filter, after, through).await?;
    let rendered = state
        .renderer
        .render(Shape::Entry, &Viewer::Anonymous, changes.clone())
        .await?;
    let base = base_url(req, state);
    // An empty document says nothing changed in it: the epoch (the time of the revision it
    // ends at could be a hidden one's, which the public may not learn).
    let updated = changes.last().map(|c| c.revision.at).unwrap_or_default();
    let links = Links {
        base: &base,
        canonical: &params.canonical,
    };
    let mut doc = document(&links, &params, updated.into());
    if let Some(p) = prev {
        doc.links.push(link("prev-archive", links.page(Some(p))));
    }
    doc.links.push(link("self", links.page(params.page)));
    if let Some(n) = next {
        doc.links.push(link("next-archive", links.page(Some(n))));
    }
    if archive {
        doc.extensions = archive_marker();
    }
    doc.entries = changes
        .iter()
        .zip(rendered.iter())
        .rev()
        .map(|(c, r)| entry(&links, c, r))
        .collect();
    let body = doc.to_string();
    let etag = format!("\"{}\"", hex(&Sha256::digest(body.as_bytes())[..16]));
    // HTTP dates have whole seconds: a document made in the second of its newest change could
    // be followed by another change in that second, which a client's If-Modified-Since would
    // then hide. Such a document has no Last-Modified (its ETag still validates it). Nor has
    // an archive: a takedown removes entries from it, which can move its newest entry back in
    // time, and If-Modified-Since would then keep the taken-down content in readers.
    let modified = (!archive && Utc::now().timestamp() > updated.timestamp()).then_some(updated);
    let fresh = match req.headers().get(header::IF_NONE_MATCH) {
        Some(_) => caching::not_modified(req, &etag),
        None => match (modified, if_modified_since(req)) {
            (Some(m), Some(since)) => m.timestamp() <= since.timestamp(),
            _ => false,
        },
    };
    let mut response = if fresh {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().content_type(MEDIA).body(body)
    };
    // Archives change only when a record is taken down: cache them longer.
    let max_age = if archive {
        3600
    } else {
        state.request_limits.cache_max_age
    };
    caching::public(&mut response, &etag, max_age);
    if let Some(m) = modified {
        let date = m.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(v) = header::HeaderValue::from_str(&date) {
            response.headers_mut().insert(header::LAST_MODIFIED, v);
        }
    }
    Ok(response)
}

/// The events the public may see among revisions `after+1 ..= through`.
async fn read(
    state: &AppState,
    filter: &FeedFilter,
    after: i64,
    through: i64,
) -> AppResult<Vec<Change>> {
    let limit = (through - after).max(0) as u64;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let (changes, _) = feed::read(&state.db, &Viewer::Anonymous, filter, after, limit).await?;
    Ok(changes
        .into_iter()
        .filter(|c| c.revision.id <= through)
        .collect())
}

fn params(query: &str) -> AppResult<Params> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| AppError::bad_input("the query string is not valid"))?;
    let mut kinds = Vec::new();
    let mut ids = Vec::new();
    let mut page = None;
    for (key, value) in pairs {
        match key.as_str() {
            "kind" => {
                let kind = RecordKind::iter()
                    .find(|k| k.as_str().eq_ignore_ascii_case(&value))
                    .ok_or_else(|| {
                        let known: Vec<&str> = RecordKind::iter().map(|k| k.as_str()).collect();
                        AppError::bad_input(format!(
                            "unknown kind {value:?}; kinds are {}",
                            known.join(", ")
                        ))
                    })?;
                kinds.push(kind);
            }
            "id" => ids.push(value),
            "page" => {
                let k: i64 = value.parse().ok().filter(|k| *k >= 0).ok_or_else(|| {
                    AppError::bad_input(format!("`page` must be a page number (got {value:?})"))
                })?;
                page = Some(k);
            }
            // Readers and trackers add their own parameters: they change nothing.
            _ => {}
        }
    }
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    ids.sort();
    ids.dedup();
    let mut canonical: Vec<(&str, &str)> = kinds.iter().map(|k| ("kind", k.as_str())).collect();
    canonical.extend(ids.iter().map(|i| ("id", i.as_str())));
    let canonical = serde_urlencoded::to_string(&canonical).unwrap_or_default();
    let filter = crate::graphql::subscription::feed_filter(
        Some(kinds),
        Some(ids.into_iter().map(Into::into).collect()),
        false,
        &Viewer::Anonymous,
    )?;
    Ok(Params {
        filter,
        canonical,
        page,
    })
}

/// Absolute links of this feed.
struct Links<'a> {
    base: &'a str,
    canonical: &'a str,
}

impl Links<'_> {
    fn page(&self, page: Option<i64>) -> String {
        let mut query = self.canonical.to_owned();
        if let Some(k) = page {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&format!("page={k}"));
        }
        let sep = if query.is_empty() { "" } else { "?" };
        format!("{}/feeds/changes.atom{sep}{query}", self.base)
    }

    /// The record in GraphiQL (a browser) or as JSON (any other client).
    fn record(&self, kind: RecordKind, global: &str) -> String {
        let query = format!(
            "{{ node(id: \"{global}\") {{ id ... on {} {{ slug status version updatedAt }} }} }}",
            ids::type_name(kind)
        );
        let encoded = serde_urlencoded::to_string([("query", query)]).unwrap_or_default();
        format!("{}/graphql?{encoded}", self.base)
    }
}

/// `EXODUS_PUBLIC_URL`, else the request's own Host (Exodus serves plain http; behind a TLS
/// proxy, set the public URL). Forwarding headers are not trusted: anyone can send them, and
/// a cache would keep the links they made.
fn base_url(req: &HttpRequest, state: &AppState) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| req.app_config().host().to_owned());
    format!("http://{host}")
}

fn link(rel: &str, href: String) -> Link {
    Link {
        rel: rel.to_owned(),
        href,
        mime_type: Some("application/atom+xml".to_owned()),
        ..Link::default()
    }
}

fn document(links: &Links<'_>, params: &Params, updated: DateTime<chrono::FixedOffset>) -> Feed {
    let mut namespaces = BTreeMap::new();
    namespaces.insert("fh".to_owned(), HISTORY.to_owned());
    let filtered = if params.canonical.is_empty() {
        String::new()
    } else {
        format!(" ({})", params.canonical.replace('&', ", "))
    };
    Feed {
        title: Text::plain(format!("Exodus — changes{filtered}")),
        id: match params.canonical.as_str() {
            "" => "tag:exodus,2026:changes".to_owned(),
            filter => format!("tag:exodus,2026:changes?{filter}"),
        },
        updated,
        authors: vec![Person {
            name: "Exodus".to_owned(),
            ..Person::default()
        }],
        links: vec![link("current", links.page(None))],
        generator: Some(Generator {
            value: "Exodus".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ..Generator::default()
        }),
        rights: Some(Text::plain(format!(
            "{} ({}). {}",
            super::export::LICENSE,
            super::export::LICENSE_URL,
            super::export::ATTRIBUTION
        ))),
        subtitle: Some(Text::plain(
            "Changes to the public record of the United States' withdrawals from \
             international organizations, newest first.",
        )),
        namespaces,
        ..Feed::default()
    }
}

fn archive_marker() -> ExtensionMap {
    let marker = Extension {
        name: "fh:archive".to_owned(),
        ..Extension::default()
    };
    let mut by_name = BTreeMap::new();
    by_name.insert("archive".to_owned(), vec![marker]);
    let mut map = ExtensionMap::new();
    map.insert("fh".to_owned(), by_name);
    map
}

fn entry(links: &Links<'_>, change: &Change, rendered: &Value) -> Entry {
    let rev = &change.revision;
    let kind = rev.record_kind;
    let global = ids::encode(kind, rev.record_id);
    let node = rendered.get("node").cloned().unwrap_or(Value::Null);
    let diff: Vec<Value> = rendered
        .pointer("/revision/diff")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let label = if change.visible {
        summary::label(kind.as_str(), &node)
    } else {
        format!("A {} record", ids::type_name(kind).to_ascii_lowercase())
    };
    let what = summary::what(rev.action.as_str(), change.visible, &diff);
    let mut entry = Entry {
        id: format!("tag:exodus,2026:change:{}", rev.id),
        title: Text::plain(format!("{label} — {what}")),
        updated: rev.at.into(),
        summary: Some(Text::plain(format!(
            "{label} — {what}. ({}, {}, revision {})",
            ids::type_name(kind),
            rev.action.as_str(),
            rev.id
        ))),
        categories: vec![Category {
            term: kind.as_str().to_owned(),
            ..Category::default()
        }],
        ..Entry::default()
    };
    entry.links.push(Link {
        rel: "alternate".to_owned(),
        href: links.record(kind, &global),
        mime_type: Some("application/json".to_owned()),
        ..Link::default()
    });
    entry
}

fn if_modified_since(req: &HttpRequest) -> Option<FixedDateTime> {
    let value = req
        .headers()
        .get(header::IF_MODIFIED_SINCE)?
        .to_str()
        .ok()?;
    DateTime::parse_from_rfc2822(value).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
