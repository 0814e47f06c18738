//! `/export/exodus.jsonl` and `/export/<kind>.csv`: every public record, consistent as of one
//! change cursor, streamed a chunk at a time (see `service::export` for why it is consistent).
//!
//! JSON Lines: a first line naming the cursor, the licence and the attribution; one line per
//! record (`{"type":"record","kind","id","node"}`, the node as the API shows it to anonymous
//! readers); a last line `{"type":"end","records":N}`, so that a cut-off download is told
//! from a whole one. CSV: one file per kind, columns in the documented order; the cursor is
//! in the `Exodus-Change-Cursor` header of both.

use super::caching;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::events::feed::{self, Change};
use crate::graphql::render::{self, Shape};
use crate::service::{export, ids, Viewer};
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use entity::enums::RecordKind;
use futures_util::stream::{self, Stream, StreamExt};
use sea_orm::Iterable;
use serde_json::{json, Value};
use std::sync::Arc;

/// The dataset's licence, named in every export and feed.
pub const LICENSE: &str = "CC-BY-4.0";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
/// How to credit the data.
pub const ATTRIBUTION: &str = "Exodus — the record of the United States' withdrawals from \
    international organizations, curated from the public sources each record cites";

/// The header that names the change cursor an export is consistent with.
pub const CURSOR_HEADER: &str = "exodus-change-cursor";

/// The per-address rate limit, as for GraphQL requests: an export or a feed costs a reader
/// one request, and renders much. Some(answer) when the address is over it.
pub(super) fn rate_limited(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let address = req.peer_addr().map(|a| a.ip());
    match state.rate_limiter.check(&Viewer::Anonymous, address) {
        Ok(()) => None,
        Err(e) => {
            state.metrics.rate_limited("address");
            Some(super::body::app_error_response(&e))
        }
    }
}

/// `GET /export/exodus.jsonl`.
pub async fn jsonl(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refused) = rate_limited(&req, &state) {
        return refused;
    }
    let at = match head(&state).await {
        Ok(at) => at,
        Err(e) => return super::body::app_error_response(&e),
    };
    let etag = format!("\"export-{at}\"");
    if caching::not_modified(&req, &etag) {
        return not_modified(&etag, at);
    }
    let first = json!({
        "type": "snapshot",
        "cursor": feed::encode_cursor(at),
        "sequence": at,
        "license": LICENSE,
        "licenseUrl": LICENSE_URL,
        "attribution": ATTRIBUTION,
        "resume": "changes(after: <cursor>) or the changes subscription from <cursor>",
    });
    let lines = jsonl_body(
        records(state.clone(), at, RecordKind::iter().collect()),
        first,
    );
    let mut response = HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .insert_header((CURSOR_HEADER, feed::encode_cursor(at)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"exodus.jsonl\"",
        ))
        .streaming(lines);
    caching::public(&mut response, &etag, 0);
    response
}

/// `GET /export/{kind}.csv`, such as `/export/withdrawals.csv`.
pub async fn csv(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(refused) = rate_limited(&req, &state) {
        return refused;
    }
    let Some(kind) = RecordKind::iter().find(|k| file_name(*k) == path.as_str()) else {
        let known: Vec<String> = RecordKind::iter()
            .map(|k| format!("{}.csv", file_name(k)))
            .collect();
        return super::body::app_error_response(&AppError::NotFound(format!(
            "no export named {:?}.csv; there are {}",
            path.as_str(),
            known.join(", ")
        )));
    };
    let at = match head(&state).await {
        Ok(at) => at,
        Err(e) => return super::body::app_error_response(&e),
    };
    let etag = format!("\"export-{}-{at}\"", file_name(kind));
    if caching::not_modified(&req, &etag) {
        return not_modified(&etag, at);
    }
    let rows = csv_body(records(state.clone(), at, vec![kind]), kind);
    let mut response = HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((CURSOR_HEADER, feed::encode_cursor(at)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.csv\"", file_name(kind)),
        ))
        .streaming(rows);
    caching::public(&mut response, &etag, 0);
    response
}

/// The file name of a kind's export: its list's name (`withdrawals`).
pub fn file_name(kind: RecordKind) -> String {
    format!("{}s", ids::type_name(kind).to_ascii_lowercase())
}

async fn head(state: &AppState) -> AppResult<i64> {
    Ok(feed::head(&state.db).await?)
}

fn not_modified(etag: &str, at: i64) -> HttpResponse {
    let mut response = HttpResponse::NotModified()
        .insert_header((CURSOR_HEADER, feed::encode_cursor(at)))
        .finish();
    caching::public(&mut response, etag, 0);
    response
}

/// One record, rendered: its kind and the node as the public sees it.
type Rendered = (RecordKind, Value);

/// The records of these kinds at sequence `at`, rendered a chunk at a time.
fn records(
    state: web::Data<AppState>,
    at: i64,
    kinds: Vec<RecordKind>,
) -> impl Stream<Item = AppResult<Vec<Rendered>>> {
    // (the kinds left, where the current kind's next chunk starts)
    let start = (kinds, 0usize, 0i64);
    stream::try_unfold(start, move |(kinds, index, after)| {
        let state = state.clone();
        async move {
            let Some(&kind) = kinds.get(index) else {
                return Ok(None);
            };
            let chunk = export::chunk(&state.db, kind, at, after).await?;
            let changes = chunk
                .published
                .into_iter()
                .map(|r| Change {
                    revision: Arc::new(r),
                    visible: true,
                })
                .collect();
            let rendered = state
                .renderer
                .render(Shape::Record, &Viewer::Anonymous, changes)
                .await?
                .into_iter()
                .map(|mut v| (kind, v.get_mut("node").map(Value::take).unwrap_or_default()))
                .collect();
            let next = match chunk.next {
                Some(after) => (kinds, index, after),
                None => (kinds, index + 1, 0),
            };
            Ok(Some((rendered, next)))
        }
    })
}

/// The JSON Lines body: `first`, a line per record, the end line with the count.
fn jsonl_body(
    chunks: impl Stream<Item = AppResult<Vec<Rendered>>> + 'static,
    first: Value,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let mut head = Vec::new();
    push_line(&mut head, &first);
    // (the chunks, how many records so far; None once the end line is out)
    let state = Some((Box::pin(chunks), 0u64));
    let body = stream::try_unfold(state, |state| async move {
        let Some((mut chunks, mut count)) = state else {
            return Ok(None);
        };
        let mut out = Vec::new();
        match chunks.next().await.transpose()? {
            Some(chunk) => {
                for (kind, node) in chunk {
                    let id = node.get("id").cloned().unwrap_or_default();
                    let line = json!({ "type": "record", "kind": kind, "id": id, "node": node });
                    push_line(&mut out, &line);
                    count += 1;
                }
                Ok(Some((Bytes::from(out), Some((chunks, count)))))
            }
            None => {
                push_line(&mut out, &json!({ "type": "end", "records": count }));
                Ok(Some((Bytes::from(out), None)))
            }
        }
    });
    actix_errors(stream::once(async move { Ok(Bytes::from(head)) }).chain(body))
}

/// The CSV body of one kind: the header row, then a row per record.
fn csv_body(
    chunks: impl Stream<Item = AppResult<Vec<Rendered>>> + 'static,
    kind: RecordKind,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let columns = render::columns(kind);
    let header_row = csv_row(columns.iter().map(|c| c.to_string()));
    let rows = chunks.map(move |chunk| {
        let mut out = Vec::new();
        for (_, node) in chunk? {
            let cells = columns
                .iter()
                .map(|c| cell(node.get(*c).unwrap_or(&Value::Null)));
            out.extend_from_slice(&csv_row(cells));
        }
        Ok(Bytes::from(out))
    });
    actix_errors(stream::once(async move { Ok(header_row) }).chain(rows))
}

/// A failure mid-stream can no longer change the status: it is logged and the connection is
/// cut, so the body lacks its end (the JSON Lines' end line, the chunked encoding's end).
fn actix_errors(
    body: impl Stream<Item = AppResult<Bytes>>,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    body.map(|item| {
        item.map_err(|e| {
            tracing::error!(error = ?e, "an export stopped");
            actix_web::error::ErrorServiceUnavailable("the export stopped")
        })
    })
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading apostrophe, as OWASP advises for CSV exports: the sources
/// quoted in the dataset are the public's, not ours.
fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn push_line(out: &mut Vec<u8>, value: &Value) {
    // A Value always serializes.
    serde_json::to_writer(&mut *out, value).unwrap_or_default();
    out.push(b'\n');
}

/// One CSV row (RFC 4180: quoted where needed, CRLF line ends).
fn csv_row(cells: impl Iterator<Item = String>) -> Bytes {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let cells: Vec<String> = cells.collect();
    if writer.write_record(&cells).is_err() {
        return Bytes::new();
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

/// A field's value as one cell: text as it is; lists of values joined with "; "; a
/// reference (or list of them) as the global id(s); other nested values as JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => spreadsheet_safe(s),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Object(o) => match (o.get("id"), o.get("edges")) {
            (Some(Value::String(id)), _) => id.clone(),
            // The sources connection: the cited sources' ids.
            (_, Some(Value::Array(edges))) => edges
                .iter()
                .filter_map(|e| e.pointer("/node/source/id").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("; "),
            _ => value.to_string(),
        },
        Value::Array(items) => {
            let simple = items.iter().all(|i| {
                matches!(i, Value::String(_) | Value::Number(_) | Value::Bool(_))
                    || i.get("id").is_some_and(Value::is_string)
                        && i.as_object().is_some_and(|o| o.len() <= 2)
            });
            if simple {
                items.iter().map(cell).collect::<Vec<_>>().join("; ")
            } else {
                value.to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_never_run_as_formulas_and_references_are_ids() {
        assert_eq!(cell(&json!("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(cell(&json!("-1 point")), "'-1 point");
        assert_eq!(cell(&json!("A plain text")), "A plain text");
        assert_eq!(cell(&json!(-3)), "-3");
        assert_eq!(cell(&json!({ "id": "T3JnOjE", "name": "x" })), "T3JnOjE");
        assert_eq!(cell(&json!(["ai", "cyber"])), "ai; cyber");
        assert_eq!(
            cell(
                &json!([{ "__typename": "Pact", "id": "a" }, { "__typename": "Pact", "id": "b" }])
            ),
            "a; b"
        );
        assert_eq!(cell(&Value::Null), "");
    }
}
