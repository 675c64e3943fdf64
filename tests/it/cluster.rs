//! Private PostgreSQL clusters for the connection tests: TLS on or off, certificates made by
//! the test, password (scram) authentication over TCP, trust over their own socket.
//!
//! The suite also runs against a plain local server (no TLS, trust), so tests that need TLS
//! or passwords start their own cluster with `initdb` and `pg_ctl` from
//! `/usr/lib/postgresql/<newest>/bin` in a temporary folder, on a free port. As root, initdb
//! refuses to run, so the commands run as `postgres` through `runuser` and the folder is
//! handed to that user. Shared clusters are stopped by a watchdog when the test process ends.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The superuser's password in every private cluster.
pub const PASSWORD: &str = "pw-Sup3r-s3cret";

/// The newest PostgreSQL server's bin folder.
pub fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .expect("the connection tests need a PostgreSQL server in /usr/lib/postgresql/<major>/bin")
}

fn is_root() -> bool {
    // SAFETY-free: the uid of /proc/self is ours.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// A command that runs as the cluster's owner: `postgres` when we are root.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn chown_to_owner(path: &Path) {
    if is_root() {
        run(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(path),
            "chown",
        );
    }
}

/// A free TCP port on localhost (free when asked; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Certificates made with the `openssl` command: a CA, a server certificate it signed for
/// `localhost` only (not 127.0.0.1), and an unrelated second CA.
pub struct Certs {
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    pub server_crt: PathBuf,
    pub server_key: PathBuf,
    /// A client certificate for user `certuser`, signed by the CA.
    pub client_crt: PathBuf,
    pub client_key: PathBuf,
}

impl Certs {
    pub fn make(dir: &Path) -> Certs {
        std::fs::create_dir_all(dir).expect("certs folder");
        // Each command is one line of words without spaces inside them.
        let openssl = |line: &str| {
            run(
                Command::new("openssl")
                    .current_dir(dir)
                    .args(line.split_whitespace()),
                &format!("openssl {line}"),
            );
        };
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        for name in ["ca", "other-ca"] {
            openssl(&format!(
                "req -x509 {ec} -keyout {name}.key -out {name}.crt -days 3 \
                 -subj /CN=insta485db-test-{name} \
                 -addext basicConstraints=critical,CA:TRUE \
                 -addext keyUsage=critical,keyCertSign,cRLSign"
            ));
        }
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write server.ext");
        std::fs::write(
            dir.join("client.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\n",
        )
        .expect("write client.ext");
        for (name, cn) in [("server", "localhost"), ("client", "certuser")] {
            openssl(&format!(
                "req {ec} -keyout {name}.key -out {name}.csr -subj /CN={cn}"
            ));
            openssl(&format!(
                "x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
                 -out {name}.crt -days 3 -sha256 -extfile {name}.ext"
            ));
        }
        Certs {
            ca: dir.join("ca.crt"),
            other_ca: dir.join("other-ca.crt"),
            server_crt: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            client_crt: dir.join("client.crt"),
            client_key: dir.join("client.key"),
        }
    }
}

/// How a cluster is set up.
#[derive(Clone, Copy, Default)]
pub struct Options {
    pub tls: bool,
}

/// A private cluster in a temporary folder.
pub struct Cluster {
    pub root: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    pub certs: Option<Certs>,
    /// Dropping the cluster removes the folder (shared clusters leak it to the watchdog).
    _dir: Option<tempfile::TempDir>,
}

impl Cluster {
    /// Make a cluster (initdb and configuration), not started.
    pub fn new(options: Options) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("insta485db-cluster-")
            .tempdir()
            .expect("temporary folder");
        let root = dir.path().to_path_buf();
        let data = root.join("data");
        let port = free_port();
        std::fs::write(root.join("pwfile"), PASSWORD).expect("write pwfile");
        chown_to_owner(&root);
        run(
            as_owner(&bin_dir().join("initdb"))
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                ])
                .arg(format!("--pwfile={}", root.join("pwfile").display())),
            "initdb",
        );
        let certs = options.tls.then(|| Certs::make(&root.join("certs")));
        let mut conf = format!(
            "\nport = {port}\nlisten_addresses = 'localhost'\nunix_socket_directories = '{}'\n\
             fsync = off\nmax_connections = 40\n",
            root.display()
        );
        if let Some(certs) = &certs {
            conf.push_str(&format!(
                "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nssl_ca_file = '{}'\n",
                certs.server_crt.display(),
                certs.server_key.display(),
                certs.ca.display()
            ));
        }
        append(&data.join("postgresql.conf"), &conf);
        // `tlsonly` may connect only with TLS, `plainonly` only without, `certuser` only
        // with a client certificate.
        let hba = std::fs::read_to_string(data.join("pg_hba.conf")).expect("read pg_hba.conf");
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "hostnossl all tlsonly all reject\nhostssl all plainonly all reject\n\
                 hostssl all certuser all cert\n{hba}"
            ),
        )
        .expect("write pg_hba.conf");
        chown_to_owner(&root);
        Cluster {
            root,
            data,
            port,
            certs,
            _dir: Some(dir),
        }
    }

    /// Start the server and wait until it accepts connections.
    pub fn start(&self) {
        run(
            as_owner(&bin_dir().join("pg_ctl"))
                .arg("-D")
                .arg(&self.data)
                .arg("-l")
                .arg(self.root.join("log"))
                .args(["-w", "-t", "60", "start"]),
            "pg_ctl start",
        );
    }

    /// The `pg_ctl start` command, for starting it from another thread.
    pub fn start_command(&self) -> Command {
        let mut cmd = as_owner(&bin_dir().join("pg_ctl"));
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.root.join("log"))
            .args(["-w", "-t", "60", "start"]);
        cmd
    }

    pub fn stop(&self) {
        let _ = as_owner(&bin_dir().join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdin(Stdio::null())
            .output();
    }

    /// A started cluster shared by the tests of this process (stopped when it ends).
    pub fn shared(options: Options) -> &'static Cluster {
        static TLS: OnceLock<Cluster> = OnceLock::new();
        static PLAIN: OnceLock<Cluster> = OnceLock::new();
        let cell = if options.tls { &TLS } else { &PLAIN };
        cell.get_or_init(|| {
            let mut cluster = Cluster::new(options);
            cluster.start();
            cluster.watch();
            cluster
        })
    }

    /// Stop the server and remove its folder when this test process exits.
    fn watch(&mut self) {
        if let Some(dir) = self._dir.take() {
            let _ = dir.keep();
        }
        let pg_ctl = bin_dir().join("pg_ctl");
        let stop = if is_root() {
            format!(
                "runuser -u postgres -- {} -D '{}' -m immediate stop",
                pg_ctl.display(),
                self.data.display()
            )
        } else {
            format!(
                "{} -D '{}' -m immediate stop",
                pg_ctl.display(),
                self.data.display()
            )
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; \
             rm -rf '{root}'",
            pid = std::process::id(),
            root = self.root.display()
        );
        // The watchdog must outlive this process, so it is never waited for.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the cluster watchdog");
    }

    /// Run SQL as the superuser over the cluster's own socket (trust); the output of
    /// `psql -At`.
    pub fn sql(&self, sql: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .arg("-h")
            .arg(&self.root)
            .arg("-p")
            .arg(self.port.to_string())
            .args([
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ])
            .env_remove("PGSSLMODE")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Point `cmd` (a run of the binary) at this cluster's socket as the superuser, with
    /// nothing else from the environment that could send it elsewhere.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("PGHOST", &self.root)
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres");
        for var in [
            "PGPASSWORD",
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGSERVICE",
            "PGPASSFILE",
        ] {
            cmd.env_remove(var);
        }
    }

    /// Run SQL on database `db` of this cluster, over its socket; rows as text.
    pub fn query(&self, db: &str, sql: &str) -> Vec<Vec<Option<String>>> {
        let flags = insta485db::cli::GlobalArgs {
            dbname: Some(db.to_string()),
            host: Some(self.root.display().to_string()),
            port: Some(self.port.to_string()),
            username: Some("postgres".into()),
            ..Default::default()
        };
        let settings =
            insta485db::settings::Settings::resolve(&flags, &|_| None).expect("settings");
        crate::support::query_with(settings, db, sql)
    }

    /// The first value of the first row of `sql` on database `db`.
    pub fn scalar(&self, db: &str, sql: &str) -> String {
        self.query(db, sql)
            .first()
            .and_then(|row| row.first().cloned().flatten())
            .unwrap_or_else(|| panic!("no value from {sql}"))
    }

    /// The CA that signed the server's certificate.
    pub fn ca(&self) -> &Path {
        &self.certs.as_ref().expect("a TLS cluster").ca
    }

    pub fn other_ca(&self) -> &Path {
        &self.certs.as_ref().expect("a TLS cluster").other_ca
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self._dir.is_some() {
            self.stop();
        }
    }
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for appending");
    file.write_all(text.as_bytes()).expect("append");
}

/// A run of the binary against a private cluster: a clean environment (no PG* from
/// pg_virtualenv, an empty HOME so no ~/.pgpass or ~/.postgresql), in a project folder.
pub struct Client {
    pub home: tempfile::TempDir,
    pub project: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Client {
    /// Settings for `cluster` over TCP to `localhost` as the superuser, with its password.
    pub fn new(cluster: &Cluster) -> Client {
        let project = tempfile::tempdir().expect("project folder");
        crate::support::copy_dir(&crate::support::repo_sql(), &project.path().join("sql"));
        let mut client = Client {
            home: tempfile::tempdir().expect("home folder"),
            project,
            env: Vec::new(),
        };
        client
            .set("PGHOST", "localhost")
            .set("PGPORT", &cluster.port.to_string())
            .set("PGUSER", "postgres")
            .set("PGPASSWORD", PASSWORD)
            .set("PGCONNECT_TIMEOUT", "10");
        client
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Client {
        self.unset(key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn unset(&mut self, key: &str) -> &mut Client {
        self.env.retain(|(k, _)| k != key);
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(crate::support::bin());
        cmd.env_clear()
            .envs(self.environment())
            .current_dir(self.project.path())
            .stdin(Stdio::null())
            .args(args);
        cmd
    }

    /// The whole environment a run gets.
    pub fn environment(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
            ("HOME".to_string(), self.home.path().display().to_string()),
            ("USER".to_string(), "nobody-here".to_string()),
        ];
        env.extend(self.env.iter().cloned());
        env
    }

    /// Run; return (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().expect("run insta485db");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Run and require success; return stdout and stderr together.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 0,
            "insta485db {args:?} failed:\n{out}\n{err}\nenv: {:?}",
            self.env
        );
        format!("{out}{err}")
    }

    /// Run and require failure; return stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 1, "insta485db {args:?} should fail:\n{out}\n{err}");
        err
    }
}
