//! `insta485db random`: insert random posts, all in one statement, all or nothing.

use anyhow::{Context as _, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::cli::RandomArgs;
use crate::context::Context;
use crate::error::Hinted;

/// The four post images of the default data.
pub const POST_IMAGES: [&str; 4] = [
    "122a7d27ca1d7420a1072f695d9290fad4501a41.jpg",
    "ad7790405c539894d25ab8dcf0b79eed3341e109.jpg",
    "9887e06812ef434d291e4936417d125cd594b38a.jpg",
    "2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg",
];

pub async fn run(args: &RandomArgs, ctx: &Context) -> Result<()> {
    let filenames: Vec<String> = if args.filenames.is_empty() {
        POST_IMAGES.iter().map(|s| s.to_string()).collect()
    } else {
        args.filenames.clone()
    };
    if let Some(bad) = filenames.iter().find(|f| f.is_empty() || f.contains('\0')) {
        anyhow::bail!("invalid --filename `{}`", bad.escape_debug());
    }
    let seed = args.seed.unwrap_or_else(|| rand::rng().random());
    let mut rng = StdRng::seed_from_u64(seed);
    let picks: Vec<&str> = (0..args.count)
        .map(|_| filenames[rng.random_range(0..filenames.len())].as_str())
        .collect();

    let mut client = ctx.connect_managed().await?;
    check_owner(&client, &args.owner).await?;
    // An explicit transaction, committed only once the insert has answered: when Ctrl-C
    // drops the connection mid-insert, the server finishes the statement on its own, and in
    // autocommit it would keep the rows although we say nothing was changed.
    let tx = client
        .transaction()
        .await
        .with_context(|| format!("could not insert posts into `{}`", ctx.dbname()))?;
    let row = tx
        .query_one(
            "WITH inserted AS ( \
                 INSERT INTO posts (filename, owner) \
                 SELECT f, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(f, i) ORDER BY i \
                 RETURNING postid) \
             SELECT count(*), min(postid)::bigint, max(postid)::bigint FROM inserted",
            &[&picks, &args.owner],
        )
        .await
        .with_context(|| format!("could not insert posts into `{}`", ctx.dbname()))?;
    let critical = ctx.interrupt.critical();
    tx.commit()
        .await
        .with_context(|| format!("could not insert posts into `{}`", ctx.dbname()))?;
    drop(critical);
    let (count, first, last): (i64, Option<i64>, Option<i64>) =
        (row.get(0), row.get(1), row.get(2));
    ctx.reporter.note(format!(
        "inserted {count} posts owned by `{}` (postid {} to {}), seed {seed}",
        args.owner,
        first.unwrap_or_default(),
        last.unwrap_or_default()
    ));
    Ok(())
}

/// The owner must be a user of the database; say which users there are when it is not.
async fn check_owner(client: &tokio_postgres::Client, owner: &str) -> Result<()> {
    let found = client
        .query_opt("SELECT 1 FROM users WHERE username = $1", &[&owner])
        .await
        .context("could not look up the owner in `users`")?;
    if found.is_some() {
        return Ok(());
    }
    let rows = client
        .query("SELECT username FROM users ORDER BY username LIMIT 11", &[])
        .await
        .context("could not list the users")?;
    let mut names: Vec<String> = rows
        .iter()
        .take(10)
        .map(|r| format!("`{}`", r.get::<_, String>(0)))
        .collect();
    if rows.len() > 10 {
        names.push("...".into());
    }
    let hint = if names.is_empty() {
        "the `users` table is empty: run `insta485db reset` for the default users".to_string()
    } else {
        format!("pass --owner with one of: {}", names.join(", "))
    };
    Err(Hinted::new(format!("user `{owner}` does not exist in `users`"), hint).into())
}
