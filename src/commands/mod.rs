//! One file per subcommand, each with one entry point; this table lists them all.

pub mod completions;
pub mod create;
pub mod destroy;
pub mod dump;
pub mod empty;
pub mod random;
pub mod reset;
pub mod status;

use anyhow::Result;

use crate::cli::Command;
use crate::context::Context;

/// Run `command`.
pub async fn run(command: &Command, ctx: &Context) -> Result<()> {
    match command {
        Command::Empty(args) => empty::run(args, ctx).await,
        Command::Create(args) => create::run(args, ctx).await,
        Command::Destroy(args) => destroy::run(args, ctx).await,
        Command::Reset(args) => reset::run(args, ctx).await,
        Command::Dump(args) => dump::run(args, ctx).await,
        Command::Random(args) => random::run(args, ctx).await,
        Command::Status => status::run(ctx).await,
        Command::Completions(args) => completions::run(args),
    }
}

/// Commands that change databases or files, and so clean up after an interruption.
pub fn mutates(command: &Command) -> bool {
    matches!(
        command,
        Command::Empty(_) | Command::Create(_) | Command::Destroy(_) | Command::Reset(_)
    )
}
