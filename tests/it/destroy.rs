//! `destroy`: exit 0 from any state, saying what it did.

use crate::support::{stderr, TestProject};

#[test]
fn destroy_drops_the_database_and_the_uploads() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let out = p.ok(&["destroy"]);
    assert_eq!(
        stderr(&out),
        format!("dropped database `{}` and removed `var/uploads`\n", p.db)
    );
    assert!(!p.exists());
    assert!(!p.uploads().exists());
    // The project's own files are untouched.
    assert!(p.path().join("sql/schema.sql").is_file());
    assert_eq!(
        std::fs::read_dir(p.path().join("sql/uploads"))
            .unwrap()
            .count(),
        8
    );
}

#[test]
fn destroy_from_nothing_says_so() {
    let p = TestProject::new();
    let out = p.ok(&["destroy"]);
    assert_eq!(
        stderr(&out),
        format!(
            "nothing to do: there is no database `{}` and no `var/uploads`\n",
            p.db
        )
    );
    // Twice in a row is fine too.
    p.ok(&["destroy"]);
    assert!(!p.uploads().exists());
}

#[test]
fn destroy_removes_uploads_when_the_database_is_already_gone() {
    // The old script exited 1 here and left `var/uploads` behind.
    let p = TestProject::new();
    p.write("var/uploads/left.jpg", b"x");
    let out = p.ok(&["destroy"]);
    assert!(
        stderr(&out).contains(&format!(
            "removed `var/uploads`; there was no database `{}`",
            p.db
        )),
        "{}",
        stderr(&out)
    );
    assert!(!p.uploads().exists());
}

#[test]
fn destroy_drops_the_database_when_the_uploads_are_already_gone() {
    let p = TestProject::new();
    p.ok(&["create"]);
    std::fs::remove_dir_all(p.uploads()).unwrap();
    let out = p.ok(&["destroy"]);
    assert!(
        stderr(&out).contains(&format!(
            "dropped database `{}`; there was no `var/uploads`",
            p.db
        )),
        "{}",
        stderr(&out)
    );
    assert!(!p.exists());
}
