//! What every integration test shares: a throwaway project folder and database, the real
//! binary, and a connection for looking at what it did.
//!
//! The server is whatever the standard PG* variables point at (`pg_virtualenv cargo test` sets
//! them). Each `TestProject` has its own uniquely named database and temporary folder, and
//! drops the database when it goes out of scope, so tests run in parallel and never touch a
//! real `insta485`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use assert_cmd::Command;
use insta485db::cli::GlobalArgs;
use insta485db::settings::Settings;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The path of the binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_insta485db")
}

/// The repository's own `sql/` folder.
pub fn repo_sql() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sql")
}

/// Settings resolved from the environment exactly as the binary resolves them.
pub fn settings(dbname: &str) -> Settings {
    let flags = GlobalArgs {
        dbname: Some(dbname.to_string()),
        ..GlobalArgs::default()
    };
    Settings::resolve(&flags, &|name| std::env::var(name).ok())
        .unwrap_or_else(|err| panic!("{}", no_server(&format!("{err:#}"))))
}

fn no_server(why: &str) -> String {
    format!(
        "\n\nthe integration tests need a PostgreSQL server they may create databases on.\n\
         Point the standard variables at one (PGHOST, PGPORT, PGUSER, PGPASSWORD), or run\n\
         them under a throwaway server: `pg_virtualenv cargo test`.\n\
         Connecting failed: {why}\n\n"
    )
}

/// Run `f` on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

/// Run SQL on database `dbname` and return every value of every row as text (NULL as None).
pub fn query(dbname: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    query_with(settings(dbname), dbname, sql)
}

/// Run SQL on database `dbname` of the server `settings` name; rows as text (NULL as None).
pub fn query_with(settings: Settings, dbname: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    let dbname = dbname.to_string();
    let sql = sql.to_string();
    block_on(async move {
        let client = insta485db::connect::connect(&settings, &dbname)
            .await
            .unwrap_or_else(|err| panic!("could not connect to `{dbname}`: {err:#}"));
        let mut rows = Vec::new();
        for message in client
            .simple_query(&sql)
            .await
            .unwrap_or_else(|err| panic!("query failed: {sql}: {err:#}"))
        {
            if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
                rows.push(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                );
            }
        }
        rows
    })
}

/// Run SQL on the maintenance database `postgres`.
pub fn admin(sql: &str) -> Vec<Vec<Option<String>>> {
    query("postgres", sql)
}

/// One value: the first column of the first row.
pub fn scalar(dbname: &str, sql: &str) -> String {
    query(dbname, sql)
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .unwrap_or_else(|| panic!("no value from {sql}"))
}

/// Does database `name` exist on the server?
pub fn db_exists(name: &str) -> bool {
    let literal = name.replace('\'', "''");
    scalar(
        "postgres",
        &format!("SELECT count(*) FROM pg_database WHERE datname = '{literal}'"),
    ) == "1"
}

/// Check once per test process that the server answers, failing with what to set.
pub fn require_server() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let result = CHECKED.get_or_init(|| {
        let settings = settings("postgres");
        block_on(async move {
            insta485db::connect::connect(&settings, "postgres")
                .await
                .map(|_| ())
                .map_err(|err| format!("{err:#}"))
        })
    });
    if let Err(why) = result {
        panic!("{}", no_server(why));
    }
}

/// A unique database name for one test, with an optional awkward part.
pub fn unique_name(flavour: &str) -> String {
    format!(
        "it_{}_{}{flavour}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A temporary project folder (a copy of the repository's `sql/`) and a database name that
/// no other test uses. Dropping it drops the database and its leftovers.
pub struct TestProject {
    pub dir: tempfile::TempDir,
    pub db: String,
}

impl TestProject {
    /// A project with the repository's `sql/` and a fresh database name.
    pub fn new() -> TestProject {
        TestProject::named(&unique_name(""))
    }

    /// A project whose database has exactly this name.
    pub fn named(db: &str) -> TestProject {
        require_server();
        let dir = tempfile::tempdir().expect("temporary folder");
        copy_dir(&repo_sql(), &dir.path().join("sql"));
        TestProject {
            dir,
            db: db.to_string(),
        }
    }

    /// A project folder with no `sql/` at all.
    pub fn without_sql() -> TestProject {
        let project = TestProject::new();
        std::fs::remove_dir_all(project.path().join("sql")).expect("remove sql/");
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `insta485db -d <db> ARGS...`, run in the project folder with no terminal and no stdin.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.current_dir(self.path())
            .arg("-d")
            .arg(&self.db)
            .args(args);
        cmd
    }

    /// `insta485db -d <db> ARGS...`, run in `dir` (which need not be the project folder).
    pub fn cmd_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = self.cmd(args);
        cmd.current_dir(dir);
        cmd
    }

    /// Run in `dir` and return the output, whatever the exit code.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd_in(dir, args).output().expect("run insta485db")
    }

    /// Run and return the output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run insta485db")
    }

    /// Run, require exit 0, return the output.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "`insta485db {}` failed with {:?}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Run, require exit 1 (a failure that is not a usage error), return the output.
    pub fn fails(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "`insta485db {}` should exit 1\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Run SQL on this project's database.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        query(&self.db, sql)
    }

    pub fn scalar(&self, sql: &str) -> String {
        scalar(&self.db, sql)
    }

    pub fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT count(*) FROM {table}"))
            .parse()
            .expect("a count")
    }

    pub fn exists(&self) -> bool {
        db_exists(&self.db)
    }

    pub fn uploads(&self) -> PathBuf {
        self.path().join("var").join("uploads")
    }

    /// The file names in `var/uploads`, sorted.
    pub fn upload_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.uploads())
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Write a file relative to the project folder.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, contents).expect("write file");
    }

    /// Every database whose name starts with this test's temporary-name stem.
    pub fn leftovers(&self) -> Vec<String> {
        let temp = insta485db::database::TempNames::for_database(&self.db);
        let stem = temp.building.trim_end_matches("_new").to_string();
        admin(&format!(
            "SELECT datname FROM pg_database WHERE datname LIKE '{stem}%' ORDER BY 1"
        ))
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect()
    }
}

impl Drop for TestProject {
    fn drop(&mut self) {
        let temp = insta485db::database::TempNames::for_database(&self.db);
        let names = [self.db.clone(), temp.building, temp.retired];
        let settings = settings("postgres");
        block_on(async move {
            if let Ok(client) = insta485db::connect::connect(&settings, "postgres").await {
                for name in names {
                    let sql = format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        insta485db::database::quote_ident(&name)
                    );
                    let _ = client.batch_execute(&sql).await;
                }
            }
        });
    }
}

/// Require exit 0 from a finished run, showing its output otherwise.
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The 1-based number of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?}"))
        + 1
}

/// Copy a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
