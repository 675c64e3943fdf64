//! Resolved connection settings: what to connect to, and where each value came from.
//!
//! The sources, strongest first:
//!
//! 1. the flags `-h`, `-p` and `-U`;
//! 2. a connection string or `postgresql://` URI given as `-d` (libpq's `key=value` form too);
//! 3. the service file section named by `service=` in that string, or by PGSERVICE
//!    (`~/.pg_service.conf` or PGSERVICEFILE, then `pg_service.conf`) — libpq reads the
//!    service before the environment, so a service beats PGHOST and friends;
//! 4. the environment: PGHOST, PGHOSTADDR, PGPORT, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE,
//!    PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, PGCONNECT_TIMEOUT, PGAPPNAME;
//! 5. the defaults: the local socket, then localhost; port 5432; the login name; `sslmode`
//!    `prefer`; `~/.postgresql/root.crt`, `postgresql.crt` and `postgresql.key` when present.
//!
//! A password found nowhere else is looked up in the password file (`~/.pgpass` or
//! PGPASSFILE) for each connection's own host, port, database and user, as libpq does.
//!
//! PGDATABASE, and a `dbname` inside a service, are deliberately not read: they usually name
//! another database, and `reset` drops the database it manages. Only `-d` names it.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};

use crate::cli::GlobalArgs;
use crate::libpq::{conninfo, pgpass, service};

/// The database managed when `-d` is not given.
pub const DEFAULT_DBNAME: &str = "insta485";
/// The socket folders libpq tries, in order, when no host is set.
pub const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];
/// Used when no connect timeout is set: libpq waits forever, which in CI is worse.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The port used when none is set.
pub const DEFAULT_PORT: u16 = 5432;

/// Where a setting came from, for `status` and for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-h`, `-p`, `-U` or a plain `-d NAME`.
    Flag,
    /// A `postgresql://` URI given as `-d`.
    Uri,
    /// A `key=value` connection string given as `-d`.
    ConnString,
    /// A section of the connection service file.
    Service(String),
    /// An environment variable.
    Env(&'static str),
    /// The password file.
    PgPass(PathBuf),
    /// Not set anywhere: the default.
    Default,
    /// Not set anywhere, and implied by another setting (libpq's rule).
    Implied(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command line"),
            Source::Uri => f.write_str("URI (-d)"),
            Source::ConnString => f.write_str("connection string (-d)"),
            Source::Service(name) => write!(f, "service file (service `{name}`)"),
            Source::Env(var) => write!(f, "environment ({var})"),
            Source::PgPass(path) => write!(f, "password file `{}`", path.display()),
            Source::Default => f.write_str("default"),
            Source::Implied(why) => write!(f, "default ({why})"),
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
    pub fn new(value: T, source: Source) -> Self {
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
            Host::Tcp(
                text.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
            )
        }
    }

    pub fn is_socket(&self) -> bool {
        matches!(self, Host::Socket(_))
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

/// libpq's `sslmode`: whether and how to use TLS on TCP connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// Plain first; TLS only if the server refuses the plain connection.
    Allow,
    /// TLS if the server supports it, else plain (the default).
    Prefer,
    /// TLS always; the certificate is verified only when a root certificate is present.
    Require,
    /// TLS, and the certificate chain must lead to a trusted root; the host name is not checked.
    VerifyCa,
    /// TLS, a trusted chain, and a certificate for the host name connected to.
    VerifyFull,
}

impl SslMode {
    pub fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// The modes that fail rather than connect without TLS.
    pub fn requires_tls(self) -> bool {
        matches!(
            self,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The root certificates that verify the server: a PEM file, or the system's trusted roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    File(PathBuf),
    System,
}

impl fmt::Display for RootCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootCert::File(path) => write!(f, "{}", path.display()),
            RootCert::System => f.write_str("system"),
        }
    }
}

/// The TLS settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub mode: Sourced<SslMode>,
    /// `sslrootcert`, or `~/.postgresql/root.crt` when that exists; `None` when neither.
    pub root_cert: Option<Sourced<RootCert>>,
    /// What `verify-ca` and `verify-full` name in their error when no root certificate is
    /// found: the default file.
    pub default_root_cert: Option<PathBuf>,
    /// The client certificate and key, when given or present in `~/.postgresql`.
    pub client_cert: Option<Sourced<PathBuf>>,
    pub client_key: Option<Sourced<PathBuf>>,
}

/// Everything needed to connect, resolved once at start-up. Printing it never shows the
/// password.
#[derive(Clone)]
pub struct Settings {
    pub hosts: Sourced<Vec<Host>>,
    /// The IP address to reach each host at, without a name lookup (PGHOSTADDR); empty or
    /// one per host.
    pub hostaddrs: Vec<Option<IpAddr>>,
    /// The port of the first host, and where it came from.
    pub port: Sourced<u16>,
    /// The port of each host (a port list has one per host).
    pub ports: Vec<u16>,
    pub user: Sourced<String>,
    /// A password given outright (URI, connection string, service, PGPASSWORD).
    pub password: Option<Sourced<String>>,
    /// The password file to look in when no password is given; `None` when it was ignored.
    pub passfile: Option<PathBuf>,
    /// Why the password file was ignored (its permissions), to print once.
    pub passfile_warning: Option<String>,
    /// The database this tool manages.
    pub dbname: Sourced<String>,
    pub tls: Tls,
    pub connect_timeout: Duration,
    pub application_name: String,
    /// `--wait`: how long to wait for a server that is not up yet.
    pub wait: Option<Duration>,
    /// `--quiet`: no notes while waiting.
    pub quiet: bool,
    /// `channel_binding`: whether SCRAM must bind to the TLS channel.
    pub channel_binding: ChannelBinding,
    /// Connection options given (in -d or a service) that this tool does not act on, to warn
    /// about once.
    pub ignored_options: Vec<String>,
}

/// libpq's `channel_binding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelBinding {
    Disable,
    Prefer,
    Require,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("hosts", &self.hosts)
            .field("hostaddrs", &self.hostaddrs)
            .field("port", &self.port)
            .field("ports", &self.ports)
            .field("user", &self.user)
            .field(
                "password",
                &self
                    .password
                    .as_ref()
                    .map(|p| format!("******** ({})", p.source)),
            )
            .field("passfile", &self.passfile)
            .field("dbname", &self.dbname)
            .field("tls", &self.tls)
            .field("connect_timeout", &self.connect_timeout)
            .field("wait", &self.wait)
            .finish()
    }
}

/// Which environment variable stands for which connection keyword.
const ENV_VARS: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("application_name", "PGAPPNAME"),
    ("channel_binding", "PGCHANNELBINDING"),
];

/// Connection options this tool acts on.
const USED_OPTIONS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "passfile",
    "dbname",
    "service",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "channel_binding",
];

/// Options that change nothing that matters here, ignored without a word: the encoding is
/// always UTF-8, SNI is always sent for host names, keepalives are the system's.
const HARMLESS_OPTIONS: &[&str] = &[
    "fallback_application_name",
    "client_encoding",
    "sslsni",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
];

/// The layers of settings, strongest first, each a list of keyword/value pairs.
struct Layers<'a> {
    layers: Vec<(Vec<(String, String)>, Source)>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Layers<'_> {
    /// The strongest non-empty value of `keyword`, and where it came from.
    fn get(&self, keyword: &str) -> Option<(String, Source)> {
        for (pairs, source) in &self.layers {
            if let Some((_, value)) = pairs.iter().rev().find(|(k, _)| k == keyword) {
                if !value.is_empty() {
                    return Some((value.clone(), source.clone()));
                }
            }
        }
        let var = ENV_VARS.iter().find(|(k, _)| *k == keyword)?.1;
        (self.env)(var)
            .filter(|v| !v.is_empty())
            .map(|v| (v, Source::Env(var)))
    }
}

/// How a source is named in an error about its value.
fn origin(keyword: &str, source: &Source) -> String {
    match source {
        Source::Flag => match keyword {
            "host" => "-h/--host".into(),
            "port" => "-p/--port".into(),
            "user" => "-U/--username".into(),
            _ => "the command line".into(),
        },
        Source::Env(var) => (*var).to_string(),
        Source::Uri => format!("`{keyword}` in the URI given as -d"),
        Source::ConnString => format!("`{keyword}` in the connection string given as -d"),
        Source::Service(name) => format!("`{keyword}` in service `{name}`"),
        other => other.to_string(),
    }
}

impl Settings {
    /// Resolve the settings from the flags and an environment lookup (a closure, so that
    /// tests need not touch the process environment).
    pub fn resolve(flags: &GlobalArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings> {
        let mut layers: Vec<(Vec<(String, String)>, Source)> = Vec::new();
        let mut flag_pairs = Vec::new();
        for (keyword, value) in [
            ("host", &flags.host),
            ("port", &flags.port),
            ("user", &flags.username),
        ] {
            if let Some(value) = value {
                flag_pairs.push((keyword.to_string(), value.clone()));
            }
        }
        layers.push((flag_pairs, Source::Flag));

        // -d: a plain database name, or a connection string holding one.
        let mut dbname = Sourced::new(DEFAULT_DBNAME.to_string(), Source::Default);
        if let Some(d) = &flags.dbname {
            if conninfo::looks_like_conninfo(d) {
                let source = if d.starts_with("postgresql://") || d.starts_with("postgres://") {
                    Source::Uri
                } else {
                    Source::ConnString
                };
                let pairs = conninfo::parse(d).map_err(|err| {
                    anyhow::anyhow!(
                        "invalid connection string `{}` given as -d: {err:#}",
                        conninfo::redact(d)
                    )
                })?;
                if let Some((_, name)) = pairs.iter().find(|(k, v)| k == "dbname" && !v.is_empty())
                {
                    dbname = Sourced::new(check_dbname(name)?, source.clone());
                }
                layers.push((pairs, source));
            } else {
                dbname = Sourced::new(check_dbname(d)?, Source::Flag);
            }
        }

        // The service: named in the connection string, else by PGSERVICE.
        let service_name = layers
            .iter()
            .find_map(|(pairs, _)| {
                pairs
                    .iter()
                    .rev()
                    .find(|(k, v)| k == "service" && !v.is_empty())
            })
            .map(|(_, v)| v.clone())
            .or_else(|| env("PGSERVICE").filter(|v| !v.is_empty()));
        if let Some(name) = service_name {
            let pairs = service::lookup(&name, env)?;
            layers.push((pairs, Source::Service(name)));
        }
        let mut ignored_options: Vec<String> = Vec::new();
        for (pairs, _) in &layers {
            for (keyword, value) in pairs {
                if !value.is_empty()
                    && !USED_OPTIONS.contains(&keyword.as_str())
                    && !HARMLESS_OPTIONS.contains(&keyword.as_str())
                    && !ignored_options.contains(keyword)
                {
                    ignored_options.push(keyword.clone());
                }
            }
        }
        let layers = Layers { layers, env };

        // Hosts, their addresses and ports.
        let (hostaddr_list, hostaddr_source) = match layers.get("hostaddr") {
            Some((text, source)) => (
                parse_hostaddrs(&text, &origin("hostaddr", &source))?,
                source,
            ),
            None => (Vec::new(), Source::Default),
        };
        let (host_list, host_source) = match layers.get("host") {
            Some((text, source)) => (split_list(&text), source),
            None if !hostaddr_list.is_empty() => (
                hostaddr_list
                    .iter()
                    .map(|a| a.map(|a| a.to_string()).unwrap_or_default())
                    .collect(),
                hostaddr_source,
            ),
            None => (vec![String::new()], Source::Default),
        };
        let (port_list, port_source) = match layers.get("port") {
            Some((text, source)) => (split_list(&text), source),
            None => (vec![String::new()], Source::Default),
        };
        let mut ports = Vec::new();
        for p in &port_list {
            ports.push(if p.trim().is_empty() {
                DEFAULT_PORT
            } else {
                parse_port(p, &origin("port", &port_source))?
            });
        }
        if ports.len() != 1 && ports.len() != host_list.len() {
            bail!(
                "could not match {} port numbers to {} hosts (from {})",
                ports.len(),
                host_list.len(),
                origin("port", &port_source)
            );
        }
        if ports.len() == 1 {
            ports = vec![ports[0]; host_list.len()];
        }
        if !hostaddr_list.is_empty() && hostaddr_list.len() != host_list.len() {
            bail!(
                "could not match {} host addresses (PGHOSTADDR) to {} hosts",
                hostaddr_list.len(),
                host_list.len()
            );
        }
        let hosts: Vec<Host> = host_list
            .iter()
            .zip(&ports)
            .map(|(h, port)| {
                if h.trim().is_empty() {
                    default_host(*port)
                } else {
                    Host::parse(h.trim())
                }
            })
            .collect();
        let hosts = Sourced::new(hosts, host_source);
        let port = Sourced::new(ports[0], port_source);

        let user = match layers.get("user") {
            Some((u, source)) => Sourced::new(u, source),
            None => Sourced::new(login_name(env)?, Source::Default),
        };

        let password = match layers.get("password") {
            Some((p, source)) => Some(Sourced::new(p, source)),
            // libpq takes PGPASSWORD even when it is empty.
            None => env("PGPASSWORD").map(|p| Sourced::new(p, Source::Env("PGPASSWORD"))),
        };
        let passfile_path = match layers.get("passfile") {
            Some((p, _)) => Some(PathBuf::from(p)),
            None => pgpass::default_path(env),
        };
        let (passfile, passfile_warning) = match passfile_path {
            Some(path) => match pgpass::check_permissions(&path) {
                Some(warning) => (
                    None,
                    Some(warning.trim_start_matches("warning: ").to_string() + "; it is ignored"),
                ),
                None => (Some(path), None),
            },
            None => (None, None),
        };

        let tls = resolve_tls(&layers, env)?;

        let channel_binding = match layers.get("channel_binding") {
            None => ChannelBinding::Prefer,
            Some((v, source)) => match v.as_str() {
                "disable" => ChannelBinding::Disable,
                "prefer" => ChannelBinding::Prefer,
                "require" => ChannelBinding::Require,
                _ => bail!(
                    "invalid channel_binding `{v}` from {}: expected disable, prefer or require",
                    origin("channel_binding", &source)
                ),
            },
        };

        let connect_timeout = match layers.get("connect_timeout") {
            Some((t, source)) => parse_timeout(&t, &origin("connect_timeout", &source))?,
            None => DEFAULT_CONNECT_TIMEOUT,
        };

        Ok(Settings {
            hosts,
            hostaddrs: hostaddr_list,
            port,
            ports,
            user,
            password,
            passfile,
            passfile_warning,
            dbname,
            tls,
            connect_timeout,
            application_name: layers
                .get("application_name")
                .map(|(a, _)| a)
                .unwrap_or_else(|| "insta485db".into()),
            wait: flags.wait.map(Duration::from_secs),
            quiet: flags.quiet,
            channel_binding,
            ignored_options,
        })
    }

    /// `host:port` for messages, e.g. `/var/run/postgresql:5432` or `db.example.com:5432`.
    pub fn target(&self) -> String {
        let mut seen: Vec<String> = Vec::new();
        for i in 0..self.hosts.value.len() {
            let t = self.host_target(i);
            if !seen.contains(&t) {
                seen.push(t);
            }
        }
        seen.join(",")
    }

    /// `host:port` of the `i`-th host.
    pub fn host_target(&self, i: usize) -> String {
        let port = self.ports.get(i).copied().unwrap_or(self.port.value);
        match self.hosts.value.get(i) {
            Some(Host::Tcp(name)) if name.contains(':') => format!("[{name}]:{port}"),
            Some(host) => format!("{host}:{port}"),
            None => format!("?:{port}"),
        }
    }

    /// True when every host is on this machine.
    pub fn is_local(&self) -> bool {
        self.hosts.value.iter().all(Host::is_local)
    }

    /// The password for one connection: given outright, else from the password file for
    /// that host, port, database and user (libpq's rule).
    pub fn password_for(&self, host: &Host, port: u16, dbname: &str) -> Option<Sourced<String>> {
        if let Some(p) = &self.password {
            return Some(p.clone());
        }
        let file = self.passfile.as_ref()?;
        let host_text = match host {
            Host::Tcp(name) => name.clone(),
            Host::Socket(dir) => dir.display().to_string(),
        };
        match pgpass::lookup(
            file,
            &host_text,
            &port.to_string(),
            dbname,
            &self.user.value,
        ) {
            Ok(Some(p)) => Some(Sourced::new(p, Source::PgPass(file.clone()))),
            // libpq ignores a password file it cannot read.
            Ok(None) | Err(_) => None,
        }
    }

    /// Where the password would come from, for `status`: never the password itself.
    pub fn password_source(&self) -> Option<Source> {
        if let Some(p) = &self.password {
            return Some(p.source.clone());
        }
        let host = self.hosts.value.first()?;
        self.password_for(host, self.port.value, &self.dbname.value)
            .map(|p| p.source)
    }
}

/// The TLS settings from the layers, with libpq's defaults and rules.
fn resolve_tls(layers: &Layers<'_>, env: &dyn Fn(&str) -> Option<String>) -> Result<Tls> {
    let postgresql_dir = env("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".postgresql"));
    let root_cert = match layers.get("sslrootcert") {
        Some((v, source)) if v == "system" => Some(Sourced::new(RootCert::System, source)),
        Some((v, source)) => Some(Sourced::new(RootCert::File(PathBuf::from(v)), source)),
        None => postgresql_dir
            .as_ref()
            .map(|d| d.join("root.crt"))
            .filter(|p| p.exists())
            .map(|p| Sourced::new(RootCert::File(p), Source::Default)),
    };
    let mode = match layers.get("sslmode") {
        Some((v, source)) => match SslMode::parse(&v) {
            Some(mode) => Sourced::new(mode, source),
            None => bail!(
                "invalid sslmode `{v}` from {}: expected disable, allow, prefer, require, \
                 verify-ca or verify-full",
                origin("sslmode", &source)
            ),
        },
        None if root_cert.as_ref().map(|r| &r.value) == Some(&RootCert::System) => Sourced::new(
            SslMode::VerifyFull,
            Source::Implied("implied by sslrootcert=system"),
        ),
        None => Sourced::new(SslMode::Prefer, Source::Default),
    };
    if root_cert.as_ref().map(|r| &r.value) == Some(&RootCert::System)
        && mode.value != SslMode::VerifyFull
    {
        return Err(crate::error::Hinted::new(
            format!(
                "sslmode `{}` may not be used with sslrootcert=system",
                mode.value
            ),
            "use sslmode verify-full, as libpq requires: the system's roots trust any public \
             server, so only the host name check makes them safe",
        )
        .into());
    }
    let client_file = |keyword: &str, default: &str| match layers.get(keyword) {
        Some((v, source)) => Some(Sourced::new(PathBuf::from(v), source)),
        None => postgresql_dir
            .as_ref()
            .map(|d| d.join(default))
            .filter(|p| p.exists())
            .map(|p| Sourced::new(p, Source::Default)),
    };
    Ok(Tls {
        mode,
        root_cert,
        default_root_cert: postgresql_dir.as_ref().map(|d| d.join("root.crt")),
        client_cert: client_file("sslcert", "postgresql.crt"),
        client_key: client_file("sslkey", "postgresql.key"),
    })
}

/// A comma-separated list, elements trimmed (empty elements kept: they mean the default).
fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).collect()
}

fn parse_hostaddrs(text: &str, from: &str) -> Result<Vec<Option<IpAddr>>> {
    split_list(text)
        .iter()
        .map(|a| {
            if a.is_empty() {
                Ok(None)
            } else {
                a.parse::<IpAddr>().map(Some).map_err(|_| {
                    anyhow::anyhow!(
                        "invalid host address `{a}` from {from}: expected an IP address"
                    )
                })
            }
        })
        .collect()
}

fn parse_port(text: &str, from: &str) -> Result<u16> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => bail!("invalid port `{text}` from {from}: expected a number from 1 to 65535"),
    }
}

fn parse_timeout(text: &str, from: &str) -> Result<Duration> {
    match text.trim().parse::<u64>() {
        // libpq: zero, negative or unset means wait forever; we keep a bound anyway.
        Ok(0) => Ok(Duration::from_secs(3600)),
        // libpq: a timeout of 1 second is taken as 2.
        Ok(secs) => Ok(Duration::from_secs(secs.max(2))),
        Err(_) => bail!("invalid connect timeout `{text}` from {from}: expected whole seconds"),
    }
}

/// libpq's default host: the first socket folder holding `.s.PGSQL.<port>`, else localhost.
fn default_host(port: u16) -> Host {
    DEFAULT_SOCKET_DIRS
        .iter()
        .map(Path::new)
        .find(|dir| dir.join(format!(".s.PGSQL.{port}")).exists())
        .map(|dir| Host::Socket(dir.to_path_buf()))
        .unwrap_or_else(|| Host::Tcp("localhost".into()))
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
        GlobalArgs::default()
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

    fn flag_dbname(d: &str) -> GlobalArgs {
        GlobalArgs {
            dbname: Some(d.to_string()),
            ..GlobalArgs::default()
        }
    }

    #[test]
    fn uri_gives_everything_and_names_its_source() {
        let s = resolve(
            &flag_dbname("postgresql://alice:pw@db.example.com:6000/mydb?sslmode=verify-full"),
            &[("PGHOST", "/tmp"), ("PGPORT", "5433"), ("PGUSER", "bob")],
        )
        .unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("db.example.com".into())]);
        assert_eq!(s.hosts.source, Source::Uri);
        assert_eq!(s.port.value, 6000);
        assert_eq!(s.user.value, "alice");
        assert_eq!(s.user.source, Source::Uri);
        assert_eq!(s.dbname.value, "mydb");
        assert_eq!(s.dbname.source, Source::Uri);
        assert_eq!(s.tls.mode.value, SslMode::VerifyFull);
        assert_eq!(s.password.as_ref().unwrap().source, Source::Uri);
        assert!(!format!("{s:?}").contains("pw@"));
        assert!(!format!("{s:?}").contains("\"pw\""));
    }

    #[test]
    fn flags_beat_the_uri() {
        let mut f = flag_dbname("postgresql://alice@db.example.com:6000/mydb");
        f.host = Some("other".into());
        f.username = Some("carol".into());
        let s = resolve(&f, &[]).unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("other".into())]);
        assert_eq!(s.hosts.source, Source::Flag);
        assert_eq!(s.user.value, "carol");
        assert_eq!(s.port.value, 6000);
        assert_eq!(s.port.source, Source::Uri);
    }

    #[test]
    fn connection_string_without_dbname_manages_insta485() {
        let s = resolve(
            &flag_dbname("host=db.example.com user=alice sslmode=require"),
            &[("USER", "me")],
        )
        .unwrap();
        assert_eq!(s.dbname.value, "insta485");
        assert_eq!(s.dbname.source, Source::Default);
        assert_eq!(s.hosts.source, Source::ConnString);
        assert_eq!(s.tls.mode.value, SslMode::Require);
        assert_eq!(s.tls.mode.source, Source::ConnString);
        let s = resolve(
            &flag_dbname("postgresql://db.example.com"),
            &[("USER", "me")],
        )
        .unwrap();
        assert_eq!(s.dbname.value, "insta485");
    }

    #[test]
    fn invalid_connection_string_hides_the_password() {
        let err = resolve(&flag_dbname("password=hunter2 bogus=1"), &[("USER", "me")]).unwrap_err();
        let text = format!("{err:#}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("-d"), "{text}");
    }

    fn service_file(body: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), body).unwrap();
        file
    }

    #[test]
    fn service_beats_environment_as_in_libpq() {
        let file = service_file(
            "[rds]\nhost=svc.example.com\nport=6543\nsslmode=verify-ca\ndbname=other\n",
        );
        let path = file.path().to_str().unwrap();
        let s = resolve(
            &flags(),
            &[
                ("PGSERVICEFILE", path),
                ("PGSERVICE", "rds"),
                ("PGHOST", "/tmp"),
                ("PGPORT", "5433"),
                ("PGUSER", "bob"),
            ],
        )
        .unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("svc.example.com".into())]);
        assert_eq!(s.hosts.source, Source::Service("rds".into()));
        assert_eq!(s.port.value, 6543);
        // Not in the service: the environment fills in.
        assert_eq!(s.user.value, "bob");
        assert_eq!(s.user.source, Source::Env("PGUSER"));
        assert_eq!(s.tls.mode.value, SslMode::VerifyCa);
        // A service's dbname is ignored, like PGDATABASE.
        assert_eq!(s.dbname.value, "insta485");
    }

    #[test]
    fn connection_string_beats_its_service() {
        let file = service_file("[rds]\nhost=svc.example.com\nport=6543\n");
        let path = file.path().to_str().unwrap();
        let s = resolve(
            &flag_dbname("service=rds port=7000"),
            &[("PGSERVICEFILE", path), ("USER", "me")],
        )
        .unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("svc.example.com".into())]);
        assert_eq!(s.port.value, 7000);
        assert_eq!(s.port.source, Source::ConnString);
    }

    #[test]
    fn missing_service_is_an_error() {
        let file = service_file("[other]\nhost=x\n");
        let path = file.path().to_str().unwrap();
        let err = resolve(
            &flags(),
            &[
                ("PGSERVICEFILE", path),
                ("PGSERVICE", "nope"),
                ("USER", "me"),
            ],
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("`nope`"), "{err:#}");
    }

    #[test]
    fn defaults() {
        let s = resolve(&flags(), &[("USER", "me"), ("HOME", "/nonexistent")]).unwrap();
        assert_eq!(s.port.value, 5432);
        assert_eq!(s.port.source, Source::Default);
        assert_eq!(s.tls.mode.value, SslMode::Prefer);
        assert_eq!(s.tls.mode.source, Source::Default);
        assert_eq!(s.tls.root_cert, None);
        assert_eq!(s.user.source, Source::Default);
        assert_eq!(s.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(s.application_name, "insta485db");
    }

    #[test]
    fn ssl_environment() {
        let s = resolve(
            &flags(),
            &[
                ("USER", "me"),
                ("PGSSLMODE", "verify-ca"),
                ("PGSSLROOTCERT", "/etc/bundle.pem"),
                ("PGSSLCERT", "/etc/client.crt"),
                ("PGSSLKEY", "/etc/client.key"),
                ("PGCONNECT_TIMEOUT", "3"),
                ("PGAPPNAME", "ci"),
            ],
        )
        .unwrap();
        assert_eq!(s.tls.mode.value, SslMode::VerifyCa);
        assert_eq!(s.tls.mode.source, Source::Env("PGSSLMODE"));
        assert_eq!(
            s.tls.root_cert.unwrap().value,
            RootCert::File("/etc/bundle.pem".into())
        );
        assert_eq!(
            s.tls.client_cert.unwrap().value,
            PathBuf::from("/etc/client.crt")
        );
        assert_eq!(
            s.tls.client_key.unwrap().value,
            PathBuf::from("/etc/client.key")
        );
        assert_eq!(s.connect_timeout, Duration::from_secs(3));
        assert_eq!(s.application_name, "ci");
    }

    #[test]
    fn bad_sslmode_is_named() {
        let err = resolve(&flags(), &[("USER", "me"), ("PGSSLMODE", "verify")]).unwrap_err();
        assert!(err.to_string().contains("`verify` from PGSSLMODE"), "{err}");
    }

    #[test]
    fn sslrootcert_system_implies_verify_full() {
        let s = resolve(&flags(), &[("USER", "me"), ("PGSSLROOTCERT", "system")]).unwrap();
        assert_eq!(s.tls.mode.value, SslMode::VerifyFull);
        assert!(matches!(s.tls.mode.source, Source::Implied(_)));
        let err = resolve(
            &flags(),
            &[
                ("USER", "me"),
                ("PGSSLROOTCERT", "system"),
                ("PGSSLMODE", "require"),
            ],
        )
        .unwrap_err();
        assert!(err.to_string().contains("sslrootcert=system"), "{err}");
    }

    #[test]
    fn default_root_certificate_is_found_in_home() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::write(home.path().join(".postgresql/root.crt"), "").unwrap();
        let h = home.path().to_str().unwrap();
        let s = resolve(&flags(), &[("USER", "me"), ("HOME", h)]).unwrap();
        let root = s.tls.root_cert.unwrap();
        assert_eq!(root.source, Source::Default);
        assert_eq!(
            root.value,
            RootCert::File(home.path().join(".postgresql/root.crt"))
        );
    }

    #[test]
    fn host_and_port_lists() {
        let s = resolve(
            &flags(),
            &[("USER", "me"), ("PGHOST", "a,b,/tmp"), ("PGPORT", "1,,3")],
        )
        .unwrap();
        assert_eq!(s.ports, vec![1, 5432, 3]);
        assert_eq!(s.target(), "a:1,b:5432,/tmp:3");
        let err = resolve(
            &flags(),
            &[("USER", "me"), ("PGHOST", "a,b"), ("PGPORT", "1,2,3")],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("3 port numbers to 2 hosts"),
            "{err}"
        );
    }

    #[test]
    fn hostaddr_alone_is_the_host() {
        let s = resolve(&flags(), &[("USER", "me"), ("PGHOSTADDR", "10.1.2.3")]).unwrap();
        assert_eq!(s.hosts.value, vec![Host::Tcp("10.1.2.3".into())]);
        assert_eq!(s.hostaddrs, vec![Some("10.1.2.3".parse().unwrap())]);
        let err = resolve(&flags(), &[("USER", "me"), ("PGHOSTADDR", "db")]).unwrap_err();
        assert!(err.to_string().contains("`db` from PGHOSTADDR"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn password_file_permissions_and_per_database_lookup() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "db.example.com:5432:postgres:alice:maint\ndb.example.com:5432:*:alice:app\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let vars = [
            ("PGPASSFILE", path),
            ("PGHOST", "db.example.com"),
            ("PGUSER", "alice"),
        ];

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = resolve(&flags(), &vars).unwrap();
        assert!(s.passfile.is_none());
        let warning = s.passfile_warning.clone().unwrap();
        assert!(warning.contains("group or world access"), "{warning}");
        assert!(warning.contains("ignored"), "{warning}");
        assert_eq!(s.password_source(), None);

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = resolve(&flags(), &vars).unwrap();
        assert!(s.passfile_warning.is_none());
        let host = Host::Tcp("db.example.com".into());
        let maint = s.password_for(&host, 5432, "postgres").unwrap();
        assert_eq!(maint.value, "maint");
        assert_eq!(maint.source, Source::PgPass(file.clone()));
        assert_eq!(
            s.password_for(&host, 5432, "insta485").unwrap().value,
            "app"
        );
        assert_eq!(s.password_for(&host, 5433, "insta485"), None);
        assert_eq!(s.password_source(), Some(Source::PgPass(file.clone())));

        // PGPASSWORD wins over the file.
        let mut with_env = vars.to_vec();
        with_env.push(("PGPASSWORD", "env"));
        let s = resolve(&flags(), &with_env).unwrap();
        assert_eq!(
            s.password_for(&host, 5432, "postgres").unwrap().value,
            "env"
        );
    }

    #[test]
    fn wait_flag() {
        let mut f = flags();
        f.wait = Some(7);
        let s = resolve(&f, &[("USER", "me")]).unwrap();
        assert_eq!(s.wait, Some(Duration::from_secs(7)));
    }

    #[test]
    fn unused_options_are_listed_and_channel_binding_read() {
        let s = resolve(
            &flag_dbname("host=x target_session_attrs=read-write client_encoding=LATIN1"),
            &[("USER", "me"), ("PGCHANNELBINDING", "require")],
        )
        .unwrap();
        assert_eq!(s.ignored_options, vec!["target_session_attrs".to_string()]);
        assert_eq!(s.channel_binding, ChannelBinding::Require);
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
