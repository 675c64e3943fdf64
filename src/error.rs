//! How failures reach the user: `error: ...`, each cause, a hint, and an exit code.

use std::fmt;

/// Exit code for a failure (usage errors exit 2 through clap).
pub const FAILURE: u8 = 1;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error message with a suggested next step, optionally wrapping its cause. [`report`]
/// prints the message in its place in the chain and the hint last.
#[derive(Debug)]
pub struct Hinted {
    pub message: String,
    pub hint: String,
    source: Option<BoxError>,
}

impl Hinted {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
            source: None,
        }
    }

    /// The same message and hint, caused by `cause`.
    pub fn caused_by(mut self, cause: impl Into<BoxError>) -> Self {
        self.source = Some(cause.into());
        self
    }
}

/// `Err(Hinted)` as an `anyhow::Result`.
pub fn hinted<T>(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Result<T> {
    Err(Hinted::new(message, hint).into())
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The process was asked to stop (Ctrl-C or SIGTERM) and the command stopped cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    Int,
    Term,
}

impl Interrupted {
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Int => 130,
            Self::Term => 143,
        }
    }
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int => f.write_str("interrupted (SIGINT)"),
            Self::Term => f.write_str("terminated (SIGTERM)"),
        }
    }
}

impl std::error::Error for Interrupted {}

/// Writing to stdout failed because the reader went away (`insta485db dump | head`).
#[derive(Debug)]
pub struct BrokenPipe;

impl fmt::Display for BrokenPipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broken pipe")
    }
}

impl std::error::Error for BrokenPipe {}

/// The exit code for an error: 130/143 for interruptions, 0 for a closed pipe, else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(sig) = cause.downcast_ref::<Interrupted>() {
            return sig.exit_code();
        }
        if cause.downcast_ref::<BrokenPipe>().is_some() {
            return 0;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return 0;
            }
        }
    }
    FAILURE
}

/// Print an error to stderr the way cargo and ripgrep do: the outermost message, then every
/// cause, then the hints. A broken pipe prints nothing.
pub fn report(err: &anyhow::Error, _quiet: bool) {
    if exit_code(err) == 0 {
        return;
    }
    eprint!("{}", render(err));
}

/// The text [`report`] prints.
pub fn render(err: &anyhow::Error) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut hints: Vec<&str> = Vec::new();
    for cause in err.chain() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            hints.push(&h.hint);
        }
        let text = describe(cause);
        // tokio-postgres wraps a server error as "db error" with the DbError as its source;
        // skip the empty wrapper and let the DbError speak.
        if text == "db error" || lines.last() == Some(&text) {
            continue;
        }
        lines.push(text);
    }
    let mut out = String::new();
    let mut iter = lines.into_iter();
    if let Some(first) = iter.next() {
        out.push_str(&format!("error: {first}\n"));
    }
    for cause in iter {
        let mut first_line = true;
        for line in cause.lines() {
            if first_line {
                out.push_str(&format!("  caused by: {line}\n"));
                first_line = false;
            } else {
                out.push_str(&format!("             {line}\n"));
            }
        }
    }
    for hint in hints {
        out.push_str(&format!("hint: {hint}\n"));
    }
    out
}

/// One link of an error chain as text. A server error shows its message, detail, hint and
/// SQLSTATE (its `Display` alone drops the code).
fn describe(cause: &(dyn std::error::Error + 'static)) -> String {
    if let Some(db) = cause.downcast_ref::<tokio_postgres::error::DbError>() {
        return describe_db_error(db);
    }
    cause.to_string()
}

/// A server error as people read it: `message (SQLSTATE 42601)`, then detail and hint lines.
pub fn describe_db_error(db: &tokio_postgres::error::DbError) -> String {
    let mut text = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    if let Some(detail) = db.detail() {
        text.push_str(&format!("\ndetail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("\nserver hint: {hint}"));
    }
    text
}

/// The SQLSTATE of the first server error in a chain, if there is one.
pub fn sqlstate(err: &anyhow::Error) -> Option<&tokio_postgres::error::SqlState> {
    err.chain().find_map(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(|e| e.code())
            .or_else(|| {
                cause
                    .downcast_ref::<tokio_postgres::error::DbError>()
                    .map(|db| db.code())
            })
    })
}
