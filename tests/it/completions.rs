//! The completion scripts in `completions/` are generated: each must match what the binary
//! prints now, or the check-in is stale.

use std::path::Path;

use assert_cmd::Command;

use crate::support::{bin, stderr};

fn check(shell: &str, file: &str) {
    let out = Command::new(bin())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(file);
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == out.stdout,
        "`completions/{file}` does not match `insta485db completions {shell}`: \
         the command line changed. Regenerate the scripts with `completions/generate` \
         and commit them."
    );
}

#[test]
fn bash_completions_are_up_to_date() {
    check("bash", "insta485db.bash");
}

#[test]
fn zsh_completions_are_up_to_date() {
    check("zsh", "_insta485db");
}

#[test]
fn fish_completions_are_up_to_date() {
    check("fish", "insta485db.fish");
}

#[test]
fn completions_name_every_subcommand() {
    let out = Command::new(bin())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    for sub in ["empty", "create", "destroy", "reset", "dump", "random"] {
        assert!(script.contains(sub), "bash completions lack {sub}");
    }
}
