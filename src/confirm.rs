//! Asking before `destroy` or `reset` drops a database on a server that is not on this
//! machine: a typo in PGHOST should not cost anyone their cloud data.
//!
//! The question is asked only when both stdin and stderr are terminals, so scripts and CI
//! (no terminal) never wait for an answer; `-y/--yes` skips it.

use std::io::{IsTerminal, Write};

use anyhow::Result;

use crate::context::Context;
use crate::error::Hinted;
use crate::settings::Settings;

/// Should we ask? Only for a server that is not local, without `--yes`, with a person at a
/// terminal to answer.
pub fn should_ask(settings: &Settings, yes: bool, stdin_tty: bool, stderr_tty: bool) -> bool {
    !yes && !settings.is_local() && stdin_tty && stderr_tty
}

/// The question, naming the database, the server and the user.
pub fn question(action: &str, settings: &Settings) -> String {
    format!(
        "{action} database `{}` on `{}` as user `{}`? [y/N] ",
        settings.dbname.value,
        settings.target(),
        settings.user.value
    )
}

/// Is this answer a yes?
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Ask, when [`should_ask`] says so; an answer other than yes stops the command before it
/// touches anything.
pub async fn confirm(ctx: &Context, action: &str, command: &str, yes: bool) -> Result<()> {
    let settings = &ctx.settings;
    if !should_ask(
        settings,
        yes,
        std::io::stdin().is_terminal(),
        std::io::stderr().is_terminal(),
    ) {
        return Ok(());
    }
    eprint!("{}", question(action, settings));
    let _ = std::io::stderr().flush();
    let read = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    });
    let answer = tokio::select! {
        answer = read => answer.ok().and_then(Result::ok).unwrap_or_default(),
        signal = ctx.interrupt.wait() => {
            // Nothing has been touched; the blocked read would keep the runtime from ending.
            eprintln!();
            std::process::exit(i32::from(signal.exit_code()));
        }
    };
    if is_yes(&answer) {
        return Ok(());
    }
    Err(Hinted::new(
        format!("`insta485db {command}` was not confirmed; nothing was changed"),
        "answer `y`, or pass -y/--yes to skip the question",
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::GlobalArgs;

    fn settings(host: &str) -> Settings {
        let flags = GlobalArgs {
            host: Some(host.into()),
            username: Some("app".into()),
            ..GlobalArgs::default()
        };
        Settings::resolve(&flags, &|_| None).unwrap()
    }

    #[test]
    fn asks_only_for_remote_servers_at_a_terminal() {
        let remote = settings("db.example.com");
        assert!(should_ask(&remote, false, true, true));
        assert!(!should_ask(&remote, true, true, true));
        assert!(!should_ask(&remote, false, false, true));
        assert!(!should_ask(&remote, false, true, false));
        assert!(!should_ask(&settings("localhost"), false, true, true));
        assert!(!should_ask(
            &settings("/var/run/postgresql"),
            false,
            true,
            true
        ));
    }

    #[test]
    fn question_names_database_host_and_user() {
        assert_eq!(
            question("drop", &settings("db.example.com")),
            "drop database `insta485` on `db.example.com:5432` as user `app`? [y/N] "
        );
    }

    #[test]
    fn answers() {
        assert!(is_yes("y\n"));
        assert!(is_yes(" YES "));
        assert!(!is_yes("\n"));
        assert!(!is_yes("n"));
        assert!(!is_yes("yess"));
    }
}
