//! The `expanded` format: one block per record, in psql's `\x` layout (border 1), under a line
//! with the table's name. Records are written as they arrive, so memory does not grow with the
//! table. Unlike psql, which holds every row to size one rule for them all, each record's
//! `-[ RECORD n ]` rule is as wide as that record's own widest value.

use std::io::{self, Write};

use super::table::{spaces, text_width, NULL};
use super::Table;

/// Writes the records of one table.
pub struct Records<'a> {
    names: Vec<&'a str>,
    /// The widest column name: names are padded to it.
    name_width: usize,
    count: u64,
}

impl<'a> Records<'a> {
    /// Write the table's heading and get ready for its records.
    pub fn start(out: &mut impl Write, table: &'a Table) -> io::Result<Records<'a>> {
        writeln!(out, "{}", table.name)?;
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let name_width = names.iter().map(|n| text_width(n)).max().unwrap_or(0);
        Ok(Records {
            names,
            name_width,
            count: 0,
        })
    }

    /// One record: its rule, then a `name | value` line per column; a value with newlines
    /// continues on lines of its own, the ones before ending in `+`, as psql shows them.
    pub fn write(&mut self, out: &mut impl Write, values: &[Option<&str>]) -> io::Result<()> {
        self.count += 1;
        let shown = || values.iter().map(|v| v.unwrap_or(NULL));
        let value_width = shown()
            .flat_map(|v| v.split('\n'))
            .map(text_width)
            .max()
            .unwrap_or(0);
        out.write_all(rule(self.count, self.name_width, value_width).as_bytes())?;
        for (name, value) in self.names.iter().zip(shown()) {
            let mut lines = value.split('\n').peekable();
            let mut first = true;
            while let Some(line) = lines.next() {
                let label = if first { *name } else { "" };
                first = false;
                out.write_all(label.as_bytes())?;
                spaces(
                    out,
                    self.name_width - text_width(label).min(self.name_width),
                )?;
                out.write_all(b" | ")?;
                out.write_all(line.as_bytes())?;
                if lines.peek().is_some() {
                    spaces(out, value_width - text_width(line).min(value_width))?;
                    out.write_all(b"+")?;
                }
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// After the last record: psql's `(0 rows)` for an empty table.
    pub fn finish(self, out: &mut impl Write) -> io::Result<u64> {
        if self.count == 0 {
            writeln!(out, "(0 rows)")?;
        }
        Ok(self.count)
    }
}

/// psql's record rule: `-[ RECORD n ]` and dashes, with a `+` above the column separator when
/// the label leaves room for it (`print_aligned_vertical_line` in psql's print.c).
pub fn rule(record: u64, name_width: usize, value_width: usize) -> String {
    let mut line = format!("-[ RECORD {record} ]");
    let mut reclen = line.len() as i64;
    let name_width = name_width as i64;
    for _ in reclen..name_width {
        line.push('-');
    }
    reclen -= name_width;
    for c in ['-', '+', '-'] {
        if reclen <= 0 {
            line.push(c);
        }
        reclen -= 1;
    }
    for _ in reclen.max(0)..value_width as i64 {
        line.push('-');
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::rule;

    #[test]
    fn rules_match_psql() {
        // Taken from psql 15 with `\x` on.
        assert_eq!(rule(1, 2, 17), "-[ RECORD 1 ]---------\n");
        assert_eq!(rule(1, 23, 1), "-[ RECORD 1 ]-----------+--\n");
        assert_eq!(rule(1, 12, 2), "-[ RECORD 1 ]+---\n");
        assert_eq!(rule(1, 11, 2), "-[ RECORD 1 ]---\n");
        assert_eq!(rule(1, 13, 2), "-[ RECORD 1 ]-+---\n");
        assert_eq!(rule(1, 14, 2), "-[ RECORD 1 ]--+---\n");
    }
}
