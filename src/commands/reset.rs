//! `insta485db reset`: rebuild the database and `var/uploads` from `sql/`, from any state.
//!
//! An existing database is rebuilt in place in one transaction (see `inplace`); where that is
//! not possible, a new database is built beside the old one and swapped in at the end. Either
//! way, when anything fails the old database and uploads are exactly as they were.

use std::time::Duration;

use anyhow::Result;

use crate::build::{self, Maintenance, Plan};
use crate::cli::ResetArgs;
use crate::context::Context;
use crate::database::{self, Swapped, TempNames};
use crate::inplace::{self, Attempt};
use crate::uploads;

/// How often `--force` ends the sessions and tries the swap again before giving up.
const FORCE_ATTEMPTS: u32 = 10;

pub async fn run(args: &ResetArgs, ctx: &Context) -> Result<()> {
    let name = ctx.dbname();
    let mut plan = Plan::read(ctx, true)?;
    plan.owner = args.build.owner.clone();
    crate::confirm::confirm(ctx, "drop and rebuild", "reset", args.drop.yes).await?;
    let maint = Maintenance::open(ctx).await?;
    let existed = database::exists(&maint.client, name).await?;
    if existed && !args.drop.force {
        // Fail before the work, not after it.
        let sessions = database::sessions(&maint.client, name).await?;
        if !sessions.is_empty() {
            return Err(database::busy_error(name, &sessions));
        }
    }
    if existed {
        if args.drop.force {
            database::terminate_sessions(&maint.client, name).await?;
        }
        // The in-place rebuild runs as the connecting user; an --owner build goes beside.
        if plan.owner.is_none() && rebuild_in_place(ctx, &plan).await? {
            return Ok(());
        }
    }
    let built = build::build(ctx, &maint, &plan).await?;

    let critical = ctx.interrupt.critical();
    let temp = TempNames::for_database(name);
    let swapped = if existed {
        swap_in(args, &maint, &built.database, name, &temp.retired).await
    } else {
        database::install(&maint.client, &built.database, name).await
    };
    if let Err(err) = swapped {
        build::abandon(ctx, &maint).await;
        return Err(err);
    }
    // The old database waits as `retired` until the new uploads are in place too: should
    // they fail, it is swapped back, so the database and `var/uploads` still go together.
    let uploads_path = ctx.project.uploads();
    if let Err(err) = uploads::install(&built.staging, &uploads_path, &|p| ctx.project.shown(p)) {
        let undone = if existed {
            swap_in(args, &maint, &temp.retired, name, &built.database).await
        } else {
            database::install(&maint.client, name, &built.database).await
        };
        return Err(match undone {
            Ok(()) => {
                build::abandon(ctx, &maint).await;
                err
            }
            Err(undo) => err.context(format!(
                "database `{name}` was rebuilt, but its uploads could not be put in place, \
                 and the old database could not be put back ({undo:#}); \
                 run `insta485db reset` again"
            )),
        });
    }
    if existed {
        if let Err(err) = database::drop(&maint.client, &temp.retired, name, true).await {
            ctx.reporter.warn(format!(
                "the old database could not be dropped; the next run drops it: {err:#}"
            ));
        }
    }
    drop(critical);
    ctx.reporter.note(build::summary(
        if existed { "rebuilt" } else { "created" },
        ctx,
        built.tables,
        built.files,
    ));
    Ok(())
}

/// The fast path: rebuild the existing database in one transaction, then swap the uploads.
/// Returns false, having changed nothing, when the database cannot be rebuilt in place.
async fn rebuild_in_place(ctx: &Context, plan: &Plan) -> Result<bool> {
    let uploads_path = ctx.project.uploads();
    let shown = |p: &std::path::Path| ctx.project.shown(p);
    let staging = uploads::stage(&plan.uploads, &uploads_path, &ctx.reporter, &shown)?;
    let pending = match inplace::prepare(ctx, plan).await {
        Ok(Attempt::Ready(pending)) => pending,
        Ok(Attempt::Unsuitable(_)) => return Ok(false),
        Err(err) => {
            let _ = uploads::remove_path(&staging);
            return Err(err);
        }
    };
    let critical = ctx.interrupt.critical();
    let tables = pending.tables;
    // Uploads first, the old folder kept aside: if they cannot go in, the transaction rolls
    // back; if the commit fails (a deferred constraint, say), the old folder comes back.
    let swap = match uploads::swap_in(&staging, &uploads_path, &shown) {
        Ok(swap) => swap,
        Err(err) => {
            let _ = uploads::remove_path(&staging);
            return Err(err);
        }
    };
    if let Err(err) = pending.commit().await {
        return Err(match swap.undo(&shown) {
            Ok(()) => err,
            Err(undo) => err.context(format!("{undo:#}")),
        });
    }
    swap.finish();
    drop(critical);
    ctx.reporter
        .note(build::summary("rebuilt", ctx, tables, plan.uploads.files()));
    Ok(true)
}

/// Rename `from` to `name` and the current `name` to `aside`, in one transaction. Busy
/// sessions on `name` make it fail, unless `--force` ends them.
async fn swap_in(
    args: &ResetArgs,
    maint: &Maintenance,
    from: &str,
    name: &str,
    aside: &str,
) -> Result<()> {
    let mut attempt = 0;
    loop {
        if args.drop.force {
            database::terminate_sessions(&maint.client, name).await?;
        } else {
            // Someone may have connected during the build; the server would wait 5 s for
            // them before refusing the rename.
            let sessions = database::sessions(&maint.client, name).await?;
            if !sessions.is_empty() {
                return Err(database::busy_error(name, &sessions));
            }
        }
        match database::swap(&maint.client, from, name, aside).await? {
            Swapped::Done => return Ok(()),
            Swapped::Busy(_) if args.drop.force && attempt < FORCE_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Swapped::Busy(sessions) => return Err(database::busy_error(name, &sessions)),
        }
    }
}
