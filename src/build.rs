//! Building a database and its uploads folder beside the live ones, then putting them in
//! place: what `empty`, `create` and `reset` share.

use anyhow::{Context as _, Result};
use tokio_postgres::Client;

use crate::context::Context;
use crate::database::{self, TempNames};
use crate::sqlfile::{self, SqlFile};
use crate::uploads;

/// Everything read and checked before the server is touched.
pub struct Plan {
    pub schema: SqlFile,
    pub data: Option<SqlFile>,
    /// What to copy into `var/uploads` (nothing for `empty`).
    pub uploads: uploads::Plan,
    /// `--owner`: the role that owns the new database and what the SQL files create.
    pub owner: Option<String>,
}

impl Plan {
    /// Read `sql/schema.sql` (and `sql/data.sql` and `sql/uploads` when `with_data`), so that
    /// a missing or broken file stops the run before anything changes.
    pub fn read(ctx: &Context, with_data: bool) -> Result<Plan> {
        ctx.project.require_sql()?;
        let shown = |p: &std::path::Path| ctx.project.shown(p);
        let schema_path = ctx.project.schema();
        let schema = SqlFile::read(&schema_path, &shown(&schema_path))?;
        if schema.statements.is_empty() {
            anyhow::bail!("`{}` holds no SQL statements", shown(&schema_path));
        }
        let (data, uploads) = if with_data {
            let data_path = ctx.project.data();
            let data = SqlFile::read(&data_path, &shown(&data_path))?;
            let uploads = uploads::plan(&ctx.project.uploads_source(), &shown)?;
            for skipped in &uploads.skipped {
                ctx.reporter.warn(skipped);
            }
            (Some(data), uploads)
        } else {
            (None, uploads::Plan::default())
        };
        Ok(Plan {
            schema,
            data,
            uploads,
            owner: None,
        })
    }

    pub fn files(&self) -> Vec<&SqlFile> {
        std::iter::once(&self.schema)
            .chain(self.data.as_ref())
            .collect()
    }
}

/// A connection to the maintenance database holding the lock on the managed name, with the
/// leftovers of earlier interrupted runs cleaned up.
pub struct Maintenance {
    pub client: Client,
}

impl Maintenance {
    pub async fn open(ctx: &Context) -> Result<Maintenance> {
        Maintenance::open_with(ctx, ctx.reporter.quiet).await
    }

    async fn open_with(ctx: &Context, quiet: bool) -> Result<Maintenance> {
        let client = crate::connect::connect_maintenance(&ctx.settings).await?;
        let name = ctx.dbname();
        database::lock(&client, name, quiet).await?;
        // Runs on other database names may share this project's `var/uploads` and its
        // staging folders: lock the project folder too (always second, so no deadlock).
        let root = &ctx.project.root;
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        database::lock(&client, &root.display().to_string(), quiet).await?;
        // Only a run that got the locks can leave anything behind.
        ctx.interrupt.mark_cleanup_needed();
        database::drop_leftovers(&client, name).await?;
        let uploads = ctx.project.uploads();
        let kept = uploads::recover(&uploads).with_context(|| {
            format!(
                "could not clean up after an earlier run beside `{}`",
                ctx.project.shown(&uploads)
            )
        })?;
        if let Some(kept) = kept {
            ctx.reporter
                .warn(uploads::kept_warning(&kept, &|p| ctx.project.shown(p)));
        }
        Ok(Maintenance { client })
    }
}

/// A database and uploads folder built under temporary names, not yet in place.
pub struct Built {
    pub database: String,
    pub staging: std::path::PathBuf,
    pub tables: usize,
    pub files: u64,
}

/// Build the new database and uploads under temporary names. On failure, nothing is left.
pub async fn build(ctx: &Context, maint: &Maintenance, plan: &Plan) -> Result<Built> {
    let temp = TempNames::for_database(ctx.dbname());
    let var = ctx.project.var();
    let had_var = std::fs::symlink_metadata(&var).is_ok();
    let result = build_inner(ctx, maint, plan, &temp.building).await;
    if result.is_err() {
        abandon(ctx, maint).await;
        if !had_var {
            // Staging made `var/`; a failed run leaves the project as it found it. Only an
            // empty folder is removed.
            let _ = std::fs::remove_dir(&var);
        }
    }
    result
}

async fn build_inner(
    ctx: &Context,
    maint: &Maintenance,
    plan: &Plan,
    building: &str,
) -> Result<Built> {
    let name = ctx.dbname();
    let shown = |p: &std::path::Path| ctx.project.shown(p);
    if let Some(owner) = &plan.owner {
        crate::owner::check(&maint.client, owner).await?;
    }
    // Files first: an unwritable `var/` is found before the server is touched.
    let staging = uploads::stage(&plan.uploads, &ctx.project.uploads(), &ctx.reporter, &shown)?;

    database::create(&maint.client, building, name).await?;
    if let Some(owner) = &plan.owner {
        crate::owner::give_database(&maint.client, building, name, owner).await?;
    }
    let loader = crate::connect::connect(&ctx.settings, building).await?;
    if let Some(owner) = &plan.owner {
        crate::owner::act_as(&loader, owner).await?;
    }
    let pid: i32 = loader
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .context("could not start loading the new database")?
        .get(0);
    // Each file is one transaction; the new database is not visible until it is renamed,
    // so waiting for the disk on every commit buys nothing.
    loader
        .batch_execute("SET synchronous_commit = off")
        .await
        .context("could not start loading the new database")?;
    sqlfile::run(&loader, &["BEGIN"], &plan.files()).await?;
    loader
        .batch_execute("COMMIT")
        .await
        .context("could not commit the new database")?;
    let tables: i64 = loader
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .await
        .context("could not count the tables of the new database")?
        .get(0);
    drop(loader);
    // A rename fails while any session is still connected to the database.
    database::wait_for_backend_exit(&maint.client, pid).await?;
    Ok(Built {
        database: building.to_string(),
        staging,
        tables: usize::try_from(tables).unwrap_or(0),
        files: plan.uploads.files(),
    })
}

/// Drop what a failed or abandoned build left: the temporary database and staging folder.
pub async fn abandon(ctx: &Context, maint: &Maintenance) {
    if let Err(err) = database::drop_leftovers(&maint.client, ctx.dbname()).await {
        ctx.reporter.warn(format!(
            "could not drop the half-built database; the next run drops it: {err:#}"
        ));
    }
    match uploads::recover(&ctx.project.uploads()) {
        Ok(None) => {}
        Ok(Some(kept)) => ctx
            .reporter
            .warn(uploads::kept_warning(&kept, &|p| ctx.project.shown(p))),
        Err(err) => ctx
            .reporter
            .warn(format!("could not remove the half-copied uploads: {err}")),
    }
}

/// After an interruption: connect again and remove what the abandoned command left.
pub async fn clean_up_after_interrupt(ctx: &Context) -> Result<()> {
    // The lock may be held for a moment yet by the abandoned command's own session, which
    // the server ends only once its statement is done: wait quietly.
    let maint = Maintenance::open_with(ctx, true).await?;
    // A session still running the rest of an abandoned transaction holds its locks until it
    // is done; end it, so that it rolls back now.
    let pids = ctx.interrupt.sessions_to_end();
    if !pids.is_empty() {
        maint
            .client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid",
                &[&pids],
            )
            .await
            .context("could not end the abandoned session")?;
    }
    drop(maint);
    Ok(())
}

/// `empty` and `create`: build a database that must not exist yet, and its uploads folder.
pub async fn create_new(ctx: &Context, with_data: bool, owner: Option<&str>) -> Result<()> {
    let name = ctx.dbname();
    let mut plan = Plan::read(ctx, with_data)?;
    plan.owner = owner.map(str::to_string);
    let maint = Maintenance::open(ctx).await?;
    if database::exists(&maint.client, name).await? {
        return Err(database::already_exists(name).into());
    }
    let uploads_path = ctx.project.uploads();
    if uploads::is_nonempty_dir(&uploads_path) {
        return Err(crate::error::Hinted::new(
            format!(
                "`{}` already holds files, but database `{name}` does not exist",
                ctx.project.shown(&uploads_path)
            ),
            "run `insta485db reset` to rebuild both, or move the files away",
        )
        .into());
    }
    let built = build(ctx, &maint, &plan).await?;
    let critical = ctx.interrupt.critical();
    if let Err(err) = database::install(&maint.client, &built.database, name).await {
        abandon(ctx, &maint).await;
        return Err(err);
    }
    if let Err(err) = uploads::install(&built.staging, &uploads_path, &|p| ctx.project.shown(p)) {
        // No uploads, no database: rename it back, so the clean-up drops it.
        return Err(
            match database::install(&maint.client, name, &built.database).await {
                Ok(()) => {
                    abandon(ctx, &maint).await;
                    err
                }
                Err(undo) => err.context(format!(
                    "database `{name}` was created, but its uploads could not be put in place \
                     ({undo:#}); run `insta485db reset`"
                )),
            },
        );
    }
    drop(critical);
    ctx.reporter
        .note(summary("created", ctx, built.tables, built.files));
    Ok(())
}

/// "created database `insta485` (5 tables) and `var/uploads` (8 files)".
pub fn summary(verb: &str, ctx: &Context, tables: usize, files: u64) -> String {
    format!(
        "{verb} database `{}` ({}) and `{}` ({})",
        ctx.dbname(),
        crate::progress::plural(tables as u64, "table", "tables"),
        ctx.project.shown(&ctx.project.uploads()),
        crate::progress::plural(files, "file", "files"),
    )
}
