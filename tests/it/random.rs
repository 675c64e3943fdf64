//! `random`: 100 posts owned by awdeorio, picked from the four post images, in one
//! transaction.

use crate::support::{stderr, TestProject};

const POST_IMAGES: [&str; 4] = [
    "122a7d27ca1d7420a1072f695d9290fad4501a41.jpg",
    "2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg",
    "9887e06812ef434d291e4936417d125cd594b38a.jpg",
    "ad7790405c539894d25ab8dcf0b79eed3341e109.jpg",
];

#[test]
fn random_adds_100_posts_by_awdeorio_with_post_images() {
    let p = TestProject::new();
    p.ok(&["create"]);
    let out = p.ok(&["random"]);
    assert_eq!(p.count("posts"), 104);
    let new = "FROM posts WHERE postid > 4";
    assert_eq!(p.scalar(&format!("SELECT count(*) {new}")), "100");
    assert_eq!(
        p.scalar(&format!("SELECT string_agg(DISTINCT owner, ',') {new}")),
        "awdeorio"
    );
    let images: Vec<String> = p
        .query(&format!("SELECT DISTINCT filename {new} ORDER BY 1"))
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect();
    assert!(!images.is_empty());
    for image in &images {
        assert!(POST_IMAGES.contains(&image.as_str()), "unexpected {image}");
    }
    // Ids come from the server, after the default posts, with no gaps.
    assert_eq!(p.scalar(&format!("SELECT min(postid) {new}")), "5");
    assert_eq!(p.scalar(&format!("SELECT max(postid) {new}")), "104");
    // One transaction: every new row carries the same creating transaction id.
    assert_eq!(
        p.scalar(&format!("SELECT count(DISTINCT xmin::text) {new}")),
        "1"
    );
    assert!(
        stderr(&out).starts_with("inserted 100 posts owned by `awdeorio` (postid 5 to 104)"),
        "{}",
        stderr(&out)
    );
    // The default data is untouched.
    assert_eq!(p.count("users"), 4);
    assert_eq!(p.count("comments"), 7);
}

#[test]
fn random_picks_more_than_one_image() {
    // 100 picks from four images all landing on one has probability 4^-99.
    let p = TestProject::new();
    p.ok(&["create"]);
    p.ok(&["random"]);
    assert!(
        p.scalar("SELECT count(DISTINCT filename) FROM posts WHERE postid > 4")
            .parse::<i64>()
            .unwrap()
            > 1
    );
}

#[test]
fn random_twice_adds_200() {
    let p = TestProject::new();
    p.ok(&["create"]);
    p.ok(&["random"]);
    p.ok(&["random"]);
    assert_eq!(p.count("posts"), 204);
}

#[test]
fn random_on_a_missing_database_is_a_clear_error() {
    let p = TestProject::new();
    let out = p.fails(&["random"]);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: database `{}` does not exist", p.db)),
        "{err}"
    );
    assert!(err.contains("hint: run `insta485db create`"), "{err}");
}

#[test]
fn random_without_awdeorio_adds_nothing() {
    let p = TestProject::new();
    p.ok(&["empty"]);
    let out = p.fails(&["random"]);
    let err = stderr(&out);
    assert!(
        err.contains("error: user `awdeorio` does not exist in `users`"),
        "{err}"
    );
    assert!(err.contains("hint: the `users` table is empty"), "{err}");
    assert_eq!(p.count("posts"), 0);
}

#[test]
fn random_is_all_or_nothing() {
    // A check that rejects one of the images (new rows only): about 25 of the 100 picks
    // break it, and the whole insert must roll back.
    let p = TestProject::new();
    p.ok(&["create"]);
    p.query(&format!(
        "ALTER TABLE posts ADD CONSTRAINT no_chickens CHECK (filename <> '{}') NOT VALID",
        POST_IMAGES[2]
    ));
    let out = p.fails(&["random"]);
    assert!(stderr(&out).contains("no_chickens"), "{}", stderr(&out));
    assert_eq!(p.count("posts"), 4);
}
