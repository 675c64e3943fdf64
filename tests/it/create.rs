//! `create`: schema, data and uploads, all or nothing; refuses a database that exists; a
//! broken SQL file is named with its line and column, and leaves nothing behind.

use crate::support::{line_of, repo_sql, stderr, unique_name, TestProject};

/// After a failed `create`: no database, no temporary database, no `var/` at all.
fn assert_nothing_left(p: &TestProject) {
    assert!(!p.exists(), "database `{}` was left behind", p.db);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
    assert!(!p.uploads().exists(), "`var/uploads` was created");
    assert!(!p.path().join("var").exists(), "`var/` was created");
}

/// Replace the first `from` in the project's `sql/<file>` with `to`; return the new text.
fn edit(p: &TestProject, file: &str, from: &str, to: &str) -> String {
    let path = p.path().join("sql").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{file}` lacks {from:?}");
    let text = text.replacen(from, to, 1);
    std::fs::write(&path, &text).unwrap();
    text
}

#[test]
fn create_prints_one_line_and_no_progress_bar_without_a_terminal() {
    let p = TestProject::new();
    let out = p.ok(&["create"]);
    assert_eq!(
        stderr(&out),
        format!(
            "created database `{}` (5 tables) and `var/uploads` (8 files)\n",
            p.db
        )
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn create_quiet_prints_nothing() {
    let p = TestProject::new();
    let out = p.ok(&["--quiet", "create"]);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert_eq!(p.count("users"), 4);
}

#[test]
fn create_loads_the_default_data() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let users = p.query("SELECT username, fullname, email FROM users ORDER BY username");
    let names: Vec<&str> = users.iter().map(|r| r[0].as_deref().unwrap()).collect();
    assert_eq!(names, ["awdeorio", "jag", "jflinn", "michjc"]);
    assert_eq!(
        p.scalar("SELECT text FROM comments WHERE commentid = 5"),
        "Walking the plank #chickensofinstagram"
    );
    // Explicit ids in data.sql must not collide with the next generated one.
    p.query("INSERT INTO posts (filename, owner) VALUES ('x.jpg', 'jag')");
    assert_eq!(p.scalar("SELECT max(postid) FROM posts"), "5");
    // Every upload is a byte-for-byte copy of `sql/uploads`.
    for name in p.upload_names() {
        let copied = std::fs::read(p.uploads().join(&name)).unwrap();
        let original = std::fs::read(repo_sql().join("uploads").join(&name)).unwrap();
        assert_eq!(copied, original, "{name} differs");
    }
}

#[test]
fn create_copies_uploads_recursively() {
    let p = TestProject::new();
    p.write("sql/uploads/extra/nested/deep.jpg", b"deep");
    p.ok(&["create"]);
    assert_eq!(
        std::fs::read(p.uploads().join("extra/nested/deep.jpg")).unwrap(),
        b"deep"
    );
}

#[test]
fn create_over_an_existing_database_fails_and_keeps_its_data() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.query("DELETE FROM users WHERE username = 'jag'");
    let out = p.fails(&["create"]);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: database `{}` already exists\n", p.db)),
        "{err}"
    );
    assert!(
        err.contains(
            "hint: run `insta485db reset` to rebuild it, or `insta485db destroy` to remove it"
        ),
        "{err}"
    );
    assert_eq!(p.count("users"), 3, "the existing data was touched");
    assert_eq!(p.upload_names().len(), 8);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn create_is_not_fooled_by_a_database_whose_name_starts_the_same() {
    let name = unique_name("_insta485");
    let other = TestProject::named(&format!("{name}_other"));
    other.ok(&["create"]);
    let p = TestProject::named(&name);
    p.ok(&["create"]);
    assert_eq!(p.count("users"), 4);
    // And `destroy` of the one leaves the other.
    p.ok(&["destroy"]);
    assert!(!p.exists());
    assert!(other.exists());
    assert_eq!(other.count("users"), 4);
}

#[test]
fn broken_data_sql_names_file_line_and_column_and_leaves_nothing() {
    let p = TestProject::new();
    let text = edit(&p, "data.sql", "INSERT INTO posts", "INSERT INTO postz");
    let line = line_of(&text, "INSERT INTO postz");
    let out = p.fails(&["create"]);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: `sql/data.sql` line {line}, column 13: relation \"postz\" does not exist (SQLSTATE 42P01)\n"
        )),
        "{err}"
    );
    // The offending line is quoted, with a caret under the column.
    assert!(
        err.contains(&format!("{line} | INSERT INTO postz")),
        "{err}"
    );
    assert!(err.contains("|             ^"), "{err}");
    assert_nothing_left(&p);

    // Fix the file and run `create` again: it just works.
    edit(&p, "data.sql", "INSERT INTO postz", "INSERT INTO posts");
    p.ok(&["create"]);
    assert_eq!(p.count("posts"), 4);
}

#[test]
fn broken_data_sql_without_a_position_names_the_statement_line() {
    // A foreign-key violation has no position: the error points at the statement.
    let p = TestProject::new();
    let text = edit(
        &p,
        "data.sql",
        "INSERT INTO likes",
        "INSERT INTO likes (likeid, owner, postid) VALUES (99, 'awdeorio', 999);\nINSERT INTO likes",
    );
    let line = line_of(&text, "(99, 'awdeorio', 999)");
    let out = p.fails(&["create"]);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: `sql/data.sql` line {line}: ")),
        "{err}"
    );
    assert!(err.contains("foreign key"), "{err}");
    assert!(err.contains("(SQLSTATE 23503)"), "{err}");
    assert!(err.contains("detail: Key (postid)=(999)"), "{err}");
    assert_nothing_left(&p);
}

#[test]
fn broken_data_sql_half_way_loads_nothing() {
    // The last statement fails: the rows before it must not survive anywhere.
    let p = TestProject::new();
    let path = p.path().join("sql/data.sql");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\nSELECT 1 / 0;\n");
    std::fs::write(&path, &text).unwrap();
    let out = p.fails(&["create"]);
    let err = stderr(&out);
    let line = line_of(&text, "SELECT 1 / 0");
    assert!(
        err.contains(&format!("`sql/data.sql` line {line}")),
        "{err}"
    );
    assert!(err.contains("division by zero (SQLSTATE 22012)"), "{err}");
    assert_nothing_left(&p);
}

#[test]
fn broken_schema_sql_names_file_line_and_column_and_leaves_nothing() {
    for command in ["empty", "create"] {
        let p = TestProject::new();
        let text = edit(
            &p,
            "schema.sql",
            "fullname varchar(40)",
            "fullname nosuchtype",
        );
        let line = line_of(&text, "fullname nosuchtype");
        let out = p.fails(&[command]);
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "error: `sql/schema.sql` line {line}, column 14: type \"nosuchtype\" does not exist (SQLSTATE 42704)\n"
            )),
            "{command}: {err}"
        );
        assert_nothing_left(&p);
    }
}

#[test]
fn missing_data_sql_is_named_before_anything_changes() {
    let p = TestProject::new();
    std::fs::remove_file(p.path().join("sql/data.sql")).unwrap();
    let out = p.fails(&["create"]);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: could not read `sql/data.sql`\n"),
        "{err}"
    );
    assert_nothing_left(&p);
}
