//! `insta485db status`: which server, as whom, from which settings, and what is there.
//!
//! Prints the connection settings with where each came from, then what the server says:
//! its version, whether the connection uses TLS, whether the database exists and what its
//! tables hold, and how many files `var/uploads` has. Never the password. Exits 0 when the
//! server answers (whether or not the database exists), 1 when it cannot be reached.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context as _, Result};
use tokio_postgres::Client;

use crate::context::Context;
use crate::database::{self, quote_ident};
use crate::settings::{Settings, SslMode};

pub async fn run(ctx: &Context) -> Result<()> {
    let mut out = settings_report(&ctx.settings);
    let uploads = ctx.project.uploads();
    let _ = writeln!(
        out,
        "{:<12} {}",
        "uploads:",
        match count_files(&uploads) {
            Some(n) => format!(
                "`{}`: {}",
                ctx.project.shown(&uploads),
                crate::progress::plural(n, "file", "files")
            ),
            None => format!("`{}` does not exist", ctx.project.shown(&uploads)),
        }
    );
    print(&out)?;

    let maint = match crate::connect::connect_maintenance(&ctx.settings).await {
        Ok(client) => client,
        Err(err) => {
            print(&format!("{:<12} not reachable\n", "server:"))?;
            return Err(err);
        }
    };
    let mut out = String::new();
    server_report(&maint, &mut out).await?;
    let name = ctx.dbname();
    if !database::exists(&maint, name).await? {
        let _ = writeln!(out, "{:<12} `{name}` does not exist", "database:");
        print(&out)?;
        return Ok(());
    }
    match crate::connect::connect(&ctx.settings, name).await {
        Ok(client) => tables_report(&client, name, &mut out).await?,
        Err(err) => {
            let _ = writeln!(
                out,
                "{:<12} `{name}` exists, but cannot be opened: {}",
                "database:",
                crate::error::render(&err).trim_end().replace('\n', "; ")
            );
        }
    }
    print(&out)
}

fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The settings part: each value and where it came from. Never the password.
pub fn settings_report(settings: &Settings) -> String {
    let mut out = String::new();
    let hosts: Vec<String> = settings
        .hosts
        .value
        .iter()
        .map(ToString::to_string)
        .collect();
    let ports: Vec<String> = {
        let mut ports: Vec<String> = settings.ports.iter().map(u16::to_string).collect();
        ports.dedup();
        ports
    };
    let mut line = |label: &str, value: String, source: String| {
        let _ = writeln!(out, "{:<12} {value} ({source})", format!("{label}:"));
    };
    line("host", hosts.join(","), settings.hosts.source.to_string());
    line("port", ports.join(","), settings.port.source.to_string());
    line(
        "user",
        settings.user.value.clone(),
        settings.user.source.to_string(),
    );
    line(
        "database",
        settings.dbname.value.clone(),
        settings.dbname.source.to_string(),
    );
    let tls = &settings.tls;
    let sslmode_note = if settings.hosts.value.iter().all(|h| h.is_socket()) {
        ", unused over a socket"
    } else {
        ""
    };
    line(
        "sslmode",
        tls.mode.value.to_string(),
        format!("{}{sslmode_note}", tls.mode.source),
    );
    if let Some(root) = &tls.root_cert {
        line(
            "sslrootcert",
            root.value.to_string(),
            root.source.to_string(),
        );
    } else if tls.mode.value != SslMode::Disable && sslmode_note.is_empty() {
        line(
            "sslrootcert",
            "none".into(),
            "the server's certificate is not verified".into(),
        );
    }
    if let Some(cert) = &tls.client_cert {
        line(
            "sslcert",
            cert.value.display().to_string(),
            cert.source.to_string(),
        );
    }
    let password = match settings.password_source() {
        Some(source) => format!("set (from {source})"),
        None => "none".to_string(),
    };
    let _ = writeln!(out, "{:<12} {password}", "password:");
    out
}

async fn server_report(client: &Client, out: &mut String) -> Result<()> {
    let row = client
        .query_one(
            "SELECT current_setting('server_version'), \
                    coalesce((SELECT ssl FROM pg_catalog.pg_stat_ssl \
                              WHERE pid = pg_backend_pid()), false), \
                    (SELECT version FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid())",
            &[],
        )
        .await
        .context("could not ask the server for its version")?;
    let version: String = row.get(0);
    let ssl: bool = row.get(1);
    let protocol: Option<String> = row.get(2);
    let _ = writeln!(out, "{:<12} PostgreSQL {version}", "server:");
    let _ = writeln!(
        out,
        "{:<12} {}",
        "tls:",
        if ssl {
            format!("yes ({})", protocol.unwrap_or_else(|| "TLS".into()))
        } else {
            "no".to_string()
        }
    );
    Ok(())
}

async fn tables_report(client: &Client, name: &str, out: &mut String) -> Result<()> {
    let tables: Vec<String> = client
        .query(
            "SELECT tablename::text FROM pg_catalog.pg_tables \
             WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .with_context(|| format!("could not list the tables of `{name}`"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let _ = writeln!(
        out,
        "{:<12} `{name}` exists, {}",
        "database:",
        crate::progress::plural(tables.len() as u64, "table", "tables")
    );
    let width = tables.iter().map(String::len).max().unwrap_or(0);
    for table in &tables {
        let count = client
            .query_one(
                &format!("SELECT count(*) FROM public.{}", quote_ident(table)),
                &[],
            )
            .await;
        let shown = match count {
            Ok(row) => crate::progress::plural(row.get::<_, i64>(0) as u64, "row", "rows"),
            Err(err) => format!(
                "not readable ({})",
                crate::error::render(&err.into())
                    .lines()
                    .last()
                    .unwrap_or("error")
                    .trim()
            ),
        };
        let _ = writeln!(out, "  {table:<width$}  {shown}");
    }
    Ok(())
}

/// The number of entries in a folder, `None` when it does not exist.
fn count_files(dir: &std::path::Path) -> Option<u64> {
    std::fs::read_dir(dir)
        .ok()
        .map(|entries| entries.filter_map(Result::ok).count() as u64)
}
