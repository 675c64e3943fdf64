//! SQL files: read them, split them into statements, run them, and point at the line of the
//! statement that failed.
//!
//! Statements are sent one message each, all at once (pipelined) inside one transaction: one
//! round trip and one commit for the whole load, and when the server rejects a statement we
//! know which one, so the error names its file and line even when the server gives no
//! position (a foreign-key violation, say).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use futures_util::future::join_all;
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::Client;

/// A SQL file, read and split, ready to run.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// The path as shown to the user.
    pub shown: String,
    pub text: String,
    pub statements: Vec<Statement>,
}

/// One statement of a file: its text (without the closing `;`) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Byte offset of the statement text in the file.
    pub start: usize,
    /// Byte offset of its first token (after blanks and comments): where errors point when
    /// the server gives no position.
    pub first_token: usize,
    pub text: String,
}

impl SqlFile {
    /// Read and split `path`. Fails, naming the path, when it is missing, unreadable, not
    /// UTF-8, holds a NUL byte or a psql meta-command.
    pub fn read(path: &Path, shown: &str) -> Result<SqlFile> {
        let bytes = std::fs::read(path).with_context(|| format!("could not read `{shown}`"))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let (line, column) = line_column(&String::from_utf8_lossy(&err.into_bytes()), at);
                bail!("`{shown}` is not UTF-8 text: invalid byte at line {line}, column {column}");
            }
        };
        SqlFile::parse(text, shown)
    }

    /// Split SQL text that came from `shown`.
    pub fn parse(text: String, shown: &str) -> Result<SqlFile> {
        if let Some(at) = text.find('\0') {
            let (line, column) = line_column(&text, at);
            bail!("`{shown}` holds a NUL byte at line {line}, column {column}: is it a SQL file?");
        }
        let statements = split(&text).map_err(|at| {
            let (line, _) = line_column(&text, at);
            let command: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            if command == "\\." {
                return anyhow::anyhow!(
                    "`{shown}` line {line}: `\\.` ends the data of a `COPY ... FROM STDIN`, \
                     which only psql can send; {USE_INSERT}"
                );
            }
            anyhow::anyhow!(
                "`{shown}` line {line}: psql meta-command `{command}` is not supported; \
                 use plain SQL"
            )
        })?;
        if let Some(copy) = statements.iter().find(|s| is_copy_from_stdin(s)) {
            let (line, _) = line_column(&text, copy.first_token);
            bail!(
                "`{shown}` line {line}: `COPY ... FROM STDIN` reads its data from psql, \
                 which is not supported; {USE_INSERT}"
            );
        }
        Ok(SqlFile {
            shown: shown.to_string(),
            text,
            statements,
        })
    }
}

const USE_INSERT: &str = "use INSERT statements (`pg_dump --inserts` writes them)";

/// Does the statement read its rows from the client (`COPY ... FROM STDIN`)? Only psql can
/// feed those; sent as plain SQL the server would wait for data that never comes.
fn is_copy_from_stdin(statement: &Statement) -> bool {
    let words = statement.words();
    words.first().is_some_and(|w| w == "copy")
        && words.windows(2).any(|w| w[0] == "from" && w[1] == "stdin")
}

impl Statement {
    /// The statement's words, lowercased, from its first token: enough to tell what kind of
    /// statement it is.
    fn words(&self) -> Vec<String> {
        self.text
            .get(self.first_token.saturating_sub(self.start)..)
            .unwrap_or("")
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// Does it begin or end a transaction (`BEGIN`, `COMMIT`, `ROLLBACK`, ...)?
    pub fn controls_transaction(&self) -> bool {
        let words = self.words();
        match words.first().map(String::as_str) {
            Some("begin" | "start" | "commit" | "end" | "rollback" | "abort") => true,
            Some("prepare") => words.get(1).is_some_and(|w| w == "transaction"),
            _ => false,
        }
    }
}

impl SqlFile {
    /// The first statement that begins or ends a transaction, with its line.
    pub fn transaction_control(&self) -> Option<usize> {
        self.statements
            .iter()
            .find(|s| s.controls_transaction())
            .map(|s| line_column(&self.text, s.first_token).0)
    }
}

/// Send `prelude` (statements of our own, such as `BEGIN`) and then the statements of
/// `files`, all pipelined, and wait for every answer. The first statement the server rejects
/// is reported with its file and line.
///
/// Nothing here commits: the caller sends `COMMIT` once everything succeeded, so that an
/// interruption before then can never leave the work committed behind our back.
pub async fn run(client: &Client, prelude: &[&str], files: &[&SqlFile]) -> Result<()> {
    let mut queries: Vec<(Option<(usize, usize)>, &str)> =
        prelude.iter().map(|sql| (None, *sql)).collect();
    for (f, file) in files.iter().enumerate() {
        for (s, statement) in file.statements.iter().enumerate() {
            queries.push((Some((f, s)), statement.text.as_str()));
        }
    }

    let results = join_all(queries.iter().map(|(_, sql)| client.simple_query(sql))).await;
    for ((origin, sql), result) in queries.iter().zip(results) {
        let Err(err) = result else { continue };
        return Err(match origin {
            Some((f, s)) => locate(files[*f], *s, err),
            None => anyhow::Error::new(err).context(format!("could not run `{sql}`")),
        });
    }
    Ok(())
}

/// A server error in statement `index` of `file`, as file, line, column, message and the line.
fn locate(file: &SqlFile, index: usize, err: tokio_postgres::Error) -> anyhow::Error {
    let Some(db) = err.as_db_error() else {
        let statement = &file.statements[index];
        let (line, _) = line_column(&file.text, statement.first_token);
        if err.is_closed() {
            return anyhow::Error::new(err).context(format!(
                "lost the connection to the server while running `{}` line {line}",
                file.shown
            ));
        }
        return anyhow::Error::new(err).context(format!("`{}` line {line}", file.shown));
    };
    let statement = &file.statements[index];
    let at = match db.position() {
        Some(ErrorPosition::Original(pos)) => {
            // The server counts characters from 1 within the statement we sent.
            let within = statement
                .text
                .char_indices()
                .nth((*pos as usize).saturating_sub(1))
                .map(|(byte, _)| byte)
                .unwrap_or(statement.text.len());
            Some(statement.start + within)
        }
        _ => None,
    };
    let (line, column) = line_column(&file.text, at.unwrap_or(statement.first_token));
    let source_line = file.text.lines().nth(line - 1).unwrap_or("").to_string();
    SqlError {
        file: file.shown.clone(),
        line,
        column: at.map(|_| column),
        message: crate::error::describe_db_error(db),
        source_line,
    }
    .into()
}

/// A statement of a SQL file that the server rejected.
#[derive(Debug)]
pub struct SqlError {
    pub file: String,
    pub line: usize,
    pub column: Option<usize>,
    /// The server's message with its SQLSTATE, detail and hint.
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = self.message.lines();
        let first = lines.next().unwrap_or("");
        match self.column {
            Some(column) => write!(
                f,
                "`{}` line {}, column {column}: {first}",
                self.file, self.line
            )?,
            None => write!(f, "`{}` line {}: {first}", self.file, self.line)?,
        }
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let shown: String = self.source_line.chars().take(200).collect();
        write!(f, "\n{number} | {shown}")?;
        if let Some(column) = self.column {
            let before: String = self.source_line.chars().take(column - 1).collect();
            let indent: String = before
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} | {indent}^")?;
        }
        for rest in lines {
            write!(f, "\n{rest}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Split SQL text into statements at top-level semicolons, skipping those inside quotes,
/// dollar quotes and comments. Statements that are only blanks and comments are dropped.
/// `Err(offset)` points at a psql meta-command (a line starting with a backslash).
pub fn split(text: &str) -> std::result::Result<Vec<Statement>, usize> {
    let bytes = text.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut first_token: Option<usize> = None;
    let mut i = 0;
    let mut line_start = true;

    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match b {
            b'-' if next == Some(b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if next == Some(b'*') => {
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\\' if line_start && first_token.is_none() => return Err(i),
            _ => {}
        }
        if b == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        line_start = false;
        if b == b';' {
            if let Some(first) = first_token.take() {
                statements.push(Statement {
                    start,
                    first_token: first,
                    text: text[start..i].to_string(),
                });
            }
            i += 1;
            start = i;
            continue;
        }
        first_token.get_or_insert(i);
        i = match b {
            b'\'' => skip_string(bytes, i, is_escape_string(bytes, i)),
            b'"' => skip_quoted_ident(bytes, i),
            b'$' => skip_dollar_quote(bytes, i),
            _ => i + 1,
        };
    }
    if let Some(first) = first_token {
        statements.push(Statement {
            start,
            first_token: first,
            text: text[start..].to_string(),
        });
    }
    Ok(statements)
}

/// Is the quote at `i` the start of an `E'...'` string (backslash escapes)?
fn is_escape_string(bytes: &[u8], i: usize) -> bool {
    i >= 1
        && matches!(bytes[i - 1], b'E' | b'e')
        && (i < 2 || !(bytes[i - 2].is_ascii_alphanumeric() || bytes[i - 2] == b'_'))
}

/// The offset after the string literal opening at `i`.
fn skip_string(bytes: &[u8], mut i: usize, escapes: bool) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_quoted_ident(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `$tag$ ... $tag$` or `$$ ... $$`; a `$` that opens no dollar quote (`$1`) is one byte.
fn skip_dollar_quote(bytes: &[u8], i: usize) -> usize {
    // A `$` inside an identifier (`a$b`) opens nothing.
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return i + 1;
    }
    let mut j = i + 1;
    while j < bytes.len()
        && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80)
    {
        j += 1;
    }
    if j >= bytes.len() || bytes[j] != b'$' || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        return i + 1;
    }
    let tag = &bytes[i..=j];
    let body = j + 1;
    bytes[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(bytes.len(), |p| body + p + tag.len())
}

/// The paths of the two SQL files of a project.
pub fn project_files(root: &Path) -> (PathBuf, PathBuf) {
    (root.join("sql/schema.sql"), root.join("sql/data.sql"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<String> {
        split(sql)
            .unwrap()
            .into_iter()
            .map(|s| s.text.trim().to_string())
            .collect()
    }

    #[test]
    fn splits_on_top_level_semicolons() {
        assert_eq!(
            texts("SELECT 1; SELECT 2;\nSELECT 3"),
            ["SELECT 1", "SELECT 2", "SELECT 3"]
        );
    }

    #[test]
    fn ignores_semicolons_in_quotes_and_comments() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s;', \"c;d\"); -- x; y\n\
                   /* outer /* inner; */ still; */ SELECT E'\\';' ;\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   SELECT $$;$$;";
        let got = texts(sql);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("INSERT") && got[0].ends_with("\"c;d\")"));
        assert!(got[1].ends_with("SELECT E'\\';'"));
        assert!(got[2].contains("$body$ SELECT 1; $body$"));
        assert_eq!(got[3], "SELECT $$;$$");
    }

    #[test]
    fn drops_empty_statements_and_finds_first_token() {
        let sql = "-- header\n\n;;  /* c */\n  SELECT 1;";
        let stmts = split(sql).unwrap();
        assert_eq!(stmts.len(), 1);
        assert_eq!(line_column(sql, stmts[0].first_token), (4, 3));
    }

    #[test]
    fn unterminated_string_runs_to_the_end() {
        let stmts = split("SELECT 1; SELECT 'oops; SELECT 2;").unwrap();
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[1].text, " SELECT 'oops; SELECT 2;");
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        assert_eq!(
            texts("SELECT $1; SELECT a$b; SELECT 2"),
            ["SELECT $1", "SELECT a$b", "SELECT 2"]
        );
    }

    #[test]
    fn meta_commands_are_refused() {
        assert_eq!(split("SELECT 1;\n\\set x 1\nSELECT 2;"), Err(10));
        let err = SqlFile::parse("SELECT 1;\n\\i other.sql\n".into(), "sql/data.sql").unwrap_err();
        assert!(
            err.to_string().contains("line 2: psql meta-command `\\i`"),
            "{err}"
        );
    }

    #[test]
    fn copy_from_stdin_is_refused_with_a_hint() {
        let dump = "SELECT 1;\n-- users\nCOPY public.users (username, fullname) FROM stdin;\n\
                    awdeorio\tAndrew\n\\.\n";
        let err = SqlFile::parse(dump.into(), "sql/data.sql").unwrap_err();
        assert!(
            err.to_string()
                .contains("line 3: `COPY ... FROM STDIN` reads its data from psql"),
            "{err}"
        );
        assert!(err.to_string().contains("pg_dump --inserts"), "{err}");
        let err = SqlFile::parse("COPY t FROM STDIN;\n\\.\n".into(), "d.sql").unwrap_err();
        assert!(
            err.to_string().contains("line 2: `\\.` ends the data"),
            "{err}"
        );
        // Other COPYs are the server's business.
        SqlFile::parse(
            "COPY t FROM '/tmp/x.csv'; COPY t TO STDOUT;".into(),
            "d.sql",
        )
        .unwrap();
    }

    #[test]
    fn transaction_control_is_found() {
        let file = SqlFile::parse(
            "CREATE FUNCTION f() RETURNS void AS $$ BEGIN END $$ LANGUAGE plpgsql;\n\
             SAVEPOINT a;\nPREPARE q AS SELECT 1;\n-- c\n  commit;\n"
                .into(),
            "sql/data.sql",
        )
        .unwrap();
        assert_eq!(file.transaction_control(), Some(5));
        let plain = SqlFile::parse("BEGINNING_TABLE;\nSELECT 1;".into(), "x").unwrap();
        assert_eq!(plain.transaction_control(), None);
    }

    #[test]
    fn nul_bytes_are_refused() {
        let err = SqlFile::parse("SELECT 1;\nSEL\0ECT".into(), "sql/data.sql").unwrap_err();
        assert!(
            err.to_string().contains("NUL byte at line 2, column 4"),
            "{err}"
        );
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\nçd x";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, text.find('x').unwrap()), (2, 4));
    }

    #[test]
    fn error_display_points_at_the_column() {
        let err = SqlError {
            file: "sql/data.sql".into(),
            line: 12,
            column: Some(5),
            message: "syntax error at or near \"INTO\" (SQLSTATE 42601)".into(),
            source_line: "ISRT INTO users".into(),
        };
        assert_eq!(
            err.to_string(),
            "`sql/data.sql` line 12, column 5: syntax error at or near \"INTO\" (SQLSTATE 42601)\n\
             12 | ISRT INTO users\n   |     ^"
        );
    }
}
