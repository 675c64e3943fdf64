//! The uploads folder: check `sql/uploads`, copy it beside `var/uploads`, swap it in, remove it.
//!
//! Like the database, a new `var/uploads` is never built in place: it is copied to
//! `var/.uploads.insta485db-new` and renamed over the old one, so an interrupted run leaves
//! either the old folder or the new one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use walkdir::WalkDir;

use crate::progress::Reporter;

/// One thing to copy from `sql/uploads`.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to `sql/uploads`.
    pub relative: PathBuf,
    pub is_dir: bool,
    pub len: u64,
}

/// What `sql/uploads` holds, checked before anything is changed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub source: PathBuf,
    pub entries: Vec<Entry>,
    /// Links and special files that were left out, as messages.
    pub skipped: Vec<String>,
}

impl Plan {
    pub fn files(&self) -> u64 {
        self.entries.iter().filter(|e| !e.is_dir).count() as u64
    }

    pub fn bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.len).sum()
    }
}

/// Walk `source` (which may be missing: then there is nothing to copy). Every regular file
/// must be readable; links are followed only when they point at a file inside `source`, and
/// special files (fifos, sockets, devices) are left out, each with a message.
pub fn plan(source: &Path, shown: &dyn Fn(&Path) -> String) -> Result<Plan> {
    let mut plan = Plan {
        source: source.to_path_buf(),
        ..Plan::default()
    };
    match fs::symlink_metadata(source) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(plan),
        Err(err) => return Err(err).with_context(|| format!("could not read `{}`", shown(source))),
        Ok(meta) if !meta.is_dir() => bail!("`{}` is not a folder", shown(source)),
        Ok(_) => {}
    }
    let canonical_source =
        fs::canonicalize(source).with_context(|| format!("could not read `{}`", shown(source)))?;
    let walker = WalkDir::new(source)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name();
    for item in walker {
        let item = item.with_context(|| format!("could not read `{}`", shown(source)))?;
        let path = item.path();
        let relative = path.strip_prefix(source).unwrap_or(path).to_path_buf();
        let kind = item.file_type();
        if kind.is_dir() {
            plan.entries.push(Entry {
                relative,
                is_dir: true,
                len: 0,
            });
            continue;
        }
        let target_meta = if kind.is_symlink() {
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_source) => fs::metadata(&target).ok(),
                Ok(_) | Err(_) => {
                    plan.skipped.push(format!(
                        "left out `{}`: a link that points outside `{}` or nowhere",
                        shown(path),
                        shown(source)
                    ));
                    continue;
                }
            }
        } else {
            item.metadata().ok()
        };
        match target_meta {
            Some(meta) if meta.is_file() => {
                // Open it now, so an unreadable file stops us before anything changes.
                fs::File::open(path)
                    .with_context(|| format!("could not read `{}`", shown(path)))?;
                plan.entries.push(Entry {
                    relative,
                    is_dir: false,
                    len: meta.len(),
                });
            }
            _ => plan.skipped.push(format!(
                "left out `{}`: not a regular file or folder",
                shown(path)
            )),
        }
    }
    Ok(plan)
}

/// The names used beside `var/uploads` while it is replaced.
pub fn staging_paths(uploads: &Path) -> (PathBuf, PathBuf) {
    let parent = uploads.parent().unwrap_or(Path::new("."));
    (
        parent.join(".uploads.insta485db-new"),
        parent.join(".uploads.insta485db-old"),
    )
}

/// Copy what `plan` lists into a fresh staging folder beside `uploads`; returns its path.
pub fn stage(
    plan: &Plan,
    uploads: &Path,
    reporter: &Reporter,
    shown: &dyn Fn(&Path) -> String,
) -> Result<PathBuf> {
    let (staging, _) = staging_paths(uploads);
    let var = uploads.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(var).with_context(|| format!("could not create `{}`", shown(var)))?;
    remove_path(&staging).with_context(|| format!("could not remove `{}`", shown(&staging)))?;
    fs::create_dir(&staging).with_context(|| format!("could not write in `{}`", shown(var)))?;
    let bar = reporter.bar(plan.bytes(), "uploads", true);
    for entry in &plan.entries {
        let to = staging.join(&entry.relative);
        if entry.is_dir {
            fs::create_dir_all(&to)
                .with_context(|| format!("could not create `{}`", shown(&to)))?;
        } else {
            let from = plan.source.join(&entry.relative);
            fs::copy(&from, &to).with_context(|| {
                format!("could not copy `{}` to `{}`", shown(&from), shown(&to))
            })?;
            bar.inc(entry.len);
        }
    }
    bar.finish_and_clear();
    Ok(staging)
}

/// Put the staged folder in place of `uploads` (which may or may not exist). On failure
/// `uploads` is as it was; on success the new folder is in place, even if the old one could
/// not be removed (the next run's [`recover`] removes it).
pub fn install(staging: &Path, uploads: &Path, shown: &dyn Fn(&Path) -> String) -> Result<()> {
    swap_in(staging, uploads, shown).map(Swap::finish)
}

/// A new uploads folder in place, the old one kept aside until [`Swap::finish`] removes it or
/// [`Swap::undo`] puts it back.
#[must_use = "finish or undo the swap"]
pub struct Swap {
    uploads: PathBuf,
    retired: Option<PathBuf>,
}

/// Put the staged folder in place of `uploads` (which may or may not exist), keeping the old
/// one aside. On failure the old folder is back where it was.
pub fn swap_in(staging: &Path, uploads: &Path, shown: &dyn Fn(&Path) -> String) -> Result<Swap> {
    let (_, retired) = staging_paths(uploads);
    remove_path(&retired).with_context(|| format!("could not remove `{}`", shown(&retired)))?;
    let had_old = fs::symlink_metadata(uploads).is_ok();
    if had_old {
        fs::rename(uploads, &retired)
            .with_context(|| format!("could not move `{}` aside", shown(uploads)))?;
    }
    if let Err(err) = fs::rename(staging, uploads) {
        let err = anyhow::Error::new(err).context(format!(
            "could not move the new uploads to `{}`",
            shown(uploads)
        ));
        if had_old {
            if let Err(back) = fs::rename(&retired, uploads) {
                return Err(err.context(format!(
                    "and the old uploads could not be put back: they are in `{}` ({back})",
                    shown(&retired)
                )));
            }
        }
        return Err(err);
    }
    Ok(Swap {
        uploads: uploads.to_path_buf(),
        retired: had_old.then_some(retired),
    })
}

impl Swap {
    /// Keep the new folder; remove the old one.
    pub fn finish(self) {
        if let Some(retired) = &self.retired {
            let _ = remove_path(retired);
        }
    }

    /// Put the old folder back (or none, if there was none); remove the new one.
    pub fn undo(self, shown: &dyn Fn(&Path) -> String) -> Result<()> {
        remove_path(&self.uploads)
            .with_context(|| format!("could not remove the new `{}`", shown(&self.uploads)))?;
        if let Some(retired) = &self.retired {
            fs::rename(retired, &self.uploads).with_context(|| {
                format!(
                    "could not put the old uploads back: they are in `{}`",
                    shown(retired)
                )
            })?;
        }
        Ok(())
    }
}

/// Remove whatever is at `path`: a folder with its contents, a file, or a link (never what
/// the link points at). Returns whether there was anything. A parent that is not a folder
/// (`var` a file) means there is nothing.
pub fn remove_path(path: &Path) -> std::io::Result<bool> {
    match fs::symlink_metadata(path) {
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(false)
        }
        Err(err) => Err(err),
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path).map(|()| true),
        Ok(_) => fs::remove_file(path).map(|()| true),
    }
}

/// Mend what an interrupted run left beside `uploads`: a half-copied staging folder is
/// removed; a folder moved aside but not replaced is put back. A folder moved aside while a
/// new one is in place is never deleted: whether it is stale depends on whether that run's
/// database change committed, which nothing here can tell, so it is kept under a name of its
/// own, returned so the caller can say where.
pub fn recover(uploads: &Path) -> std::io::Result<Option<PathBuf>> {
    let (staging, retired) = staging_paths(uploads);
    remove_path(&staging)?;
    if fs::symlink_metadata(&retired).is_err() {
        return Ok(None);
    }
    if fs::symlink_metadata(uploads).is_err() {
        fs::rename(&retired, uploads)?;
        return Ok(None);
    }
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let parent = uploads.parent().unwrap_or(Path::new("."));
    let mut kept = parent.join(format!(".uploads.insta485db-kept-{since_epoch}"));
    let mut n = 1;
    while fs::symlink_metadata(&kept).is_ok() {
        n += 1;
        kept = parent.join(format!(".uploads.insta485db-kept-{since_epoch}-{n}"));
    }
    fs::rename(&retired, &kept)?;
    Ok(Some(kept))
}

/// The warning for a folder [`recover`] kept.
pub fn kept_warning(kept: &Path, shown: &dyn Fn(&Path) -> String) -> String {
    format!(
        "an interrupted run left earlier uploads beside the current ones; they are kept in \
         `{}`: delete that folder once you are sure nothing in it is needed",
        shown(kept)
    )
}

/// True when `path` is a folder with something in it.
pub fn is_nonempty_dir(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(p: &Path) -> String {
        p.display().to_string()
    }

    #[test]
    fn install_replaces_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("var/uploads");
        fs::create_dir_all(&uploads).unwrap();
        fs::write(uploads.join("old.jpg"), "old").unwrap();
        let (staging, retired) = staging_paths(&uploads);
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("new.jpg"), "new").unwrap();
        install(&staging, &uploads, &shown).unwrap();
        assert!(uploads.join("new.jpg").is_file());
        assert!(!uploads.join("old.jpg").exists());
        assert!(!staging.exists() && !retired.exists());
    }

    #[test]
    fn failed_install_puts_the_old_folder_back() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("var/uploads");
        fs::create_dir_all(&uploads).unwrap();
        fs::write(uploads.join("old.jpg"), "old").unwrap();
        // No staging folder: the second rename fails.
        let (staging, retired) = staging_paths(&uploads);
        let err = install(&staging, &uploads, &shown).unwrap_err();
        assert!(
            format!("{err:#}").contains("could not move the new uploads"),
            "{err:#}"
        );
        assert_eq!(fs::read(uploads.join("old.jpg")).unwrap(), b"old");
        assert!(!retired.exists());
    }

    #[test]
    fn recover_puts_a_folder_moved_aside_back_and_removes_staging() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("var/uploads");
        let (staging, retired) = staging_paths(&uploads);
        fs::create_dir_all(&retired).unwrap();
        fs::write(retired.join("old.jpg"), "old").unwrap();
        fs::create_dir_all(&staging).unwrap();
        assert_eq!(recover(&uploads).unwrap(), None);
        assert_eq!(fs::read(uploads.join("old.jpg")).unwrap(), b"old");
        assert!(!staging.exists() && !retired.exists());
    }

    #[test]
    fn recover_keeps_a_folder_moved_aside_when_a_new_one_is_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join("var/uploads");
        let (_, retired) = staging_paths(&uploads);
        fs::create_dir_all(&retired).unwrap();
        fs::write(retired.join("user.jpg"), "a user's upload").unwrap();
        fs::create_dir_all(&uploads).unwrap();
        fs::write(uploads.join("new.jpg"), "new").unwrap();
        let kept = recover(&uploads).unwrap().expect("kept");
        assert_eq!(fs::read(kept.join("user.jpg")).unwrap(), b"a user's upload");
        assert_eq!(fs::read(uploads.join("new.jpg")).unwrap(), b"new");
        assert!(!retired.exists());
        // A second interrupted run keeps its folder too, under another name.
        fs::create_dir_all(&retired).unwrap();
        let again = recover(&uploads).unwrap().expect("kept");
        assert_ne!(kept, again);
        assert!(kept.exists() && again.exists());
    }
}
