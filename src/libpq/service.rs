//! The connection service file, read the way libpq's `parseServiceInfo` does.
//!
//! A service file is INI-like (PostgreSQL 15 documentation, section 34.16): a `[name]` line
//! starts the section of service `name`, and the lines after it, up to the next `[` line, are
//! `keyword=value` connection parameters. libpq first reads the user's file, `PGSERVICEFILE`
//! or else `~/.pg_service.conf`, and only when the service is not defined there the system
//! file, `$PGSYSCONFDIR/pg_service.conf` ([`DEFAULT_SYSCONFDIR`] when `PGSYSCONFDIR` is not
//! set). A service defined in neither is an error.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use super::conninfo;

/// The system configuration directory compiled into Debian's libpq (`pg_config --sysconfdir`).
pub const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// The user's service file name, in the home directory.
pub const USER_FILE_NAME: &str = ".pg_service.conf";

/// The system service file name, in the system configuration directory.
pub const SYSTEM_FILE_NAME: &str = "pg_service.conf";

/// libpq reads lines with `fgets` into a 1024-byte buffer and rejects a line that fills it:
/// a line of this many bytes or more, counting its newline, is too long.
const MAX_LINE_BYTES: usize = 1023;

/// The user's service file: `PGSERVICEFILE` when set (even if empty, as in libpq), else
/// `$HOME/.pg_service.conf`; `None` when `HOME` is unset or empty (libpq would then ask the
/// user database, which std cannot read).
pub fn user_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(file) = env("PGSERVICEFILE") {
        return Some(PathBuf::from(file));
    }
    env("HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join(USER_FILE_NAME))
}

/// The system service file: `$PGSYSCONFDIR/pg_service.conf`, with [`DEFAULT_SYSCONFDIR`] when
/// `PGSYSCONFDIR` is not set. Like libpq, an empty `PGSYSCONFDIR` gives `/pg_service.conf`.
pub fn system_file(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let dir = env("PGSYSCONFDIR").unwrap_or_else(|| DEFAULT_SYSCONFDIR.to_string());
    PathBuf::from(format!("{dir}/{SYSTEM_FILE_NAME}"))
}

/// Returns the connection parameters of service `name`, as keyword/value pairs in file order.
///
/// The `[name]` section is looked for first in [`user_file`], then in [`system_file`]; the
/// first file that defines it is the only one used, and in it only the first `[name]`
/// section. A system file or `~/.pg_service.conf` that does not exist is skipped, and so is a
/// directory (libpq reads no lines from one). Following libpq's `parseServiceFile`:
///
/// - Each line is trimmed of leading and trailing whitespace; empty lines and lines starting
///   with `#` are skipped.
/// - A line starting with `[` is a section header; it names service `name` when it starts with
///   `[name]` (anything after the `]` is ignored). Names are case-sensitive.
/// - Other lines count only inside the wanted section (lines elsewhere are not checked). Each
///   is `keyword=value`, split at the first `=`, with no trimming around it: `host = x` has the
///   keyword `host ` and is an error. The keyword must be one of [`conninfo::KEYWORDS`] other
///   than `service`; the value is the rest of the line, unquoted and unescaped.
/// - When a keyword appears twice in the section, the first value is kept.
///
/// An empty section gives an empty list. The caller applies the pairs under any parameters
/// set explicitly, since libpq never lets a service override an explicit setting.
///
/// # Errors
///
/// ``service `NAME` not found in `USER_FILE` or `SYSTEM_FILE` `` when neither file defines the
/// service (just `SYSTEM_FILE` when there is no user file); a file named by `PGSERVICEFILE`
/// that does not exist (libpq does not fall back to the system file then); a file that exists
/// but cannot be read; and, within the wanted section, a line without `=`, a nested `service`
/// keyword, an unknown keyword, a line of 1023 bytes or more (anywhere before the section
/// ends), an LDAP lookup line (not supported) or a value that is not valid UTF-8. These errors
/// name the file and the line number, never the value.
pub fn lookup(name: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<(String, String)>> {
    let user = user_file(env);
    let system = system_file(env);
    if let Some(user) = &user {
        match fs::metadata(user) {
            Ok(metadata) => {
                if let Some(section) = read_section(user, &metadata, name)? {
                    return Ok(section);
                }
            }
            // libpq insists on a file named by PGSERVICEFILE, but not on ~/.pg_service.conf.
            Err(_) if env("PGSERVICEFILE").is_some() => {
                bail!(
                    "service file `{}` (from PGSERVICEFILE) not found",
                    user.display()
                )
            }
            Err(_) => {}
        }
    }
    if let Ok(metadata) = fs::metadata(&system) {
        if let Some(section) = read_section(&system, &metadata, name)? {
            return Ok(section);
        }
    }
    match user {
        Some(user) => bail!(
            "service `{name}` not found in `{}` or `{}`",
            user.display(),
            system.display()
        ),
        None => bail!("service `{name}` not found in `{}`", system.display()),
    }
}

/// libpq's `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `line` without leading and trailing whitespace.
fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    &line[start..end.max(start)]
}

/// True when the header line `line` (starting with `[`) names service `name`.
fn names_service(line: &[u8], name: &str) -> bool {
    let name = name.as_bytes();
    line.len() > name.len() + 1 && &line[1..=name.len()] == name && line[name.len() + 1] == b']'
}

/// Reads the first section of service `name` in the service file at `path`; `Ok(None)` when the
/// file does not define it.
fn read_section(
    path: &Path,
    metadata: &fs::Metadata,
    name: &str,
) -> Result<Option<Vec<(String, String)>>> {
    if metadata.is_dir() {
        // libpq opens a directory without complaint and reads no lines from it.
        return Ok(None);
    }
    let data = fs::read(path)
        .map_err(|e| anyhow!("cannot read service file `{}`: {e}", path.display()))?;
    let file = path.display();
    let mut in_section = false;
    let mut entries: Vec<(String, String)> = Vec::new();
    for (index, raw) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        let line_number = index + 1;
        if raw.len() >= MAX_LINE_BYTES {
            bail!("line {line_number} too long in service file `{file}`");
        }
        let line = trim(raw);
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        if line[0] == b'[' {
            if in_section {
                return Ok(Some(entries));
            }
            in_section = names_service(line, name);
            continue;
        }
        if !in_section {
            continue;
        }
        if line.starts_with(b"ldap") {
            bail!(
                "ldap service lookups are not supported (service file `{file}`, line \
                 {line_number})"
            );
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            bail!(
                "syntax error in service file `{file}`, line {line_number}: expected \
                 `keyword=value`"
            );
        };
        let keyword = std::str::from_utf8(&line[..eq]).unwrap_or("");
        if keyword == "service" {
            bail!(
                "nested service specifications not supported in service file `{file}`, line \
                 {line_number}"
            );
        }
        if !conninfo::is_keyword(keyword) {
            if conninfo::shows_as_keyword(keyword) {
                bail!(
                    "invalid connection option `{keyword}` in service file `{file}`, line \
                     {line_number}"
                );
            }
            bail!("invalid connection option in service file `{file}`, line {line_number}");
        }
        let value = String::from_utf8(line[eq + 1..].to_vec()).map_err(|_| {
            anyhow!(
                "value of `{keyword}` is not valid UTF-8 in service file `{file}`, line \
                 {line_number}"
            )
        })?;
        if !entries.iter().any(|(k, _)| k == keyword) {
            entries.push((keyword.to_string(), value));
        }
    }
    Ok(in_section.then_some(entries))
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

        fn path(&self, name: &str) -> PathBuf {
            self.0.path().join(name)
        }

        fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
            let path = self.path(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).unwrap();
            }
            fs::write(&path, contents).unwrap();
            path
        }
    }

    fn env_of(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A temp dir with a home directory and a sysconfdir, and an env pointing at them.
    struct Setup {
        dir: TempDir,
        env: Env,
    }

    /// An environment closure owned by a test fixture.
    type Env = Box<dyn Fn(&str) -> Option<String>>;

    impl Setup {
        fn new(user: Option<&str>, system: Option<&str>) -> Setup {
            let dir = TempDir::new();
            fs::create_dir_all(dir.path("home")).unwrap();
            fs::create_dir_all(dir.path("etc")).unwrap();
            if let Some(user) = user {
                dir.write("home/.pg_service.conf", user.as_bytes());
            }
            if let Some(system) = system {
                dir.write("etc/pg_service.conf", system.as_bytes());
            }
            let env = env_of(&[
                ("HOME", dir.path("home").display().to_string()),
                ("PGSYSCONFDIR", dir.path("etc").display().to_string()),
            ]);
            Setup {
                dir,
                env: Box::new(env),
            }
        }

        fn lookup(&self, name: &str) -> Result<Vec<(String, String)>> {
            lookup(name, &self.env)
        }

        fn err(&self, name: &str) -> String {
            match self.lookup(name) {
                Ok(v) => panic!("lookup({name:?}) unexpectedly gave {v:?}"),
                Err(e) => format!("{e:#}"),
            }
        }

        fn user_path(&self) -> String {
            self.dir.path("home/.pg_service.conf").display().to_string()
        }

        fn system_path(&self) -> String {
            self.dir.path("etc/pg_service.conf").display().to_string()
        }
    }

    #[test]
    fn finds_section_in_user_file() {
        let setup = Setup::new(
            Some("[other]\nhost=o\n\n[mydb]\nhost=db.example.com\nport=5433\ndbname=insta485\n"),
            None,
        );
        assert_eq!(
            setup.lookup("mydb").unwrap(),
            pairs(&[
                ("host", "db.example.com"),
                ("port", "5433"),
                ("dbname", "insta485")
            ])
        );
        assert_eq!(setup.lookup("other").unwrap(), pairs(&[("host", "o")]));
    }

    #[test]
    fn falls_back_to_system_file() {
        let setup = Setup::new(Some("[a]\nhost=user\n"), Some("[b]\nhost=system\n"));
        assert_eq!(setup.lookup("b").unwrap(), pairs(&[("host", "system")]));
    }

    #[test]
    fn user_file_wins_and_is_not_merged() {
        let setup = Setup::new(Some("[s]\nhost=user\n"), Some("[s]\nhost=system\nport=1\n"));
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "user")]));
    }

    #[test]
    fn missing_user_file_is_skipped() {
        let setup = Setup::new(None, Some("[s]\nuser=u\n"));
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("user", "u")]));
    }

    #[test]
    fn not_found_names_both_files() {
        let setup = Setup::new(Some("[a]\n"), Some("[b]\n"));
        assert_eq!(
            setup.err("nope"),
            format!(
                "service `nope` not found in `{}` or `{}`",
                setup.user_path(),
                setup.system_path()
            )
        );
        // Also when the files do not exist.
        let setup = Setup::new(None, None);
        assert_eq!(
            setup.err("nope"),
            format!(
                "service `nope` not found in `{}` or `{}`",
                setup.user_path(),
                setup.system_path()
            )
        );
    }

    #[test]
    fn not_found_without_home() {
        let dir = TempDir::new();
        let env = env_of(&[("PGSYSCONFDIR", dir.0.path().display().to_string())]);
        let e = format!("{:#}", lookup("x", &env).unwrap_err());
        assert_eq!(
            e,
            format!(
                "service `x` not found in `{}/pg_service.conf`",
                dir.0.path().display()
            )
        );
    }

    #[test]
    fn pgservicefile_replaces_home_file() {
        let setup = Setup::new(Some("[s]\nhost=home\n"), None);
        let custom = setup.dir.write("custom.conf", b"[s]\nhost=custom\n");
        let env = env_of(&[
            ("HOME", setup.dir.path("home").display().to_string()),
            ("PGSERVICEFILE", custom.display().to_string()),
            ("PGSYSCONFDIR", setup.dir.path("etc").display().to_string()),
        ]);
        assert_eq!(lookup("s", &env).unwrap(), pairs(&[("host", "custom")]));
        let e = format!("{:#}", lookup("t", &env).unwrap_err());
        assert!(e.contains(&custom.display().to_string()), "{e}");
        assert!(!e.contains(".pg_service.conf"), "{e}");
    }

    #[test]
    fn default_paths() {
        let env = env_of(&[("HOME", "/home/u".to_string())]);
        assert_eq!(
            user_file(&env),
            Some(PathBuf::from("/home/u/.pg_service.conf"))
        );
        assert_eq!(
            system_file(&env),
            PathBuf::from("/etc/postgresql-common/pg_service.conf")
        );
        let env = env_of(&[
            ("PGSERVICEFILE", "/x/s.conf".to_string()),
            ("PGSYSCONFDIR", "/opt/etc".to_string()),
        ]);
        assert_eq!(user_file(&env), Some(PathBuf::from("/x/s.conf")));
        assert_eq!(system_file(&env), PathBuf::from("/opt/etc/pg_service.conf"));
        let env = env_of(&[("HOME", String::new()), ("PGSYSCONFDIR", String::new())]);
        assert_eq!(user_file(&env), None);
        assert_eq!(system_file(&env), PathBuf::from("/pg_service.conf"));
        let env = env_of(&[("PGSERVICEFILE", String::new())]);
        assert_eq!(user_file(&env), Some(PathBuf::new()));
    }

    #[test]
    fn comments_blank_lines_and_whitespace() {
        let setup = Setup::new(
            Some("# comment\n\n   [s]   \n  # indented comment\n\t host=h  \r\n\n  port=1\x0b\n"),
            None,
        );
        assert_eq!(
            setup.lookup("s").unwrap(),
            pairs(&[("host", "h"), ("port", "1")])
        );
    }

    #[test]
    fn values_are_raw() {
        let setup = Setup::new(
            Some("[s]\noptions=-c search_path=a,b\npassword='q'\\x\nhost= spaced\n"),
            None,
        );
        assert_eq!(
            setup.lookup("s").unwrap(),
            pairs(&[
                ("options", "-c search_path=a,b"),
                ("password", "'q'\\x"),
                ("host", " spaced"),
            ])
        );
    }

    #[test]
    fn empty_values_and_empty_sections() {
        let setup = Setup::new(Some("[empty]\n[s]\nhost=\n"), None);
        assert_eq!(setup.lookup("empty").unwrap(), pairs(&[]));
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "")]));
    }

    #[test]
    fn first_value_of_duplicate_keyword_wins() {
        let setup = Setup::new(Some("[s]\nhost=a\nport=1\nhost=b\n"), None);
        assert_eq!(
            setup.lookup("s").unwrap(),
            pairs(&[("host", "a"), ("port", "1")])
        );
    }

    #[test]
    fn only_first_section_counts() {
        let setup = Setup::new(Some("[s]\nhost=a\n[t]\n[s]\nport=2\n"), None);
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "a")]));
    }

    #[test]
    fn header_matching() {
        let setup = Setup::new(
            Some("[S]\nhost=upper\n[s] trailing\nhost=lower\n[ss]\nhost=double\n"),
            None,
        );
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "lower")]));
        assert_eq!(setup.lookup("S").unwrap(), pairs(&[("host", "upper")]));
        assert_eq!(setup.lookup("ss").unwrap(), pairs(&[("host", "double")]));
        assert!(setup.lookup("s]").is_err());
        // `[s` without `]` is a header that names nothing.
        let setup = Setup::new(Some("[s\nhost=x\n"), None);
        assert!(setup.lookup("s").is_err());
    }

    #[test]
    fn junk_outside_wanted_section_is_ignored() {
        let setup = Setup::new(
            Some("junk before\n[other]\nnot a keyword\nfoo=bar\n[s]\nhost=h\n"),
            None,
        );
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "h")]));
    }

    #[test]
    fn line_without_equals_is_error() {
        let setup = Setup::new(Some("[s]\nhost=h\nhunter2\n"), None);
        let e = setup.err("s");
        assert_eq!(
            e,
            format!(
                "syntax error in service file `{}`, line 3: expected `keyword=value`",
                setup.user_path()
            )
        );
        assert!(!e.contains("hunter2"));
    }

    #[test]
    fn unknown_keyword_is_error() {
        let setup = Setup::new(Some("[s]\n\nhots=h\n"), None);
        assert_eq!(
            setup.err("s"),
            format!(
                "invalid connection option `hots` in service file `{}`, line 3",
                setup.user_path()
            )
        );
        // Spaces around `=` are part of the keyword, as in libpq.
        let setup = Setup::new(Some("[s]\nhost = h\n"), None);
        assert_eq!(
            setup.err("s"),
            format!(
                "invalid connection option in service file `{}`, line 2",
                setup.user_path()
            )
        );
        // Not keywords in service files: `requiressl` and `ssl`.
        let setup = Setup::new(Some("[s]\nrequiressl=1\n"), None);
        assert!(setup.err("s").contains("`requiressl`"));
    }

    #[test]
    fn unknown_keyword_error_hides_odd_text() {
        let setup = Setup::new(Some("[s]\npassword:hunter2=x\n"), None);
        let e = setup.err("s");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn nested_service_is_error() {
        let setup = Setup::new(Some("[s]\nservice=t\n[t]\nhost=h\n"), None);
        assert_eq!(
            setup.err("s"),
            format!(
                "nested service specifications not supported in service file `{}`, line 2",
                setup.user_path()
            )
        );
    }

    #[test]
    fn ldap_lines_are_rejected() {
        let setup = Setup::new(
            Some("[s]\nldap://ldap.example.com/dc=example,dc=com?uniqueMember?one?(cn=s)\n"),
            None,
        );
        let e = setup.err("s");
        assert!(
            e.starts_with("ldap service lookups are not supported"),
            "{e}"
        );
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn errors_in_user_file_do_not_fall_back() {
        let setup = Setup::new(Some("[s]\nbad\n"), Some("[s]\nhost=h\n"));
        assert!(setup.err("s").starts_with("syntax error"));
    }

    #[test]
    fn system_file_errors_are_reported() {
        let setup = Setup::new(Some("[a]\n"), Some("[s]\nfoo=1\n"));
        assert_eq!(
            setup.err("s"),
            format!(
                "invalid connection option `foo` in service file `{}`, line 2",
                setup.system_path()
            )
        );
    }

    #[test]
    fn long_lines() {
        // 1021 characters plus the newline: accepted.
        let ok_line = format!("options={}\n", "x".repeat(1021 - 8));
        let setup = Setup::new(Some(&format!("[s]\n{ok_line}")), None);
        assert_eq!(setup.lookup("s").unwrap()[0].1.len(), 1021 - 8);
        // 1022 characters plus the newline: too long, even outside the section.
        let long_line = format!("# {}\n", "x".repeat(1020));
        let setup = Setup::new(Some(&format!("{long_line}[s]\nhost=h\n")), None);
        assert_eq!(
            setup.err("s"),
            format!("line 1 too long in service file `{}`", setup.user_path())
        );
        // After the section has ended, lines are not read.
        let setup = Setup::new(Some(&format!("[s]\nhost=h\n[t]\n{long_line}")), None);
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "h")]));
    }

    #[test]
    fn last_line_without_newline() {
        let setup = Setup::new(Some("[s]\nhost=h"), None);
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "h")]));
    }

    #[test]
    fn non_utf8_value_is_error_without_value() {
        let setup = Setup::new(None, None);
        setup
            .dir
            .write("home/.pg_service.conf", b"[s]\npassword=se\xffcret\n");
        let e = setup.err("s");
        assert!(e.contains("line 2") && e.contains("`password`"), "{e}");
        assert!(!e.contains("cret"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_error() {
        use std::os::unix::fs::PermissionsExt;

        let setup = Setup::new(Some("[s]\nhost=h\n"), None);
        let path = setup.dir.path("home/.pg_service.conf");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&path).is_ok() {
            // Running as root: permissions do not stop reading.
            return;
        }
        let e = setup.err("s");
        assert!(e.starts_with("cannot read service file `"), "{e}");
    }

    #[test]
    fn directory_is_skipped() {
        let setup = Setup::new(None, Some("[s]\nhost=system\n"));
        fs::create_dir_all(setup.dir.path("home/.pg_service.conf")).unwrap();
        assert_eq!(setup.lookup("s").unwrap(), pairs(&[("host", "system")]));
    }

    #[test]
    fn missing_pgservicefile_is_error() {
        let setup = Setup::new(None, Some("[s]\nhost=system\n"));
        let missing = setup.dir.path("missing.conf");
        let env = env_of(&[
            ("PGSERVICEFILE", missing.display().to_string()),
            ("PGSYSCONFDIR", setup.dir.path("etc").display().to_string()),
        ]);
        assert_eq!(
            format!("{:#}", lookup("s", &env).unwrap_err()),
            format!(
                "service file `{}` (from PGSERVICEFILE) not found",
                missing.display()
            )
        );
        let env = env_of(&[
            ("PGSERVICEFILE", String::new()),
            ("PGSYSCONFDIR", setup.dir.path("etc").display().to_string()),
        ]);
        assert_eq!(
            format!("{:#}", lookup("s", &env).unwrap_err()),
            "service file `` (from PGSERVICEFILE) not found"
        );
    }

    #[test]
    fn pgservicefile_directory_falls_back_to_system_file() {
        let setup = Setup::new(None, Some("[s]\nhost=system\n"));
        let env = env_of(&[
            (
                "PGSERVICEFILE",
                setup.dir.path("home").display().to_string(),
            ),
            ("PGSYSCONFDIR", setup.dir.path("etc").display().to_string()),
        ]);
        assert_eq!(lookup("s", &env).unwrap(), pairs(&[("host", "system")]));
    }

    #[test]
    fn all_keywords_but_service_accepted() {
        let mut file = String::from("[s]\n");
        for keyword in conninfo::KEYWORDS.iter().filter(|k| **k != "service") {
            file.push_str(&format!("{keyword}=v\n"));
        }
        let setup = Setup::new(Some(&file), None);
        assert_eq!(
            setup.lookup("s").unwrap().len(),
            conninfo::KEYWORDS.len() - 1
        );
    }

    #[test]
    fn trim_and_names_service() {
        assert_eq!(trim(b"  a b \r\n"), b"a b");
        assert_eq!(trim(b" \t "), b"");
        assert_eq!(trim(b""), b"");
        assert!(names_service(b"[abc]", "abc"));
        assert!(names_service(b"[abc]x", "abc"));
        assert!(!names_service(b"[abc", "abc"));
        assert!(!names_service(b"[ab]", "abc"));
        assert!(names_service(b"[]", ""));
    }
}
