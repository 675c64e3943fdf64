//! Other sessions on the database, and several insta485db runs at once.

use std::time::Duration;

use crate::fault::{self, assert_clean, create_distinct, finish, snapshot, spawn, Session};
use crate::safety::assert_default;
use crate::support::{stderr, TestProject};

/// A busy database makes `args` fail, saying how many sessions and from where, with the hint
/// `--force`, and changing nothing; the session is still alive afterwards.
fn busy_fails_and_changes_nothing(args: &[&str]) {
    let p = TestProject::new();
    let before = create_distinct(&p);
    let app = Session::open(&p.db, "it-web-app");
    let psql = Session::open(&p.db, "it-psql");
    let out = p.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is in use by 2 other sessions"), "{err}");
    assert!(err.contains("application `it-web-app`"), "{err}");
    assert!(err.contains("application `it-psql`"), "{err}");
    assert!(err.contains("from "), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
    assert_eq!(app.execute("SELECT 1"), Ok(()));
    assert_eq!(psql.execute("SELECT 1"), Ok(()));
}

#[test]
fn destroy_of_a_busy_database_fails_and_changes_nothing() {
    busy_fails_and_changes_nothing(&["destroy"]);
}

#[test]
fn reset_of_a_busy_database_fails_and_changes_nothing() {
    busy_fails_and_changes_nothing(&["reset"]);
}

#[test]
fn destroy_force_ends_the_sessions() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let app = Session::open(&p.db, "it-web-app");
    p.ok(&["destroy", "--force"]);
    assert!(!p.exists());
    assert!(!p.uploads().exists());
    assert!(app.execute("SELECT 1").is_err(), "the session survived");
}

#[test]
fn reset_force_ends_the_sessions() {
    let p = TestProject::new();
    create_distinct(&p);
    let app = Session::open(&p.db, "it-web-app");
    p.ok(&["reset", "--force"]);
    assert_default(&p);
    assert_clean(&p);
    assert!(app.execute("SELECT 1").is_err(), "the session survived");
}

/// A session that connects while `reset` is building (after its first check) still stops
/// the swap without `--force`, and nothing changes.
#[test]
fn reset_fails_cleanly_when_a_session_connects_during_the_build() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    p.write(
        "sql/data.sql",
        // Built beside the old database: a session arriving meanwhile stops the swap. (In
        // place, it would simply see the new data once the rebuild commits.)
        fault::built_beside(&fault::slow_data().replace("pg_sleep(30)", "pg_sleep(2)")),
    );
    let child = spawn(fault::command(&p, &["reset"]));
    let sql = fault::loading_sql(&p.db);
    fault::wait_until("the load to start", || {
        crate::support::scalar("postgres", &sql) != "0"
    });
    let app = Session::open(&p.db, "it-late-app");
    let out = finish(child, Duration::from_secs(20));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is in use by 1 other session"), "{err}");
    assert!(err.contains("it-late-app"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
    assert_eq!(app.execute("SELECT 1"), Ok(()));
}

#[test]
fn two_resets_at_once_give_the_default_data() {
    let p = TestProject::new();
    create_distinct(&p);
    for round in 0..3 {
        let a = spawn(fault::command(&p, &["reset"]));
        let b = spawn(fault::command(&p, &["reset"]));
        fault::all_succeed([a, b], &format!("round {round}"));
        assert_default(&p);
        assert_clean(&p);
    }
}

#[test]
fn reset_racing_destroy_is_never_mixed() {
    let p = TestProject::new();
    for round in 0..4 {
        // Alternate who starts first.
        let args: [&[&str]; 2] = if round % 2 == 0 {
            [&["reset"], &["destroy"]]
        } else {
            [&["destroy"], &["reset"]]
        };
        let a = spawn(fault::command(&p, args[0]));
        let b = spawn(fault::command(&p, args[1]));
        fault::all_succeed([a, b], &format!("round {round}"));
        // Either both gone, or both complete: never a database without its uploads.
        if p.exists() {
            assert_default(&p);
        } else {
            assert!(
                !p.uploads().exists(),
                "round {round}: uploads without database"
            );
        }
        assert_clean(&p);
    }
}

#[test]
fn two_creates_at_once_one_wins_the_other_says_why() {
    let p = TestProject::new();
    for round in 0..2 {
        let a = spawn(fault::command(&p, &["create"]));
        let b = spawn(fault::command(&p, &["create"]));
        let outs = [a, b].map(|child| finish(child, Duration::from_secs(30)));
        let won = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(won, 1, "round {round}: exactly one create should win");
        let lost = outs.iter().find(|o| !o.status.success()).unwrap();
        let err = stderr(lost);
        assert_eq!(lost.status.code(), Some(1), "{err}");
        assert!(err.contains("already exists"), "{err}");
        assert_default(&p);
        assert_clean(&p);
        p.ok(&["destroy"]);
    }
}

/// Runs on two database names from one project folder share `var/uploads`: they take
/// turns, and neither disturbs the other's staging folder.
#[test]
fn resets_of_two_databases_from_one_folder_take_turns() {
    let p = TestProject::new();
    let q = TestProject::new();
    for round in 0..3 {
        let a = spawn(fault::command(&p, &["reset"]));
        let mut other = std::process::Command::new(crate::support::bin());
        other
            .current_dir(p.path())
            .arg("-d")
            .arg(&q.db)
            .arg("reset");
        let b = spawn(other);
        fault::all_succeed([a, b], &format!("round {round}"));
        assert_default(&p);
        assert_eq!(q.count("users"), 4);
        assert_clean(&p);
        assert!(q.leftovers().is_empty(), "{:?}", q.leftovers());
    }
}
