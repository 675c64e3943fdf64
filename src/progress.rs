//! What the user sees while work happens: notes and progress bars, on stderr only.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Notes and progress for one run.
#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    pub quiet: bool,
    /// Progress bars are drawn only when stderr is a terminal.
    pub terminal: bool,
}

impl Reporter {
    pub fn new(quiet: bool) -> Reporter {
        Reporter {
            quiet,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A line on stderr, unless `--quiet`.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A warning on stderr, even with `--quiet`.
    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("warning: {}", text.as_ref());
    }

    /// A progress bar of `len` steps, hidden unless stderr is a terminal and not `--quiet`.
    pub fn bar(&self, len: u64, message: &str, bytes: bool) -> ProgressBar {
        if self.quiet || !self.terminal {
            return ProgressBar::hidden();
        }
        let template = if bytes {
            "{msg:>12} [{bar:30}] {bytes}/{total_bytes} ({eta})"
        } else {
            "{msg:>12} [{bar:30}] {human_pos}/{human_len} ({eta})"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        ProgressBar::new(len)
            .with_style(style)
            .with_message(message.to_string())
    }
}

/// "1 file", "8 files".
pub fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
