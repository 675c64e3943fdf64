//! Awkward database names: every name goes to the server quoted or as a parameter, so names
//! with a dash, capitals, a double quote, a single quote or a space all work.

use crate::support::{db_exists, stderr, stdout, unique_name, TestProject};

/// create, dump, random, reset and destroy on a database with exactly this name.
fn round_trip(flavour: &str) {
    let p = TestProject::named(&unique_name(flavour));
    let out = p.ok(&["create"]);
    assert!(
        stderr(&out).contains(&format!("created database `{}`", p.db)),
        "{}",
        stderr(&out)
    );
    assert!(p.exists(), "no database named exactly {:?}", p.db);
    assert_eq!(p.count("users"), 4);

    let dump = stdout(&p.ok(&["dump"]));
    assert!(dump.contains("users (4 rows)"), "{dump}");

    p.ok(&["random"]);
    assert_eq!(p.count("posts"), 104);

    p.ok(&["reset"]);
    assert_eq!(p.count("posts"), 4);
    assert!(p.leftovers().is_empty(), "{:?}", p.leftovers());

    let out = p.fails(&["create"]);
    assert!(
        stderr(&out).contains(&format!("database `{}` already exists", p.db)),
        "{}",
        stderr(&out)
    );

    p.ok(&["destroy"]);
    assert!(!p.exists());
    assert!(!p.uploads().exists());
}

#[test]
fn name_with_a_dash() {
    round_trip("-my-db");
}

#[test]
fn name_with_capitals() {
    round_trip("_Insta485");
}

#[test]
fn name_with_a_double_quote() {
    round_trip("_a\"b");
}

#[test]
fn name_with_a_space_and_quotes() {
    round_trip("_it's a \"db\"");
}

#[test]
fn names_that_differ_only_in_case_are_different_databases() {
    let base = unique_name("_");
    let lower = TestProject::named(&format!("{base}insta485"));
    let mixed = TestProject::named(&format!("{base}Insta485"));
    lower.ok(&["create"]);
    mixed.ok(&["empty"]);
    assert_eq!(lower.count("users"), 4);
    assert_eq!(mixed.count("users"), 0);
    mixed.ok(&["destroy"]);
    assert!(!db_exists(&mixed.db));
    assert!(db_exists(&lower.db));
}

#[test]
fn name_longer_than_63_bytes_is_refused_before_connecting() {
    // Unique even in its first 63 bytes: the server truncates longer names, and the guard's
    // DROP must not hit anyone else's database.
    let mut name = unique_name("_");
    name.push_str(&"x".repeat(64 - name.len()));
    let p = TestProject::named(&name);
    let out = p.fails(&["create"]);
    assert!(
        stderr(&out).contains("PostgreSQL allows at most 63"),
        "{}",
        stderr(&out)
    );
}
