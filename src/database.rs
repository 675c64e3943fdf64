//! Work on whole databases: does it exist, lock it, build a new one beside it, swap it in,
//! drop it. Every name goes to the server as a query parameter or a quoted identifier.
//!
//! New databases are never built in place. They are built under a temporary name derived from
//! the managed name and renamed at the end, so a failure or an interruption at any point
//! leaves either the old database or nothing, never half of a new one. Leftovers of a run
//! that was killed are dropped by the next run, which it can do safely because every run
//! holds a lock on the managed name (an advisory lock on the maintenance connection).

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::error::Hinted;

/// `"name"`, with inner quotes doubled: safe to put in SQL text.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, with inner quotes doubled: safe to put in SQL text (standard_conforming_strings).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A stable 64-bit hash (FNV-1a) of a database name: the key of its lock and the stem of its
/// temporary names. Stable across versions and machines, unlike std's hasher.
pub fn name_hash(name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The temporary databases that stand beside `name` while it is rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempNames {
    /// Where the new database is built.
    pub building: String,
    /// Where the old database waits to be dropped once the new one is in place.
    pub retired: String,
}

impl TempNames {
    pub fn for_database(name: &str) -> TempNames {
        let stem = format!("insta485db_{:016x}", name_hash(name));
        TempNames {
            building: format!("{stem}_new"),
            retired: format!("{stem}_old"),
        }
    }
}

/// Does database `name` exist? Looked up by exact name, never by matching text.
pub async fn exists(client: &Client, name: &str) -> Result<bool> {
    let row = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .with_context(|| format!("could not look up database `{name}`"))?;
    Ok(row.is_some())
}

/// The server's version as a number, e.g. 150004 for 15.4.
pub async fn server_version_num(client: &Client) -> Result<i32> {
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .context("could not read the server version")?;
    Ok(row.get(0))
}

/// Take the lock that makes this run the only one working on `name` on this server. Waits
/// for another run holding it, saying so. Held until `client` is dropped.
pub async fn lock(client: &Client, name: &str, quiet: bool) -> Result<()> {
    let key = name_hash(name) as i64;
    let got: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
        .await
        .context("could not take the insta485db lock")?
        .get(0);
    if !got {
        if !quiet {
            eprintln!("note: another insta485db is working on `{name}`; waiting for it to finish");
        }
        client
            .execute("SELECT pg_advisory_lock($1)", &[&key])
            .await
            .context("could not take the insta485db lock")?;
    }
    Ok(())
}

/// `CREATE DATABASE`, with errors that say what to do.
pub async fn create(client: &Client, name: &str, shown_as: &str) -> Result<()> {
    let sql = format!("CREATE DATABASE {}", quote_ident(name));
    match client.batch_execute(&sql).await {
        Ok(()) => Ok(()),
        Err(err) if err.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => Err(Hinted::new(
            format!("not allowed to create database `{shown_as}`"),
            "the user needs the CREATEDB privilege: `ALTER ROLE <user> CREATEDB` as a superuser",
        )
        .caused_by(err)
        .into()),
        Err(err) => {
            Err(anyhow::Error::new(err).context(format!("could not create database `{shown_as}`")))
        }
    }
}

/// A session connected to a database, from `pg_stat_activity`.
#[derive(Debug, Clone)]
pub struct Session {
    pub pid: i32,
    pub user: Option<String>,
    pub application: Option<String>,
    pub client: Option<String>,
}

/// The other sessions connected to `name`.
pub async fn sessions(client: &Client, name: &str) -> Result<Vec<Session>> {
    let rows = client
        .query(
            "SELECT pid, usename::text, application_name, \
                    coalesce(host(client_addr), CASE WHEN client_port = -1 THEN 'local socket' END) \
             FROM pg_catalog.pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid",
            &[&name],
        )
        .await
        .with_context(|| format!("could not list the sessions connected to `{name}`"))?;
    Ok(rows
        .iter()
        .map(|row| Session {
            pid: row.get(0),
            user: row.get(1),
            application: row.get::<_, Option<String>>(2).filter(|a| !a.is_empty()),
            client: row.get(3),
        })
        .collect())
}

/// The error for a database that other sessions are using.
pub fn busy_error(name: &str, sessions: &[Session]) -> anyhow::Error {
    let mut message = format!(
        "database `{name}` is in use by {} other session{}",
        sessions.len(),
        if sessions.len() == 1 { "" } else { "s" }
    );
    for s in sessions.iter().take(10) {
        let _ = write!(
            message,
            "\n  pid {}: user `{}`, from {}{}",
            s.pid,
            s.user.as_deref().unwrap_or("?"),
            s.client.as_deref().unwrap_or("an unknown client"),
            s.application
                .as_deref()
                .map(|a| format!(", application `{a}`"))
                .unwrap_or_default()
        );
    }
    if sessions.len() > 10 {
        let _ = write!(message, "\n  and {} more", sessions.len() - 10);
    }
    Hinted::new(
        message,
        "stop them (the web app, psql), or pass `--force` to end them",
    )
    .into()
}

/// End every other session connected to `name`. Returns how many were ended.
pub async fn terminate_sessions(client: &Client, name: &str) -> Result<u64> {
    let rows = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&name],
        )
        .await
        .with_context(|| format!("could not end the sessions connected to `{name}`"))?;
    Ok(rows.len() as u64)
}

/// `DROP DATABASE IF EXISTS`. Other sessions make it fail with a list of them, unless `force`
/// ends them (in one step on PostgreSQL 13 and later). `shown_as` is the name for messages.
pub async fn drop(client: &Client, name: &str, shown_as: &str, force: bool) -> Result<()> {
    let quoted = quote_ident(name);
    if force {
        if server_version_num(client).await? >= 130_000 {
            let sql = format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)");
            return client
                .batch_execute(&sql)
                .await
                .with_context(|| format!("could not drop database `{shown_as}`"));
        }
        terminate_sessions(client, name).await?;
    }
    match client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
        .await
    {
        Ok(()) => Ok(()),
        Err(err) if err.code() == Some(&SqlState::OBJECT_IN_USE) => {
            Err(busy_error(shown_as, &sessions(client, name).await?))
        }
        Err(err) if err.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => Err(Hinted::new(
            format!("not allowed to drop database `{shown_as}`"),
            "only its owner or a superuser may drop it: connect as that user with -U",
        )
        .caused_by(err)
        .into()),
        Err(err) => {
            Err(anyhow::Error::new(err).context(format!("could not drop database `{shown_as}`")))
        }
    }
}

/// Drop what a killed run left behind for `name`. Call with the lock held.
pub async fn drop_leftovers(client: &Client, name: &str) -> Result<()> {
    let temp = TempNames::for_database(name);
    for leftover in [&temp.building, &temp.retired] {
        if exists(client, leftover).await? {
            drop(client, leftover, leftover, true).await?;
        }
    }
    Ok(())
}

/// Wait until the server has closed the backend `pid` (a connection we just dropped), so that
/// a rename or drop of its database does not find it still there.
pub async fn wait_for_backend_exit(client: &Client, pid: i32) -> Result<()> {
    for _ in 0..500 {
        let gone = client
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .context("could not check that the loading session has ended")?
            .is_none();
        if gone {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

/// Rename the freshly built database to `name`, which must not exist.
pub async fn install(client: &Client, building: &str, name: &str) -> Result<()> {
    let sql = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(building),
        quote_ident(name)
    );
    match client.batch_execute(&sql).await {
        Ok(()) => Ok(()),
        Err(err) if err.code() == Some(&SqlState::DUPLICATE_DATABASE) => {
            Err(already_exists(name).caused_by(err).into())
        }
        Err(err) => Err(anyhow::Error::new(err)
            .context(format!("could not rename the new database to `{name}`"))),
    }
}

/// What [`swap`] did.
#[derive(Debug)]
pub enum Swapped {
    Done,
    /// Other sessions use the old database, so nothing was renamed.
    Busy(Vec<Session>),
}

/// Swap the freshly built database in for the existing `name` in one transaction: the old
/// one becomes `retired`, the new one `name`. Either both renames happen or neither.
pub async fn swap(client: &Client, building: &str, name: &str, retired: &str) -> Result<Swapped> {
    let sql = format!(
        "BEGIN; ALTER DATABASE {name_q} RENAME TO {retired_q}; \
         ALTER DATABASE {building_q} RENAME TO {name_q}; COMMIT",
        name_q = quote_ident(name),
        retired_q = quote_ident(retired),
        building_q = quote_ident(building),
    );
    let result = client.batch_execute(&sql).await;
    if result.is_err() {
        // The failed transaction must end before the connection is used again.
        let _ = client.batch_execute("ROLLBACK").await;
    }
    match result {
        Ok(()) => Ok(Swapped::Done),
        Err(err) if err.code() == Some(&SqlState::OBJECT_IN_USE) => {
            Ok(Swapped::Busy(sessions(client, name).await?))
        }
        Err(err) => Err(anyhow::Error::new(err)
            .context(format!("could not swap the new database in for `{name}`"))),
    }
}

/// The error for `empty` and `create` when the database is already there.
pub fn already_exists(name: &str) -> Hinted {
    Hinted::new(
        format!("database `{name}` already exists"),
        "run `insta485db reset` to rebuild it, or `insta485db destroy` to remove it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("insta485"), "\"insta485\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn temp_names_are_stable_short_and_distinct() {
        let a = TempNames::for_database("insta485");
        let b = TempNames::for_database("insta485_other");
        assert_ne!(a.building, b.building);
        assert_ne!(a.building, a.retired);
        assert_eq!(a, TempNames::for_database("insta485"));
        // FNV-1a reference values: the hash must never change, or a new version would miss
        // the leftovers and lock of an old one.
        assert_eq!(name_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(name_hash("a"), 0xaf63_dc4c_8601_ec8c);
        let long = TempNames::for_database(&"x".repeat(63));
        assert!(long.building.len() <= 63 && long.retired.len() <= 63);
    }
}
