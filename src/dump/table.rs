//! The `table` format: each table drawn as a grid under a heading with its name and row count.
//!
//! On a terminal, comfy-table draws it and wide tables wrap inside their cells to fit the
//! screen. Anywhere else nothing is wrapped or cut, and [`write_plain`] draws the very same
//! grid (comfy-table's `UTF8_FULL_CONDENSED` preset, byte for byte) straight from [`Rows`], so
//! a table of a million rows costs its text plus one offset per value, not a `Cell` each.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table as Drawn};
use unicode_width::UnicodeWidthStr;

use super::Table;

/// How NULL is shown, so it is never mistaken for the empty string.
pub const NULL: &str = "NULL";

/// Marks a NULL in [`Rows::ends`].
const NULL_BIT: usize = 1 << (usize::BITS - 1);

/// The rows of one table, compactly: every value's text in one buffer, and where each ends.
#[derive(Debug, Default)]
pub struct Rows {
    columns: usize,
    count: usize,
    text: String,
    /// For each value, row after row: the end of its text in `text`, with [`NULL_BIT`] set
    /// for a NULL.
    ends: Vec<usize>,
}

impl Rows {
    pub fn new(columns: usize) -> Rows {
        Rows {
            columns,
            ..Rows::default()
        }
    }

    /// Append one row (as many values as there are columns; NULL as `None`).
    pub fn push(&mut self, values: &[Option<&str>]) {
        debug_assert_eq!(values.len(), self.columns);
        for value in values {
            match value {
                Some(text) => {
                    self.text.push_str(text);
                    self.ends.push(self.text.len());
                }
                None => self.ends.push(self.text.len() | NULL_BIT),
            }
        }
        self.count += 1;
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The values of row `index` (NULL as `None`).
    pub fn row(&self, index: usize) -> impl Iterator<Item = Option<&str>> + '_ {
        let first = index * self.columns;
        (first..first + self.columns).map(move |i| {
            let start = if i == 0 {
                0
            } else {
                self.ends[i - 1] & !NULL_BIT
            };
            let end = self.ends[i];
            if end & NULL_BIT != 0 {
                None
            } else {
                Some(&self.text[start..end])
            }
        })
    }

    /// Row `index` as it is shown: NULL as [`NULL`].
    fn shown(&self, index: usize) -> impl Iterator<Item = &str> + '_ {
        self.row(index).map(|v| v.unwrap_or(NULL))
    }
}

/// The heading above a drawn table: `posts (4 rows)`.
pub fn heading(table: &Table, rows: &Rows) -> String {
    format!("{} ({})", table.name, super::rows_label(rows.len() as u64))
}

/// Draw `table` with comfy-table, wrapping cells to fit `terminal_width` columns.
pub fn render_terminal(table: &Table, rows: &Rows, terminal_width: u16) -> String {
    let mut drawn = Drawn::new();
    drawn.load_preset(presets::UTF8_FULL_CONDENSED);
    drawn.set_content_arrangement(ContentArrangement::Dynamic);
    drawn.set_width(terminal_width);
    drawn.set_header(table.columns.iter().map(|c| c.name.as_str()));
    for index in 0..rows.len() {
        drawn.add_row(rows.shown(index));
    }
    format!("{}\n{drawn}\n", heading(table, rows))
}

/// Draw `table` with comfy-table and nothing wrapped: what [`write_plain`] must match.
pub fn render_comfy_plain(table: &Table, rows: &Rows) -> String {
    let mut drawn = Drawn::new();
    drawn.load_preset(presets::UTF8_FULL_CONDENSED);
    drawn.force_no_tty();
    drawn.set_content_arrangement(ContentArrangement::Disabled);
    drawn.set_header(table.columns.iter().map(|c| c.name.as_str()));
    for index in 0..rows.len() {
        drawn.add_row(rows.shown(index));
    }
    format!("{}\n{drawn}\n", heading(table, rows))
}

/// Draw `table` as comfy-table's `UTF8_FULL_CONDENSED` preset does with content arrangement
/// disabled: every column as wide as its widest line, nothing wrapped or cut.
pub fn write_plain(out: &mut impl Write, table: &Table, rows: &Rows) -> io::Result<()> {
    let header: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let mut widths: Vec<usize> = vec![1; header.len()];
    widen(&mut widths, header.iter().copied());
    for index in 0..rows.len() {
        widen(&mut widths, rows.shown(index));
    }

    writeln!(out, "{}", heading(table, rows))?;
    rule(out, &widths, '┌', '─', '┬', '┐')?;
    cells(out, &widths, &header)?;
    rule(out, &widths, '╞', '═', '╪', '╡')?;
    let mut values: Vec<&str> = Vec::with_capacity(widths.len());
    for index in 0..rows.len() {
        values.clear();
        values.extend(rows.shown(index));
        cells(out, &widths, &values)?;
    }
    rule(out, &widths, '└', '─', '┴', '┘')
}

/// Raise each column's width to the widest line of its value in this row.
fn widen<'a>(widths: &mut [usize], values: impl Iterator<Item = &'a str>) {
    for (width, value) in widths.iter_mut().zip(values) {
        for line in value.split('\n') {
            *width = (*width).max(text_width(line));
        }
    }
}

/// Display width, as comfy-table measures it (`unicode-width`), fast for plain ASCII.
pub fn text_width(text: &str) -> usize {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        text.len()
    } else {
        text.width()
    }
}

/// A horizontal rule: `left`, then `fill` over each column and its padding, `cross` between.
fn rule(
    out: &mut impl Write,
    widths: &[usize],
    left: char,
    fill: char,
    cross: char,
    right: char,
) -> io::Result<()> {
    let mut line = String::new();
    line.push(left);
    for (i, width) in widths.iter().enumerate() {
        if i > 0 {
            line.push(cross);
        }
        line.extend(std::iter::repeat_n(fill, width + 2));
    }
    line.push(right);
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// One row of cells; a value with newlines takes several lines, the others padded below it.
fn cells(out: &mut impl Write, widths: &[usize], values: &[&str]) -> io::Result<()> {
    if !values.iter().any(|v| v.contains('\n')) {
        return line(out, widths, values.iter().copied());
    }
    let split: Vec<Vec<&str>> = values.iter().map(|v| v.split('\n').collect()).collect();
    let height = split.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..height {
        line(
            out,
            widths,
            split
                .iter()
                .map(|lines| lines.get(i).copied().unwrap_or("")),
        )?;
    }
    Ok(())
}

/// One line of the grid: `│ a ┆ b │`, each part padded to its column's width.
fn line<'a>(
    out: &mut impl Write,
    widths: &[usize],
    parts: impl Iterator<Item = &'a str>,
) -> io::Result<()> {
    out.write_all("│".as_bytes())?;
    let mut parts = parts.zip(widths).peekable();
    while let Some((part, width)) = parts.next() {
        out.write_all(b" ")?;
        out.write_all(part.as_bytes())?;
        spaces(out, width.saturating_sub(text_width(part)) + 1)?;
        let border = if parts.peek().is_some() { "┆" } else { "│" };
        out.write_all(border.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Write `count` blanks.
pub fn spaces(out: &mut impl Write, mut count: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    while count > 0 {
        let n = count.min(SPACES.len());
        out.write_all(&SPACES[..n])?;
        count -= n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::Column;

    fn table(names: &[&str]) -> Table {
        Table {
            name: "t".into(),
            columns: names
                .iter()
                .map(|n| Column {
                    name: n.to_string(),
                    type_name: "text".into(),
                    type_oid: 25,
                })
                .collect(),
            key: vec![],
        }
    }

    fn plain(table: &Table, rows: &Rows) -> String {
        let mut out = Vec::new();
        write_plain(&mut out, table, rows).expect("write to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn compact_renderer_draws_what_comfy_table_draws() {
        type Case<'a> = (Vec<&'a str>, Vec<Vec<Option<&'a str>>>);
        let cases: Vec<Case> = vec![
            (vec!["a"], vec![]),
            (vec!["id", "name"], vec![vec![Some("1"), Some("x")]]),
            (
                vec!["id", "text", "other"],
                vec![
                    vec![Some("1"), None, Some("")],
                    vec![Some("22"), Some("two\nlines"), Some("a, \"b\"")],
                    vec![Some("3"), Some("wide ★ 漢字"), Some("tab\there")],
                    vec![Some(""), Some("\n"), Some("trailing  ")],
                    vec![Some("x\ny\nz"), Some("é combining e\u{301}"), None],
                    vec![Some("back\\slash"), Some("cr\r\nlf"), Some("emoji 🎉")],
                ],
            ),
            (vec!["", "long column name"], vec![vec![Some(""), Some("")]]),
            (vec!["multi\nline header"], vec![vec![Some("v")]]),
        ];
        for (names, data) in cases {
            let t = table(&names);
            let mut rows = Rows::new(names.len());
            for row in &data {
                rows.push(row);
            }
            assert_eq!(plain(&t, &rows), render_comfy_plain(&t, &rows), "{names:?}");
        }
    }

    #[test]
    fn on_a_terminal_wide_tables_wrap_to_fit() {
        let t = table(&["username", "password"]);
        let mut rows = Rows::new(2);
        let hash = "sha512$34e94a05cdf247db92a84bc590950336$7eaca2b4169e042120f015666115856c";
        rows.push(&[Some("awdeorio"), Some(hash)]);
        let drawn = render_terminal(&t, &rows, 40);
        assert!(drawn.lines().all(|l| text_width(l) <= 40), "{drawn}");
        assert!(
            drawn.lines().count() > 6,
            "the hash wraps over several lines:\n{drawn}"
        );
        let plain = plain(&t, &rows);
        assert!(plain.contains(hash), "nothing is wrapped off a terminal");
    }

    #[test]
    fn rows_keep_nulls_apart_from_empty_strings() {
        let mut rows = Rows::new(3);
        rows.push(&[None, Some(""), Some("x")]);
        rows.push(&[Some(""), None, None]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.row(0).collect::<Vec<_>>(), [None, Some(""), Some("x")]);
        assert_eq!(rows.row(1).collect::<Vec<_>>(), [Some(""), None, None]);
    }
}
