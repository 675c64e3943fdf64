//! From resolved settings to a live connection, with errors that say what to change.

use anyhow::Result;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};

use crate::error::Hinted;
use crate::settings::{Host, Settings};

/// Databases tried, in order, for work that must happen outside the managed database
/// (creating, dropping, renaming), as createdb and dropdb do.
pub const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// Connect to database `dbname` on the server the settings name.
pub async fn connect(settings: &Settings, dbname: &str) -> Result<Client> {
    let config = config(settings, dbname);
    let attempt = tokio::time::timeout(settings.connect_timeout, config.connect(NoTls)).await;
    let (client, connection) = match attempt {
        Ok(Ok(pair)) => pair,
        Ok(Err(err)) => return Err(explain(settings, dbname, err)),
        Err(_) => {
            return Err(Hinted::new(
                format!(
                    "could not connect to `{}`: no answer within {} s",
                    settings.target(),
                    settings.connect_timeout.as_secs()
                ),
                "check the host and port, and that a firewall lets you through; \
                 PGCONNECT_TIMEOUT sets how long to wait",
            )
            .into())
        }
    };
    // The connection object does the talking; it ends when the client is dropped.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Connect to a maintenance database: `postgres`, else `template1`.
pub async fn connect_maintenance(settings: &Settings) -> Result<Client> {
    let mut last = None;
    for name in MAINTENANCE_DATABASES {
        match connect(settings, name).await {
            Ok(client) => return Ok(client),
            Err(err) if crate::error::sqlstate(&err) == Some(&SqlState::INVALID_CATALOG_NAME) => {
                last = Some(err);
            }
            Err(err) => return Err(err),
        }
    }
    Err(last
        .unwrap_or_else(|| anyhow::anyhow!("no maintenance database to connect to"))
        .context("neither `postgres` nor `template1` can be connected to"))
}

fn config(settings: &Settings, dbname: &str) -> Config {
    let mut config = Config::new();
    for host in &settings.hosts.value {
        match host {
            Host::Tcp(name) => config.host(name.trim_start_matches('[').trim_end_matches(']')),
            Host::Socket(dir) => config.host_path(dir),
        };
    }
    config
        .port(settings.port.value)
        .user(&settings.user.value)
        .dbname(dbname)
        .application_name(&settings.application_name)
        .connect_timeout(settings.connect_timeout);
    if let Some(password) = &settings.password {
        config.password(password.value.as_bytes());
    }
    config
}

/// Wrap a connection failure with what was tried and what to do about it.
fn explain(settings: &Settings, dbname: &str, err: tokio_postgres::Error) -> anyhow::Error {
    let user = &settings.user.value;
    let target = settings.target();
    let (message, hint) = match err.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD => (
            format!("password authentication failed for user `{user}` at `{target}`"),
            "set the password in PGPASSWORD or ~/.pgpass, or check the server's pg_hba.conf"
                .to_string(),
        ),
        Some(code) if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => (
            format!("the server at `{target}` refused user `{user}`"),
            "check the user name (-U or PGUSER) and the server's pg_hba.conf".to_string(),
        ),
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => {
            return anyhow::Error::new(err)
                .context(format!("database `{dbname}` does not exist at `{target}`"));
        }
        Some(code) if *code == SqlState::TOO_MANY_CONNECTIONS => (
            format!("the server at `{target}` has no connection slots left"),
            "close other sessions (a running web app, psql) and try again".to_string(),
        ),
        Some(_) => (
            format!("could not connect to `{target}` as user `{user}`"),
            "check the connection settings: -h, -p and -U, or PGHOST, PGPORT and PGUSER"
                .to_string(),
        ),
        None => (
            format!("could not connect to the server at `{target}` as user `{user}`"),
            "is the server running? set PGHOST and PGPORT, or pass -h and -p".to_string(),
        ),
    };
    Hinted::new(message, hint).caused_by(err).into()
}
