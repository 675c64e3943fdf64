//! Reading tables for `dump`: which tables there are, their columns and key, and their rows
//! in a stable order, as the server renders them (psql's text).

pub mod csv;
pub mod expanded;
pub mod json;
pub mod table;

use anyhow::{Context, Result};
use futures_util::{pin_mut, TryStreamExt};
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::database::quote_ident;
use crate::error::Hinted;

/// Server settings for every dump: psql's defaults on a stock server, set explicitly so that the
/// output does not depend on how the server or the role is configured. `TimeZone` is left as the
/// server has it, as psql does, so `timestamptz` values read as they do in psql.
pub const SESSION_SETTINGS: &str = "SET DateStyle = 'ISO, MDY'; \
     SET IntervalStyle = 'postgres'; \
     SET bytea_output = 'hex'; \
     SET extra_float_digits = 1";

/// Use psql's settings and read every table from one snapshot, so that a dump taken while the
/// app writes is consistent across tables.
pub async fn begin_snapshot(client: &Client) -> Result<()> {
    client
        .batch_execute(&format!(
            "{SESSION_SETTINGS}; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        ))
        .await
        .context("could not start a read-only transaction for the dump")
}

/// A column: its name, type name (as `format_type` gives it) and type oid (for a domain, the
/// oid of the type it is based on).
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub type_name: String,
    pub type_oid: u32,
}

/// A table of the `public` schema.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Primary-key columns in key order; empty when the table has none.
    pub key: Vec<String>,
}

impl Table {
    /// `SELECT * FROM "t" ORDER BY <key>`: rows in primary-key order, or, for a table without
    /// one, by every column's text, so that two dumps of the same data are identical.
    pub fn select_sql(&self) -> String {
        let order = if self.key.is_empty() {
            format!("{}::text COLLATE \"C\"", quote_ident("t"))
        } else {
            self.key
                .iter()
                .map(|k| quote_ident(k))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "SELECT * FROM public.{} AS t ORDER BY {order}",
            quote_ident(&self.name)
        )
    }
}

impl Table {
    /// `COPY (<select_sql>) TO STDOUT` in CSV. `header` asks the server for the header row;
    /// `quote_first` quotes every non-NULL value of the first column, so that no data line can
    /// begin with `#` (see [`csv`]).
    pub fn copy_csv_sql(&self, header: bool, quote_first: bool) -> String {
        let mut options = String::from("FORMAT csv");
        if header {
            options.push_str(", HEADER");
        }
        if let (true, Some(first)) = (quote_first, self.columns.first()) {
            options.push_str(&format!(", FORCE_QUOTE ({})", quote_ident(&first.name)));
        }
        format!("COPY ({}) TO STDOUT WITH ({options})", self.select_sql())
    }
}

/// The tables of the `public` schema, by name in byte order, with columns and keys.
pub async fn tables(client: &Client) -> Result<Vec<Table>> {
    let rows = client
        .query(
            "SELECT c.relname::text, \
                    array(SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                          ORDER BY a.attnum), \
                    array(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a \
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                          ORDER BY a.attnum), \
                    array(SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END \
                          FROM pg_catalog.pg_attribute a \
                          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                          ORDER BY a.attnum), \
                    array(SELECT a.attname::text \
                          FROM pg_catalog.pg_index i \
                          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
                          JOIN pg_catalog.pg_attribute a \
                            ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                          WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord) \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
             ORDER BY c.relname COLLATE \"C\"",
            &[],
        )
        .await
        .context("could not list the tables")?;
    rows.iter()
        .map(|row| {
            let names: Vec<String> = row.try_get(1)?;
            let types: Vec<String> = row.try_get(2)?;
            let oids: Vec<u32> = row.try_get(3)?;
            Ok(Table {
                name: row.try_get(0)?,
                columns: names
                    .into_iter()
                    .zip(types)
                    .zip(oids)
                    .map(|((name, type_name), type_oid)| Column {
                        name,
                        type_name,
                        type_oid,
                    })
                    .collect(),
                key: row.try_get(4)?,
            })
        })
        .collect::<Result<Vec<Table>, tokio_postgres::Error>>()
        .context("could not read the list of tables")
}

/// Keep the tables named in `wanted` (all when empty), in the order of `all`. An unknown name
/// is an error that lists the tables there are.
pub fn select(all: Vec<Table>, wanted: &[String], dbname: &str) -> Result<Vec<Table>> {
    if let Some(unknown) = wanted.iter().find(|w| !all.iter().any(|t| &t.name == *w)) {
        let names: Vec<String> = all.iter().map(|t| format!("`{}`", t.name)).collect();
        let hint = if names.is_empty() {
            format!("database `{dbname}` has no tables: run `insta485db reset`")
        } else {
            format!("the tables are {}", names.join(", "))
        };
        return Err(
            Hinted::new(format!("no table `{unknown}` in database `{dbname}`"), hint).into(),
        );
    }
    if wanted.is_empty() {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|t| wanted.contains(&t.name))
        .collect())
}

/// Stream the rows of `table` as text (NULL as `None`), calling `each` for every row.
pub async fn for_each_row(
    client: &Client,
    table: &Table,
    mut each: impl FnMut(&[Option<&str>]) -> Result<()>,
) -> Result<u64> {
    let stream = client
        .simple_query_raw(&table.select_sql())
        .await
        .with_context(|| format!("could not read table `{}`", table.name))?;
    pin_mut!(stream);
    let mut count = 0;
    while let Some(message) = stream
        .try_next()
        .await
        .with_context(|| format!("could not read table `{}`", table.name))?
    {
        if let SimpleQueryMessage::Row(row) = message {
            let values = (0..row.len())
                .map(|i| row.try_get(i))
                .collect::<Result<Vec<Option<&str>>, _>>()?;
            each(&values)?;
            count += 1;
        }
    }
    Ok(count)
}

/// "1 row", "7 rows".
pub fn rows_label(count: u64) -> String {
    crate::progress::plural(count, "row", "rows")
}
