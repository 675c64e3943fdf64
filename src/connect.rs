//! From resolved settings to a live connection, with errors that say what to change.
//!
//! Each host is tried in turn, as libpq does, with its own port, its own password (the
//! password file is looked up for that host, port, database and user) and the `sslmode`
//! rules of [`crate::tls`]. Unix sockets never use TLS. With `--wait`, a server that refuses
//! connections or is still starting up is tried again until the time is up.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};

use crate::error::Hinted;
use crate::settings::{ChannelBinding, Host, Settings, SslMode};
use crate::tls::{self, MakeRustlsConnect, Progress};

/// Databases tried, in order, for work that must happen outside the managed database
/// (creating, dropping, renaming), as createdb and dropdb do.
pub const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// How long `--wait` sleeps between attempts.
const WAIT_STEP: Duration = Duration::from_millis(250);

/// Connect to database `dbname` on the server the settings name. With `--wait`, wait for
/// a server that is not accepting connections yet.
pub async fn connect(settings: &Settings, dbname: &str) -> Result<Client> {
    let Some(limit) = settings.wait else {
        return connect_any_host(settings, dbname).await;
    };
    let deadline = Instant::now() + limit;
    let mut noted = false;
    loop {
        match connect_any_host(settings, dbname).await {
            Ok(client) => return Ok(client),
            Err(err) if is_retryable(&err) && Instant::now() + WAIT_STEP < deadline => {
                if !noted && !settings.quiet {
                    eprintln!(
                        "note: waiting up to {} s for the server at `{}` to accept connections",
                        limit.as_secs(),
                        settings.target()
                    );
                    noted = true;
                }
                tokio::time::sleep(WAIT_STEP).await;
            }
            Err(err) if is_retryable(&err) => {
                return Err(err.context(format!(
                    "the server at `{}` did not accept connections within {} s (--wait)",
                    settings.target(),
                    limit.as_secs()
                )))
            }
            Err(err) => return Err(err),
        }
    }
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

/// Try each host in turn; the error is the last host's.
async fn connect_any_host(settings: &Settings, dbname: &str) -> Result<Client> {
    let tls_config = match settings.tls.mode.value {
        SslMode::Disable => None,
        _ if settings
            .hosts
            .value
            .iter()
            .all(|h| matches!(h, Host::Socket(_))) =>
        {
            None
        }
        _ => Some(tls::client_config(&settings.tls)?),
    };
    let mut last = None;
    for i in 0..settings.hosts.value.len() {
        let attempt = connect_host(settings, i, dbname, tls_config.clone());
        match tokio::time::timeout(settings.connect_timeout, attempt).await {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(err)) => last = Some(err),
            Err(_) => last = Some(no_answer(settings, i)),
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("no host to connect to")))
}

/// No answer from host `i` within the connect timeout.
fn no_answer(settings: &Settings, i: usize) -> anyhow::Error {
    Hinted::new(
        format!(
            "could not connect to `{}`: no answer within {} s",
            settings.host_target(i),
            settings.connect_timeout.as_secs()
        ),
        "check the host and port, and that a firewall lets you through; \
         PGCONNECT_TIMEOUT sets how long to wait",
    )
    .caused_by(NoAnswer)
    .into()
}

/// The marker of a connection attempt that timed out.
#[derive(Debug)]
struct NoAnswer;

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection timed out")
    }
}

impl std::error::Error for NoAnswer {}

/// One host, with the sslmode's plain and TLS attempts.
async fn connect_host(
    settings: &Settings,
    i: usize,
    dbname: &str,
    tls_config: Option<Arc<rustls::ClientConfig>>,
) -> Result<Client> {
    let host = &settings.hosts.value[i];
    let mode = match (host, &tls_config) {
        (Host::Socket(_), _) | (_, None) => SslMode::Disable,
        _ => settings.tls.mode.value,
    };
    let config = config(settings, i, dbname);
    let tls_attempt = |ssl: tokio_postgres::config::SslMode| {
        let mut config = config.clone();
        config.ssl_mode(ssl);
        let make = tls_config.clone().map(MakeRustlsConnect::new);
        async move {
            let Some(make) = make else {
                return (config.connect(NoTls).await.map(spawn), Progress::default());
            };
            let result = config.connect(make.clone()).await.map(spawn);
            (result, make.progress())
        }
    };
    let plain = || {
        let mut config = config.clone();
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        async move { config.connect(NoTls).await.map(spawn) }
    };
    use tokio_postgres::config::SslMode as Pg;
    let (result, progress) = match mode {
        SslMode::Disable => (plain().await, Progress::default()),
        SslMode::Allow => match plain().await {
            // The server turned the plain connection away (pg_hba.conf `hostssl`): try TLS.
            Err(err) if err.code().is_some() => tls_attempt(Pg::Require).await,
            other => (other, Progress::default()),
        },
        SslMode::Prefer => match tls_attempt(Pg::Prefer).await {
            // libpq's prefer: a failed handshake is tried again without TLS.
            (Err(_), p) if p.handshake_started && !p.handshake_done => {
                (plain().await, Progress::default())
            }
            // libpq's prefer: a server that turns the TLS connection away (pg_hba.conf
            // `hostnossl`) is asked again without TLS.
            (Err(err), p)
                if p.handshake_done
                    && err.code() == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION) =>
            {
                (plain().await, Progress::default())
            }
            other => other,
        },
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            tls_attempt(Pg::Require).await
        }
    };
    result.map_err(|err| explain(settings, i, dbname, mode, progress, err))
}

/// Run the connection's I/O in the background; it ends when the client is dropped.
fn spawn<S, T>(pair: (Client, tokio_postgres::Connection<S, T>)) -> Client
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (client, connection) = pair;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// The tokio-postgres configuration for host `i`.
fn config(settings: &Settings, i: usize, dbname: &str) -> Config {
    let host = &settings.hosts.value[i];
    let port = settings
        .ports
        .get(i)
        .copied()
        .unwrap_or(settings.port.value);
    let mut config = Config::new();
    match host {
        Host::Tcp(name) => config.host(name.trim_start_matches('[').trim_end_matches(']')),
        Host::Socket(dir) => config.host_path(dir),
    };
    if let Some(Some(addr)) = settings.hostaddrs.get(i) {
        config.hostaddr(*addr);
    }
    config
        .port(port)
        .user(&settings.user.value)
        .dbname(dbname)
        .application_name(&settings.application_name)
        .connect_timeout(settings.connect_timeout);
    config.channel_binding(match settings.channel_binding {
        ChannelBinding::Disable => tokio_postgres::config::ChannelBinding::Disable,
        ChannelBinding::Prefer => tokio_postgres::config::ChannelBinding::Prefer,
        ChannelBinding::Require => tokio_postgres::config::ChannelBinding::Require,
    });
    if let Some(password) = settings.password_for(host, port, dbname) {
        config.password(password.value.as_bytes());
    }
    config
}

/// Worth another try under `--wait`: the server refused the connection, is starting up, or
/// did not answer.
pub fn is_retryable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        if cause.downcast_ref::<NoAnswer>().is_some() {
            return true;
        }
        if let Some(pg) = cause.downcast_ref::<tokio_postgres::Error>() {
            if pg.code() == Some(&SqlState::CANNOT_CONNECT_NOW) {
                return true;
            }
        }
        if let Some(db) = cause.downcast_ref::<tokio_postgres::error::DbError>() {
            if db.code() == &SqlState::CANNOT_CONNECT_NOW {
                return true;
            }
        }
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::NotFound
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::UnexpectedEof
            );
        }
        false
    })
}

/// Does the error chain say the server wanted a password we do not have? tokio-postgres
/// reports this as a configuration error with no code, so the text is all there is.
fn password_missing(err: &tokio_postgres::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.to_string() == "password missing" {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Wrap a connection failure with what was tried and what to do about it.
fn explain(
    settings: &Settings,
    i: usize,
    dbname: &str,
    mode: SslMode,
    progress: Progress,
    err: tokio_postgres::Error,
) -> anyhow::Error {
    let user = &settings.user.value;
    let target = settings.host_target(i);
    let password_hint = "set the password in PGPASSWORD or ~/.pgpass (mode 0600), \
                         or check the server's pg_hba.conf";
    if err.code().is_none() {
        if progress.handshake_started && !progress.handshake_done {
            let what =
                tls::describe_failure(&err).unwrap_or_else(|| "TLS handshake failed".to_string());
            let hint = if what.contains("not valid for") {
                "connect with a host name the certificate names, or use sslmode verify-ca to \
                 check the certificate chain only"
            } else if what.contains("certificate verify failed") {
                "set PGSSLROOTCERT (or sslrootcert=) to the CA bundle that signed the server's \
                 certificate (for AWS RDS: global-bundle.pem)"
            } else {
                "check the server's TLS setup, or the client certificate and key \
                 (PGSSLCERT, PGSSLKEY)"
            };
            return Hinted::new(format!("TLS connection to `{target}` failed: {what}"), hint)
                .caused_by(err)
                .into();
        }
        if mode.requires_tls() && progress.socket_connected && !progress.handshake_started {
            return Hinted::new(
                format!(
                    "server at `{target}` does not support SSL, but sslmode is `{mode}` (from {})",
                    settings.tls.mode.source
                ),
                "turn `ssl = on` in the server's postgresql.conf, or connect with sslmode \
                 `prefer` or `disable` (PGSSLMODE) if the network is trusted",
            )
            .into();
        }
        if password_missing(&err) {
            return Hinted::new(
                format!(
                    "the server at `{target}` asks for a password for user `{user}`, \
                     and none is set"
                ),
                password_hint,
            )
            .into();
        }
    }
    let (message, hint) = match err.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD => (
            format!("password authentication failed for user `{user}` at `{target}`"),
            password_hint.to_string(),
        ),
        Some(code) if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => (
            format!("the server at `{target}` refused user `{user}`"),
            "check the user name (-U or PGUSER), the sslmode (PGSSLMODE) and the server's \
             pg_hba.conf"
                .to_string(),
        ),
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => {
            return anyhow::Error::new(err)
                .context(format!("database `{dbname}` does not exist at `{target}`"));
        }
        Some(code) if *code == SqlState::TOO_MANY_CONNECTIONS => (
            format!("the server at `{target}` has no connection slots left"),
            "close other sessions (a running web app, psql) and try again".to_string(),
        ),
        Some(code) if *code == SqlState::CANNOT_CONNECT_NOW => (
            format!("the server at `{target}` is starting up or shutting down"),
            "try again in a moment, or pass --wait to wait for it".to_string(),
        ),
        Some(_) => (
            format!("could not connect to `{target}` as user `{user}`"),
            "check the connection settings: -h, -p and -U, or PGHOST, PGPORT and PGUSER"
                .to_string(),
        ),
        None => (
            format!("could not connect to the server at `{target}` as user `{user}`"),
            "is the server running? set PGHOST and PGPORT, or pass -h and -p; \
             --wait waits for a server that is starting"
                .to_string(),
        ),
    };
    Hinted::new(message, hint).caused_by(err).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_wait_tries_again() {
        let refused = anyhow::Error::new(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context("could not connect");
        assert!(is_retryable(&refused));
        let no_socket = anyhow::Error::new(io::Error::from(io::ErrorKind::NotFound));
        assert!(is_retryable(&no_socket));
        let timed_out: anyhow::Error = Hinted::new("no answer", "wait").caused_by(NoAnswer).into();
        assert!(is_retryable(&timed_out));
        let denied = anyhow::Error::new(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(!is_retryable(&denied));
        assert!(!is_retryable(&anyhow::anyhow!(
            "password authentication failed"
        )));
    }
}
