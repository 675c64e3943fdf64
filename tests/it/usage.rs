//! The command line itself: usage errors exit 2 without touching the server; `--help` and
//! `--version` exit 0; `-h` is the host, as in psql.

use assert_cmd::Command;

use crate::support::{bin, stderr, stdout};

fn run(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    // A host that cannot answer: a usage error must be found before any connection.
    Command::new(bin())
        .current_dir(dir.path())
        .env("PGHOST", "/nonexistent-insta485db-socket-dir")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &[],
        &["bogus"],
        &["create", "--no-such-flag"],
        &["create", "extra-argument"],
        &["random", "-n", "abc"],
        &["random", "-n", "0"],
        &["random", "-n", "-5"],
        &["dump", "--format", "nope"],
        &["completions"],
        &["completions", "cmd.exe"],
        &["-d"],
        &["-h"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "`insta485db {}`: {}",
            args.join(" "),
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") || err.contains("Usage: insta485db"),
            "`insta485db {}`: {err}",
            args.join(" ")
        );
    }
}

#[test]
fn unknown_subcommand_names_itself() {
    let out = run(&["bogus"]);
    assert!(
        stderr(&out).contains("error: unrecognized subcommand 'bogus'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_lists_every_subcommand_and_exits_0() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for sub in subcommands() {
        assert!(text.contains(&sub), "--help lacks {sub}:\n{text}");
    }
    for word in [
        "--dbname",
        "--host",
        "--port",
        "--username",
        "--root",
        "PGDATABASE is not read",
    ] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
}

#[test]
fn subcommand_help_exits_0() {
    for sub in subcommands() {
        let out = run(&[&sub, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{sub} --help: {}", stderr(&out));
        assert!(
            stdout(&out).contains("Usage: insta485db"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn version_exits_0() {
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!("insta485db {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unreachable_server_exits_1_with_a_hint() {
    let out = run(&["dump"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: could not connect to the server at `/nonexistent-insta485db-socket-dir:"
        ),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn server_flags_beat_the_environment() {
    // -h, -p and -U win over PGHOST, PGPORT and PGUSER, as in psql.
    let p = crate::support::TestProject::new();
    let real = crate::support::settings(&p.db);
    let host = real
        .hosts
        .value
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let port = real.port.value.to_string();
    let out = p
        .cmd(&["-h", &host, "-p", &port, "-U", &real.user.value, "create"])
        .env("PGHOST", "/nonexistent-insta485db-socket-dir")
        .env("PGPORT", "1")
        .env("PGUSER", "no_such_user_insta485db")
        .output()
        .unwrap();
    crate::support::assert_ok(&out, "create with -h, -p and -U");
    assert_eq!(p.count("users"), 4);
}

/// Every subcommand the CLI defines (but clap's own `help`).
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let names: Vec<String> = insta485db::cli::Cli::command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .filter(|name| name != "help")
        .collect();
    assert!(names.len() >= 8, "the CLI lost subcommands: {names:?}");
    names
}
