//! `insta485db dump`: print the tables of the database on stdout.

use std::io::{IsTerminal, Write};

use anyhow::Result;

use crate::cli::DumpArgs;
use crate::context::Context;
use crate::dump;

pub async fn run(args: &DumpArgs, ctx: &Context) -> Result<()> {
    let client = ctx.connect_managed().await?;
    let tables = dump::select(dump::tables(&client).await?, &args.tables, ctx.dbname())?;
    let stdout = std::io::stdout();
    let width = if stdout.is_terminal() {
        comfy_table::Table::new().width()
    } else {
        None
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (i, table) in tables.iter().enumerate() {
        let mut rows: Vec<Vec<Option<String>>> = Vec::new();
        dump::for_each_row(&client, table, |values| {
            rows.push(values.iter().map(|v| v.map(str::to_string)).collect());
            Ok(())
        })
        .await?;
        if i > 0 {
            writeln!(out)?;
        }
        out.write_all(dump::table::render(table, &rows, width).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}
