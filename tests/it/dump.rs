//! `dump`: every table, alphabetically, rows in key order, on stdout; nothing wrapped or cut
//! when stdout is not a terminal; a missing database is a clear error.

use crate::support::{stderr, stdout, TestProject};

/// awdeorio's password hash from the default data: 146 characters, wider than any terminal.
const AWDEORIO_HASH: &str = "sha512$34e94a05cdf247db92a84bc590950336$7eaca2b4169e042120f015666115856c717343f1c75d1c1bd1bf469bd1cd439eb152ccda6a0b8703706dfbcb861b3cef9208325c31f436e8edb9563f01176c48";

/// The `name (N rows)` headings of a dump, in order.
fn headings(dump: &str) -> Vec<String> {
    dump.lines()
        .filter(|line| {
            !line.starts_with(['┌', '│', '╞', '├', '└'])
                && line.ends_with(')')
                && line.contains(" (")
        })
        .map(str::to_string)
        .collect()
}

/// The section of a dump for one table: from its heading to the next blank line.
fn section<'a>(dump: &'a str, table: &str) -> &'a str {
    let start = dump
        .find(&format!("\n{table} ("))
        .map(|i| i + 1)
        .or_else(|| dump.starts_with(&format!("{table} (")).then_some(0))
        .unwrap_or_else(|| panic!("no table `{table}` in the dump:\n{dump}"));
    let rest = &dump[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

/// The first cell of every data row of a section.
fn first_cells(section: &str) -> Vec<String> {
    let mut past_header = false;
    let mut cells = Vec::new();
    for line in section.lines() {
        if line.starts_with('╞') {
            past_header = true;
        } else if past_header && line.starts_with('│') {
            let cell = line.trim_start_matches('│').split('┆').next().unwrap();
            cells.push(cell.trim().to_string());
        }
    }
    cells
}

#[test]
fn dump_lists_every_table_alphabetically_with_row_counts() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let out = p.ok(&["dump"]);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        headings(&text),
        [
            "comments (7 rows)",
            "following (7 rows)",
            "likes (6 rows)",
            "posts (4 rows)",
            "users (4 rows)",
        ]
    );
    let users = section(&text, "users");
    for column in [
        "username", "fullname", "email", "filename", "password", "created",
    ] {
        assert!(users.contains(column), "no column {column}:\n{users}");
    }
    assert_eq!(first_cells(users), ["awdeorio", "jag", "jflinn", "michjc"]);
}

#[test]
fn dump_orders_rows_by_primary_key() {
    let p = TestProject::new();
    p.ok(&["create"]);
    // Inserted out of order: the dump must not show them in insertion order.
    p.query(
        "INSERT INTO posts (postid, filename, owner) VALUES (50, 'z.jpg', 'jag'), (10, 'y.jpg', 'jag');
         INSERT INTO following (follower, followee) VALUES ('jag', 'awdeorio');
         DELETE FROM users WHERE username = 'michjc';
         INSERT INTO users (username, fullname, email, filename, password) VALUES ('aaa', 'A', 'a@x', 'a.jpg', 'x')",
    );
    let text = stdout(&p.ok(&["dump"]));
    assert_eq!(
        first_cells(section(&text, "posts")),
        ["1", "2", "3", "4", "10", "50"]
    );
    assert_eq!(
        first_cells(section(&text, "users")),
        ["aaa", "awdeorio", "jag", "jflinn"]
    );
    // A two-column key: by follower, then followee.
    let following: Vec<String> = section(&text, "following")
        .lines()
        .filter(|l| l.starts_with('│') && !l.contains("follower"))
        .map(|l| {
            l.trim_start_matches('│')
                .split('┆')
                .take(2)
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("->")
        })
        .collect();
    assert_eq!(
        following,
        ["awdeorio->jflinn", "jag->awdeorio", "jflinn->awdeorio"]
    );
}

#[test]
fn dump_is_the_same_every_run() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.query("CREATE TABLE nokey (a text, b int); INSERT INTO nokey VALUES ('b', 2), ('a', 1), ('c', NULL)");
    let first = stdout(&p.ok(&["dump"]));
    let second = stdout(&p.ok(&["dump"]));
    assert_eq!(first, second);
    let nokey = section(&first, "nokey");
    assert_eq!(first_cells(nokey), ["a", "b", "c"]);
    assert!(nokey.contains("NULL"), "{nokey}");
}

#[test]
fn piped_dump_keeps_every_value_on_one_line() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let text = stdout(&p.ok(&["dump"]));
    let line = text
        .lines()
        .find(|l| l.contains("awdeorio@umich.edu"))
        .unwrap_or_else(|| panic!("no row for awdeorio:\n{text}"));
    assert!(
        line.contains(AWDEORIO_HASH),
        "awdeorio's password hash is wrapped or cut:\n{text}"
    );
    assert!(!text.contains('…'), "a value was cut:\n{text}");
    // Every line of a table is as wide as its border: nothing spilled onto another line.
    let users = section(&text, "users");
    let width = users.lines().nth(1).unwrap().chars().count();
    assert!(width > 200, "{users}");
    for l in users.lines().skip(1) {
        assert_eq!(l.chars().count(), width, "ragged line {l:?}");
    }
}

#[test]
fn dump_of_an_empty_database_shows_empty_tables() {
    let p = TestProject::new();
    p.ok(&["empty"]);
    let text = stdout(&p.ok(&["dump"]));
    assert_eq!(
        headings(&text),
        [
            "comments (0 rows)",
            "following (0 rows)",
            "likes (0 rows)",
            "posts (0 rows)",
            "users (0 rows)",
        ]
    );
}

#[test]
fn dump_of_a_missing_database_is_a_clear_error() {
    let p = TestProject::new();
    let out = p.fails(&["dump"]);
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: database `{}` does not exist at `", p.db)),
        "{err}"
    );
    assert!(
        err.contains("hint: run `insta485db create` to create it"),
        "{err}"
    );
}

#[test]
fn dump_ignores_pgdatabase() {
    // PGDATABASE usually names another database (pg_virtualenv sets it to `postgres`); the
    // tool manages `insta485` unless -d says otherwise. Read-only: `--table` of a table that
    // no database has, so nothing is printed whichever database is reached.
    let p = TestProject::new();
    p.ok(&["create"]);
    let out = assert_cmd::Command::new(crate::support::bin())
        .current_dir(p.path())
        .env("PGDATABASE", &p.db)
        .args(["dump", "--table", "no_such_table_anywhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("`insta485`"), "{err}");
    assert!(!err.contains(&p.db), "PGDATABASE was read: {err}");
}
