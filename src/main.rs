//! The `insta485db` binary: parse the command line, run, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = insta485db::cli::Cli::parse();
    let quiet = cli.global.quiet;
    match insta485db::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = insta485db::error::exit_code(&err);
            insta485db::error::report(&err, quiet);
            ExitCode::from(code)
        }
    }
}
