//! `empty`: the schema only, and an empty `var/uploads`; refuses a database that exists.

use crate::support::{stderr, unique_name, TestProject};

const TABLES: [&str; 5] = ["comments", "following", "likes", "posts", "users"];

#[test]
fn empty_creates_the_schema_and_an_empty_uploads_folder() {
    let p = TestProject::new();
    let out = p.ok(&["empty"]);
    assert!(p.exists());
    let tables: Vec<String> = p
        .query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect();
    assert_eq!(tables, TABLES);
    for table in TABLES {
        assert_eq!(p.count(table), 0, "table `{table}` should be empty");
    }
    assert!(p.uploads().is_dir(), "`var/uploads` should exist");
    assert!(p.upload_names().is_empty(), "{:?}", p.upload_names());
    assert!(
        stderr(&out).contains(&format!("created database `{}`", p.db)),
        "{}",
        stderr(&out)
    );
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn empty_leaves_ids_to_the_server() {
    let p = TestProject::new();
    p.ok(&["empty"]);
    p.query("INSERT INTO users (username, fullname, email, filename, password) VALUES ('u', 'U', 'u@x', 'u.jpg', 'x')");
    p.query("INSERT INTO posts (filename, owner) VALUES ('a.jpg', 'u'), ('b.jpg', 'u')");
    assert_eq!(
        p.scalar("SELECT string_agg(postid::text, ',' ORDER BY postid) FROM posts"),
        "1,2"
    );
    assert_eq!(
        p.scalar("SELECT count(*) FROM posts WHERE created IS NOT NULL"),
        "2"
    );
}

#[test]
fn empty_over_an_existing_database_fails_and_changes_nothing() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let out = p.fails(&["empty"]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("error: database `{}` already exists", p.db)),
        "{err}"
    );
    assert!(err.contains("hint: run `insta485db reset`"), "{err}");
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.upload_names().len(), 8);
}

#[test]
fn empty_is_not_fooled_by_a_database_whose_name_starts_the_same() {
    // The old script grepped `psql -l`, so `insta485_other` counted as `insta485`.
    let name = unique_name("_insta485");
    let other = TestProject::named(&format!("{name}_other"));
    other.ok(&["empty"]);
    let p = TestProject::named(&name);
    p.ok(&["empty"]);
    assert!(p.exists());
    assert!(other.exists());
}

#[test]
fn empty_refuses_leftover_uploads_without_a_database() {
    let p = TestProject::new();
    p.write("var/uploads/stale.jpg", b"old");
    let out = p.fails(&["empty"]);
    let err = stderr(&out);
    assert!(err.contains("`var/uploads` already holds files"), "{err}");
    assert!(err.contains("hint: run `insta485db reset`"), "{err}");
    assert!(!p.exists());
    assert_eq!(p.upload_names(), ["stale.jpg"]);
}
