//! `reset`, `create` and `empty` that fail or are stopped half-way: the old database and
//! `var/uploads` stay exactly as they were, and nothing temporary is left behind.

use std::time::{Duration, Instant};

use crate::fault::{
    self, assert_clean, create_distinct, finish, loading_sql, signal, slow_data, snapshot, spawn,
    wait_until, Session,
};
use crate::support::{stderr, TestProject};

/// The database and uploads hold exactly the default data.
pub fn assert_default(p: &TestProject) {
    // One query: under pg_virtualenv every connection costs a password exchange.
    let counts = p.query(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM posts), \
                (SELECT count(*) FROM following), (SELECT count(*) FROM comments), \
                (SELECT count(*) FROM likes), \
                (SELECT count(*) FROM users WHERE username = 'marker')",
    );
    let expected: Vec<Option<String>> = ["4", "4", "7", "7", "6", "0"]
        .iter()
        .map(|n| Some(n.to_string()))
        .collect();
    assert_eq!(
        counts,
        vec![expected],
        "users, posts, following, comments, likes, marker"
    );
    assert_eq!(p.upload_names().len(), 8, "{:?}", p.upload_names());
    assert!(!p.upload_names().contains(&"old.jpg".to_string()));
}

/// Run `reset` over a distinct old database with `file` replaced by `contents`; it must fail
/// with a message containing every one of `words`, and change nothing.
fn reset_fails_and_keeps_old(file: &str, contents: &str, words: &[&str]) {
    let p = TestProject::new();
    let before = create_distinct(&p);
    p.write(file, contents);
    let out = p.run(&["reset"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for word in words {
        assert!(err.contains(word), "stderr lacks {word:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
}

#[test]
fn reset_with_bad_schema_keeps_old_database_and_uploads() {
    reset_fails_and_keeps_old(
        "sql/schema.sql",
        "CREATE TABLE users (username text PRIMARY KEY);\nCREAT TABLE posts (postid int);\n",
        &["sql/schema.sql", "line 2", "syntax error", "CREAT"],
    );
}

#[test]
fn reset_with_bad_data_keeps_old_database_and_uploads() {
    let data = std::fs::read_to_string(crate::support::repo_sql().join("data.sql")).unwrap();
    reset_fails_and_keeps_old(
        "sql/data.sql",
        &format!("{data}\nINSERT INTO posts (filename, owner) VALUES ('x.jpg', 'nobody');\n"),
        &["sql/data.sql", "foreign key", "23503"],
    );
}

#[test]
fn reset_with_server_error_keeps_old_database_and_uploads() {
    let data = std::fs::read_to_string(crate::support::repo_sql().join("data.sql")).unwrap();
    reset_fails_and_keeps_old(
        "sql/data.sql",
        &format!("{data}\nDO $$ BEGIN RAISE EXCEPTION 'the server gave up'; END $$;\n"),
        &["sql/data.sql", "the server gave up", "P0001"],
    );
}

/// Start `args` over a distinct old database with the given slow SQL file, wait until the
/// load is running, send `sig`, and check the exit code and that nothing changed.
fn interrupt_mid_load(args: &[&str], file: &str, contents: &str, sig: &str, code: i32) {
    let p = TestProject::new();
    let before = create_distinct(&p);
    p.write(file, contents);
    let child = spawn(fault::command(&p, args));
    let sql = loading_sql(&p.db);
    wait_until("the load to start", || p_scalar(&sql) != "0");
    signal(&child, sig);
    let started = Instant::now();
    let out = finish(child, Duration::from_secs(15));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
    // And the next run works.
    p.write(
        file,
        std::fs::read(crate::support::repo_sql().join(file.trim_start_matches("sql/"))).unwrap(),
    );
    p.ok(&["reset"]);
    assert_default(&p);
}

fn p_scalar(sql: &str) -> String {
    crate::support::scalar("postgres", sql)
}

#[test]
fn reset_sigint_while_loading_data_keeps_old() {
    interrupt_mid_load(&["reset"], "sql/data.sql", &slow_data(), "INT", 130);
}

#[test]
fn reset_sigterm_while_loading_data_keeps_old() {
    interrupt_mid_load(&["reset"], "sql/data.sql", &slow_data(), "TERM", 143);
}

#[test]
fn reset_sigterm_while_loading_schema_keeps_old() {
    let schema = std::fs::read_to_string(crate::support::repo_sql().join("schema.sql")).unwrap();
    let slow = format!("SELECT pg_sleep(30);\n{schema}");
    interrupt_mid_load(&["reset", "--force"], "sql/schema.sql", &slow, "TERM", 143);
}

#[test]
fn reset_sigint_while_waiting_for_another_run_exits_at_once() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    let other = Session::open("postgres", "it-other-run");
    other.hold_lock(&p.db);
    let child = spawn(fault::command(&p, &["reset"]));
    wait_until("reset to wait for the lock", || {
        fault::waiting_for_lock(&p.db)
    });
    signal(&child, "INT");
    // It must not wait for the other run to finish before exiting.
    let out = finish(child, Duration::from_secs(5));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("waiting"), "{err}");
    assert_eq!(snapshot(&p), before);
    drop(other);
    p.ok(&["reset"]);
    assert_default(&p);
    assert_clean(&p);
}

#[test]
fn reset_killed_mid_build_is_cleaned_up_by_the_next_run() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    // Built beside the old database, so there is a temporary database to leave behind.
    p.write("sql/data.sql", fault::built_beside(&slow_data()));
    let child = spawn(fault::command(&p, &["reset"]));
    wait_until("the load to start", || p_scalar(&loading_sql(&p.db)) != "0");
    signal(&child, "KILL");
    let out = finish(child, Duration::from_secs(5));
    assert_eq!(out.status.code(), None, "killed by a signal");
    // The killed run could not clean up: its temporary database and staging folder are there.
    assert!(!p.leftovers().is_empty());
    assert!(!fault::staging_leftovers(&p).is_empty());
    assert_eq!(snapshot(&p), before);

    crate::support::copy_dir(&crate::support::repo_sql(), &p.path().join("sql"));
    p.ok(&["reset"]);
    assert_default(&p);
    assert_clean(&p);
}

/// `create` or `empty` stopped half-way: no database, no temporary database, no uploads.
fn interrupted_create_leaves_nothing(command: &str, file: &str, contents: &str, sig: &str) {
    let p = TestProject::new();
    p.write(file, contents);
    let child = spawn(fault::command(&p, &[command]));
    wait_until("the load to start", || p_scalar(&loading_sql(&p.db)) != "0");
    signal(&child, sig);
    let out = finish(child, Duration::from_secs(15));
    let code = if sig == "INT" { 130 } else { 143 };
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    assert!(!p.exists(), "`{command}` left database `{}`", p.db);
    assert_clean(&p);
    assert!(!p.uploads().exists(), "`{command}` left var/uploads");
}

#[test]
fn create_interrupted_leaves_no_database() {
    interrupted_create_leaves_nothing("create", "sql/data.sql", &slow_data(), "INT");
}

#[test]
fn empty_terminated_leaves_no_database() {
    let schema = std::fs::read_to_string(crate::support::repo_sql().join("schema.sql")).unwrap();
    interrupted_create_leaves_nothing(
        "empty",
        "sql/schema.sql",
        &format!("{schema}\nSELECT pg_sleep(30);\n"),
        "TERM",
    );
}

#[test]
fn random_interrupted_inserts_nothing() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    // A trigger makes the insert slow enough to interrupt.
    p.query(
        "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$; \
         CREATE TRIGGER slow AFTER INSERT ON posts FOR EACH STATEMENT EXECUTE FUNCTION slow();",
    );
    let child = spawn(fault::command(&p, &["random"]));
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' \
         AND state = 'active' AND query LIKE '%INSERT INTO posts%'",
        p.db
    );
    wait_until("the insert to start", || p_scalar(&sql) != "0");
    signal(&child, "INT");
    let out = finish(child, Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // The server finishes the statement on its own; it must not be committed.
    wait_until("the insert to end", || p_scalar(&sql) == "0");
    assert_eq!(p.count("posts"), 4);
}

/// The server goes away (`pg_ctl stop -m immediate`) in the middle of a `reset`; when it is
/// started again the old database is intact, and the next `reset` cleans up and works.
#[test]
fn reset_survives_the_server_stopping_mid_load() {
    server_stops_mid_load(false);
}

/// The same, for a database built beside the old one.
#[test]
fn reset_built_beside_survives_the_server_stopping_mid_load() {
    server_stops_mid_load(true);
}

fn server_stops_mid_load(beside: bool) {
    let cluster = crate::cluster::Cluster::new(crate::cluster::Options::default());
    cluster.start();
    let p = TestProject::new();
    let run = |args: &[&str]| {
        let mut cmd = fault::command(&p, args);
        cluster.env(&mut cmd);
        cmd.output().expect("run insta485db")
    };
    let query = |sql: &str| cluster.query(&p.db, sql);
    assert!(run(&["create"]).status.success());
    fault::make_distinct(&p, &|sql| {
        query(sql);
    });
    let before = fault::snapshot_with(&p, &query);

    let data = slow_data();
    p.write(
        "sql/data.sql",
        if beside {
            fault::built_beside(&data)
        } else {
            data
        },
    );
    let mut cmd = fault::command(&p, &["reset"]);
    cluster.env(&mut cmd);
    let child = spawn(cmd);
    let sql = loading_sql(&p.db);
    wait_until("the load to start", || {
        cluster.scalar("postgres", &sql) != "0"
    });
    cluster.stop();
    let out = finish(child, Duration::from_secs(20));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // Either we notice the closed connection, or the server manages to say it is going.
    assert!(
        err.contains("lost the connection to the server while running `sql/data.sql`")
            || err.contains("terminating connection"),
        "{err}"
    );
    if beside {
        assert!(err.contains("the next run drops it"), "{err}");
    }

    cluster.start();
    assert_eq!(fault::snapshot_with(&p, &query), before);
    assert!(fault::staging_leftovers(&p).is_empty());

    crate::support::copy_dir(&crate::support::repo_sql(), &p.path().join("sql"));
    let out = run(&["reset"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(cluster.scalar(&p.db, "SELECT count(*) FROM users"), "4");
    assert_eq!(cluster.scalar(&p.db, "SELECT count(*) FROM likes"), "6");
    let stem = insta485db::database::TempNames::for_database(&p.db).building;
    let stem = stem.trim_end_matches("_new");
    assert_eq!(
        cluster.scalar(
            "postgres",
            &format!("SELECT count(*) FROM pg_database WHERE datname LIKE '{stem}%'")
        ),
        "0"
    );
    assert_eq!(p.upload_names().len(), 8);
}

/// Ctrl-C while `destroy` waits for its DROP (here: another transaction holds a lock on the
/// database). The server runs a DROP it has started to its end, so `destroy` does too: the
/// database and `var/uploads` go together, never one without the other.
#[test]
fn destroy_interrupted_mid_drop_finishes_both_or_neither() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let blocker = Session::open("postgres", "it-blocker");
    let quoted = insta485db::database::quote_ident(&p.db);
    blocker
        .execute(&format!("BEGIN; COMMENT ON DATABASE {quoted} IS 'locked'"))
        .unwrap();
    let child = spawn(fault::command(&p, &["destroy"]));
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
         AND query LIKE 'DROP DATABASE%{}%'",
        p.db
    );
    wait_until("the drop to wait", || p_scalar(&sql) != "0");
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    blocker.execute("ROLLBACK").unwrap();
    let out = finish(child, Duration::from_secs(15));
    let err = stderr(&out);
    assert!(
        !p.exists() && !p.uploads().exists(),
        "half destroyed: {err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_clean(&p);
}

/// Ctrl-C once the swap has begun (here it waits for a lock another transaction holds):
/// the swap runs to its end, and the run succeeds with the new database and uploads.
#[test]
fn reset_interrupted_during_the_swap_completes_it() {
    let p = TestProject::new();
    create_distinct(&p);
    // Built beside, so that there is a swap (of database names) to interrupt.
    let data = std::fs::read_to_string(crate::support::repo_sql().join("data.sql")).unwrap();
    p.write("sql/data.sql", fault::built_beside(&data));
    let blocker = Session::open("postgres", "it-blocker");
    let quoted = insta485db::database::quote_ident(&p.db);
    blocker
        .execute(&format!("BEGIN; COMMENT ON DATABASE {quoted} IS 'locked'"))
        .unwrap();
    let child = spawn(fault::command(&p, &["reset"]));
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
         AND query LIKE '%ALTER DATABASE {quoted}%'",
        quoted = quoted.replace('\'', "''")
    );
    wait_until("the swap to wait", || p_scalar(&sql) != "0");
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    blocker.execute("ROLLBACK").unwrap();
    let out = finish(child, Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_default(&p);
    assert_clean(&p);
}

/// The server refuses the build itself (a user without CREATEDB): the old database and
/// uploads stay, and the error says what is missing.
#[test]
fn reset_refused_by_the_server_keeps_old() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    let role = crate::support::unique_name("_role");
    crate::support::admin(&format!(
        "CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD 'it-password'"
    ));
    let out = p
        .cmd(&["reset"])
        .env("PGUSER", &role)
        .env("PGPASSWORD", "it-password")
        .output()
        .expect("run insta485db");
    crate::support::admin(&format!("DROP ROLE {role}"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not allowed to create database"), "{err}");
    assert!(err.contains("CREATEDB"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
}

/// The run's sessions are ended under it (an administrator, a dropped network connection):
/// the old database and uploads stay, and the next run removes what was left.
#[test]
fn reset_whose_sessions_are_killed_keeps_old() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    p.write("sql/data.sql", slow_data());
    let child = spawn(fault::command(&p, &["reset"]));
    wait_until("the load to start", || p_scalar(&loading_sql(&p.db)) != "0");
    assert_eq!(
        fault::terminate_run(&p.db),
        2,
        "the lock holder and the loader"
    );
    let out = finish(child, Duration::from_secs(15));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sql/data.sql"), "{err}");
    assert!(err.contains("terminating connection") || err.contains("lost the connection"));
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&p), before);

    crate::support::copy_dir(&crate::support::repo_sql(), &p.path().join("sql"));
    p.ok(&["reset"]);
    assert_default(&p);
    assert_clean(&p);
}
