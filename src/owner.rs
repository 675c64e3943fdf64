//! `--owner ROLE`: the new database, and everything its SQL files create, belong to ROLE.
//!
//! The cloud setup connects the web app as a role that is not a superuser (`insta485`),
//! while the database is built by an administrator. The role is checked before anything is
//! built; the database is handed to it right after `CREATE DATABASE`, and the SQL files run
//! after `SET ROLE`, so tables and sequences are created by it.

use anyhow::{Context as _, Result};
use tokio_postgres::Client;

use crate::database::quote_ident;
use crate::error::Hinted;

/// Check that `role` exists and that the connected user may act as it (is a member of it,
/// or a superuser).
pub async fn check(client: &Client, role: &str) -> Result<()> {
    let row = client
        .query_opt(
            "SELECT pg_has_role(current_user, oid, 'MEMBER'), current_user::text \
             FROM pg_catalog.pg_roles WHERE rolname = $1",
            &[&role],
        )
        .await
        .with_context(|| format!("could not look up role `{role}`"))?;
    let Some(row) = row else {
        return Err(Hinted::new(
            format!("role `{role}` (--owner) does not exist"),
            format!(
                "create it first, e.g. `CREATE ROLE {} LOGIN PASSWORD '...'`, or check the name",
                quote_ident(role)
            ),
        )
        .into());
    };
    let member: bool = row.get(0);
    let user: String = row.get(1);
    if !member {
        return Err(Hinted::new(
            format!("user `{user}` may not create objects as role `{role}` (--owner)"),
            format!(
                "the connecting user must be a member of the role: run `GRANT {} TO {}` as a \
                 superuser (on AWS RDS, as the master user), or connect as a member with -U",
                quote_ident(role),
                quote_ident(&user)
            ),
        )
        .into());
    }
    Ok(())
}

/// Hand database `name` (just created by the connected user) to `role`.
pub async fn give_database(client: &Client, name: &str, shown_as: &str, role: &str) -> Result<()> {
    client
        .batch_execute(&format!(
            "ALTER DATABASE {} OWNER TO {}",
            quote_ident(name),
            quote_ident(role)
        ))
        .await
        .with_context(|| format!("could not make role `{role}` the owner of database `{shown_as}`"))
}

/// Make everything this session creates belong to `role`.
pub async fn act_as(client: &Client, role: &str) -> Result<()> {
    client
        .batch_execute(&format!("SET ROLE {}", quote_ident(role)))
        .await
        .with_context(|| format!("could not act as role `{role}` (SET ROLE)"))
}
