//! The README is the front door: its test command is the one CI runs, and it shows every
//! subcommand.

use std::path::Path;

use clap::CommandFactory;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn readme_test_command_is_the_one_ci_runs() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let test_cmd = ci
        .lines()
        .find_map(|l| l.strip_prefix("TEST_CMD=("))
        .and_then(|l| l.strip_suffix(')'))
        .expect("`.ci/run` has no `TEST_CMD=(...)` line");
    // CI adds `--locked` (and picks the server version with -v); the command is otherwise
    // the README's.
    let readme_cmd = format!("pg_virtualenv {}", test_cmd.trim_end_matches(" --locked"));
    assert_eq!(
        readme_cmd, "pg_virtualenv cargo test",
        "TEST_CMD changed: {test_cmd}"
    );
    assert!(
        readme.contains(&format!("```sh\n{readme_cmd}\n```")),
        "README.md lacks the test command `{readme_cmd}` in a sh block"
    );
    let top: String = readme.lines().take(20).collect::<Vec<_>>().join("\n");
    for command in ["insta485db reset", &readme_cmd] {
        assert!(top.contains(command), "README.md's top lacks `{command}`");
    }
    assert!(
        ci.lines().any(
            |l| l.starts_with("pg_virtualenv ") && l.trim_end().ends_with("\"${TEST_CMD[@]}\"")
        ),
        "`.ci/run` no longer runs TEST_CMD under pg_virtualenv"
    );
}

#[test]
fn readme_shows_every_subcommand() {
    let readme = read("README.md");
    for sub in insta485db::cli::Cli::command().get_subcommands() {
        let name = sub.get_name();
        assert!(
            readme.contains(&format!("### `insta485db {name}")),
            "README.md has no section for `insta485db {name}`"
        );
        assert!(
            readme.contains(&format!("$ insta485db {name}")),
            "README.md has no example of `insta485db {name}`"
        );
    }
}

#[test]
fn readme_shows_the_published_benchmark() {
    let readme = read("README.md");
    let results = read("bench/results.md");
    let inside = readme
        .split_once("<!-- bench:start -->\n")
        .and_then(|(_, rest)| rest.split_once("\n<!-- bench:end -->"))
        .map(|(table, _)| table)
        .expect("README.md lacks the bench markers");
    assert_eq!(
        inside,
        results.trim_matches('\n'),
        "README.md's benchmark table differs from bench/results.md: run `bench/run` (it \
         updates both) or copy the file in"
    );
}
