//! The course's own checks, run the way its test suite runs them: from the project root, no
//! terminal attached.

use crate::support::{stderr, stdout, TestProject};

const ALL_UPLOADS: [&str; 8] = [
    "122a7d27ca1d7420a1072f695d9290fad4501a41.jpg",
    "2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg",
    "505083b8b56c97429a728b68f31b0b2a089e5113.jpg",
    "5ecde7677b83304132cb2871516ea50032ff7a4f.jpg",
    "73ab33bd357c3fd42292487b825880958c595655.jpg",
    "9887e06812ef434d291e4936417d125cd594b38a.jpg",
    "ad7790405c539894d25ab8dcf0b79eed3341e109.jpg",
    "e1a7c5c32973862ee15173b0259e3efdb6a391af.jpg",
];

#[test]
fn destroy_from_nothing_exits_zero_and_leaves_no_uploads() {
    let p = TestProject::new();
    let out = p.ok(&["destroy"]);
    assert!(stderr(&out).contains("nothing to do"), "{}", stderr(&out));
    assert!(!p.uploads().exists());
    assert!(!p.exists());
}

#[test]
fn destroy_then_create_builds_database_and_uploads() {
    let p = TestProject::new();
    p.ok(&["destroy"]);
    p.ok(&["create"]);
    assert_eq!(p.upload_names(), ALL_UPLOADS);
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.count("posts"), 4);
    assert_eq!(p.count("following"), 7);
    assert_eq!(p.count("comments"), 7);
    assert_eq!(p.count("likes"), 6);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());
    p.ok(&["destroy"]);
    assert!(!p.exists());
    assert!(!p.uploads().exists());
}

#[test]
fn reset_then_dump_shows_the_default_data() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let out = p.ok(&["dump"]);
    let text = stdout(&out);
    for needle in [
        "awdeorio",
        "73ab33bd357c3fd42292487b825880958c595655.jpg",
        "Walking the plank",
    ] {
        assert!(text.contains(needle), "dump lacks {needle}:\n{text}");
    }
}

#[test]
fn reset_then_random_adds_posts() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.ok(&["random"]);
    assert!(p.count("posts") > 100);
    assert_eq!(p.count("posts"), 104);
}

#[test]
fn reset_over_a_broken_database() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.query(
        "DROP TABLE likes; DROP TABLE comments; INSERT INTO users VALUES ('x','x','x','x','x')",
    );
    std::fs::remove_file(p.uploads().join(ALL_UPLOADS[0])).unwrap();
    p.ok(&["reset"]);
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.count("likes"), 6);
    assert_eq!(p.upload_names(), ALL_UPLOADS);
}
