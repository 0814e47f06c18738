//! The `exodus` binary: its commands, its help and its answers to bad configuration.

use std::process::Command;

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

#[test]
fn help_lists_every_setting_with_its_variable() {
    let out = exodus().arg("--help").output().unwrap();
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
fn schema_prints_the_committed_sdl() {
    let out = exodus().arg("schema").output().unwrap();
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
        let out = exodus()
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
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
        .output()
        .unwrap();
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
        let out = exodus()
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = exodus()
        .arg("seed")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let first = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(first.contains("inserted 313 records"), "{first}");
    let second = exodus()
        .arg("seed")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(second.status.success());
    let second = String::from_utf8_lossy(&second.stderr).into_owned();
    assert!(second.contains("inserted 0 records"), "{second}");

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"sources\": [").unwrap();
    let out = exodus()
        .args(["seed", "--file"])
        .arg(&broken)
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seed file is not valid"));
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
            .output()
            .unwrap()
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
    let out = exodus()
        .args(["--listen", "127.0.0.1:0", "--no-seed", "--no-migrate"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("cannot connect") && std::env::var_os("EXODUS_REQUIRE_POSTGRES").is_none() {
        eprintln!("skipped: PostgreSQL is not reachable at {url}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("EXODUS_JWT_SECRET is not set"), "{stderr}");
}
