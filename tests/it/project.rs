//! Finding the project: `--root DIR`, else the nearest folder upward holding
//! `sql/schema.sql`; `empty` and `create` say where they looked when there is none.

use std::path::Path;

use crate::support::{assert_ok, stderr, TestProject};

#[test]
fn runs_from_a_subfolder_of_the_project() {
    let p = TestProject::new();
    let deep = p.path().join("insta485/static/css");
    std::fs::create_dir_all(&deep).unwrap();
    let out = p.run_in(&deep, &["create"]);
    assert_ok(&out, "create in a subfolder");
    assert_eq!(p.upload_names().len(), 8, "uploads not in the project root");
    assert!(!deep.join("var").exists(), "`var/` made in the subfolder");
    // Paths outside the current folder are shown in full.
    assert!(
        stderr(&out).contains(&format!("`{}`", p.uploads().display())),
        "{}",
        stderr(&out)
    );
    assert_ok(&p.run_in(&deep, &["destroy"]), "destroy in a subfolder");
    assert!(!p.uploads().exists());
    assert!(!p.exists());
}

#[test]
fn the_nearest_project_wins() {
    // A project inside a project: the inner one is used from inside it.
    let outer = TestProject::new();
    let inner_dir = outer.path().join("nested");
    crate::support::copy_dir(&crate::support::repo_sql(), &inner_dir.join("sql"));
    std::fs::write(inner_dir.join("sql/data.sql"), "SELECT 1;\n").unwrap();
    assert_ok(&outer.run_in(&inner_dir, &["create"]), "create");
    assert_eq!(outer.count("users"), 0, "the outer data.sql was loaded");
    assert!(inner_dir.join("var/uploads").is_dir());
    assert!(!outer.uploads().exists());
}

#[test]
fn root_flag_names_the_project() {
    let p = TestProject::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let root = p.path().to_str().unwrap();
    assert_ok(
        &p.run_in(elsewhere.path(), &["--root", root, "create"]),
        "create --root",
    );
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.upload_names().len(), 8);
    assert!(!elsewhere.path().join("var").exists());
    // After the subcommand, too.
    assert_ok(
        &p.run_in(elsewhere.path(), &["destroy", "--root", root]),
        "destroy --root",
    );
    assert!(!p.uploads().exists());
    assert!(!p.exists());
}

#[test]
fn root_flag_may_be_relative() {
    let p = TestProject::new();
    let parent = p.path().parent().unwrap();
    let name = p.path().file_name().unwrap().to_str().unwrap();
    assert_ok(
        &p.run_in(parent, &["--root", name, "empty"]),
        "empty --root",
    );
    assert!(p.uploads().is_dir());
    assert!(p.exists());
}

#[test]
fn root_flag_that_is_not_a_folder() {
    let p = TestProject::new();
    let missing = p.path().join("no-such-folder");
    let out = p
        .cmd(&["--root", missing.to_str().unwrap(), "create"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: --root `{}` is not a folder",
            missing.display()
        )),
        "{err}"
    );
    assert!(!p.exists());
}

#[test]
fn root_flag_without_sql_says_which_folder() {
    let p = TestProject::without_sql();
    let root = p.path().to_str().unwrap();
    let elsewhere = TestProject::new();
    // Run inside another project: `--root` must win over the search.
    let out = p.run_in(elsewhere.path(), &["--root", root, "create"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: no `sql/schema.sql` in `{root}` (given with --root)"
        )),
        "{err}"
    );
    assert!(!p.exists());
    assert!(!elsewhere.uploads().exists());
}

#[test]
fn empty_and_create_without_sql_say_where_they_looked() {
    let p = TestProject::without_sql();
    let sub = p.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    for command in ["empty", "create", "reset"] {
        let out = p.run_in(&sub, &[command]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "error: no `sql/schema.sql` in `{}` or any folder above it\n",
                sub.display()
            )),
            "{command}: {err}"
        );
        assert!(
            err.contains("hint: run insta485db inside your insta485 project, or pass `--root DIR`"),
            "{command}: {err}"
        );
        assert!(!p.exists());
        assert!(!sub.join("var").exists() && !p.path().join("var").exists());
    }
}

#[test]
fn destroy_without_sql_works_in_the_current_folder() {
    // Nothing to read, so no project is needed: `var/uploads` is the current folder's.
    let p = TestProject::without_sql();
    p.write("var/uploads/x.jpg", b"x");
    p.ok(&["destroy"]);
    assert!(!p.uploads().exists());
    assert!(Path::new(p.path()).is_dir());
}
