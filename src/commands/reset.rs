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
    if existed {
        let temp = TempNames::for_database(name);
        let mut attempt = 0;
        loop {
            if args.drop.force {
                database::terminate_sessions(&maint.client, name).await?;
            }
            match database::swap(&maint.client, &built.database, name, &temp.retired).await {
                Ok(Swapped::Done) => break,
                Ok(Swapped::Busy(_)) if args.drop.force && attempt < FORCE_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(Swapped::Busy(sessions)) => {
                    build::abandon(ctx, &maint).await;
                    return Err(database::busy_error(name, &sessions));
                }
                Err(err) => {
                    build::abandon(ctx, &maint).await;
                    return Err(err);
                }
            }
        }
        if let Err(err) = database::drop(&maint.client, &temp.retired, name, true).await {
            ctx.reporter.warn(format!(
                "the old database could not be dropped; the next run drops it: {err:#}"
            ));
        }
    } else if let Err(err) = database::install(&maint.client, &built.database, name).await {
        build::abandon(ctx, &maint).await;
        return Err(err);
    }
    uploads::install(&built.staging, &ctx.project.uploads(), &|p| {
        ctx.project.shown(p)
    })?;
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
    if let Err(err) = pending.commit().await {
        let _ = uploads::remove_path(&staging);
        return Err(err);
    }
    uploads::install(&staging, &uploads_path, &shown)?;
    drop(critical);
    ctx.reporter
        .note(build::summary("rebuilt", ctx, tables, plan.uploads.files()));
    Ok(true)
}
