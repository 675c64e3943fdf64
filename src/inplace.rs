//! Rebuilding an existing database in place, in one transaction: `reset`'s fast path.
//!
//! PostgreSQL's DDL is transactional, so dropping every user schema, recreating `public` as it
//! was (same owner, same grants) and running `schema.sql` and `data.sql` can all happen in one
//! transaction on one connection: no `CREATE DATABASE` (which copies a whole template and
//! dominates the cost of a rebuild), no `DROP DATABASE`, one commit. Until that commit, every
//! other session still sees the old data; if anything fails, or the process or the server
//! dies, the transaction rolls back and the old database is exactly as it was.
//!
//! When the database cannot be rebuilt this way (the user may not drop its schemas, or a SQL
//! file has a `BEGIN`/`COMMIT` of its own, which would commit our transaction half-way),
//! [`prepare`] says so and `reset` builds a new database beside it instead.

use anyhow::{Context as _, Result};
use tokio_postgres::Client;

use crate::build::Plan;
use crate::context::Context;
use crate::interrupt::Interrupt;
use crate::sqlfile::{self, SqlError};

/// The rebuilt database, its transaction still open.
pub struct Pending {
    client: Client,
    pub tables: usize,
}

impl Pending {
    /// Make the rebuild visible. Until this returns, the old data is what everyone sees.
    pub async fn commit(self) -> Result<()> {
        self.client
            .batch_execute("COMMIT")
            .await
            .context("could not commit the rebuilt database")
    }
}

/// What [`prepare`] found.
pub enum Attempt {
    /// Rebuilt and ready to commit.
    Ready(Pending),
    /// This database cannot be rebuilt in place, for this reason; build a new one instead.
    Unsuitable(anyhow::Error),
}

/// Rebuild the managed database in one transaction and stop just before the commit. An error
/// in the SQL files is returned as such (building a new database would fail the same way);
/// anything else makes the attempt [`Attempt::Unsuitable`].
pub async fn prepare(ctx: &Context, plan: &Plan) -> Result<Attempt> {
    // A file that commits on its own would commit our transaction half-way, and a failure
    // after that could no longer be undone: such files are only run in a new database.
    for file in plan.files() {
        if let Some(line) = file.transaction_control() {
            return Ok(Attempt::Unsuitable(anyhow::anyhow!(
                "`{}` line {line} begins or ends a transaction of its own",
                file.shown
            )));
        }
    }
    let client = match crate::connect::connect(&ctx.settings, ctx.dbname()).await {
        Ok(client) => client,
        Err(err) => return Ok(Attempt::Unsuitable(err)),
    };
    match rebuild(&client, plan, &ctx.interrupt).await {
        Ok(tables) => Ok(Attempt::Ready(Pending { client, tables })),
        // The files are at fault, or the server went away: building beside would fare no
        // better, and the error says what happened.
        Err(err) if err.downcast_ref::<SqlError>().is_some() || connection_lost(&err) => Err(err),
        Err(err) => Ok(Attempt::Unsuitable(err)),
    }
}

async fn rebuild(client: &Client, plan: &Plan, interrupt: &Interrupt) -> Result<usize> {
    // What a fresh database would have: its user schemas gone, `public` owned and granted as
    // it is now (PostgreSQL 15 makes it owned by pg_database_owner; older versions differ).
    let row = client
        .query_one(
            "SELECT \
               (SELECT string_agg(quote_ident(nspname), ', ' ORDER BY nspname) \
                FROM pg_catalog.pg_namespace \
                WHERE nspname NOT IN ('pg_catalog', 'information_schema') \
                  AND nspname NOT LIKE 'pg\\_%'), \
               (SELECT quote_ident(pg_catalog.pg_get_userbyid(nspowner)) \
                FROM pg_catalog.pg_namespace WHERE nspname = 'public'), \
               (SELECT array_agg(format('GRANT %s ON SCHEMA public TO %s', a.privilege_type, \
                         CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
                              ELSE quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END) \
                       ORDER BY a.grantee, a.privilege_type) \
                FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a \
                WHERE n.nspname = 'public' AND a.grantee <> n.nspowner), \
               pg_backend_pid()",
            &[],
        )
        .await
        .context("could not read the schemas of the database")?;
    let schemas: Option<String> = row.try_get(0)?;
    let owner: Option<String> = row.try_get(1)?;
    let grants: Option<Vec<String>> = row.try_get(2)?;
    interrupt.end_session_on_interrupt(row.try_get(3)?);

    let mut prelude: Vec<String> = vec![
        "BEGIN".into(),
        // Another session holding a lock would make us wait forever; give up instead.
        "SET LOCAL lock_timeout = '10s'".into(),
    ];
    if let Some(schemas) = schemas {
        prelude.push(format!("DROP SCHEMA {schemas} CASCADE"));
    }
    prelude.push(match owner {
        Some(owner) => format!("CREATE SCHEMA public AUTHORIZATION {owner}"),
        None => "CREATE SCHEMA public".into(),
    });
    prelude.extend(grants.unwrap_or_default());
    let prelude: Vec<&str> = prelude.iter().map(String::as_str).collect();

    sqlfile::run(client, &prelude, &plan.files()).await?;
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .context("could not count the tables of the rebuilt database")?
        .get(0);
    Ok(usize::try_from(tables).unwrap_or(0))
}

/// Did the connection to the server close under us?
fn connection_lost(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .is_some_and(tokio_postgres::Error::is_closed)
    })
}
