//! The `json` format: one JSON document, an object keyed by table name, each table an array of
//! row objects (keys in column order), one row per line, written as rows arrive.
//!
//! Values: integers, floating-point and numeric as JSON numbers, written exactly as the server
//! prints them (so every digit of a `numeric` is kept; `NaN` and `Infinity`, which JSON has no
//! number for, become strings); booleans as `true`/`false`; `json` and `jsonb` embedded as JSON;
//! NULL as `null`; everything else as the string psql shows.

use std::io::{self, Write};

use super::Table;

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Boolean,
    Json,
    Text,
}

impl Kind {
    /// The kind of a type, by oid (of the base type, for a domain).
    pub fn of(type_oid: u32) -> Kind {
        match type_oid {
            // int2, int4, int8, oid, float4, float8, numeric
            21 | 23 | 20 | 26 | 700 | 701 | 1700 => Kind::Number,
            16 => Kind::Boolean,
            114 | 3802 => Kind::Json,
            _ => Kind::Text,
        }
    }
}

/// Writes the document, table by table.
pub struct Document {
    tables: u64,
}

/// Writes the rows of one table.
pub struct Rows {
    /// `"name": ` for each column, escaped once.
    keys: Vec<Vec<u8>>,
    kinds: Vec<Kind>,
    count: u64,
}

impl Document {
    pub fn start(out: &mut impl Write) -> io::Result<Document> {
        out.write_all(b"{")?;
        Ok(Document { tables: 0 })
    }

    /// Open the array of `table`.
    pub fn table(&mut self, out: &mut impl Write, table: &Table) -> io::Result<Rows> {
        out.write_all(if self.tables == 0 { b"\n  " } else { b",\n  " })?;
        self.tables += 1;
        let mut key = Vec::new();
        string(&mut key, &table.name)?;
        out.write_all(&key)?;
        out.write_all(b": [")?;
        let keys = table
            .columns
            .iter()
            .map(|c| {
                let mut key = Vec::new();
                string(&mut key, &c.name)?;
                key.extend_from_slice(b": ");
                Ok(key)
            })
            .collect::<io::Result<Vec<Vec<u8>>>>()?;
        Ok(Rows {
            keys,
            kinds: table.columns.iter().map(|c| Kind::of(c.type_oid)).collect(),
            count: 0,
        })
    }

    pub fn finish(self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(if self.tables == 0 { b"}\n" } else { b"\n}\n" })
    }
}

impl Rows {
    /// One row object.
    pub fn write(&mut self, out: &mut impl Write, values: &[Option<&str>]) -> io::Result<()> {
        out.write_all(if self.count == 0 {
            b"\n    {"
        } else {
            b",\n    {"
        })?;
        self.count += 1;
        for (i, ((key, kind), value)) in self.keys.iter().zip(&self.kinds).zip(values).enumerate() {
            if i > 0 {
                out.write_all(b", ")?;
            }
            out.write_all(key)?;
            value_to(out, *kind, *value)?;
        }
        out.write_all(b"}")
    }

    /// Close the array.
    pub fn finish(self, out: &mut impl Write) -> io::Result<u64> {
        out.write_all(if self.count == 0 { b"]" } else { b"\n  ]" })?;
        Ok(self.count)
    }
}

/// One value as JSON.
pub fn value_to(out: &mut impl Write, kind: Kind, value: Option<&str>) -> io::Result<()> {
    let Some(text) = value else {
        return out.write_all(b"null");
    };
    match kind {
        Kind::Number if is_json_number(text) => out.write_all(text.as_bytes()),
        Kind::Boolean if text == "t" => out.write_all(b"true"),
        Kind::Boolean if text == "f" => out.write_all(b"false"),
        // Valid JSON holds line breaks and tabs only as whitespace between tokens (inside its
        // strings they are escaped), so they become spaces: still the same JSON, on one line.
        Kind::Json if text.contains(['\n', '\r', '\t']) => {
            out.write_all(text.replace(['\n', '\r', '\t'], " ").as_bytes())
        }
        Kind::Json => out.write_all(text.as_bytes()),
        _ => string(out, text),
    }
}

/// Does `text` follow JSON's number grammar? (`NaN`, `Infinity` and `-Infinity` do not.)
pub fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
pub fn string(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        if escape.is_empty() {
            write!(out, "\\u{b:04x}")?;
        } else {
            out.write_all(escape)?;
        }
        start = i + 1;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(kind: Kind, value: Option<&str>) -> String {
        let mut out = Vec::new();
        value_to(&mut out, kind, value).expect("write to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn numbers_stay_numbers_unless_json_has_none() {
        for n in [
            "0",
            "-0",
            "42",
            "-7",
            "1.5",
            "1e+30",
            "-1.25e-07",
            "0.000",
            "123456789012345678901234567890.5",
        ] {
            assert_eq!(json(Kind::Number, Some(n)), n);
        }
        for n in [
            "NaN",
            "Infinity",
            "-Infinity",
            "",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
        ] {
            assert_eq!(json(Kind::Number, Some(n)), format!("\"{n}\""));
        }
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(
            json(Kind::Text, Some("a\"b\\c\nd\te\r\u{1}\u{7f}é★")),
            "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\u{7f}é★\""
        );
        assert_eq!(json(Kind::Text, Some("")), "\"\"");
        assert_eq!(json(Kind::Text, None), "null");
        assert_eq!(json(Kind::Boolean, Some("t")), "true");
        assert_eq!(json(Kind::Boolean, Some("f")), "false");
        assert_eq!(json(Kind::Json, Some("{\"a\": [1, 2]}")), "{\"a\": [1, 2]}");
        assert_eq!(
            json(Kind::Json, Some("{\"a\":\r\n\t\"b\\nc\"}")),
            "{\"a\":   \"b\\nc\"}"
        );
    }
}
