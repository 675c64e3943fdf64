//! The password file, `~/.pgpass`, read the way libpq's `passwordFromFile` does.
//!
//! Each line is `hostname:port:database:username:password` (PostgreSQL 15 documentation,
//! section 34.15). The first line whose four first fields match the connection wins. A field
//! that is exactly `*` matches anything; `\:` and `\\` stand for `:` and `\`. Lines starting
//! with `#` are comments. A host of `localhost` also matches connections over the default Unix
//! socket: an empty host, or [`DEFAULT_SOCKET_DIR`]. On Unix a file that group or others may
//! access is ignored with a warning (see [`check_permissions`]).

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// The socket directory libpq uses when no host is set, as compiled into Debian's libpq
/// (`DEFAULT_PGSOCKET_DIR`; upstream builds use `/tmp`). Only this exact string, or an empty
/// host, is looked up as `localhost`.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// The port looked up when none is given, libpq's `DEF_PGPORT_STR`.
pub const DEFAULT_PORT: &str = "5432";

/// The password file's name in the home directory.
pub const FILE_NAME: &str = ".pgpass";

/// Looks up the password for a connection in the password file at `path`.
///
/// Returns the password of the first line whose host, port, database and user fields match,
/// with `\` escapes removed. Following libpq:
///
/// - `host` is looked up as `localhost` when it is empty or exactly [`DEFAULT_SOCKET_DIR`];
///   any other socket directory must appear literally in the file. (For a connection that
///   only sets `hostaddr`, libpq looks up the `hostaddr` value; pass that as `host`.)
/// - `port` is looked up as [`DEFAULT_PORT`] when empty.
/// - With an empty `dbname` or `user` there is no lookup: `Ok(None)`. (libpq resolves the
///   default database name, the user name, before looking.)
/// - A field is a wildcard only when it is exactly `*`; the comparison is otherwise exact and
///   case-sensitive. A line needs a `:` after the user field to match; the password ends at the
///   next unescaped `:` or the end of the line, and may be empty (`Ok(Some(""))`).
/// - Lines starting with `#`, and empty lines, are skipped. Trailing `\r` and `\n` are removed;
///   other whitespace is significant.
///
/// This function does not check the file's permissions: call [`check_permissions`] first and
/// skip the file when it returns a warning, as libpq does.
///
/// # Errors
///
/// A missing file is `Ok(None)`. Any other failure to read the file is an error (libpq ignores
/// unreadable files silently; a caller that wants exactly that may treat the error as
/// `Ok(None)`). A matching password that is not valid UTF-8 is an error. No message contains
/// a password.
pub fn lookup(
    path: &Path,
    host: &str,
    port: &str,
    dbname: &str,
    user: &str,
) -> Result<Option<String>> {
    if dbname.is_empty() || user.is_empty() {
        return Ok(None);
    }
    let host = if host.is_empty() || host == DEFAULT_SOCKET_DIR {
        "localhost"
    } else {
        host
    };
    let port = if port.is_empty() { DEFAULT_PORT } else { port };

    let mut data = match fs::read(path) {
        Ok(data) => data,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => bail!("cannot read password file `{}`: {e}", path.display()),
    };
    let found = find_password(&data, [host, port, dbname, user]);
    // Do not leave the file's passwords lying around in freed memory.
    data.fill(0);
    std::hint::black_box(&data);
    match found {
        None => Ok(None),
        Some((line_number, password)) => match String::from_utf8(password) {
            Ok(password) => Ok(Some(password)),
            Err(e) => {
                let mut bytes = e.into_bytes();
                bytes.fill(0);
                std::hint::black_box(&bytes);
                bail!(
                    "password on line {line_number} of password file `{}` is not valid UTF-8",
                    path.display()
                )
            }
        },
    }
}

/// Checks the password file's type and permissions as libpq does before reading it.
///
/// Returns the warning to print when the file must be ignored: when it is not a plain file
/// (``warning: password file `PATH` is not a plain file``), or, on Unix, when its mode has any
/// group or other bits set (``warning: password file `PATH` has group or world access;
/// permissions should be u=rw (0600) or less``). Returns `None` when the file is fine or does
/// not exist (or its metadata cannot be read), and always on other platforms, where libpq does
/// not check. Symbolic links are followed, as libpq's `stat` does.
pub fn check_permissions(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;

        let metadata = fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return Some(format!(
                "warning: password file `{}` is not a plain file",
                path.display()
            ));
        }
        if metadata.permissions().mode() & 0o077 != 0 {
            return Some(format!(
                "warning: password file `{}` has group or world access; \
                 permissions should be u=rw (0600) or less",
                path.display()
            ));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The password file libpq reads when the `passfile` option is not set: `PGPASSFILE` when set
/// and not empty, else `$HOME/.pgpass`.
///
/// Returns `None` when neither is available (`HOME` unset or empty; libpq would then fall back
/// to the home directory in the user database, which std cannot read).
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(file) = env("PGPASSFILE").filter(|file| !file.is_empty()) {
        return Some(PathBuf::from(file));
    }
    env("HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join(FILE_NAME))
}

/// Finds the first line matching `wanted` (host, port, database, user) and returns its
/// 1-based number and de-escaped password.
fn find_password(data: &[u8], wanted: [&str; 4]) -> Option<(usize, Vec<u8>)> {
    for (index, line) in data.split(|&b| b == b'\n').enumerate() {
        if line.first() == Some(&b'#') {
            continue;
        }
        let mut end = line.len();
        while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
            end -= 1;
        }
        let line = &line[..end];
        if line.is_empty() {
            continue;
        }
        let mut rest = Some(line);
        for field in wanted {
            rest = rest.and_then(|rest| match_field(rest, field.as_bytes()));
        }
        if let Some(rest) = rest {
            return Some((index + 1, unescape_password(rest)));
        }
    }
    None
}

/// Matches the field at the start of `line` against `wanted`, like libpq's
/// `pwdfMatchesString`: returns what follows the field's terminating `:` on a match.
fn match_field<'a>(line: &'a [u8], wanted: &[u8]) -> Option<&'a [u8]> {
    if line.starts_with(b"*:") {
        return Some(&line[2..]);
    }
    let mut i = 0;
    let mut w = 0;
    let mut escaped = false;
    while i < line.len() {
        if line[i] == b'\\' && !escaped {
            i += 1;
            escaped = true;
        }
        let c = *line.get(i)?;
        if c == b':' && w == wanted.len() && !escaped {
            return Some(&line[i + 1..]);
        }
        escaped = false;
        if w == wanted.len() || c != wanted[w] {
            return None;
        }
        i += 1;
        w += 1;
    }
    None
}

/// The password field: up to the first unescaped `:`, with `\x` turned into `x`. A trailing
/// lone backslash is kept, as in libpq.
fn unescape_password(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() && field[i] != b':' {
        if field[i] == b'\\' && i + 1 < field.len() {
            i += 1;
        }
        out.push(field[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A fresh, empty directory under the system temp dir, removed on drop.
    struct TempDir(tempfile::TempDir);

    impl TempDir {
        fn new() -> TempDir {
            TempDir(tempfile::tempdir().unwrap())
        }

        /// Writes `contents` to `name` with mode 0600 and returns the path.
        fn file(&self, name: &str, contents: &str) -> PathBuf {
            let path = self.0.path().join(name);
            fs::write(&path, contents).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            }
            path
        }
    }

    /// Looks up in a file with the given contents.
    fn find(contents: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
        let dir = TempDir::new();
        let path = dir.file("pgpass", contents);
        lookup(&path, host, port, db, user).unwrap()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn exact_match() {
        let file = "db.example.com:5432:insta485:awdeorio:s3cret\n";
        assert_eq!(
            find(file, "db.example.com", "5432", "insta485", "awdeorio"),
            some("s3cret")
        );
        assert_eq!(find(file, "other", "5432", "insta485", "awdeorio"), None);
        assert_eq!(
            find(file, "db.example.com", "5433", "insta485", "awdeorio"),
            None
        );
        assert_eq!(
            find(file, "db.example.com", "5432", "other", "awdeorio"),
            None
        );
        assert_eq!(
            find(file, "db.example.com", "5432", "insta485", "other"),
            None
        );
    }

    #[test]
    fn fields_must_match_whole() {
        let file = "host:5432:db:user:pw\n";
        assert_eq!(find(file, "hos", "5432", "db", "user"), None);
        assert_eq!(find(file, "hostx", "5432", "db", "user"), None);
        assert_eq!(find(file, "host", "5432", "db", "use"), None);
        assert_eq!(find(file, "HOST", "5432", "db", "user"), None);
    }

    #[test]
    fn first_match_wins() {
        let file = "h:5432:db:u:first\n*:*:*:*:wildcard\nh:5432:db:u:second\n";
        assert_eq!(find(file, "h", "5432", "db", "u"), some("first"));
        assert_eq!(find(file, "x", "1", "y", "z"), some("wildcard"));
    }

    #[test]
    fn wildcards() {
        let file = "*:5432:*:u:a\nh:*:db:*:b\n";
        assert_eq!(find(file, "anything", "5432", "any", "u"), some("a"));
        assert_eq!(find(file, "h", "9999", "db", "v"), some("b"));
        assert_eq!(find(file, "h", "9999", "other", "v"), None);
    }

    #[test]
    fn star_is_literal_unless_alone() {
        let file = "*x:5432:db:u:a\n";
        assert_eq!(find(file, "hx", "5432", "db", "u"), None);
        assert_eq!(find(file, "*x", "5432", "db", "u"), some("a"));
        // A literal `*` host matches a `*` field too.
        assert_eq!(find("*:5432:db:u:b\n", "*", "5432", "db", "u"), some("b"));
    }

    #[test]
    fn escapes_in_fields_and_password() {
        let file = r"h\:x:5432:d\\b:u:p\:w\\d\x".to_string() + "\n";
        assert_eq!(find(&file, "h:x", "5432", r"d\b", "u"), some(r"p:w\dx"));
        assert_eq!(find(&file, "h", "5432", r"d\b", "u"), None);
    }

    #[test]
    fn password_ends_at_unescaped_colon() {
        assert_eq!(
            find("h:1:d:u:pass:extra\n", "h", "1", "d", "u"),
            some("pass")
        );
    }

    #[test]
    fn trailing_backslash_in_password_is_kept() {
        assert_eq!(find("h:1:d:u:pass\\\n", "h", "1", "d", "u"), some("pass\\"));
    }

    #[test]
    fn trailing_backslash_in_field_never_matches() {
        assert_eq!(find("h\\", "h", "1", "d", "u"), None);
    }

    #[test]
    fn password_field_required() {
        // No `:` after the user: no match.
        assert_eq!(find("h:1:d:u\n", "h", "1", "d", "u"), None);
        // Empty password.
        assert_eq!(find("h:1:d:u:\n", "h", "1", "d", "u"), some(""));
    }

    #[test]
    fn password_keeps_spaces_and_unicode() {
        assert_eq!(
            find("h:1:d:u: pass wörd \n", "h", "1", "d", "u"),
            some(" pass wörd ")
        );
    }

    #[test]
    fn comments_blank_lines_and_crlf() {
        let file = "# h:1:d:u:commented\n\n\r\nh:1:d:u:real\r\n";
        assert_eq!(find(file, "h", "1", "d", "u"), some("real"));
        // Only a `#` in the first column starts a comment.
        assert_eq!(find(" #:1:d:u:x\n", " #", "1", "d", "u"), some("x"));
        assert_eq!(find("#h:1:d:u:x\n", "#h", "1", "d", "u"), None);
    }

    #[test]
    fn last_line_without_newline() {
        assert_eq!(find("a:1:d:u:x\nh:1:d:u:y", "h", "1", "d", "u"), some("y"));
    }

    #[test]
    fn localhost_matches_empty_host_and_default_socket_dir() {
        let file = "localhost:5432:db:u:local\n";
        assert_eq!(find(file, "", "5432", "db", "u"), some("local"));
        assert_eq!(
            find(file, DEFAULT_SOCKET_DIR, "5432", "db", "u"),
            some("local")
        );
        assert_eq!(find(file, "localhost", "5432", "db", "u"), some("local"));
        // Other socket directories must appear literally, as in libpq.
        assert_eq!(find(file, "/tmp", "5432", "db", "u"), None);
        assert_eq!(
            find("/tmp:5432:db:u:t\n", "/tmp", "5432", "db", "u"),
            some("t")
        );
        // The default socket directory is looked up as `localhost` only.
        let literal = "/var/run/postgresql:5432:db:u:s\n";
        assert_eq!(find(literal, DEFAULT_SOCKET_DIR, "5432", "db", "u"), None);
    }

    #[test]
    fn empty_port_means_default() {
        assert_eq!(find("h:5432:d:u:x\n", "h", "", "d", "u"), some("x"));
        assert_eq!(find("h:5433:d:u:x\n", "h", "", "d", "u"), None);
    }

    #[test]
    fn empty_dbname_or_user_means_no_lookup() {
        assert_eq!(find("*:*:*:*:x\n", "h", "1", "", "u"), None);
        assert_eq!(find("*:*:*:*:x\n", "h", "1", "d", ""), None);
    }

    #[test]
    fn ipv6_host_needs_escaped_colons() {
        let file = r"\:\:1:5432:d:u:v6".to_string() + "\n";
        assert_eq!(find(&file, "::1", "5432", "d", "u"), some("v6"));
    }

    #[test]
    fn missing_file_is_none() {
        let dir = TempDir::new();
        let path = dir.0.path().join("does-not-exist");
        assert_eq!(lookup(&path, "h", "1", "d", "u").unwrap(), None);
    }

    #[test]
    fn unreadable_path_is_error_naming_it() {
        let dir = TempDir::new();
        let e = lookup(dir.0.path(), "h", "1", "d", "u")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot read password file `"), "{e}");
        assert!(e.contains(&dir.0.path().display().to_string()), "{e}");
    }

    #[test]
    fn non_utf8_password_is_error_without_password() {
        let dir = TempDir::new();
        let path = dir.0.path().join("pgpass");
        fs::write(&path, b"h:1:d:u:se\xffcret\n").unwrap();
        let e = lookup(&path, "h", "1", "d", "u").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(!e.contains("cret"), "{e}");
        // Non-UTF-8 bytes elsewhere do not matter.
        fs::write(&path, b"\xff:1:d:u:x\nh:1:d:u:ok\n").unwrap();
        assert_eq!(lookup(&path, "h", "1", "d", "u").unwrap(), some("ok"));
    }

    #[cfg(unix)]
    #[test]
    fn permissions() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new();
        let path = dir.file("pgpass", "*:*:*:*:x\n");
        assert_eq!(check_permissions(&path), None);
        for mode in [0o400, 0o600, 0o700, 0o000] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(check_permissions(&path), None, "{mode:o}");
        }
        for mode in [0o640, 0o604, 0o660, 0o644, 0o610, 0o601, 0o666] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                check_permissions(&path),
                Some(format!(
                    "warning: password file `{}` has group or world access; \
                     permissions should be u=rw (0600) or less",
                    path.display()
                )),
                "{mode:o}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn permissions_of_directory_and_missing_file() {
        let dir = TempDir::new();
        assert_eq!(
            check_permissions(dir.0.path()),
            Some(format!(
                "warning: password file `{}` is not a plain file",
                dir.0.path().display()
            ))
        );
        assert_eq!(check_permissions(&dir.0.path().join("missing")), None);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_follow_symlinks() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new();
        let target = dir.file("target", "*:*:*:*:x\n");
        let link = dir.0.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(check_permissions(&link), None);
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(check_permissions(&link).is_some());
    }

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn default_path_rules() {
        let env = env_of(&[("PGPASSFILE", "/x/pass"), ("HOME", "/home/u")]);
        assert_eq!(default_path(&env), Some(PathBuf::from("/x/pass")));
        let env = env_of(&[("HOME", "/home/u")]);
        assert_eq!(default_path(&env), Some(PathBuf::from("/home/u/.pgpass")));
        let env = env_of(&[("PGPASSFILE", ""), ("HOME", "/home/u")]);
        assert_eq!(default_path(&env), Some(PathBuf::from("/home/u/.pgpass")));
        let env = env_of(&[("HOME", "")]);
        assert_eq!(default_path(&env), None);
        let env = env_of(&[]);
        assert_eq!(default_path(&env), None);
    }
}
