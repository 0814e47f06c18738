//! What a person who opens the server's address sees (`/`), and the schema as a file
//! (`/schema.graphql`).

use actix_web::HttpResponse;
use std::sync::OnceLock;

/// The landing page: what this server is, where things are, and first queries to try.
pub async fn landing() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(page())
}

fn page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let version = env!("CARGO_PKG_VERSION");
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exodus {version}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }}
pre {{ background: #f4f4f4; padding: .75rem; overflow-x: auto; }}
code, pre {{ font: 14px/1.4 ui-monospace, monospace; }}
</style>
</head>
<body>
<h1>Exodus</h1>
<p>An open data API that tracks how the United States left international organizations —
especially the bodies that defend an open, free and secure internet: who left what, by which
act, who reacted how, and which pacts are being built instead. Version {version}.</p>
<ul>
<li><a href="/graphql">/graphql</a> — the GraphQL API (POST or GET). Opened in a browser, it is
GraphiQL: write queries with autocompletion and the schema's documentation.</li>
<li><a href="/schema.graphql">/schema.graphql</a> — the schema (SDL), for code generators and
clients.</li>
<li><code>ws://…/graphql</code> — subscriptions (graphql-transport-ws, graphql-ws), resumable
from a cursor.</li>
<li><a href="/feeds/changes.atom">/feeds/changes.atom</a> — the changes as an Atom feed, for
feed readers (<code>?kind=WITHDRAWAL</code> filters).</li>
<li><a href="/export/exodus.jsonl">/export/exodus.jsonl</a> — every public record, naming the change
cursor to follow from; <code>/export/withdrawals.csv</code> and the other kinds for spreadsheets.
Data under CC BY 4.0.</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a> — health.</li>
</ul>
<h2>First queries</h2>
<p>The internet-freedom and cyber bodies the United States is leaving, with the act and the
reactions:</p>
<pre>{{
  withdrawals(filter: {{ digitalRelevance: [CORE, ADJACENT] }}, first: 10) {{
    totalCount
    edges {{ node {{
      organization {{ name acronym }}
      instrument {{ title signedOn }}
      announcedOn withdrawalStatus
      reactions(first: 5) {{ totalCount nodes {{ stance summary stakeholder {{ name }} }} }}
    }} }}
  }}
}}</pre>
<p>Claims the record contradicts, with the evidence:</p>
<pre>{{
  corrections(filter: {{ verdict: [FALSE, MISLEADING] }}) {{
    edges {{ node {{ claim verdict finding sources {{ nodes {{ source {{ title url }} }} }} }} }}
  }}
}}</pre>
<p>With curl:</p>
<pre>curl -s -G http://HOST/graphql --data-urlencode 'query={{ stats {{ organizations withdrawals }} }}'</pre>
<p>Only published records are public. Editors sign in with <code>login</code> and send
<code>Authorization: Bearer &lt;token&gt;</code>.</p>
</body>
</html>
"#
        )
    })
}

/// The schema as SDL. GraphQL has no registered media type for SDL: it is served as text,
/// which browsers show and tools read, named `schema.graphql` for those that save it.
pub async fn schema() -> HttpResponse {
    static SDL: OnceLock<String> = OnceLock::new();
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Content-Disposition", "inline; filename=\"schema.graphql\""))
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(SDL.get_or_init(crate::graphql::sdl).as_str())
}
