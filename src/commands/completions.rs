//! `insta485db completions SHELL`: print a completion script.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write(args.shell, &mut out);
    Ok(())
}

/// The completion script for `shell`, as `completions/` holds it.
pub fn write(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "insta485db", out);
}
