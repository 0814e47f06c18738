//! GraphiQL, served from files embedded in the binary (`api/assets/graphiql/`, pinned by its
//! `update.sh`), so it works offline and in air-gapped newsrooms. `EXODUS_GRAPHIQL` turns it
//! off.
//!
//! The page loads only from this server (its Content-Security-Policy says so): React,
//! GraphiQL, the explorer plugin, graphql-ws, and `exodus-graphiql.js`, which points queries at
//! the page's own address and subscriptions at the same address over a websocket.

use actix_web::{web, HttpResponse};

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

fn html() -> String {
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
}

/// GET /graphiql/{version}/{file}: one of the embedded files, cacheable for a year (a new
/// version gets a new path).
pub async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    let wanted = format!("/graphiql/{version}");
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, media, content)) if wanted == PREFIX => HttpResponse::Ok()
            .content_type(*media)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(*content),
        _ => super::body::error_response(
            actix_web::http::StatusCode::NOT_FOUND,
            crate::error::ErrorCode::NotFound,
            "no such GraphiQL file",
        ),
    }
}
