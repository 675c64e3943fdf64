//! `insta485db random`: insert random posts, all or nothing.
//!
//! Up to [`STATEMENT_LIMIT`] posts go in one statement, one round trip. More stream through
//! `COPY posts (filename, owner) FROM STDIN` in one transaction, generated in chunks as they are
//! sent, so memory stays flat at any count, and the server does less work than for its own
//! `INSERT ... SELECT FROM generate_series` (see the README). Either way the filenames come from a seeded
//! SplitMix64, so the same seed on the same database inserts the same rows.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use bytes::{BufMut, Bytes, BytesMut};
use futures_util::{pin_mut, SinkExt};
use rand::Rng;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::cli::RandomArgs;
use crate::context::Context;
use crate::database::quote_literal;
use crate::error::Hinted;

/// The four post images of the default data.
pub const POST_IMAGES: [&str; 4] = [
    "122a7d27ca1d7420a1072f695d9290fad4501a41.jpg",
    "ad7790405c539894d25ab8dcf0b79eed3341e109.jpg",
    "9887e06812ef434d291e4936417d125cd594b38a.jpg",
    "2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg",
];

/// The most posts inserted by one `INSERT ... SELECT FROM unnest`; more go through COPY.
pub const STATEMENT_LIMIT: u64 = 10_000;

/// Bytes of COPY data generated before they are handed to the connection.
const CHUNK_BYTES: usize = 128 * 1024;

pub async fn run(args: &RandomArgs, ctx: &Context) -> Result<()> {
    let filenames: Vec<String> = if args.filenames.is_empty() {
        POST_IMAGES.iter().map(|s| s.to_string()).collect()
    } else {
        args.filenames.clone()
    };
    if let Some(bad) = filenames.iter().find(|f| f.is_empty() || f.contains('\0')) {
        return Err(Hinted::new(
            format!("invalid --filename `{}`", bad.escape_debug()),
            "pass a file name such as `photo.jpg`",
        )
        .into());
    }
    let seed = args.seed.unwrap_or_else(|| rand::rng().random());
    let mut client = ctx.connect_managed().await?;
    let mut inserted = insert(&mut client, args, &filenames, seed, Ids::Server, ctx).await;
    if inserted.as_ref().is_err_and(postid_has_no_default) {
        // The schema gives new posts no id (the old script simply failed here): number them
        // ourselves, from the largest id there is, with other inserts held off meanwhile.
        inserted = insert(&mut client, args, &filenames, seed, Ids::Ours, ctx).await;
    }
    let (first, last) = match inserted {
        Ok(Some(range)) => range,
        Ok(None) => {
            check_owner(&client, &args.owner).await?;
            anyhow::bail!("user `{}` disappeared from `users`", args.owner);
        }
        Err(err) if crate::error::sqlstate(&err) == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            check_owner(&client, &args.owner).await?;
            return Err(err.context(format!("could not insert posts into `{}`", ctx.dbname())));
        }
        Err(err) => {
            return Err(err.context(format!("could not insert posts into `{}`", ctx.dbname())))
        }
    };
    ctx.reporter.note(format!(
        "inserted {} owned by `{}` (postid {first} to {last}), seed {seed}",
        crate::progress::plural(args.count, "post", "posts"),
        args.owner,
    ));
    Ok(())
}

/// Who numbers the new posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ids {
    /// The server, from the column's default (an identity or a sequence): the usual case.
    Server,
    /// We do, from `max(postid) + 1`, with `posts` locked against other inserts until the
    /// commit: for a schema whose `postid` has no default.
    Ours,
}

/// Lock that keeps others from inserting into `posts` (readers go on) while we number posts.
const LOCK_POSTS: &str = "LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE";

/// Insert `args.count` posts, by one statement or by COPY. `None` when the owner is not a user.
async fn insert(
    client: &mut Client,
    args: &RandomArgs,
    filenames: &[String],
    seed: u64,
    ids: Ids,
    ctx: &Context,
) -> Result<Option<(i64, i64)>> {
    let picks = Picks::new(seed, filenames.len());
    if args.count <= STATEMENT_LIMIT {
        insert_statement(client, args, filenames, picks, ids, ctx)
            .await
            .map(Some)
    } else {
        insert_copy(client, args, filenames, picks, ids, ctx).await
    }
}

/// Did the insert fail because `posts.postid` has no default to fill it?
fn postid_has_no_default(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(tokio_postgres::Error::as_db_error)
            .is_some_and(|db| {
                *db.code() == SqlState::NOT_NULL_VIOLATION
                    && db.table() == Some("posts")
                    && db.column() == Some("postid")
            })
    })
}

/// The filename of each new post, in order: an index into the list, from a seeded SplitMix64
/// (a fixed algorithm, so a seed means the same rows in every version of this tool).
pub struct Picks {
    state: u64,
    choices: usize,
}

impl Picks {
    pub fn new(seed: u64, choices: usize) -> Picks {
        Picks {
            state: seed,
            choices,
        }
    }
}

impl Iterator for Picks {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // Lemire's multiply-shift: an index below `choices` without a division.
        Some(((u128::from(z) * self.choices as u128) >> 64) as usize)
    }
}

/// Few posts: one statement, sent with its parameter types, in a transaction of its own. The
/// transaction matters: the server finishes a statement even after the client is gone, and a
/// statement on its own would then commit by itself. Here nothing commits until we say so.
async fn insert_statement(
    client: &Client,
    args: &RandomArgs,
    filenames: &[String],
    picks: Picks,
    ids: Ids,
    ctx: &Context,
) -> Result<(i64, i64)> {
    let chosen: Vec<&str> = picks
        .take(args.count as usize)
        .map(|i| filenames[i].as_str())
        .collect();
    let (begin, insert) = match ids {
        Ids::Server => (
            "BEGIN".to_string(),
            "INSERT INTO posts (filename, owner) \
             SELECT f, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(f, i) ORDER BY i",
        ),
        Ids::Ours => (
            format!("BEGIN; {LOCK_POSTS}"),
            "INSERT INTO posts (postid, filename, owner) \
             SELECT (SELECT coalesce(max(postid), 0) FROM posts) + i, f, $2 \
             FROM unnest($1::text[]) WITH ORDINALITY AS u(f, i) ORDER BY i",
        ),
    };
    let sql = format!(
        "WITH inserted AS ({insert} RETURNING postid) \
         SELECT min(postid)::bigint, max(postid)::bigint FROM inserted"
    );
    // BEGIN and the insert go out together: one round trip.
    let (begun, inserted) = futures_util::future::join(
        client.batch_execute(&begin),
        client.query_typed_one(
            &sql,
            &[(&chosen, Type::TEXT_ARRAY), (&args.owner, Type::TEXT)],
        ),
    )
    .await;
    begun?;
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(err.into());
        }
    };
    let first: Option<i64> = row.try_get(0)?;
    let last: Option<i64> = row.try_get(1)?;
    {
        // Once COMMIT is sent, wait for its answer: a signal now must not report "nothing was
        // changed" about rows that are in.
        let _critical = ctx.interrupt.critical();
        client.batch_execute("COMMIT").await?;
    }
    Ok((first.unwrap_or_default(), last.unwrap_or_default()))
}

/// Many posts: by COPY, in one transaction that commits only when every row is in. `None`
/// when the owner is not a user.
async fn insert_copy(
    client: &mut Client,
    args: &RandomArgs,
    filenames: &[String],
    picks: Picks,
    ids: Ids,
    ctx: &Context,
) -> Result<Option<(i64, i64)>> {
    let owner = copy_text(&args.owner);
    // Each possible row of COPY text, built once.
    let lines: Vec<Vec<u8>> = filenames
        .iter()
        .map(|f| format!("{}\t{owner}\n", copy_text(f)).into_bytes())
        .collect();
    let bar = ctx.reporter.bar(args.count, "inserting", false);

    let transaction = client.transaction().await?;
    // Take the lock that each row's foreign-key check takes on the owner, once, up front: it
    // checks that the owner exists, and the checks then find it held. Measured on a million
    // rows (server CPU, see the README): this makes the COPY about 10% cheaper, but only when
    // sent as a simple query; through the extended protocol (a portal left open until the
    // transaction ends) it makes it about 25% dearer. Likewise nothing may call `nextval` on
    // the postid sequence before the COPY: that costs about 15% more.
    let lock = format!(
        "SELECT 1 FROM users WHERE username = {} FOR KEY SHARE",
        quote_literal(&args.owner)
    );
    let owner_found = transaction
        .simple_query(&lock)
        .await?
        .iter()
        .any(|m| matches!(m, SimpleQueryMessage::Row(_)));
    if !owner_found {
        return Ok(None);
    }
    if ids == Ids::Ours {
        transaction.batch_execute(LOCK_POSTS).await?;
    }
    let before: i64 = transaction
        .query_typed_one("SELECT coalesce(max(postid), 0)::bigint FROM posts", &[])
        .await?
        .try_get(0)?;

    let copy = match ids {
        Ids::Server => "COPY posts (filename, owner) FROM STDIN",
        Ids::Ours => "COPY posts (postid, filename, owner) FROM STDIN",
    };
    let sink = transaction.copy_in::<_, Bytes>(copy).await?;
    pin_mut!(sink);
    let mut picks = picks.take(args.count as usize).peekable();
    let mut chunk = BytesMut::with_capacity(CHUNK_BYTES + 1024);
    let mut next_id = before;
    while picks.peek().is_some() {
        let mut rows = 0;
        for pick in picks.by_ref() {
            if ids == Ids::Ours {
                next_id += 1;
                // Writing to a BytesMut cannot fail.
                let _ = write!(chunk, "{next_id}\t");
            }
            chunk.put_slice(&lines[pick]);
            rows += 1;
            if chunk.len() >= CHUNK_BYTES {
                break;
            }
        }
        sink.send(chunk.split().freeze()).await?;
        bar.inc(rows);
    }
    // The server checks each row's owner after the last one arrives: most of the time.
    bar.set_message("checking");
    sink.as_mut().finish().await?;

    // Our rows are the ones above `before` that this transaction wrote.
    let row = transaction
        .query_typed_one(
            "SELECT min(postid)::bigint, max(postid)::bigint FROM posts \
             WHERE postid > $1 AND xmin = (txid_current() % 4294967296)::text::xid",
            &[(&before, Type::INT8)],
        )
        .await?;
    let first: Option<i64> = row.try_get(0)?;
    let last: Option<i64> = row.try_get(1)?;
    {
        // Once COMMIT is sent, wait for its answer: a signal now must not report "nothing was
        // changed" about posts that are in.
        let _critical = ctx.interrupt.critical();
        transaction.commit().await?;
    }
    bar.finish_and_clear();
    Ok(Some((first.unwrap_or_default(), last.unwrap_or_default())))
}

/// A value in COPY's text format: backslash, tab and line breaks escaped.
fn copy_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// The owner must be a user of the database; say which users there are when it is not.
async fn check_owner(client: &Client, owner: &str) -> Result<()> {
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
        .map(|r| r.try_get::<_, String>(0).map(|name| format!("`{name}`")))
        .collect::<Result<_, _>>()
        .context("could not read the list of users")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_fixed_by_the_seed() {
        let a: Vec<usize> = Picks::new(42, 4).take(20).collect();
        let b: Vec<usize> = Picks::new(42, 4).take(20).collect();
        let c: Vec<usize> = Picks::new(43, 4).take(20).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|&i| i < 4));
        // The algorithm is part of the promise: these must never change.
        assert_eq!(
            Picks::new(0, 1 << 16).take(3).collect::<Vec<_>>(),
            [0xe220, 0x6e78, 0x06c4]
        );
    }

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        assert_eq!(copy_text("a\\b\tc\nd\re"), "a\\\\b\\tc\\nd\\re");
    }
}
