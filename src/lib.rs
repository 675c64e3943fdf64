//! `insta485db`: create, reset, dump and fill the insta485 PostgreSQL database.
//!
//! The binary parses the command line with [`cli::Cli`] and calls [`run`]. Commands live in
//! [`commands`], one file each; the work they share lives in modules named for it.

pub mod build;
pub mod cli;
pub mod commands;
pub mod confirm;
pub mod connect;
pub mod context;
pub mod database;
pub mod dump;
pub mod error;
pub mod inplace;
pub mod interrupt;
pub mod libpq;
pub mod owner;
pub mod progress;
pub mod project;
pub mod settings;
pub mod sqlfile;
pub mod tls;
pub mod uploads;

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Run one command line to the end.
pub fn run(cli: Cli) -> Result<()> {
    if let Command::Completions(args) = &cli.command {
        return commands::completions::run(args);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let ctx = Context::new(&cli.global)?;
        let outcome = tokio::select! {
            // A command that finished wins over a signal that came during its last step.
            biased;
            result = commands::run(&cli.command, &ctx) => result,
            signal = ctx.interrupt.wait() => Err(signal.into()),
        };
        if let Err(err) = &outcome {
            if let Some(signal) = err.downcast_ref::<error::Interrupted>() {
                if commands::mutates(&cli.command) && ctx.interrupt.cleanup_needed() {
                    let cleanup = build::clean_up_after_interrupt(&ctx);
                    match tokio::time::timeout(std::time::Duration::from_secs(10), cleanup).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => ctx.reporter.warn(format!("clean-up failed: {e:#}")),
                        Err(_) => ctx.reporter.warn("clean-up timed out"),
                    }
                }
                return Err(anyhow::Error::new(*signal).context(format!(
                    "stopped; nothing was changed in `{}`",
                    ctx.dbname()
                )));
            }
        }
        outcome
    })
}
