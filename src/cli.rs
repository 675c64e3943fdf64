//! The whole command-line interface on one page: every subcommand and every flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Create, reset, dump and fill the insta485 PostgreSQL database.
///
/// Run it from your insta485 project (any folder below the one holding `sql/schema.sql`).
/// The server is found like psql finds it: -h/-p/-U, then a URI or connection string given
/// as -d, then the service file (PGSERVICE), then PGHOST, PGPORT, PGUSER, PGPASSWORD,
/// PGSSLMODE..., then the local socket, then localhost:5432; passwords also from ~/.pgpass.
#[derive(Debug, Parser)]
#[command(
    name = "insta485db",
    version,
    disable_help_flag = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags that every subcommand takes, before or after its name.
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// Database to manage [default: insta485], or a `postgresql://` URI or `key=value`
    /// connection string naming it. PGDATABASE is not read.
    #[arg(short = 'd', long = "dbname", global = true, value_name = "NAME|URI")]
    pub dbname: Option<String>,

    /// Server host name, IP address or socket folder [env: PGHOST]
    #[arg(short = 'h', long, global = true, value_name = "HOST")]
    pub host: Option<String>,

    /// Server port [env: PGPORT] [default: 5432]
    #[arg(short = 'p', long, global = true, value_name = "PORT")]
    pub port: Option<String>,

    /// User name to connect as [env: PGUSER] [default: your login name]
    #[arg(short = 'U', long = "username", global = true, value_name = "USER")]
    pub username: Option<String>,

    /// Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Wait up to SECONDS [default: 30] for the server to accept connections
    #[arg(long, global = true, value_name = "SECONDS", num_args = 0..=1,
          require_equals = true, default_missing_value = "30")]
    pub wait: Option<u64>,

    /// Print only errors
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// Print help
    #[arg(long, global = true, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database with the schema only, and an empty var/uploads
    Empty(BuildArgs),
    /// Create the database with schema and default data, and copy the uploads
    Create(BuildArgs),
    /// Drop the database and remove var/uploads (does nothing if they are not there)
    Destroy(DropArgs),
    /// Destroy, then create; the old database stays until the new one is built
    Reset(ResetArgs),
    /// Print every table of the database
    Dump(DumpArgs),
    /// Show the server, where each setting came from, and what the database holds
    Status,
    /// Insert random posts
    Random(RandomArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Default, Args)]
pub struct BuildArgs {
    /// Make ROLE own the database and everything the SQL files create
    #[arg(long, value_name = "ROLE")]
    pub owner: Option<String>,
}

#[derive(Debug, Default, Args)]
pub struct DropArgs {
    /// End other sessions connected to the database instead of failing
    #[arg(long)]
    pub force: bool,

    /// Do not ask before dropping a database on a server that is not local
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub drop: DropArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// Drawn tables, one per database table
    Table,
    /// One block per record, like psql's \x
    Expanded,
    /// RFC 4180 CSV with a header row
    Csv,
    /// JSON, typed values
    Json,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = DumpFormat::Table)]
    pub format: DumpFormat,

    /// Dump only this table (repeatable)
    #[arg(long = "table", short = 't', value_name = "NAME")]
    pub tables: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RandomArgs {
    /// How many posts to insert
    #[arg(short = 'n', long, default_value = "100", value_name = "N",
          value_parser = parse_count, allow_hyphen_values = true)]
    pub count: u64,

    /// Who owns the new posts
    #[arg(long, default_value = "awdeorio", value_name = "USER")]
    pub owner: String,

    /// Seed for the random choices; the same seed on the same database inserts the same rows
    #[arg(long, value_name = "N", value_parser = parse_seed, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Image file name to pick from (repeatable) [default: the four post images]
    #[arg(long = "filename", value_name = "NAME")]
    pub filenames: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The largest `--count` accepted: far more than a course project needs, small enough that the
/// ids fit the schema's `integer` columns.
pub const MAX_COUNT: u64 = 100_000_000;

fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if (1..=i128::from(MAX_COUNT)).contains(&n) => Ok(n as u64),
        Ok(_) | Err(_) => Err(format!("must be a whole number from 1 to {MAX_COUNT}")),
    }
}

fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("must be a whole number from 0 to {}", u64::MAX))
}
