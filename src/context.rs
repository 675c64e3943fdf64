//! What every command gets: the resolved settings, the project folder, the reporter and the
//! interrupt watcher.

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::interrupt::Interrupt;
use crate::progress::Reporter;
use crate::project::Project;
use crate::settings::Settings;

pub struct Context {
    pub settings: Settings,
    pub project: Project,
    pub reporter: Reporter,
    pub interrupt: Interrupt,
}

impl Context {
    /// Resolve everything from the flags and the process environment. Call inside the runtime.
    pub fn new(global: &GlobalArgs) -> Result<Context> {
        let settings = Settings::resolve(global, &|name| std::env::var(name).ok())?;
        let project = Project::locate(global.root.as_deref())?;
        let reporter = Reporter::new(global.quiet);
        if let Some(warning) = &settings.passfile_warning {
            reporter.warn(warning);
        }
        for option in &settings.ignored_options {
            reporter.warn(format!(
                "connection option `{option}` is not supported by insta485db and is ignored"
            ));
        }
        Ok(Context {
            settings,
            project,
            reporter,
            interrupt: Interrupt::install(),
        })
    }

    /// The database this run manages.
    pub fn dbname(&self) -> &str {
        &self.settings.dbname.value
    }

    /// Connect to the managed database; a missing database gets a hint to create it.
    pub async fn connect_managed(&self) -> Result<tokio_postgres::Client> {
        let name = self.dbname();
        match crate::connect::connect(&self.settings, name).await {
            Err(err)
                if crate::error::sqlstate(&err)
                    == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME) =>
            {
                Err(crate::error::Hinted::new(
                    format!(
                        "database `{name}` does not exist at `{}`",
                        self.settings.target()
                    ),
                    "run `insta485db create` to create it",
                )
                .into())
            }
            other => other,
        }
    }
}
