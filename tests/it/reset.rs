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
