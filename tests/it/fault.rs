//! Tools for breaking things on purpose: a snapshot of a project's database and uploads to
//! compare before and after, the binary run in the background and sent signals, a session
//! held open from the test, and a throwaway cluster the test may stop and start.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use insta485db::database::{name_hash, TempNames};

use crate::support::{self, TestProject};

/// A `data.sql` that takes a while: the default data, then a sleep that a test can signal
/// or stop the server in the middle of.
pub fn slow_data() -> String {
    let data = std::fs::read_to_string(support::repo_sql().join("data.sql")).expect("data.sql");
    format!("{data}\nSELECT pg_sleep(30);\n")
}

/// Everything a command could change: every row of every table, and every file of
/// `var/uploads` with its size and a hash of its contents.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub rows: Vec<Vec<Option<String>>>,
    pub files: Vec<(String, usize, u64)>,
}

/// FNV-1a of some bytes: enough to tell two files apart in a test.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn snapshot(p: &TestProject) -> Snapshot {
    snapshot_with(p, &|sql| p.query(sql))
}

/// A snapshot read through `query` (for a database on another server).
pub fn snapshot_with(
    p: &TestProject,
    query: &dyn Fn(&str) -> Vec<Vec<Option<String>>>,
) -> Snapshot {
    let rows = query(
        "SELECT 'users', username, fullname, email, filename, password FROM users \
         UNION ALL SELECT 'posts', postid::text, filename, owner, NULL, NULL FROM posts \
         UNION ALL SELECT 'following', follower, followee, NULL, NULL, NULL FROM following \
         UNION ALL SELECT 'comments', commentid::text, owner, postid::text, text, NULL FROM comments \
         UNION ALL SELECT 'likes', likeid::text, owner, postid::text, NULL, NULL FROM likes \
         ORDER BY 1, 2, 3",
    );
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(p.uploads()) {
        for entry in entries.filter_map(Result::ok) {
            let contents = std::fs::read(entry.path()).unwrap_or_default();
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((name, contents.len(), fnv(&contents)));
        }
    }
    files.sort();
    Snapshot { rows, files }
}

/// `create`, then change the database and `var/uploads` so that they differ from what any
/// rebuild would make: a rebuilt database can never pass for the old one.
pub fn create_distinct(p: &TestProject) -> Snapshot {
    p.ok(&["create"]);
    make_distinct(p, &|sql| {
        p.query(sql);
    });
    snapshot(p)
}

pub fn make_distinct(p: &TestProject, run: &dyn Fn(&str)) {
    run(
        "INSERT INTO users VALUES ('marker', 'Old Data', 'old@example.com', 'old.jpg', 'x'); \
         DELETE FROM likes WHERE likeid = 6; \
         UPDATE posts SET filename = 'old.jpg' WHERE postid = 4",
    );
    std::fs::write(p.uploads().join("old.jpg"), b"the user's own upload").expect("write");
    let first = p.upload_names().into_iter().next().expect("an upload");
    std::fs::remove_file(p.uploads().join(first)).expect("remove");
}

/// The staging folders beside `var/uploads` that exist (there should be none after a run).
pub fn staging_leftovers(p: &TestProject) -> Vec<String> {
    let (new, old) = insta485db::uploads::staging_paths(&p.uploads());
    [new, old]
        .into_iter()
        .filter(|path| std::fs::symlink_metadata(path).is_ok())
        .map(|path| path.display().to_string())
        .collect()
}

/// Nothing left of the run: no temporary database, no staging folder.
pub fn assert_clean(p: &TestProject) {
    assert!(p.leftovers().is_empty(), "leftovers: {:?}", p.leftovers());
    assert!(
        staging_leftovers(p).is_empty(),
        "staging folders: {:?}",
        staging_leftovers(p)
    );
}

/// Start `insta485db -d <db> ARGS...` in the background, output captured.
pub fn spawn(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start insta485db")
}

/// The plain `std::process::Command` for `p.cmd(args)`.
pub fn command(p: &TestProject, args: &[&str]) -> Command {
    let mut cmd = Command::new(support::bin());
    cmd.current_dir(p.path()).arg("-d").arg(&p.db).args(args);
    cmd
}

/// Send `signal` ("INT", "TERM", "KILL") to a child.
pub fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} failed");
}

/// Wait for the child to exit (at most `limit`), returning its output.
pub fn finish(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "insta485db still running after {limit:?}\nstderr:\n{}",
                support::stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait for every child (30 s each at most) and require that each exited 0.
pub fn all_succeed(children: impl IntoIterator<Item = Child>, what: &str) {
    for child in children {
        let out = finish(child, Duration::from_secs(30));
        assert!(
            out.status.success(),
            "{what}: {:?}\n{}",
            out.status.code(),
            support::stderr(&out)
        );
    }
}

/// Poll `cond` every 25 ms until it holds; panic after 20 s saying what was awaited.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// SQL that is true while a session runs `pg_sleep` loading `db`: in the database built
/// beside it, or in `db` itself when it is rebuilt in place.
pub fn loading_sql(db: &str) -> String {
    let building = TempNames::for_database(db).building;
    let db = db.replace('\'', "''");
    format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname IN ('{building}', '{db}') \
         AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
    )
}

/// The same SQL as a file with a transaction of its own: `reset` never rebuilds in place with
/// such a file (its COMMIT would commit half-way) but builds a new database beside the old
/// one and swaps it in, so tests of the swap use it.
pub fn built_beside(sql: &str) -> String {
    format!("BEGIN;\n{sql}\nCOMMIT;\n")
}

/// The `pg_locks` condition for the insta485db lock of `db`.
fn lock_condition(db: &str) -> String {
    let key = name_hash(db) as i64;
    let (high, low) = ((key as u64 >> 32) as u32, key as u64 as u32);
    format!("locktype = 'advisory' AND classid = {high} AND objid = {low} AND objsubid = 1")
}

/// End every session of a run on `db`: the one holding its lock and those connected to
/// its temporary databases, as an administrator (or a network failure) would.
pub fn terminate_run(db: &str) -> usize {
    let temp = TempNames::for_database(db);
    let rows = support::admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE pid IN (SELECT pid FROM pg_locks WHERE {} AND granted) \
            OR datname IN ('{}', '{}') \
            OR (datname = '{}' AND application_name = 'insta485db')",
        lock_condition(db),
        temp.building,
        temp.retired,
        db.replace('\'', "''")
    ));
    rows.len()
}

/// True while some session waits for the insta485db lock of `db`.
pub fn waiting_for_lock(db: &str) -> bool {
    support::scalar(
        "postgres",
        &format!(
            "SELECT count(*) FROM pg_locks WHERE {} AND NOT granted",
            lock_condition(db)
        ),
    ) != "0"
}

/// A session opened from the test and kept open until dropped (a running web app, psql).
pub struct Session {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Session {
    /// Connect to `db` on the test server as application `application`.
    pub fn open(db: &str, application: &str) -> Session {
        let mut settings = support::settings(db);
        settings.application_name = application.to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = runtime
            .block_on(insta485db::connect::connect(&settings, db))
            .unwrap_or_else(|err| panic!("could not connect to `{db}`: {err:#}"));
        Session { runtime, client }
    }

    /// Run SQL; Err when the server refused or the session was ended.
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        self.runtime
            .block_on(self.client.batch_execute(sql))
            .map_err(|err| format!("{err:#}"))
    }

    /// Hold the insta485db lock of `db`, as another run would.
    pub fn hold_lock(&self, db: &str) {
        let key = name_hash(db) as i64;
        self.execute(&format!("SELECT pg_advisory_lock({key})"))
            .expect("take the lock");
    }
}

/// True when running as root (uid 0), where file permissions do not stop reads.
pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A user that root can run commands as (`runuser -u <user>`), for checks that need
/// permissions to bite.
pub fn unprivileged_user() -> &'static str {
    for user in ["postgres", "nobody"] {
        if Command::new("id")
            .arg("-u")
            .arg(user)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return user;
        }
    }
    panic!("running as root, but there is neither a `postgres` nor a `nobody` user to drop to");
}

/// Give `path` (recursively) to `user`.
pub fn chown(path: &Path, user: &str) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(user)
        .arg(path)
        .status()
        .expect("run chown");
    assert!(status.success(), "chown failed");
}
