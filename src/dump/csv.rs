//! The `csv` format: RFC 4180, a header row, written by the server itself (`COPY ... TO STDOUT
//! WITH (FORMAT csv)`) and passed through as it streams, so memory stays flat at any size.
//!
//! NULL is an empty field and the empty string is `""`, as PostgreSQL's own COPY writes and
//! reads them. One table gives plain CSV. Several tables give one section each: a line
//! `# table: NAME`, the header row, the rows, and a blank line before the next section. There
//! the first field of every header and data row is quoted (unless NULL), so a line starting
//! with `#` is always a section line, never data.

use std::io::Write;

use anyhow::{Context as _, Result};
use futures_util::{pin_mut, TryStreamExt};
use tokio_postgres::Client;

use super::Table;

/// Write `table` as CSV: plain when it is the only table (`sections` false), else as a section.
pub async fn write_table(
    client: &Client,
    out: &mut impl Write,
    table: &Table,
    sections: bool,
    first: bool,
) -> Result<()> {
    if sections {
        let mut head = String::new();
        if !first {
            head.push('\n');
        }
        head.push_str(&section_line(&table.name));
        head.push_str(&header_row(table));
        out.write_all(head.as_bytes())
            .context("could not write the dump")?;
    }
    let sql = table.copy_csv_sql(!sections, sections);
    let read = || format!("could not read table `{}`", table.name);
    let stream = client.copy_out(&sql).await.with_context(read)?;
    pin_mut!(stream);
    while let Some(chunk) = stream.try_next().await.with_context(read)? {
        out.write_all(&chunk).context("could not write the dump")?;
    }
    Ok(())
}

/// `# table: NAME` (a line break in the name is written as `\n`, so the line stays one line).
pub fn section_line(name: &str) -> String {
    format!(
        "# table: {}\n",
        name.replace('\r', "\\r").replace('\n', "\\n")
    )
}

/// The header row of a section, its first field always quoted.
fn header_row(table: &Table) -> String {
    let fields: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| field(&c.name, i == 0))
        .collect();
    format!("{}\n", fields.join(","))
}

/// One CSV field, quoted when `quote` or when it holds a comma, quote or line break.
pub fn field(text: &str, quote: bool) -> String {
    if quote || text.is_empty() || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
