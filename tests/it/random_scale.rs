//! `random`: counts, seeds, owners and filenames, all or nothing.

use std::time::Duration;

use crate::support::{stderr, TestProject};

/// (postid, filename, owner) of every post, in postid order.
fn posts(p: &TestProject) -> Vec<Vec<Option<String>>> {
    p.query("SELECT postid, filename, owner FROM posts ORDER BY postid")
}

#[test]
fn counts_and_what_it_says() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let out = p.ok(&["random", "--count", "1", "--seed", "5"]);
    assert_eq!(
        stderr(&out),
        "inserted 1 post owned by `awdeorio` (postid 5 to 5), seed 5\n"
    );
    let out = p.ok(&["random"]);
    let said = stderr(&out);
    assert!(
        said.starts_with("inserted 100 posts owned by `awdeorio` (postid 6 to 105), seed "),
        "{said}"
    );
    // The seed it names repeats the run.
    let seed = said
        .trim_end()
        .rsplit(' ')
        .next()
        .expect("a seed")
        .to_string();
    assert_eq!(p.count("posts"), 105);
    let out = p.ok(&["random", "-n", "20000", "--owner", "jag"]);
    assert!(
        stderr(&out).starts_with("inserted 20000 posts owned by `jag` (postid 106 to 20105)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(p.count("posts"), 20105);
    assert_eq!(
        p.scalar("SELECT count(*) FROM posts WHERE owner = 'jag' AND postid > 105"),
        "20000"
    );
    assert_eq!(
        p.scalar("SELECT count(DISTINCT filename) FROM posts WHERE postid > 105"),
        "4"
    );
    assert!(p.ok(&["-q", "random"]).stderr.is_empty());

    let q = TestProject::new();
    q.ok(&["reset"]);
    q.ok(&["random", "--count", "1", "--seed", "5"]);
    q.ok(&["random", "--seed", &seed]);
    assert_eq!(posts(&q), posts(&p)[..105]);
}

#[test]
fn same_seed_same_rows_on_both_paths() {
    let (a, b) = (TestProject::new(), TestProject::new());
    for p in [&a, &b] {
        p.ok(&["reset"]);
        p.ok(&["random", "--seed", "42", "--count", "50"]);
        p.ok(&["random", "--seed", "42", "--count", "12000"]);
    }
    let rows = posts(&a);
    assert_eq!(rows.len(), 4 + 50 + 12000);
    assert_eq!(rows, posts(&b));
    // Both paths draw the same sequence from a seed.
    let small: Vec<_> = rows[4..54].iter().map(|r| r[1].clone()).collect();
    let large: Vec<_> = rows[54..104].iter().map(|r| r[1].clone()).collect();
    assert_eq!(small, large);

    let c = TestProject::new();
    c.ok(&["reset"]);
    c.ok(&["random", "--seed", "43", "--count", "50"]);
    assert_ne!(posts(&c), rows[..54]);
}

#[test]
fn filenames_are_picked_from_the_list() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.ok(&[
        "random",
        "-n",
        "300",
        "--filename",
        "a.jpg",
        "--filename",
        "b c.jpg",
    ]);
    p.ok(&["random", "-n", "10001", "--filename", "tab\there\\.jpg"]);
    let names =
        p.query("SELECT filename, count(*) FROM posts WHERE postid > 4 GROUP BY 1 ORDER BY 1");
    let names: Vec<&str> = names
        .iter()
        .map(|r| r[0].as_deref().unwrap_or(""))
        .collect();
    assert_eq!(names, ["a.jpg", "b c.jpg", "tab\there\\.jpg"]);
    assert_eq!(p.count("posts"), 4 + 300 + 10001);
}

#[test]
fn unknown_owner_inserts_nothing() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    for count in ["5", "20000"] {
        let out = p.run(&["random", "--owner", "nobody", "-n", count]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: user `nobody` does not exist in `users`\n"),
            "{err}"
        );
        assert!(
            err.contains("hint: pass --owner with one of: `awdeorio`, `jag`, `jflinn`, `michjc`"),
            "{err}"
        );
        assert_eq!(p.count("posts"), 4);
    }
}

#[test]
fn bad_counts_are_usage_errors() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    for bad in [
        "0",
        "-1",
        "18446744073709551616",
        "abc",
        "100000001",
        "1.5",
        "",
    ] {
        let out = p.run(&["random", "--count", bad]);
        assert_eq!(out.status.code(), Some(2), "--count {bad:?}");
        let err = stderr(&out);
        assert!(
            err.contains("must be a whole number from 1 to 100000000"),
            "--count {bad:?}: {err}"
        );
    }
    assert_eq!(p.count("posts"), 4);
}

#[test]
fn a_server_error_half_way_inserts_nothing() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let long = "x".repeat(100);
    for count in ["300", "50000"] {
        let out = p.run(&[
            "random",
            "-n",
            count,
            "--seed",
            "1",
            "--filename",
            "a.jpg",
            "--filename",
            &long,
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("could not insert posts into") && err.contains("SQLSTATE 22001"),
            "{err}"
        );
        assert_eq!(p.count("posts"), 4);
    }
}

#[test]
fn interrupt_mid_copy_inserts_nothing_and_exits_130() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let child = std::process::Command::new(crate::support::bin())
        .current_dir(p.path())
        .args(["-d", &p.db, "random", "--count", "5000000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start random");
    // Wait until the COPY runs, then let it send for a while.
    let copying = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'COPY posts%'",
        p.db
    );
    let start = std::time::Instant::now();
    while crate::support::scalar("postgres", &copying) == "0" {
        assert!(start.elapsed() < Duration::from_secs(30), "no COPY started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("random ends");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted (SIGINT)"), "{err}");
    assert_eq!(p.count("posts"), 4);
}
