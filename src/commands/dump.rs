//! `insta485db dump`: print the tables of the database on stdout.

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result};

use crate::cli::{DumpArgs, DumpFormat};
use crate::context::Context;
use crate::dump::{self, expanded, json, table};

pub async fn run(args: &DumpArgs, ctx: &Context) -> Result<()> {
    let client = ctx.connect_managed().await?;
    dump::begin_snapshot(&client).await?;
    let tables = dump::select(dump::tables(&client).await?, &args.tables, ctx.dbname())?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    match args.format {
        DumpFormat::Table => {
            let width = if terminal {
                comfy_table::Table::new().width()
            } else {
                None
            };
            for (i, t) in tables.iter().enumerate() {
                let mut rows = table::Rows::new(t.columns.len());
                dump::for_each_row(&client, t, |values| {
                    rows.push(values);
                    Ok(())
                })
                .await?;
                if i > 0 {
                    writeln!(out).context(WRITE)?;
                }
                match width {
                    Some(width) => out
                        .write_all(table::render_terminal(t, &rows, width).as_bytes())
                        .context(WRITE)?,
                    None => table::write_plain(&mut out, t, &rows).context(WRITE)?,
                }
            }
        }
        DumpFormat::Expanded => {
            for (i, t) in tables.iter().enumerate() {
                if i > 0 {
                    writeln!(out).context(WRITE)?;
                }
                let mut records = expanded::Records::start(&mut out, t).context(WRITE)?;
                dump::for_each_row(&client, t, |values| {
                    records.write(&mut out, values).context(WRITE)
                })
                .await?;
                records.finish(&mut out).context(WRITE)?;
            }
        }
        DumpFormat::Csv => {
            let sections = tables.len() > 1;
            for (i, t) in tables.iter().enumerate() {
                dump::csv::write_table(&client, &mut out, t, sections, i == 0).await?;
            }
        }
        DumpFormat::Json => {
            let mut document = json::Document::start(&mut out).context(WRITE)?;
            for t in &tables {
                let mut rows = document.table(&mut out, t).context(WRITE)?;
                dump::for_each_row(&client, t, |values| {
                    rows.write(&mut out, values).context(WRITE)
                })
                .await?;
                rows.finish(&mut out).context(WRITE)?;
            }
            document.finish(&mut out).context(WRITE)?;
        }
    }
    out.flush().context(WRITE)?;
    Ok(())
}

const WRITE: &str = "could not write the dump to stdout";
