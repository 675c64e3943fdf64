//! The uploads folders: links and special files, unreadable and unwritable places.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::fault::{self, assert_clean, create_distinct, finish, snapshot, spawn};
use crate::safety::assert_default;
use crate::support::{stderr, TestProject};

const FIRST: &str = "122a7d27ca1d7420a1072f695d9290fad4501a41.jpg";

/// Move `var/uploads` to `elsewhere/` and leave a link to it in its place.
fn uploads_as_link(p: &TestProject) -> tempfile::TempDir {
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    let target = elsewhere.path().join("real-uploads");
    std::fs::rename(p.uploads(), &target).expect("move uploads");
    std::fs::write(target.join("mine.jpg"), b"kept").expect("write");
    symlink(&target, p.uploads()).expect("symlink");
    elsewhere
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn destroy_removes_an_uploads_link_not_its_target() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let elsewhere = uploads_as_link(&p);
    p.ok(&["destroy"]);
    assert!(std::fs::symlink_metadata(p.uploads()).is_err(), "link left");
    let target = elsewhere.path().join("real-uploads");
    assert_eq!(names(&target).len(), 9, "{:?}", names(&target));
    assert_eq!(std::fs::read(target.join("mine.jpg")).unwrap(), b"kept");
}

#[test]
fn reset_replaces_an_uploads_link_not_its_target() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let elsewhere = uploads_as_link(&p);
    let target = elsewhere.path().join("real-uploads");
    std::fs::remove_file(target.join(FIRST)).unwrap();
    p.ok(&["reset"]);
    let meta = std::fs::symlink_metadata(p.uploads()).unwrap();
    assert!(meta.is_dir(), "var/uploads should now be a folder");
    assert_default(&p);
    assert_eq!(names(&target).len(), 8, "{:?}", names(&target));
    assert!(!target.join(FIRST).exists(), "the target was written to");
    assert_eq!(std::fs::read(target.join("mine.jpg")).unwrap(), b"kept");
}

#[test]
fn links_in_sql_uploads_never_lead_out_of_it() {
    let p = TestProject::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
    let source = p.path().join("sql/uploads");
    symlink(
        outside.path().join("secret.txt"),
        source.join("outside.jpg"),
    )
    .unwrap();
    symlink(outside.path(), source.join("outside-folder")).unwrap();
    symlink("/nowhere/at/all", source.join("dangling.jpg")).unwrap();
    symlink(FIRST, source.join("inside.jpg")).unwrap();
    let out = p.ok(&["reset"]);
    let err = stderr(&out);
    for name in ["outside.jpg", "outside-folder", "dangling.jpg"] {
        assert!(
            err.contains(&format!("warning: left out `sql/uploads/{name}`")),
            "{err}"
        );
        assert!(!p.uploads().join(name).exists(), "{name} was copied");
    }
    // A link to a file inside `sql/uploads` is copied as a file.
    let inside = p.uploads().join("inside.jpg");
    assert!(std::fs::symlink_metadata(&inside).unwrap().is_file());
    assert_eq!(
        std::fs::read(&inside).unwrap(),
        std::fs::read(source.join(FIRST)).unwrap()
    );
    assert_eq!(p.upload_names().len(), 9);
}

#[test]
fn a_fifo_in_sql_uploads_is_skipped_not_waited_on() {
    let p = TestProject::new();
    let fifo = p.path().join("sql/uploads/pipe.jpg");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    let child = spawn(fault::command(&p, &["reset"]));
    let out = finish(child, Duration::from_secs(30));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("left out `sql/uploads/pipe.jpg`: not a regular file"),
        "{err}"
    );
    assert!(!p.uploads().join("pipe.jpg").exists());
    assert_default(&p);
}

/// `insta485db -d <db> ARGS...` run as a user that file permissions apply to: the test's
/// own user, or, when the test runs as root (which reads anything), an unprivileged user,
/// given the project folder and a copy of the binary.
fn as_user_that_permissions_stop(p: &TestProject, args: &[&str]) -> Command {
    if !fault::running_as_root() {
        return fault::command(p, args);
    }
    let user = fault::unprivileged_user();
    let bin = p.path().join("insta485db-under-test");
    std::fs::copy(crate::support::bin(), &bin).expect("copy the binary");
    fault::chown(p.path(), user);
    let mut cmd = Command::new("runuser");
    cmd.arg("-u")
        .arg(user)
        .arg("--")
        .arg(&bin)
        .arg("-d")
        .arg(&p.db)
        .args(args)
        .current_dir(p.path());
    cmd
}

#[test]
fn an_unreadable_upload_is_a_clear_error_before_anything_changes() {
    let p = TestProject::new();
    let before = create_distinct(&p);
    let mut cmd = as_user_that_permissions_stop(&p, &["reset"]);
    let file = p.path().join("sql/uploads").join(FIRST);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if !fault::running_as_root() {
        assert!(
            std::fs::File::open(&file).is_err(),
            "chmod 000 did not bite"
        );
    }
    let out = cmd.output().expect("run insta485db");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("could not read `sql/uploads/{FIRST}`")),
        "{err}"
    );
    assert!(err.contains("ermission denied"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);
}

#[test]
fn var_that_is_a_file_is_a_clear_error_and_the_database_is_untouched() {
    // reset: the old database stays.
    let p = TestProject::new();
    create_distinct(&p);
    std::fs::remove_dir_all(p.path().join("var")).unwrap();
    p.write("var", "not a folder");
    let before = snapshot(&p);
    let out = p.run(&["reset"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not create `var`"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_eq!(
        std::fs::read(p.path().join("var")).unwrap(),
        b"not a folder"
    );
    assert_clean(&p);

    // create: no database at all.
    let q = TestProject::new();
    q.write("var", "not a folder");
    let out = q.run(&["create"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not create `var`"), "{err}");
    assert!(!q.exists());
    assert_clean(&q);
}

#[test]
fn a_read_only_var_is_a_clear_error_and_no_database_is_made() {
    let p = TestProject::new();
    std::fs::create_dir(p.path().join("var")).unwrap();
    let mut cmd = as_user_that_permissions_stop(&p, &["create"]);
    std::fs::set_permissions(p.path().join("var"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = cmd.output().expect("run insta485db");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not write in `var`"), "{err}");
    assert!(err.contains("ermission denied"), "{err}");
    assert!(!p.exists());
    assert_clean(&p);
}

/// The uploads cannot be swapped in after the database was (here: `var/` is sticky and
/// `var/uploads` belongs to another user, so it cannot be moved aside). The old database is
/// swapped back: the database and `var/uploads` never come from different runs.
#[test]
fn uploads_failing_after_the_database_swap_puts_the_old_database_back() {
    if !fault::running_as_root() {
        eprintln!("skipped: needs root, to give `var/uploads` to another user");
        return;
    }
    let p = TestProject::new();
    let before = create_distinct(&p);
    let mut reset = as_user_that_permissions_stop(&p, &["reset"]);
    let var = p.path().join("var");
    fault::chown(&var, "root");
    std::fs::set_permissions(&var, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = reset.output().expect("run insta485db");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not move `var/uploads` aside"), "{err}");
    assert_eq!(snapshot(&p), before);
    assert_clean(&p);

    // create: the new database is dropped again.
    let q = TestProject::new();
    std::fs::create_dir_all(q.uploads()).unwrap();
    let mut create = as_user_that_permissions_stop(&q, &["create"]);
    let var = q.path().join("var");
    fault::chown(&var, "root");
    std::fs::set_permissions(&var, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = create.output().expect("run insta485db");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not move `var/uploads` aside"), "{err}");
    assert!(!q.exists());
    assert_clean(&q);
}

/// A run killed after moving the old uploads aside, with the new ones in place, left both:
/// the next run keeps the earlier folder (it cannot know which one the database goes with),
/// says where, and deletes nothing.
#[test]
fn uploads_left_aside_by_a_killed_run_are_kept_not_deleted() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let aside = p.path().join("var/.uploads.insta485db-old");
    std::fs::create_dir_all(&aside).unwrap();
    std::fs::write(aside.join("user-upload.jpg"), b"a user's picture").unwrap();
    let out = p.ok(&["reset"]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: an interrupted run left earlier uploads"),
        "{err}"
    );
    let kept: Vec<_> = std::fs::read_dir(p.path().join("var"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".uploads.insta485db-kept-"))
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        err.contains(&kept[0].file_name().unwrap().to_string_lossy().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(kept[0].join("user-upload.jpg")).unwrap(),
        b"a user's picture"
    );
    assert!(!aside.exists());
    assert_eq!(p.upload_names().len(), 8);
}
