//! `insta485db destroy`: drop the database and remove `var/uploads`, whatever is there.

use anyhow::{Context as _, Result};

use crate::build::Maintenance;
use crate::cli::DropArgs;
use crate::context::Context;
use crate::{database, uploads};

pub async fn run(args: &DropArgs, ctx: &Context) -> Result<()> {
    let name = ctx.dbname();
    crate::confirm::confirm(ctx, "drop", "destroy", args.yes).await?;
    let maint = Maintenance::open(ctx).await?;
    let existed = database::exists(&maint.client, name).await?;
    if existed && !args.force {
        // The server would wait 5 s for the sessions to go before refusing: say it now.
        let sessions = database::sessions(&maint.client, name).await?;
        if !sessions.is_empty() {
            return Err(database::busy_error(name, &sessions));
        }
    }
    // The server finishes a DROP it has started even when we go away, so once it is sent,
    // an interruption waits for the drop and the removal of the uploads to end.
    let critical = ctx.interrupt.critical();
    if existed {
        database::drop(&maint.client, name, name, args.force).await?;
    }
    let uploads_path = ctx.project.uploads();
    let shown = ctx.project.shown(&uploads_path);
    let removed = uploads::remove_path(&uploads_path)
        .with_context(|| format!("could not remove `{shown}`"))?;
    drop(critical);
    ctx.reporter.note(match (existed, removed) {
        (true, true) => format!("dropped database `{name}` and removed `{shown}`"),
        (true, false) => format!("dropped database `{name}`; there was no `{shown}`"),
        (false, true) => format!("removed `{shown}`; there was no database `{name}`"),
        (false, false) => {
            format!("nothing to do: there is no database `{name}` and no `{shown}`")
        }
    });
    Ok(())
}
