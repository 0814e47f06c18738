//! GraphiQL in a real browser: Debian's Chromium, driven over WebDriver by chromedriver, with
//! every host but the test server unresolvable. The page loads from the server alone, the
//! schema arrives by introspection (docs and explorer), a query runs, the headers editor
//! signs a query in, and a subscription over the websocket receives a change made meanwhile.
//! A screenshot is kept at `target/tmp/graphiql.png` (CI keeps it as an artifact).
//!
//! Without `chromium` and `chromedriver` the test says so and passes, unless
//! `EXODUS_REQUIRE_BROWSER` is set (CI sets it, and `.ci/run` installs both).

use entity::enums::EditorRole;
use fantoccini::{Client, ClientBuilder, Locator};
use harness::{serde_json::json, Backend, TestApp};
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver, killed when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first of `candidates` that exists, or the one named by `variable`.
fn program(variable: &str, candidates: &[&str]) -> Option<String> {
    if let Ok(path) = std::env::var(variable) {
        return Some(path);
    }
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// chromedriver on a free port, and a browser session through it; None (after saying why)
/// when no browser is installed and none is required.
async fn browser() -> Option<(Driver, Client, tempfile::TempDir)> {
    let chromium = program(
        "EXODUS_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let chromedriver = program("EXODUS_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            std::env::var_os("EXODUS_REQUIRE_BROWSER").is_none(),
            "EXODUS_REQUIRE_BROWSER is set but chromium or chromedriver is missing \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: no chromium/chromedriver (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,900",
                format!("--user-data-dir={}", profile.path().display()),
                // No network: every name but the test server's fails to resolve.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ]
        }
    });
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let started = Instant::now();
    loop {
        let connected =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
        match connected {
            Ok(client) => return Some((driver, client, profile)),
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                panic!("no browser session through chromedriver: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Runs `script` (a function body) in the page until it returns a truthy value; that value.
async fn wait_for(client: &Client, what: &str, script: &str) -> Result<Value, String> {
    let started = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.unwrap_or(Value::Null);
        if !(value.is_null() || value == json!(false) || value == json!("")) {
            return Ok(value);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let text = client
                .execute("return document.body.innerText.slice(0, 2000)", vec![])
                .await
                .unwrap_or_default();
            return Err(format!("waited 30 s for {what}; the page shows: {text}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Puts `text` in the CodeMirror editor that `selector` finds.
async fn type_into(client: &Client, selector: &str, text: &str) -> Result<(), String> {
    client
        .execute(
            "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);
             return true;",
            vec![json!(selector), json!(text)],
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("typing into {selector}: {e}"))
}

/// Runs the query in the editor and waits for a result containing `expected`.
async fn run_and_expect(client: &Client, expected: &str) -> Result<(), String> {
    run(client).await?;
    wait_for(
        client,
        &format!("a result containing {expected}"),
        &format!(
            "const r = document.querySelector('.result-window .CodeMirror');
             const text = r ? r.CodeMirror.getValue() : '';
             return text.includes({}) ? text : null;",
            json!(expected)
        ),
    )
    .await
    .map(|_| ())
}

/// Clicks the run button.
async fn run(client: &Client) -> Result<(), String> {
    client
        .find(Locator::Css(".graphiql-execute-button"))
        .await
        .map_err(|e| format!("the run button: {e}"))?
        .click()
        .await
        .map_err(|e| e.to_string())
}

const QUERY_EDITOR: &str = ".graphiql-query-editor .CodeMirror";
/// The variables and headers editors share a place; the open tab's is not `.hidden`.
const TOOL_EDITOR: &str = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";

#[actix_web::test]
async fn graphiql_works_offline_in_a_real_browser() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let app = harness::spawn(Backend::Sqlite).await.unwrap();
    let outcome = exercise(&client, &app).await;
    // The screenshot is kept whatever happened: it shows what a failure looked like.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphiql.png");
    if let Ok(png) = client.screenshot().await {
        std::fs::write(&shot, png).expect("the screenshot is written");
        eprintln!("screenshot: {}", shot.display());
    }
    let _ = client.close().await;
    outcome.unwrap();
}

async fn exercise(client: &Client, app: &TestApp) -> Result<(), String> {
    client
        .goto(&format!("{}/graphql", app.base))
        .await
        .map_err(|e| e.to_string())?;
    wait_for(
        client,
        "the query editor",
        &format!("return document.querySelector({})", json!(QUERY_EDITOR)),
    )
    .await?;

    // Every resource came from the test server.
    let foreign = client
        .execute(
            "return performance.getEntriesByType('resource')
               .map(e => e.name).filter(n => !n.startsWith(location.origin));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(foreign, json!([]), "resources from elsewhere");
    // And the page's own Content-Security-Policy let every one of them in: each script ran
    // (its global is there) and each stylesheet applied (its rules are readable).
    let loaded = client
        .execute(
            "return [typeof React, typeof ReactDOM, typeof GraphiQL, typeof GraphiQLPluginExplorer,
                     typeof graphqlWs, document.styleSheets.length,
                     [...document.styleSheets].every(sheet => sheet.cssRules.length > 0)];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        loaded,
        json!(["object", "object", "function", "object", "object", 2, true]),
        "scripts and stylesheets under the CSP"
    );

    // The schema came by introspection: the explorer lists the root fields.
    client
        .find(Locator::Css(
            r#"button[aria-label="Show GraphiQL Explorer"]"#,
        ))
        .await
        .map_err(|e| format!("the explorer button: {e}"))?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(
        client,
        "the explorer with the schema's root fields",
        "const e = document.querySelector('.graphiql-explorer-root');
         return e && e.innerText.includes('withdrawals') && e.innerText.includes('organizations');",
    )
    .await?;

    // A query runs.
    type_into(
        client,
        QUERY_EDITOR,
        "{ organization(slug: \"freedom-online-coalition\") { name acronym } }",
    )
    .await?;
    run_and_expect(client, "Freedom Online Coalition").await?;

    // The headers editor signs a query in.
    let token = app.editor("graphiql@example.org", EditorRole::Editor).await;
    client
        .find(Locator::Css(r#"button[data-name="headers"]"#))
        .await
        .map_err(|e| format!("the headers tab: {e}"))?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(
        client,
        "the headers editor",
        &format!("return document.querySelector({})", json!(TOOL_EDITOR)),
    )
    .await?;
    type_into(
        client,
        TOOL_EDITOR,
        &json!({ "Authorization": format!("Bearer {token}") }).to_string(),
    )
    .await?;
    type_into(client, QUERY_EDITOR, "{ me { email role } }").await?;
    run_and_expect(client, "graphiql@example.org").await?;

    // A subscription over the websocket receives a change made after it started. Drafts are
    // for editors only: the header went along in the websocket's `connection_init`.
    type_into(
        client,
        QUERY_EDITOR,
        "subscription { changes(includeDrafts: true) { action recordId node { ... on Source { slug } } } }",
    )
    .await?;
    run(client).await?;
    // The subscription is live once the websocket has acknowledged it; a change made before
    // would be missed (no `after`), so changes are made until one shows.
    for n in 1..=20 {
        let slug = format!("graphiql-source-{n}");
        app.data_as(
            &token,
            "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
            json!({ "i": { "slug": slug, "url": format!("https://example.org/{n}"), "title": "GraphiQL" } }),
        )
        .await;
        for _ in 0..15 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let shown = client
                .execute(
                    "const r = document.querySelector('.result-window .CodeMirror');
                     return r ? r.CodeMirror.getValue() : '';",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            let shown = shown.as_str().unwrap_or_default();
            if shown.contains("graphiql-source-") && shown.contains("CREATE") {
                return Ok(());
            }
        }
    }
    Err("no event reached GraphiQL's subscription".into())
}
