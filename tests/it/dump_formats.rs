//! `dump`: every format read back and compared value by value with the database.

use std::collections::HashMap;
use std::io::Read;
use std::process::Stdio;

use crate::support::{block_on, settings, stderr, stdout, TestProject};

/// A table with a column of every type people reach for, and awkward values.
const KINDS: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE kinds (
    id integer PRIMARY KEY,
    small smallint, big bigint, t text, v varchar(40), ts timestamp, tstz timestamptz,
    d date, b boolean, n numeric, r real, dp double precision, bin bytea, j json, jb jsonb,
    u uuid, ints integer[], texts text[], m mood
);
INSERT INTO kinds VALUES
 (1, 1, 9007199254740993, 'plain', 'v', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05+02',
  '2024-02-29', true, 123456789012345678901234567890.123456789, 1.5, 0.1, '\x00ff41',
  '{"a": [1, 2.50, {"b": null}],
    "c": "x"}', '{"z": 1, "a": "x\"y"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2,NULL}',
  '{"a b","c,d","\"q\"",NULL,""}', 'happy'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL),
 (3, -32768, -9223372036854775808, '', '', 'infinity', '-infinity', '1999-12-31', false, 'NaN',
  'Infinity', '-Infinity', '\x', '"str"', '[]', '00000000-0000-0000-0000-000000000000', '{}',
  '{}', 'sad'),
 (4, 0, 0, E'quote " comma , tab \t backslash \\ unicode ★ é 漢字 🎉', 'NULL', NULL, NULL, NULL,
  NULL, -0.000100, 3.4028235e38, 1e-300, NULL, 'null', '123', NULL, NULL, NULL, 'ok'),
 (5, 7, 7, E'line1\nline2\r\nline3 +', '# table: fake', NULL, NULL, NULL, NULL, 1e20, -0.0,
  2.5e-7, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (6, 8, 8, ' leading and trailing ', '"', NULL, NULL, NULL, NULL, 42, NULL, NULL, NULL, NULL,
  NULL, NULL, '{{1,2},{3,4}}', NULL, NULL);
CREATE TABLE nokey (label text, n integer);
INSERT INTO nokey VALUES ('b', NULL), ('# table: fake', 1), (NULL, 2), ('', 3), ('b', NULL),
  ('a', 5), ('a,b', 6), (E'two\nlines', 7);
"#;

/// A project with the default data, plus the `kinds` and `nokey` tables.
fn kinds_project() -> TestProject {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.query(KINDS);
    p
}

/// The rows of a table as the database gives them (with the dump's settings), in key order.
fn expected(p: &TestProject, sql: &str) -> Vec<Vec<Option<String>>> {
    p.query(&format!("{}; {sql}", insta485db::dump::SESSION_SETTINGS))
}

/// Column names of a table, in order.
fn columns(p: &TestProject, table: &str) -> Vec<String> {
    p.query(&format!(
        "SELECT attname FROM pg_attribute WHERE attrelid = '{table}'::regclass \
         AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
    ))
    .into_iter()
    .map(|row| row[0].clone().unwrap_or_default())
    .collect()
}

fn dump(p: &TestProject, args: &[&str]) -> String {
    let mut all = vec!["dump"];
    all.extend_from_slice(args);
    stdout(&p.ok(&all))
}

const KINDS_SQL: &str = "SELECT * FROM kinds ORDER BY id";

#[test]
fn json_reads_back_with_types() {
    let p = kinds_project();
    let text = dump(&p, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    let object = doc.as_object().expect("an object keyed by table");
    let mut names: Vec<&String> = object.keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "comments",
            "following",
            "kinds",
            "likes",
            "nokey",
            "posts",
            "users"
        ]
    );
    let rows = doc["kinds"].as_array().expect("an array of rows");
    let want = expected(&p, KINDS_SQL);
    let cols = columns(&p, "kinds");
    assert_eq!(rows.len(), want.len());
    for (row, want_row) in rows.iter().zip(&want) {
        for (col, want) in cols.iter().zip(want_row) {
            let got = &row[col.as_str()];
            let numeric = ["id", "small", "big", "n", "r", "dp"].contains(&col.as_str());
            match want {
                None => assert!(got.is_null(), "{col}: {got} should be null"),
                Some(w) if numeric && ["NaN", "Infinity", "-Infinity"].contains(&w.as_str()) => {
                    assert_eq!(got, &serde_json::Value::String(w.clone()), "{col}")
                }
                Some(w) if numeric => {
                    assert!(got.is_number(), "{col}: {got} should be a number");
                    assert_eq!(&got.to_string(), w, "{col}: digits must be exact");
                }
                Some(w) if col == "b" => {
                    assert_eq!(got, &serde_json::Value::Bool(w == "t"), "{col}")
                }
                Some(w) if col == "j" || col == "jb" => {
                    let embedded: serde_json::Value = serde_json::from_str(w).expect("json");
                    assert_eq!(got, &embedded, "{col}: embedded as JSON, not as a string");
                }
                Some(w) => assert_eq!(got, &serde_json::Value::String(w.clone()), "{col}"),
            }
        }
    }
    // Key order follows the columns.
    let first_row = text
        .lines()
        .find(|l| l.contains("\"small\": 1,"))
        .expect("row 1 on a line");
    let mut at = 0;
    for col in &cols {
        let found = first_row[at..]
            .find(&format!("\"{col}\": "))
            .unwrap_or_else(|| panic!("{col} out of order in {first_row}"));
        at += found;
    }
}

#[test]
fn csv_sections_read_back_with_a_standard_parser() {
    let p = kinds_project();
    let text = dump(&p, &["--format", "csv"]);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sections: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    let mut order = Vec::new();
    let mut current: Option<String> = None;
    for record in reader.records() {
        let record = record.expect("valid CSV");
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if let [only] = fields.as_slice() {
            if let Some(name) = only.strip_prefix("# table: ") {
                current = Some(name.to_string());
                order.push(name.to_string());
                continue;
            }
        }
        let name = current.clone().expect("a section line comes first");
        sections.entry(name).or_default().push(fields);
    }
    assert_eq!(
        order,
        [
            "comments",
            "following",
            "kinds",
            "likes",
            "nokey",
            "posts",
            "users"
        ]
    );
    // Every line that starts with `#` is a section line.
    let hash_lines = text.lines().filter(|l| l.starts_with('#')).count();
    assert_eq!(hash_lines, order.len(), "{text}");

    for (table, sql) in [
        ("kinds", KINDS_SQL.to_string()),
        ("users", "SELECT * FROM users ORDER BY username".to_string()),
        (
            "nokey",
            "SELECT * FROM nokey t ORDER BY t::text COLLATE \"C\"".to_string(),
        ),
    ] {
        let rows = &sections[table];
        assert_eq!(rows[0], columns(&p, table), "header of {table}");
        let want: Vec<Vec<String>> = expected(&p, &sql)
            .into_iter()
            .map(|row| row.into_iter().map(Option::unwrap_or_default).collect())
            .collect();
        assert_eq!(rows[1..], want[..], "rows of {table}");
    }
}

#[test]
fn csv_of_one_table_is_plain_and_postgres_reads_nulls_back() {
    let p = kinds_project();
    for table in ["kinds", "nokey"] {
        let text = dump(&p, &["--format", "csv", "--table", table]);
        assert!(!text.starts_with('#'), "one table needs no section line");
        // PostgreSQL's own CSV reader tells NULL (empty) from '' (`""`).
        let copy = format!("{table}_copy");
        p.query(&format!("CREATE TABLE {copy} (LIKE {table})"));
        copy_in(
            &p.db,
            &format!("COPY {copy} FROM STDIN WITH (FORMAT csv, HEADER)"),
            text.into_bytes(),
        );
        let differ = p.scalar(&format!(
            "SELECT count(*) FROM ((SELECT t::text FROM {table} t EXCEPT ALL \
                                    SELECT t::text FROM {copy} t) \
                                   UNION ALL (SELECT t::text FROM {copy} t EXCEPT ALL \
                                              SELECT t::text FROM {table} t)) d"
        ));
        assert_eq!(differ, "0", "{table} changed on its way through CSV");
        let nulls = p.scalar(&format!(
            "SELECT count(*) FROM {copy} t WHERE NOT (t IS NOT NULL)"
        ));
        assert_ne!(nulls, "0", "{table} has NULLs, and they came back");
    }
}

/// Send `data` to `COPY ... FROM STDIN` on database `db`.
fn copy_in(db: &str, sql: &str, data: Vec<u8>) {
    use futures_util::SinkExt;
    let settings = settings(db);
    let (db, sql) = (db.to_string(), sql.to_string());
    block_on(async move {
        let client = insta485db::connect::connect(&settings, &db)
            .await
            .expect("connect");
        let sink = client
            .copy_in::<_, bytes::Bytes>(&sql)
            .await
            .expect("copy in");
        futures_util::pin_mut!(sink);
        sink.send(bytes::Bytes::from(data)).await.expect("send");
        sink.as_mut().finish().await.expect("COPY accepts the dump");
    });
}

/// Parse the plain `table` format: heading name → rows of cells, multi-line cells joined with
/// `\n` (a line whose first cell is empty continues the row above). Cells lose their padding.
fn parse_table(text: &str) -> HashMap<String, (Vec<String>, Vec<Vec<String>>)> {
    let mut tables = HashMap::new();
    let mut lines = text.lines();
    while let Some(heading) = lines.next() {
        if heading.is_empty() {
            continue;
        }
        let name = heading.split(" (").next().expect("heading").to_string();
        assert!(lines.next().expect("top rule").starts_with('┌'));
        let header = cells(lines.next().expect("header"));
        assert!(lines.next().expect("header rule").starts_with('╞'));
        let mut rows: Vec<Vec<String>> = Vec::new();
        for line in lines.by_ref() {
            if line.starts_with('└') {
                break;
            }
            let parts = cells(line);
            match rows.last_mut() {
                Some(last) if parts[0].is_empty() => {
                    for (cell, more) in last.iter_mut().zip(parts) {
                        cell.push('\n');
                        cell.push_str(&more);
                    }
                }
                _ => rows.push(parts),
            }
        }
        let count: usize = heading
            .split(" (")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("row count in heading");
        assert_eq!(count, rows.len(), "{heading}");
        tables.insert(name, (header, rows));
    }
    tables
}

fn cells(line: &str) -> Vec<String> {
    let inner = line
        .strip_prefix('│')
        .and_then(|l| l.strip_suffix('│'))
        .unwrap_or_else(|| panic!("not a row: {line:?}"));
    inner
        .split('┆')
        .map(|c| c.strip_prefix(' ').unwrap_or(c).trim_end().to_string())
        .collect()
}

/// What the people-facing formats show for a value: NULL as `NULL`, each line without
/// trailing blanks (they cannot be told from padding).
fn shown(value: &Option<String>, trim_last: bool) -> String {
    let text = value.as_deref().unwrap_or("NULL");
    let lines: Vec<&str> = text.split('\n').collect();
    let n = lines.len();
    let shown = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 < n || trim_last {
                l.trim_end()
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if trim_last {
        // In a grid, a cell's missing lines are blank: trailing line breaks cannot be seen.
        shown.trim_end().to_string()
    } else {
        shown
    }
}

#[test]
fn table_reads_back_value_by_value() {
    let p = kinds_project();
    let headings: Vec<String> = dump(&p, &[])
        .lines()
        .filter(|l| l.ends_with(" rows)") || l.ends_with(" row)"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        headings,
        [
            "comments (7 rows)",
            "following (7 rows)",
            "kinds (6 rows)",
            "likes (6 rows)",
            "nokey (8 rows)",
            "posts (4 rows)",
            "users (4 rows)"
        ]
    );
    // Parse only tables whose first column is never empty (it tells a row's first line).
    let text = dump(&p, &["-t", "kinds", "-t", "users"]);
    let tables = parse_table(&text);
    assert_eq!(tables["users"].1.len(), 4);
    let (header, rows) = &tables["kinds"];
    assert_eq!(header, &columns(&p, "kinds"));
    let want = expected(&p, KINDS_SQL);
    assert_eq!(rows.len(), want.len());
    for (row, want_row) in rows.iter().zip(&want) {
        let want: Vec<String> = want_row.iter().map(|v| shown(v, true)).collect();
        // `\r` stays in the text as it is: compare without it, as a terminal shows it.
        let got: Vec<String> = row
            .iter()
            .map(|c| c.replace('\r', "").trim_end().to_string())
            .collect();
        let want: Vec<String> = want.iter().map(|c| c.replace('\r', "")).collect();
        assert_eq!(got, want);
    }
    // NULL and the empty string look different.
    assert_eq!(rows[1][3], "NULL");
    assert_eq!(rows[2][3], "");
}

#[test]
fn expanded_reads_back_value_by_value() {
    let p = kinds_project();
    let text = dump(&p, &["--format", "expanded", "--table", "kinds"]);
    let cols = columns(&p, "kinds");
    let width = cols.iter().map(String::len).max().unwrap_or(0);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("kinds"));
    let mut records: Vec<Vec<(String, String)>> = Vec::new();
    for line in lines {
        if line.starts_with("-[ RECORD ") {
            assert!(
                line.starts_with(&format!("-[ RECORD {} ]", records.len() + 1)),
                "{line}"
            );
            records.push(Vec::new());
            continue;
        }
        let record = records.last_mut().expect("a record rule first");
        let (name, value) = (&line[..width], &line[width + 3..]);
        assert_eq!(&line[width..width + 3], " | ", "{line:?}");
        if name.trim().is_empty() {
            let last = record.last_mut().expect("a field to continue");
            let before = last.1.strip_suffix('+').expect("continued lines end in +");
            last.1 = format!("{}\n{value}", before.trim_end());
        } else {
            record.push((name.trim_end().to_string(), value.to_string()));
        }
    }
    let want = expected(&p, KINDS_SQL);
    assert_eq!(records.len(), want.len());
    for (record, want_row) in records.iter().zip(&want) {
        let got_names: Vec<&String> = record.iter().map(|(n, _)| n).collect();
        assert_eq!(got_names, cols.iter().collect::<Vec<_>>());
        for ((name, got), want) in record.iter().zip(want_row) {
            assert_eq!(got, &shown(want, false), "{name}");
        }
    }
}

#[test]
fn expanded_matches_psql_layout_for_one_record() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let text = dump(&p, &["--format", "expanded", "--table", "users"]);
    let first: Vec<&str> = text.lines().skip(1).take(7).collect();
    // psql: names padded to the widest (8), ` | `, the rule as wide as name, bar and the
    // widest value (the 168-character password hash).
    let rule = format!("-[ RECORD 1 ]{}", "-".repeat(8 + 3 + 168 - 13));
    assert_eq!(
        first[..3],
        [
            rule.as_str(),
            "username | awdeorio",
            "fullname | Andrew DeOrio"
        ]
    );
    assert!(first[6].starts_with("created  | 20"), "{}", first[6]);
}

#[test]
fn every_format_is_byte_identical_on_repeat() {
    let p = kinds_project();
    for format in ["table", "expanded", "csv", "json"] {
        let one = dump(&p, &["--format", format]);
        // Move every tuple of the table without a key to a new place on disk.
        p.query("UPDATE nokey SET n = n");
        p.query("VACUUM nokey");
        let two = dump(&p, &["--format", format]);
        assert_eq!(one, two, "{format} changed between two dumps");
        for needle in ["awdeorio", "Walking the plank", "# table: fake"] {
            assert!(one.contains(needle), "{format} lacks {needle}");
        }
    }
}

#[test]
fn table_without_key_is_ordered_by_all_columns() {
    let p = kinds_project();
    let text = dump(&p, &["--format", "csv", "--table", "nokey"]);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("csv").iter().map(str::to_string).collect())
        .collect();
    let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    // By the row's text in byte order: `("",3)` < `("# table: fake",1)` < `("a,b",6)` <
    // `("two\nlines",7)` < `(,2)` (the NULL) < `(a,5)` < `(b,)` = `(b,)`.
    assert_eq!(
        labels,
        ["", "# table: fake", "a,b", "two\nlines", "", "a", "b", "b"]
    );
    assert_eq!(
        rows[4][1], "2",
        "the NULL label sorts after the quoted ones"
    );
}

#[test]
fn table_option_selects_and_rejects_unknown_names() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    let text = dump(&p, &["--table", "users", "-t", "likes"]);
    assert!(text.starts_with("likes (6 rows)\n"), "{text}");
    assert!(text.contains("\n\nusers (4 rows)\n"), "{text}");
    assert!(!text.contains("posts"), "{text}");

    let out = p.run(&["dump", "--table", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("error: no table `nope` in database `{}`", p.db)),
        "{err}"
    );
    assert!(
        err.contains("hint: the tables are `comments`, `following`, `likes`, `posts`, `users`"),
        "{err}"
    );
}

#[test]
fn empty_tables_in_every_format() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.query("DELETE FROM likes");
    assert_eq!(
        dump(&p, &["-t", "likes"]),
        "likes (0 rows)\n\
         ┌────────┬───────┬────────┬─────────┐\n\
         │ likeid ┆ owner ┆ postid ┆ created │\n\
         ╞════════╪═══════╪════════╪═════════╡\n\
         └────────┴───────┴────────┴─────────┘\n"
    );
    assert_eq!(
        dump(&p, &["-t", "likes", "--format", "expanded"]),
        "likes\n(0 rows)\n"
    );
    assert_eq!(
        dump(&p, &["-t", "likes", "--format", "csv"]),
        "likeid,owner,postid,created\n"
    );
    assert_eq!(
        dump(&p, &["-t", "likes", "--format", "json"]),
        "{\n  \"likes\": []\n}\n"
    );
}

#[test]
fn dump_into_a_closed_pipe_exits_quietly() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.ok(&["random", "--count", "20000"]);
    for format in ["table", "expanded", "csv", "json"] {
        let mut child = std::process::Command::new(crate::support::bin())
            .current_dir(p.path())
            .args(["-d", &p.db, "dump", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dump");
        let mut first = [0u8; 64];
        child
            .stdout
            .take()
            .expect("stdout")
            .read_exact(&mut first)
            .expect("some output");
        // stdout is closed here, like `| head -c 64`.
        let out = child.wait_with_output().expect("dump ends");
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }
}

#[test]
fn partitions_appear_once_and_domains_keep_their_base_type() {
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.query(
        "CREATE DOMAIN score AS integer CHECK (VALUE >= 0); \
         CREATE TABLE events (id integer PRIMARY KEY, s score) PARTITION BY RANGE (id); \
         CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (10); \
         CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (10) TO (100); \
         INSERT INTO events VALUES (50, 7), (1, 5)",
    );
    let doc: serde_json::Value =
        serde_json::from_str(&dump(&p, &["--format", "json"])).expect("JSON");
    assert!(doc.get("events_low").is_none(), "{doc}");
    let want: serde_json::Value =
        serde_json::from_str(r#"[{"id": 1, "s": 5}, {"id": 50, "s": 7}]"#).expect("JSON");
    assert_eq!(doc["events"], want);
}

#[test]
fn expanded_is_psql_byte_for_byte_for_a_single_record() {
    // With one record, psql's rule width (over all records) is the record's own.
    let p = TestProject::new();
    p.ok(&["reset"]);
    p.query(
        "CREATE TABLE ex (id integer PRIMARY KEY, a_long_column_name text, b text, c text); \
         INSERT INTO ex VALUES (1, E'line1\\nlonger line 2 é\\nx', NULL, '')",
    );
    let psql = std::process::Command::new("psql")
        .args([
            "-X",
            "-q",
            "-d",
            &p.db,
            "-c",
            "\\pset null NULL",
            "-c",
            "\\x",
        ])
        .args(["-c", "SELECT * FROM ex ORDER BY id"])
        .output();
    let Ok(psql) = psql else {
        eprintln!("psql not found: skipped");
        return;
    };
    assert!(psql.status.success(), "{}", stderr(&psql));
    let ours = dump(&p, &["--format", "expanded", "--table", "ex"]);
    // psql adds a blank line after the records; ours has the table's name before them.
    assert_eq!(
        format!("ex\n{}", stdout(&psql).trim_end_matches('\n')),
        ours.trim_end_matches('\n')
    );
}
