//! GraphiQL, served from files embedded in the binary (`api/assets/graphiql/`, pinned by its
//! `update.sh`), so it works offline and in air-gapped newsrooms. `EXODUS_GRAPHIQL` turns it
//! off.
//!
//! The page loads only from this server (its Content-Security-Policy says so): React,
//! GraphiQL, the explorer plugin, graphql-ws, and `exodus-graphiql.js`, which points queries at
//! the page's own address and subscriptions at the same address over a websocket.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::OnceLock;

/// Where the files are served: Exodus's version in the path lets browsers keep them for a
/// year, and a release that changes them changes the path.
const PREFIX: &str = concat!("/graphiql/", env!("CARGO_PKG_VERSION"));

/// The embedded files: name, media type, content.
const FILES: [(&str, &str, &[u8]); 8] = [
    (
        "react.production.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        JS,
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        CSS,
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "plugin-explorer.umd.js",
        JS,
        include_bytes!("../../assets/graphiql/plugin-explorer.umd.js"),
    ),
    (
        "plugin-explorer.css",
        CSS,
        include_bytes!("../../assets/graphiql/plugin-explorer.css"),
    ),
    (
        "graphql-ws.min.js",
        JS,
        include_bytes!("../../assets/graphiql/graphql-ws.min.js"),
    ),
    (
        "exodus-graphiql.js",
        JS,
        include_bytes!("../../assets/graphiql/exodus-graphiql.js"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Nothing from elsewhere: scripts and styles from this server (GraphiQL sets inline styles),
/// fonts and icons as data URLs, requests to this server over HTTP or websocket.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page, for a browser that opens `/graphql`.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", POLICY))
        .insert_header(("Cache-Control", "no-cache"))
        .body(html())
}

fn html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exodus · GraphiQL</title>
<link rel="stylesheet" href="{PREFIX}/graphiql.min.css">
<link rel="stylesheet" href="{PREFIX}/plugin-explorer.css">
<link rel="icon" href="data:,">
</head>
<body style="margin:0">
<div id="graphiql" style="height:100vh">Loading GraphiQL…</div>
<script src="{PREFIX}/react.production.min.js"></script>
<script src="{PREFIX}/react-dom.production.min.js"></script>
<script src="{PREFIX}/graphiql.min.js"></script>
<script src="{PREFIX}/plugin-explorer.umd.js"></script>
<script src="{PREFIX}/graphql-ws.min.js"></script>
<script src="{PREFIX}/exodus-graphiql.js"></script>
</body>
</html>
"#
        )
    })
}

/// GET /graphiql/{version}/{file}: one of the embedded files, cacheable for a year (a new
/// version gets a new path), brotli- or gzip-compressed when the browser accepts it.
pub async fn asset(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    let wanted = format!("/graphiql/{version}");
    let Some(index) = FILES.iter().position(|(n, _, _)| *n == name) else {
        return not_found();
    };
    if wanted != PREFIX {
        return not_found();
    }
    let (_, media, content) = FILES[index];
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let encoding = if accepts(accepted, "br") {
        Some("br")
    } else if accepts(accepted, "gzip") {
        Some("gzip")
    } else {
        None
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(media)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::VARY, "Accept-Encoding"));
    let Some(encoding) = encoding else {
        // Marked as sent as is, so the compression middleware leaves it alone too.
        response.insert_header((header::CONTENT_ENCODING, "identity"));
        return response.body(content);
    };
    // Compressed once per process, off the async workers: compressing the 1 MB bundle on every
    // request would cost far more CPU than answering it, a cheap lever for anyone to pull.
    let Ok(encoded) = web::block(move || ENCODED[index].get_or_init(|| encode(content))).await
    else {
        return response.body(content);
    };
    let body = if encoding == "br" {
        &encoded.br
    } else {
        &encoded.gzip
    };
    response
        .insert_header((header::CONTENT_ENCODING, encoding))
        .body(body.as_slice())
}

fn not_found() -> HttpResponse {
    super::body::error_response(
        actix_web::http::StatusCode::NOT_FOUND,
        crate::error::ErrorCode::NotFound,
        "no such GraphiQL file",
    )
}

/// A file in both encodings browsers accept.
struct Encoded {
    br: Vec<u8>,
    gzip: Vec<u8>,
}

static ENCODED: [OnceLock<Encoded>; FILES.len()] = [const { OnceLock::new() }; FILES.len()];

fn encode(content: &[u8]) -> Encoded {
    use std::io::Write;
    let mut br = Vec::with_capacity(content.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        ..Default::default()
    };
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &content[..], &mut br, &params);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gzip.write_all(content);
    Encoded {
        br,
        gzip: gzip.finish().unwrap_or_default(),
    }
}

/// Whether an Accept-Encoding value accepts `coding` (named, with a q above 0).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        name.eq_ignore_ascii_case(coding) && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.5, br;q=1.0", "gzip"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }
}
