//! Bad input of every kind: a clear error or a correct result, never a panic, nothing lost.

use crate::fault::{assert_clean, create_distinct, snapshot};
use crate::safety::assert_default;
use crate::support::{db_exists, repo_sql, stderr, stdout, unique_name, TestProject};

/// `args` fails with exit code `code`, saying every one of `words`, and changes nothing.
fn fails_and_changes_nothing(p: &TestProject, args: &[&str], code: i32, words: &[&str]) {
    let before = snapshot(p);
    let out = p.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for word in words {
        assert!(err.contains(word), "stderr lacks {word:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(p), before);
    assert_clean(p);
}

fn default_data() -> String {
    std::fs::read_to_string(repo_sql().join("data.sql")).expect("data.sql")
}

fn default_schema() -> String {
    std::fs::read_to_string(repo_sql().join("schema.sql")).expect("schema.sql")
}

#[test]
fn database_names_with_quotes_spaces_and_unicode_work() {
    let p = TestProject::named(&unique_name(" we\"ird 'quo;te' ünïcødé 🦀"));
    p.ok(&["create"]);
    assert!(p.exists());
    assert_default(&p);
    let dump = stdout(&p.ok(&["dump"]));
    assert!(dump.contains("Walking the plank"), "{dump}");
    p.ok(&["random", "-n", "5"]);
    assert_eq!(p.count("posts"), 9);
    p.ok(&["reset"]);
    assert_default(&p);
    assert_clean(&p);
    let out = p.ok(&["destroy"]);
    assert!(stderr(&out).contains(&p.db), "{}", stderr(&out));
    assert!(!p.exists());
}

#[test]
fn a_database_name_of_63_bytes_works_and_64_is_refused() {
    let mut name = unique_name("_");
    if name.len() % 2 == 0 {
        name.push('x');
    }
    while name.len() < 63 {
        name.push('é');
    }
    assert_eq!(name.len(), 63);

    // One byte more: refused before anything happens. The server would have cut it to the
    // 63-byte name, and so worked on another database.
    let long = format!("{name}y");
    let q = TestProject::named(&long);
    let out = q.run(&["reset"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is 64 bytes long; PostgreSQL allows at most 63"),
        "{err}"
    );
    assert!(!db_exists(&name));
    assert!(!q.path().join("var").exists());

    let p = TestProject::named(&name);
    p.ok(&["reset"]);
    assert!(p.exists(), "the name was changed on the way");
    assert_default(&p);
    assert_clean(&p);
}

#[test]
fn random_counts_that_are_not_1_to_the_limit_are_refused() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    for count in [
        "0",
        "-1",
        "18446744073709551616",
        "18446744073709551615",
        "1e3",
        "",
    ] {
        let out = p.run(&["random", "--count", count]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "--count {count:?}: {err}");
        assert!(
            err.contains("must be a whole number from 1 to"),
            "--count {count:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(p.count("posts"), 4);
    p.ok(&["random", "--count", "1"]);
    assert_eq!(p.count("posts"), 5);
}

#[test]
fn a_missing_schema_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    std::fs::remove_file(p.path().join("sql/schema.sql")).unwrap();
    fails_and_changes_nothing(
        &p,
        &["reset"],
        1,
        &[
            "no `sql/schema.sql`",
            "hint: run insta485db inside your insta485 project",
        ],
    );
}

#[test]
fn an_empty_schema_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    for empty in ["", "-- only a comment\n\n/* and another */ ;\n"] {
        p.write("sql/schema.sql", empty);
        fails_and_changes_nothing(
            &p,
            &["reset"],
            1,
            &["`sql/schema.sql` holds no SQL statements"],
        );
    }
}

#[test]
fn a_missing_data_file_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    std::fs::remove_file(p.path().join("sql/data.sql")).unwrap();
    fails_and_changes_nothing(&p, &["reset"], 1, &["could not read `sql/data.sql`"]);
}

#[test]
fn binary_garbage_in_data_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    let mut garbage = b"INSERT INTO users VALUES\n".to_vec();
    garbage.extend([0xff, 0xfe, 0x00, 0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a]);
    p.write("sql/data.sql", &garbage);
    fails_and_changes_nothing(
        &p,
        &["reset"],
        1,
        &["`sql/data.sql` is not UTF-8 text: invalid byte at line 2, column 1"],
    );
    p.write("sql/data.sql", b"SELECT 1;\nSELECT '\0';\n");
    fails_and_changes_nothing(
        &p,
        &["reset"],
        1,
        &["`sql/data.sql` holds a NUL byte at line 2, column 9"],
    );
}

#[test]
fn an_unterminated_string_in_data_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    p.write(
        "sql/data.sql",
        format!(
            "{}\nINSERT INTO users (username) VALUES ('oops);\n",
            default_data()
        ),
    );
    let line = default_data().lines().count() + 2;
    fails_and_changes_nothing(
        &p,
        &["reset"],
        1,
        &[
            &format!("`sql/data.sql` line {line}"),
            "unterminated quoted string",
        ],
    );
}

#[test]
fn a_data_file_with_its_own_transaction_works() {
    let p = TestProject::new();
    create_distinct(&p);
    p.write(
        "sql/data.sql",
        format!("BEGIN;\n{}\nCOMMIT;\n", default_data()),
    );
    p.ok(&["reset"]);
    assert_default(&p);
    assert_clean(&p);
    // And when it fails after its own COMMIT, the old database is still there.
    let before = create_distinct_again(&p);
    p.write(
        "sql/data.sql",
        format!("BEGIN;\n{}\nCOMMIT;\nSELECT 1/0;\n", default_data()),
    );
    fails_and_changes_nothing(&p, &["reset"], 1, &["division by zero"]);
    assert_eq!(snapshot(&p), before);
}

/// Make the current database distinct again (it holds the default data).
fn create_distinct_again(p: &TestProject) -> crate::fault::Snapshot {
    crate::fault::make_distinct(p, &|sql| {
        p.query(sql);
    });
    snapshot(p)
}

/// Tables outside `public` are built and swapped with the rest. `dump` shows the `public`
/// schema only: that is where the app's queries find their tables.
#[test]
fn a_schema_with_tables_outside_public_works() {
    let p = TestProject::new();
    p.write(
        "sql/schema.sql",
        format!(
            "{}\nCREATE SCHEMA extra;\nCREATE TABLE extra.audit (id int PRIMARY KEY, note text);\n",
            default_schema()
        ),
    );
    p.write(
        "sql/data.sql",
        format!(
            "{}\nINSERT INTO extra.audit VALUES (1, 'kept');\n",
            default_data()
        ),
    );
    let out = p.ok(&["reset"]);
    assert!(stderr(&out).contains("(6 tables)"), "{}", stderr(&out));
    let out = p.ok(&["reset"]);
    assert!(stderr(&out).contains("rebuilt"), "{}", stderr(&out));
    assert_default(&p);
    assert_eq!(p.scalar("SELECT note FROM extra.audit"), "kept");
    let dump = stdout(&p.ok(&["dump"]));
    assert!(dump.contains("awdeorio"), "{dump}");
    assert!(!dump.contains("audit") && !dump.contains("kept"), "{dump}");
    assert_clean(&p);
}

/// A `data.sql` written by `pg_dump` (COPY ... FROM stdin with rows and `\.`) needs psql;
/// it is refused before anything is touched, with the way out.
#[test]
fn a_copy_from_stdin_in_data_is_a_clear_error() {
    let p = TestProject::new();
    create_distinct(&p);
    p.write(
        "sql/data.sql",
        "COPY public.users (username, fullname, email, filename, password) FROM stdin;\n\
         awdeorio\tAndrew DeOrio\tawdeorio@umich.edu\tx.jpg\tpw\n\
         \\.\n",
    );
    fails_and_changes_nothing(
        &p,
        &["reset"],
        1,
        &[
            "`sql/data.sql` line 1: `COPY ... FROM STDIN`",
            "pg_dump --inserts",
        ],
    );
}
