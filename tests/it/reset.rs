//! `reset`: destroy then create, from any state; a failed rebuild keeps the old database.

use crate::support::{stderr, TestProject};

#[test]
fn reset_from_nothing_creates() {
    // The old script failed here: its `destroy` exited 1 on a fresh machine.
    let p = TestProject::new();
    let out = p.ok(&["reset"]);
    assert_eq!(
        stderr(&out),
        format!(
            "created database `{}` (5 tables) and `var/uploads` (8 files)\n",
            p.db
        )
    );
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.upload_names().len(), 8);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn reset_over_an_existing_database_rebuilds_it() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.ok(&["random"]);
    p.write("var/uploads/user-upload.jpg", b"x");
    let out = p.ok(&["reset"]);
    assert!(
        stderr(&out).starts_with(&format!("rebuilt database `{}`", p.db)),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.count("posts"), 4);
    assert_eq!(p.upload_names().len(), 8, "{:?}", p.upload_names());
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn reset_over_an_empty_database_and_stale_uploads() {
    let p = TestProject::new();
    p.ok(&["empty"]);
    p.write("var/uploads/stale.jpg", b"x");
    p.ok(&["reset"]);
    assert_eq!(p.count("users"), 4);
    assert!(!p.upload_names().contains(&"stale.jpg".to_string()));
}

#[test]
fn reset_with_broken_data_sql_keeps_the_old_database() {
    // The old script destroyed first, so a broken file cost you your data.
    let p = TestProject::new();
    p.ok(&["create"]);
    p.ok(&["random", "-n", "3"]);
    let path = p.path().join("sql/data.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("INSERT INTO posts", "INSERT INTO postz", 1),
    )
    .unwrap();
    let out = p.fails(&["reset"]);
    assert!(
        stderr(&out).contains("`sql/data.sql` line"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.count("posts"), 7, "the old database was touched");
    assert_eq!(p.upload_names().len(), 8);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

// In place: an existing database is rebuilt in one transaction, with the same result a fresh
// `create` gives; and the fallback when that is not possible.

/// Owner and grants of schema `public`, and the user schemas, as text.
fn schema_shape(p: &TestProject) -> Vec<Vec<Option<String>>> {
    p.query(
        "SELECT nspname::text, pg_get_userbyid(nspowner)::text, nspacl::text \
         FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') \
         AND nspname NOT LIKE 'pg\\_%' ORDER BY 1",
    )
}

#[test]
fn reset_in_place_gives_what_create_gives() {
    let fresh = TestProject::new();
    fresh.ok(&["create"]);
    let p = TestProject::new();
    p.ok(&["create"]);
    // Make the database stale in every way a student might.
    p.query(
        "CREATE SCHEMA scratch; CREATE TABLE scratch.t (x int); \
         CREATE TABLE public.extra (y int); \
         DELETE FROM likes; UPDATE users SET fullname = 'changed'; \
         INSERT INTO posts (filename, owner) SELECT 'x.jpg', 'jag' FROM generate_series(1, 50)",
    );
    let oid_before = p.scalar(&format!(
        "SELECT oid FROM pg_database WHERE datname = '{}'",
        p.db
    ));
    let out = p.ok(&["reset"]);
    assert!(
        stderr(&out).contains("rebuilt database"),
        "{}",
        stderr(&out)
    );
    // Rebuilt in place: the same database, not a new one.
    let oid_after = p.scalar(&format!(
        "SELECT oid FROM pg_database WHERE datname = '{}'",
        p.db
    ));
    assert_eq!(oid_before, oid_after);
    assert_eq!(schema_shape(&p), schema_shape(&fresh));
    assert_eq!(p.count("likes"), 6);
    assert_eq!(p.count("posts"), 4);
    assert_eq!(
        p.scalar("SELECT fullname FROM users WHERE username = 'awdeorio'"),
        "Andrew DeOrio"
    );
    // Identities start over, as in a new database.
    assert_eq!(
        p.scalar("INSERT INTO posts (filename, owner) VALUES ('a.jpg', 'jag') RETURNING postid"),
        "5"
    );
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn reset_with_broken_data_keeps_the_old_database_in_place() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.query("INSERT INTO posts (filename, owner) VALUES ('mine.jpg', 'jag')");
    std::fs::write(p.uploads().join("mine.jpg"), b"user upload").unwrap();
    p.write(
        "sql/data.sql",
        "INSERT INTO users VALUES ('a','b','c','d','e');\nINSERT INTO nowhere VALUES (1);\n",
    );
    let out = p.run(&["reset"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("`sql/data.sql` line 2"), "{err}");
    assert!(err.contains("relation \"nowhere\" does not exist"), "{err}");
    assert_eq!(p.count("posts"), 5);
    assert_eq!(p.count("users"), 4);
    assert_eq!(
        std::fs::read(p.uploads().join("mine.jpg")).unwrap(),
        b"user upload"
    );
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}

#[test]
fn reset_falls_back_to_a_new_database_when_in_place_is_impossible() {
    let p = TestProject::new();
    p.ok(&["create"]);
    // A database nobody may connect to cannot be rebuilt in place.
    crate::support::admin(&format!(
        "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
        insta485db::database::quote_ident(&p.db)
    ));
    p.ok(&["reset"]);
    assert_eq!(p.count("users"), 4);
    assert_eq!(
        p.scalar(&format!(
            "SELECT datallowconn::text FROM pg_database WHERE datname = '{}'",
            p.db
        )),
        "true"
    );
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
}
