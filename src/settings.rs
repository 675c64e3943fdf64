//! Resolved connection settings: what to connect to, and where each value came from.
//!
//! Precedence follows libpq: command-line flags, then the environment (PGHOST, PGPORT,
//! PGUSER, PGPASSWORD), then the defaults (the local socket, then localhost; port 5432; the
//! login name). PGDATABASE is deliberately not read: it usually names another database, and
//! `reset` drops the database it manages.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;

/// The database managed when `-d` is not given.
pub const DEFAULT_DBNAME: &str = "insta485";
/// The socket folders libpq tries, in order, when no host is set.
pub const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];
/// Used when no connect timeout is set: libpq waits forever, which in CI is worse.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a setting came from, for `status` and for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command line"),
            Source::Env(var) => write!(f, "environment ({var})"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// One place to try to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A host name or IP address, reached over TCP.
    Tcp(String),
    /// A folder holding the server's Unix-domain socket `.s.PGSQL.<port>`.
    Socket(PathBuf),
}

impl Host {
    /// libpq's rule: a host that starts with `/` is a socket folder.
    pub fn parse(text: &str) -> Host {
        if text.starts_with('/') {
            Host::Socket(PathBuf::from(text))
        } else {
            Host::Tcp(text.to_string())
        }
    }

    /// True for a socket or a loopback address: the server is on this machine.
    pub fn is_local(&self) -> bool {
        match self {
            Host::Socket(_) => true,
            Host::Tcp(name) => {
                let name = name.trim_start_matches('[').trim_end_matches(']');
                name.eq_ignore_ascii_case("localhost")
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Tcp(name) => f.write_str(name),
            Host::Socket(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// Everything needed to connect, resolved once at start-up. Printing it never shows the
/// password.
#[derive(Clone)]
pub struct Settings {
    pub hosts: Sourced<Vec<Host>>,
    pub port: Sourced<u16>,
    pub user: Sourced<String>,
    pub password: Option<Sourced<String>>,
    /// The database this tool manages.
    pub dbname: Sourced<String>,
    pub connect_timeout: Duration,
    pub application_name: String,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("hosts", &self.hosts)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("dbname", &self.dbname)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl Settings {
    /// Resolve the settings from the flags and an environment lookup (a closure, so that
    /// tests need not touch the process environment).
    pub fn resolve(flags: &GlobalArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings> {
        let env_nonempty = |name: &str| env(name).filter(|v| !v.is_empty());

        let port = match (&flags.port, env_nonempty("PGPORT")) {
            (Some(p), _) => Sourced::new(parse_port(p, "-p/--port")?, Source::Flag),
            (None, Some(p)) => Sourced::new(parse_port(&p, "PGPORT")?, Source::Env("PGPORT")),
            (None, None) => Sourced::new(5432, Source::Default),
        };

        let hosts = match (&flags.host, env_nonempty("PGHOST")) {
            (Some(h), _) => Sourced::new(parse_hosts(h, "-h/--host")?, Source::Flag),
            (None, Some(h)) => Sourced::new(parse_hosts(&h, "PGHOST")?, Source::Env("PGHOST")),
            (None, None) => Sourced::new(default_hosts(port.value), Source::Default),
        };

        let user = match (&flags.username, env_nonempty("PGUSER")) {
            (Some(u), _) => Sourced::new(u.clone(), Source::Flag),
            (None, Some(u)) => Sourced::new(u, Source::Env("PGUSER")),
            (None, None) => Sourced::new(login_name(env)?, Source::Default),
        };

        let password = env("PGPASSWORD").map(|p| Sourced::new(p, Source::Env("PGPASSWORD")));

        let dbname = match &flags.dbname {
            Some(name) => Sourced::new(check_dbname(name)?, Source::Flag),
            None => Sourced::new(DEFAULT_DBNAME.to_string(), Source::Default),
        };

        let connect_timeout = match env_nonempty("PGCONNECT_TIMEOUT") {
            Some(t) => parse_timeout(&t)?,
            None => DEFAULT_CONNECT_TIMEOUT,
        };

        Ok(Settings {
            hosts,
            port,
            user,
            password,
            dbname,
            connect_timeout,
            application_name: env_nonempty("PGAPPNAME").unwrap_or_else(|| "insta485db".into()),
        })
    }

    /// `host:port` for messages, e.g. `/var/run/postgresql:5432` or `db.example.com:5432`.
    pub fn target(&self) -> String {
        let hosts: Vec<String> = self.hosts.value.iter().map(ToString::to_string).collect();
        format!("{}:{}", hosts.join(","), self.port.value)
    }

    /// True when every host is on this machine.
    pub fn is_local(&self) -> bool {
        self.hosts.value.iter().all(Host::is_local)
    }
}

fn parse_port(text: &str, from: &str) -> Result<u16> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => bail!("invalid port `{text}` from {from}: expected a number from 1 to 65535"),
    }
}

fn parse_timeout(text: &str) -> Result<Duration> {
    match text.trim().parse::<u64>() {
        // libpq: zero, negative or unset means wait forever; we keep a bound anyway.
        Ok(0) => Ok(Duration::from_secs(3600)),
        // libpq: a timeout of 1 second is taken as 2.
        Ok(secs) => Ok(Duration::from_secs(secs.max(2))),
        Err(_) => bail!("invalid PGCONNECT_TIMEOUT `{text}`: expected whole seconds"),
    }
}

fn parse_hosts(text: &str, from: &str) -> Result<Vec<Host>> {
    let hosts: Vec<Host> = text
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(Host::parse)
        .collect();
    if hosts.is_empty() {
        bail!("no host in `{text}` from {from}");
    }
    Ok(hosts)
}

/// libpq's default: the first socket folder holding `.s.PGSQL.<port>`, else localhost.
fn default_hosts(port: u16) -> Vec<Host> {
    DEFAULT_SOCKET_DIRS
        .iter()
        .map(Path::new)
        .find(|dir| dir.join(format!(".s.PGSQL.{port}")).exists())
        .map(|dir| vec![Host::Socket(dir.to_path_buf())])
        .unwrap_or_else(|| vec![Host::Tcp("localhost".into())])
}

/// The operating-system user, which libpq uses when no user is set.
fn login_name(env: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    if let Some(name) = env("USER")
        .or_else(|| env("LOGNAME"))
        .filter(|n| !n.is_empty())
    {
        return Ok(name);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            let uid = meta.uid().to_string();
            if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
                for line in passwd.lines() {
                    let fields: Vec<&str> = line.split(':').collect();
                    if fields.len() > 2 && fields[2] == uid {
                        return Ok(fields[0].to_string());
                    }
                }
            }
        }
    }
    bail!("could not tell which user to connect as: set PGUSER or pass -U/--username")
}

/// A database name PostgreSQL can hold: not empty, no NUL, at most 63 bytes.
pub fn check_dbname(name: &str) -> Result<String> {
    if name.is_empty() {
        bail!("the database name is empty");
    }
    if name.contains('\0') {
        bail!("the database name contains a NUL character");
    }
    if name.len() > 63 {
        bail!(
            "database name `{name}` is {} bytes long; PostgreSQL allows at most 63",
            name.len()
        );
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn flags() -> GlobalArgs {
        GlobalArgs {
            dbname: None,
            host: None,
            port: None,
            username: None,
            root: None,
            quiet: false,
            help: None,
        }
    }

    fn resolve(flags: &GlobalArgs, vars: &[(&str, &str)]) -> Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::resolve(flags, &move |k: &str| map.get(k).cloned())
    }

    #[test]
    fn flags_beat_environment() {
        let mut f = flags();
        f.host = Some("db.example.com".into());
        f.port = Some("6543".into());
        f.username = Some("alice".into());
        let s = resolve(
            &f,
            &[("PGHOST", "/tmp"), ("PGPORT", "5433"), ("PGUSER", "bob")],
        )
        .unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("db.example.com".into())]);
        assert_eq!(s.hosts.source, Source::Flag);
        assert_eq!(s.port.value, 6543);
        assert_eq!(s.user.value, "alice");
    }

    #[test]
    fn environment_beats_defaults() {
        let s = resolve(
            &flags(),
            &[
                ("PGHOST", "/tmp/sock,db2"),
                ("PGPORT", "5433"),
                ("PGUSER", "bob"),
                ("PGPASSWORD", "s3cret"),
            ],
        )
        .unwrap();
        assert_eq!(
            s.hosts.value,
            vec![Host::Socket("/tmp/sock".into()), Host::Tcp("db2".into())]
        );
        assert_eq!(s.hosts.source, Source::Env("PGHOST"));
        assert_eq!(s.port.value, 5433);
        assert_eq!(s.user.value, "bob");
        assert_eq!(
            s.password.as_ref().map(|p| p.value.as_str()),
            Some("s3cret")
        );
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn pgdatabase_is_not_read() {
        let s = resolve(&flags(), &[("PGDATABASE", "postgres"), ("USER", "me")]).unwrap();
        assert_eq!(s.dbname.value, "insta485");
        assert_eq!(s.user.value, "me");
    }

    #[test]
    fn bad_port_is_named() {
        let err = resolve(&flags(), &[("PGPORT", "54x32"), ("USER", "me")]).unwrap_err();
        assert!(err.to_string().contains("`54x32` from PGPORT"), "{err}");
    }

    #[test]
    fn long_database_name_is_refused() {
        let mut f = flags();
        f.dbname = Some("x".repeat(64));
        let err = resolve(&f, &[("USER", "me")]).unwrap_err();
        assert!(err.to_string().contains("at most 63"), "{err}");
    }

    #[test]
    fn local_hosts() {
        assert!(Host::parse("/var/run/postgresql").is_local());
        assert!(Host::parse("localhost").is_local());
        assert!(Host::parse("127.0.0.1").is_local());
        assert!(Host::parse("::1").is_local());
        assert!(!Host::parse("db.example.com").is_local());
        assert!(!Host::parse("10.0.0.5").is_local());
    }
}
