//! The `exodus` binary: its commands, its help and its answers to bad configuration.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn exodus() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exodus"));
    // Only what a test sets reaches the binary.
    for (key, _) in std::env::vars() {
        if key.starts_with("EXODUS_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs the command to its end, like `Command::output`, but fails the test (after killing the
/// child) if it has not ended within `limit`: a command that should exit but serves instead
/// must not hang the suite.
fn finish_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Read both pipes while waiting, so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).ok();
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
            panic!("{cmd:?} did not exit within {limit:?} (killed); stderr: {stderr}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// What every command here gets at most: they all exit on their own within seconds.
const LIMIT: Duration = Duration::from_secs(60);

trait Finish {
    fn finish(self) -> Output;
}

impl Finish for &mut Command {
    fn finish(self) -> Output {
        let cmd = std::mem::replace(self, Command::new("true"));
        finish_within(cmd, LIMIT)
    }
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let out = exodus().arg("--help").finish();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "DATABASE_URL",
        "EXODUS_LISTEN",
        "EXODUS_NO_MIGRATE",
        "EXODUS_NO_SEED",
        "EXODUS_LOG",
        "EXODUS_LOG_FORMAT",
        "EXODUS_MAX_PAGE_SIZE",
        "EXODUS_DEFAULT_PAGE_SIZE",
        "EXODUS_DB_MAX_CONNECTIONS",
        "EXODUS_WORKERS",
    ] {
        assert!(
            help.contains(&format!("[env: {var}")),
            "--help does not mention {var}"
        );
    }
    for command in ["serve", "migrate", "seed", "schema"] {
        assert!(help.contains(command), "--help does not list {command}");
    }
}

#[test]
fn version_is_the_changelogs_latest() {
    let out = exodus().arg("--version").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme = include_str!("../../README.md");
    let changelog = &readme[readme.find("## Changelog").expect("a changelog")..];
    let latest = changelog
        .split("- **")
        .nth(1)
        .and_then(|entry| entry.split("**").next())
        .expect("a changelog entry");
    assert_eq!(printed.trim(), format!("exodus {latest}"));
}

#[test]
fn schema_prints_the_committed_sdl() {
    let out = exodus().arg("schema").finish();
    assert!(out.status.success());
    let stored =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == stored,
        "`exodus schema` differs from schema.graphql"
    );
}

#[test]
fn bad_configuration_gives_one_message_and_a_non_zero_exit() {
    // (arguments, environment, words the message must contain)
    type Case = (
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: [Case; 5] = [
        (
            &["schema"],
            &[("DATABASE_URL", "mysql://db")],
            "DATABASE_URL must start with",
        ),
        (&["--listen", "nowhere", "schema"], &[], "--listen"),
        (
            &["schema"],
            &[("EXODUS_MAX_PAGE_SIZE", "0")],
            "--max-page-size",
        ),
        (
            &["schema"],
            &[("EXODUS_DEFAULT_PAGE_SIZE", "500")],
            "--default-page-size",
        ),
        (&["schema"], &[("EXODUS_NO_SEED", "perhaps")], "--no-seed"),
    ];
    for (args, env, needle) in cases {
        let out = exodus().args(args).envs(env.iter().copied()).finish();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} {env:?} succeeded");
        assert!(stderr.contains(needle), "{args:?} {env:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = exodus()
        .args(["migrate"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/missing/dir/x.db", dir.path().display()),
        )
        .finish();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
}

#[test]
fn migrate_and_seed_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/exodus.db", dir.path().display());
    for _ in 0..2 {
        let out = exodus().arg("migrate").env("DATABASE_URL", &url).finish();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = exodus().arg("seed").env("DATABASE_URL", &url).finish();
    let first = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(first.contains("inserted 332 records"), "{first}");
    let second = exodus().arg("seed").env("DATABASE_URL", &url).finish();
    assert!(second.status.success());
    let second = String::from_utf8_lossy(&second.stderr).into_owned();
    assert!(second.contains("inserted 0 records"), "{second}");

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"sources\": [").unwrap();
    let out = exodus()
        .args(["seed", "--file"])
        .arg(&broken)
        .env("DATABASE_URL", &url)
        .finish();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seed file is not valid"));
}

#[test]
fn seed_check_lists_every_problem_with_its_slug_and_touches_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("untouched.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    // The shipped dataset is valid.
    let out = exodus()
        .args(["seed", "--check"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the dataset is valid: it loads 332 records"),
        "{stderr}"
    );
    // A copy with faults, each of a different rule: the editors' validation, then the
    // dataset's standard (documents, mirrors, the confidence rule), and a notice.
    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("../../data/seed.json")).unwrap();
    data["sources"][0]["url"] = "not a url".into();
    data["withdrawals"][1]["organizationId"] = "no-such-organization".into();
    data["organizations"][2]["colour"] = "red".into();
    data["reactions"][0]["sources"] = serde_json::json!([]);
    data["sources"][1]["url"] = "https://retrui.duckdns.org/".into();
    let last = data["sources"].as_array().unwrap().len() - 1;
    data["sources"][last]["isMirror"] = true.into();
    data["organizations"][3]["confidence"] = "SINGLE_SOURCE".into();
    data["sources"][4]["pointsToDocument"] = false.into();
    let flagged = data["sources"][4]["slug"].clone();
    data["reactions"][1]["sources"] = serde_json::json!([{ "source": flagged, "note": "only" }]);
    data["withdrawals"][0]["effectiveOn"] = "2026-01-08".into();
    data["withdrawals"][0]["withdrawalStatus"] = "ANNOUNCED".into();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, data.to_string()).unwrap();
    let out = exodus()
        .args(["seed", "--check"])
        .arg(&file)
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let slug = |list: &str, i: usize| data[list][i]["slug"].as_str().unwrap().to_owned();
    for expected in [
        format!("source {:?}: url must be an absolute http or https URL", slug("sources", 0)),
        format!("withdrawal {:?}: organizationId no Organization with the slug \"no-such-organization\"", slug("withdrawals", 1)),
        format!("organization {:?}: unknown field `colour`", slug("organizations", 2)),
        format!("reaction {:?}: attach at least one published source", slug("reactions", 0)),
        format!("source {:?}: url is a home page", slug("sources", 1)),
        format!("source {:?}: originalPublisher is required for a mirror", slug("sources", last)),
        format!("organization {:?}: confidenceNote is required with confidence", slug("organizations", 3)),
        format!("source {:?}: url is marked as not the document itself", slug("sources", 4)),
        format!("reaction {:?}: sources support nothing under the confidence rule", slug("reactions", 1)),
    ] {
        assert!(stdout.contains(&expected), "missing {expected:?} in:\n{stdout}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("problem(s)"), "{stderr}");
    let notice = format!("notice: withdrawal {:?}: withdrawalStatus is ANNOUNCED but the effective date 2026-01-08 has passed", slug("withdrawals", 0));
    assert!(stderr.contains(&notice), "missing {notice:?} in:\n{stderr}");
    assert!(
        !db.exists(),
        "--check must not create or touch the configured database"
    );
}

#[test]
fn editor_commands_and_token_minting() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/exodus.db", dir.path().display());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        exodus()
            .args(args)
            .env("DATABASE_URL", &url)
            .envs(env.iter().copied())
            .finish()
    };
    let added = run(
        &[
            "editor",
            "add",
            "--email",
            "Ada@Example.org",
            "--name",
            "Ada",
            "--role",
            "admin",
        ],
        &[("EXODUS_EDITOR_PASSWORD", "a long enough password")],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let weak = run(
        &["editor", "add", "--email", "b@example.org", "--name", "B"],
        &[("EXODUS_EDITOR_PASSWORD", "short")],
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("12 characters"));
    // No password in the environment and no terminal: the prompt fails cleanly.
    let no_tty = run(
        &["editor", "add", "--email", "c@example.org", "--name", "C"],
        &[],
    );
    assert!(!no_tty.status.success());
    assert!(!String::from_utf8_lossy(&no_tty.stderr).contains("panicked"));

    let list = String::from_utf8(run(&["editor", "list"], &[]).stdout).unwrap();
    assert!(
        list.contains("ada@example.org\tADMIN\tactive\tAda"),
        "{list}"
    );

    let token = run(&["token", "--email", "ada@example.org"], &[]);
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8(token.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3, "a JWT: {token}");
    let unknown = run(&["token", "--email", "nobody@example.org"], &[]);
    assert_eq!(unknown.status.code(), Some(1));

    assert!(
        run(&["editor", "disable", "--email", "ada@example.org"], &[])
            .status
            .success()
    );
    let list = String::from_utf8(run(&["editor", "list"], &[]).stdout).unwrap();
    assert!(list.contains("disabled"), "{list}");
    assert_eq!(
        run(&["token", "--email", "ada@example.org"], &[])
            .status
            .code(),
        Some(1)
    );
}

/// On PostgreSQL the server refuses to start without a token secret: replicas must share
/// one, so none is generated.
#[test]
fn postgres_without_a_token_secret_refuses_to_start() {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut cmd = exodus();
    cmd.args(["--listen", "127.0.0.1:0", "--no-seed", "--no-migrate"])
        .env("DATABASE_URL", &url);
    // Were it to start serving, it would never exit: killed and failed after 30 s.
    let out = finish_within(cmd, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("cannot connect") && std::env::var_os("EXODUS_REQUIRE_POSTGRES").is_none() {
        eprintln!("skipped: PostgreSQL is not reachable at {url}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("EXODUS_JWT_SECRET is not set"), "{stderr}");
}

/// Sends one HTTP/1.1 request over a plain socket and returns the whole answer.
fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(addr)?;
    socket.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    socket.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Production logging and lifecycle, through the real binary: JSON lines that carry the
/// request id the client got back, and a clean exit on SIGTERM.
#[test]
fn json_logs_carry_the_request_id_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = exodus()
        .current_dir(dir.path())
        .env("EXODUS_LISTEN", &addr)
        .env("EXODUS_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Killed if the test fails before it has stopped the server.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut guard = KillOnDrop(child);
    let child = &mut guard.0;
    let mut answer = None;
    for _ in 0..600 {
        if let Ok(a) = http_get(&addr, "/healthz") {
            answer = Some(a);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let answer = answer.expect("the server answers /healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let request_id = answer
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-request-id: ")
                .map(|v| v.trim().to_owned())
        })
        .expect("an X-Request-Id header");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let exited = exited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the server did not stop within 20 s of SIGTERM")
    });
    assert!(exited.success(), "exit status {exited}");

    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON line: {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no log line carries request id {request_id}:\n{logs}"));
    assert_eq!(request["span"]["http.route"], "/healthz");
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"].as_str() == Some("stopped")),
        "{logs}"
    );
}
