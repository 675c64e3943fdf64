//! The project folder: where `sql/` is read from and `var/uploads` is written to.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Hinted;

/// A project folder and how it was found.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    /// True when the root holds `sql/schema.sql`.
    pub has_sql: bool,
    /// True when `--root` named the root (so nothing was searched).
    pub from_flag: bool,
    /// Where the search started (the current directory), for messages.
    searched_from: PathBuf,
}

impl Project {
    /// `--root DIR` if given; else the nearest folder, from the current directory upward,
    /// that holds `sql/schema.sql`; else the current directory.
    pub fn locate(root_flag: Option<&Path>) -> Result<Project> {
        let cwd = std::env::current_dir().context("could not read the current directory")?;
        if let Some(root) = root_flag {
            let root = if root.is_absolute() {
                root.to_path_buf()
            } else {
                cwd.join(root)
            };
            if !root.is_dir() {
                return Err(Hinted::new(
                    format!("--root `{}` is not a folder", root.display()),
                    "pass the folder that holds `sql/schema.sql`",
                )
                .into());
            }
            let has_sql = root.join("sql/schema.sql").is_file();
            return Ok(Project {
                root,
                has_sql,
                from_flag: true,
                searched_from: cwd,
            });
        }
        let found = cwd
            .ancestors()
            .find(|dir| dir.join("sql/schema.sql").is_file())
            .map(Path::to_path_buf);
        Ok(Project {
            has_sql: found.is_some(),
            root: found.unwrap_or_else(|| cwd.clone()),
            from_flag: false,
            searched_from: cwd,
        })
    }

    /// Fail, saying where we looked, unless the project has `sql/schema.sql`.
    pub fn require_sql(&self) -> Result<()> {
        if self.has_sql {
            return Ok(());
        }
        if self.from_flag {
            return Err(Hinted::new(
                format!(
                    "no `sql/schema.sql` in `{}` (given with --root)",
                    self.root.display()
                ),
                "pass the folder of your insta485 project, the one that holds `sql/`",
            )
            .into());
        }
        Err(Hinted::new(
            format!(
                "no `sql/schema.sql` in `{}` or any folder above it",
                self.searched_from.display()
            ),
            "run insta485db inside your insta485 project, or pass `--root DIR`",
        )
        .into())
    }

    pub fn schema(&self) -> PathBuf {
        self.root.join("sql").join("schema.sql")
    }

    pub fn data(&self) -> PathBuf {
        self.root.join("sql").join("data.sql")
    }

    /// `sql/uploads`: the pictures the default data refers to.
    pub fn uploads_source(&self) -> PathBuf {
        self.root.join("sql").join("uploads")
    }

    /// `var/`: where the app keeps what it writes.
    pub fn var(&self) -> PathBuf {
        self.root.join("var")
    }

    /// `var/uploads`: where the app serves pictures from.
    pub fn uploads(&self) -> PathBuf {
        self.var().join("uploads")
    }

    /// A path as shown to the user: relative to the current directory when it is below it.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.searched_from)
            .map(|rel| rel.display().to_string())
            .unwrap_or_else(|_| path.display().to_string())
    }
}
