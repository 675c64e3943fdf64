//! Reaching servers the libpq way: sslmodes, certificates, passwords, .pgpass, services,
//! URIs, --wait, --owner and status, against private clusters (see `cluster.rs`).

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::cluster::{Client, Cluster, Options, PASSWORD};

fn tls_cluster() -> &'static Cluster {
    Cluster::shared(Options { tls: true })
}

fn plain_cluster() -> &'static Cluster {
    Cluster::shared(Options { tls: false })
}

/// The `tls:` line of `status`.
fn tls_line(output: &str) -> String {
    output
        .lines()
        .find(|l| l.starts_with("tls:"))
        .unwrap_or_else(|| panic!("no tls line in:\n{output}"))
        .to_string()
}

#[test]
fn every_sslmode_against_a_tls_server() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGSSLROOTCERT", cluster.ca().to_str().unwrap());
    for (mode, tls) in [
        ("disable", false),
        ("allow", false),
        ("prefer", true),
        ("require", true),
        ("verify-ca", true),
        ("verify-full", true),
    ] {
        client.set("PGSSLMODE", mode);
        let out = client.ok(&["status"]);
        assert_eq!(
            tls_line(&out).contains("yes"),
            tls,
            "sslmode {mode}:\n{out}"
        );
        assert!(
            out.contains(&format!("sslmode:     {mode} (environment (PGSSLMODE))")),
            "{out}"
        );
        if tls {
            assert!(tls_line(&out).contains("TLSv1."), "{out}");
        }
    }
}

#[test]
fn every_sslmode_against_a_server_without_tls() {
    let cluster = plain_cluster();
    let mut client = Client::new(cluster);
    // A root certificate that exists, so that the verify modes get as far as the server.
    let ca = tls_cluster().ca().to_str().unwrap().to_string();
    client.set("PGSSLROOTCERT", &ca);
    for mode in ["disable", "allow", "prefer"] {
        client.set("PGSSLMODE", mode);
        let out = client.ok(&["status"]);
        assert!(tls_line(&out).contains("no"), "sslmode {mode}:\n{out}");
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        client.set("PGSSLMODE", mode);
        let err = client.fails(&["dump"]);
        assert!(
            err.contains("does not support SSL") && err.contains(&format!("`{mode}`")),
            "sslmode {mode}:\n{err}"
        );
        assert!(
            err.contains(&format!("localhost:{}", cluster.port)),
            "{err}"
        );
    }
}

#[test]
fn allow_tries_tls_when_the_server_refuses_plain_and_prefer_falls_back() {
    let cluster = tls_cluster();
    cluster.sql(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tlsonly') THEN \
             CREATE ROLE tlsonly LOGIN SUPERUSER PASSWORD 'tls-pw'; END IF; \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'plainonly') THEN \
             CREATE ROLE plainonly LOGIN SUPERUSER PASSWORD 'plain-pw'; END IF; \
         END $$",
    );
    let mut client = Client::new(cluster);
    client.set("PGUSER", "tlsonly").set("PGPASSWORD", "tls-pw");
    client.set("PGSSLMODE", "allow");
    assert!(tls_line(&client.ok(&["status"])).contains("yes"));
    client.set("PGSSLMODE", "disable");
    let err = client.fails(&["dump"]);
    assert!(err.contains("refused user `tlsonly`"), "{err}");

    client
        .set("PGUSER", "plainonly")
        .set("PGPASSWORD", "plain-pw");
    client.set("PGSSLMODE", "prefer");
    assert!(tls_line(&client.ok(&["status"])).contains("no"));
    client.set("PGSSLMODE", "require");
    client.fails(&["dump"]);
}

#[test]
fn verify_full_accepts_our_ca_and_rejects_another() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGSSLMODE", "verify-full");
    client.set("PGSSLROOTCERT", cluster.ca().to_str().unwrap());
    assert!(tls_line(&client.ok(&["status"])).contains("yes"));

    client.set("PGSSLROOTCERT", cluster.other_ca().to_str().unwrap());
    for mode in ["verify-full", "verify-ca", "require"] {
        client.set("PGSSLMODE", mode);
        let err = client.fails(&["dump"]);
        assert!(err.contains("certificate verify failed"), "{mode}: {err}");
        assert!(err.contains("unknown issuer"), "{mode}: {err}");
        assert!(err.contains("PGSSLROOTCERT"), "{mode}: {err}");
    }
    // require without any root certificate does not verify.
    client.unset("PGSSLROOTCERT");
    client.set("PGSSLMODE", "require");
    assert!(tls_line(&client.ok(&["status"])).contains("yes"));
}

#[test]
fn default_root_certificate_in_home_is_used() {
    let cluster = tls_cluster();
    let client = Client::new(cluster);
    let dir = client.home.path().join(".postgresql");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(cluster.other_ca(), dir.join("root.crt")).unwrap();
    // libpq's rule: with a root certificate present, require verifies the chain.
    let mut client = client;
    client.set("PGSSLMODE", "require");
    let err = client.fails(&["dump"]);
    assert!(err.contains("certificate verify failed"), "{err}");
    std::fs::copy(cluster.ca(), dir.join("root.crt")).unwrap();
    client.set("PGSSLMODE", "verify-full");
    let out = client.ok(&["status"]);
    assert!(out.contains("root.crt (default)"), "{out}");
}

#[test]
fn verify_modes_need_a_root_certificate() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGSSLMODE", "verify-full");
    let err = client.fails(&["dump"]);
    assert!(err.contains("needs a root certificate"), "{err}");
    assert!(err.contains("root.crt"), "{err}");
}

#[test]
fn host_name_mismatch_fails_verify_full_but_not_verify_ca() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGHOST", "127.0.0.1");
    client.set("PGSSLROOTCERT", cluster.ca().to_str().unwrap());
    client.set("PGSSLMODE", "verify-full");
    let err = client.fails(&["dump"]);
    assert!(err.contains("certificate verify failed"), "{err}");
    assert!(err.contains("not valid for `127.0.0.1`"), "{err}");
    assert!(err.contains("`localhost`"), "{err}");
    assert!(err.contains("verify-ca"), "{err}");
    client.set("PGSSLMODE", "verify-ca");
    assert!(tls_line(&client.ok(&["status"])).contains("yes"));
}

#[test]
fn wrong_password_names_the_user_and_never_the_password() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGPASSWORD", "Wr0ng-Pa55word");
    let err = client.fails(&["create"]);
    assert!(
        err.contains("password authentication failed for user `postgres`"),
        "{err}"
    );
    for pointer in ["PGPASSWORD", ".pgpass", "pg_hba.conf"] {
        assert!(err.contains(pointer), "{pointer} missing: {err}");
    }
    assert!(!err.contains("Wr0ng-Pa55word"), "{err}");

    // Inside a URI too.
    client.unset("PGPASSWORD");
    let uri = format!(
        "postgresql://postgres:Wr0ng-Pa55word@localhost:{}/insta485",
        cluster.port
    );
    let (code, out, err) = client.run(&["-d", &uri, "status"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        !out.contains("Wr0ng-Pa55word") && !err.contains("Wr0ng-Pa55word"),
        "{out}{err}"
    );
    assert!(out.contains("password:    set (from URI (-d))"), "{out}");

    // No password at all.
    let err = client.fails(&["dump"]);
    assert!(
        err.contains("asks for a password for user `postgres`"),
        "{err}"
    );
}

#[test]
fn password_file_is_used_only_with_mode_0600() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.unset("PGPASSWORD");
    let pgpass = client.home.path().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("localhost:{}:*:postgres:{PASSWORD}\n", cluster.port),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = client.fails(&["dump"]);
    assert!(err.contains("warning: password file"), "{err}");
    assert!(err.contains("group or world access"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");

    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = client.ok(&["status"]);
    assert!(!out.contains("warning"), "{out}");
    assert!(
        out.contains("password:    set (from password file"),
        "{out}"
    );
    assert!(!out.contains(PASSWORD), "{out}");

    // PGPASSFILE names another file.
    let other = client.home.path().join("other-pgpass");
    std::fs::write(&other, format!("*:*:*:*:{PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&pgpass).unwrap();
    client.set("PGPASSFILE", other.to_str().unwrap());
    client.ok(&["status"]);
}

#[test]
fn service_file_and_its_precedence() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    let file = client.home.path().join("services.conf");
    std::fs::write(
        &file,
        format!(
            "[test]\nhost=localhost\nport={}\nsslmode=verify-full\nsslrootcert={}\n",
            cluster.port,
            cluster.ca().display()
        ),
    )
    .unwrap();
    client.set("PGSERVICEFILE", file.to_str().unwrap());
    // The service beats the environment (libpq reads it first).
    client.set("PGHOST", "/nonexistent").set("PGPORT", "1");
    client.set("PGSERVICE", "test");
    let out = client.ok(&["status"]);
    assert!(
        out.contains("host:        localhost (service file (service `test`))"),
        "{out}"
    );
    assert!(
        out.contains("sslmode:     verify-full (service file"),
        "{out}"
    );
    assert!(tls_line(&out).contains("yes"), "{out}");

    // Named in the connection string instead; the string beats the service.
    client.unset("PGSERVICE");
    let out = client.ok(&["-d", "service=test sslmode=require", "status"]);
    assert!(
        out.contains("sslmode:     require (connection string (-d))"),
        "{out}"
    );
    assert!(out.contains("port:        "), "{out}");

    // Flags beat everything.
    let err = client.fails(&["-d", "service=test", "-p", "1", "dump"]);
    assert!(err.contains("localhost:1"), "{err}");
}

#[test]
fn uri_and_connection_string_name_the_managed_database() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.unset("PGHOST").unset("PGPORT").unset("PGUSER");
    let uri = format!(
        "postgresql://postgres@localhost:{}/from_uri?sslmode=verify-full&sslrootcert={}",
        cluster.port,
        cluster.ca().display()
    );
    client.ok(&["-d", &uri, "create"]);
    assert_eq!(
        cluster.sql("SELECT count(*) FROM pg_database WHERE datname = 'from_uri'"),
        "1"
    );
    let out = client.ok(&["-d", &uri, "status"]);
    assert!(out.contains("database:    from_uri (URI (-d))"), "{out}");
    assert!(out.contains("`from_uri` exists, 5 tables"), "{out}");

    let conninfo = format!(
        "host=localhost port={} user=postgres dbname=from_uri sslmode=require",
        cluster.port
    );
    let out = client.ok(&["-d", &conninfo, "dump"]);
    assert!(out.contains("awdeorio"), "{out}");
    client.ok(&["-d", &conninfo, "destroy"]);
    assert_eq!(
        cluster.sql("SELECT count(*) FROM pg_database WHERE datname = 'from_uri'"),
        "0"
    );
    // Without a dbname inside, the managed database is insta485.
    let out = client.ok(&[
        "-d",
        &format!("host=localhost port={} user=postgres", cluster.port),
        "status",
    ]);
    assert!(out.contains("database:    insta485 (default)"), "{out}");
}

#[test]
fn wait_for_a_server_that_comes_up_late() {
    let cluster = Cluster::new(Options::default());
    let client = Client::new(&cluster);
    // Without --wait: fails at once.
    let started = Instant::now();
    let err = client.fails(&["status"]);
    assert!(
        err.contains(&format!("localhost:{}", cluster.port)),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    let child = client
        .command(&["--wait=60", "status"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start insta485db");
    std::thread::sleep(Duration::from_secs(2));
    let mut start = cluster.start_command();
    let started = start.output().expect("pg_ctl start");
    assert!(started.status.success(), "{started:?}");
    let out = child.wait_with_output().expect("wait for insta485db");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("waiting up to 60 s"), "{stderr}");
    assert!(stdout.contains("server:      PostgreSQL"), "{stdout}");
}

#[test]
fn wait_gives_up_at_once_on_a_wrong_password() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGPASSWORD", "not-it");
    let started = Instant::now();
    let err = client.fails(&["--wait=30", "dump"]);
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn unreachable_server_names_host_and_port() {
    let client = Client::new(plain_cluster());
    let port = crate::cluster::free_port().to_string();
    let started = Instant::now();
    let (code, out, err) = client.run(&["-h", "127.0.0.1", "-p", &port, "status"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(out.contains("server:      not reachable"), "{out}");
    assert!(
        out.contains("host:        127.0.0.1 (command line)"),
        "{out}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn owner_role_owns_the_database_and_its_tables() {
    let cluster = plain_cluster();
    cluster.sql(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN \
             CREATE ROLE app LOGIN PASSWORD 'app-pw'; END IF; \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'deployer') THEN \
             CREATE ROLE deployer LOGIN CREATEDB PASSWORD 'deploy-pw'; END IF; \
         END $$",
    );
    let mut client = Client::new(cluster);
    client.ok(&["-d", "owned", "create", "--owner", "app"]);
    let db = |sql: &str| {
        let out = std::process::Command::new(crate::cluster::bin_dir().join("psql"))
            .arg("-h")
            .arg(&cluster.root)
            .args([
                "-p",
                &cluster.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "owned",
                "-Atc",
                sql,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(
        cluster.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'owned'"),
        "app"
    );
    assert_eq!(
        db("SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'"),
        "app"
    );
    assert_eq!(db("SELECT count(*) FROM users"), "4");
    client.ok(&["-d", "owned", "reset", "--owner", "app"]);
    assert_eq!(
        cluster.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'owned'"),
        "app"
    );
    client.ok(&["-d", "owned", "destroy"]);

    // A user who is not a member of the role.
    client
        .set("PGUSER", "deployer")
        .set("PGPASSWORD", "deploy-pw");
    let err = client.fails(&["-d", "owned2", "create", "--owner", "app"]);
    assert!(
        err.contains("user `deployer` may not create objects as role `app`"),
        "{err}"
    );
    assert!(err.contains("GRANT"), "{err}");
    let err = client.fails(&["-d", "owned2", "empty", "--owner", "nobody_such"]);
    assert!(
        err.contains("role `nobody_such` (--owner) does not exist"),
        "{err}"
    );
    assert_eq!(
        cluster.sql("SELECT count(*) FROM pg_database WHERE datname LIKE 'insta485db_%'"),
        "0"
    );
}

#[test]
fn missing_createdb_privilege_says_so() {
    let cluster = plain_cluster();
    cluster.sql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nocreate') THEN \
           CREATE ROLE nocreate LOGIN PASSWORD 'nc-pw'; END IF; END $$",
    );
    let mut client = Client::new(cluster);
    client.set("PGUSER", "nocreate").set("PGPASSWORD", "nc-pw");
    let err = client.fails(&["-d", "nocreate_db", "create"]);
    assert!(err.contains("CREATEDB"), "{err}");
}

#[test]
fn status_reports_settings_server_database_and_uploads() {
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client.set("PGSSLMODE", "require");
    let out = client.ok(&["-d", "status_db", "status"]);
    assert!(
        out.contains(&format!(
            "port:        {} (environment (PGPORT))",
            cluster.port
        )),
        "{out}"
    );
    assert!(
        out.contains("user:        postgres (environment (PGUSER))"),
        "{out}"
    );
    assert!(
        out.contains("database:    status_db (command line)"),
        "{out}"
    );
    assert!(
        out.contains("password:    set (from environment (PGPASSWORD))"),
        "{out}"
    );
    assert!(out.contains("`status_db` does not exist"), "{out}");
    assert!(out.contains("`var/uploads` does not exist"), "{out}");
    assert!(!out.contains(PASSWORD), "{out}");

    client.ok(&["-d", "status_db", "create"]);
    let out = client.ok(&["-d", "status_db", "status"]);
    assert!(out.contains("`status_db` exists, 5 tables"), "{out}");
    let row = |table: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{table} ")))
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
    };
    assert_eq!(row("users").as_deref(), Some("4 rows"), "{out}");
    assert_eq!(row("likes").as_deref(), Some("6 rows"), "{out}");
    assert!(out.contains("`var/uploads`: 8 files"), "{out}");
    assert!(out.contains("server:      PostgreSQL "), "{out}");
    client.ok(&["-d", "status_db", "destroy"]);
}

/// Run `insta485db ARGS` on a pseudo-terminal made by `script`, typing `input`.
fn on_terminal(client: &Client, args: &[&str], input: &str) -> (i32, String) {
    use std::io::Write;
    let mut line = vec![crate::support::bin().to_string()];
    line.extend(
        args.iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''"))),
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &line.join(" "), "/dev/null"])
        .env_clear()
        .envs(client.environment())
        .current_dir(client.project.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = script.spawn().expect("run script (util-linux)");
    // Give the program time to ask before answering.
    std::thread::sleep(Duration::from_millis(1500));
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input.as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("wait for script");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn destroy_on_a_remote_server_asks_on_a_terminal_only() {
    let cluster = plain_cluster();
    let client = Client::new(cluster);
    // A host name that is not local, reached at the local address.
    let target = format!(
        "host=db.example.com hostaddr=127.0.0.1 port={} dbname=asked sslmode=disable",
        cluster.port
    );
    let exists = || cluster.sql("SELECT count(*) FROM pg_database WHERE datname = 'asked'");
    client.ok(&["-d", &target, "empty"]);

    let (code, out) = on_terminal(&client, &["-d", &target, "destroy"], "n\n");
    assert!(
        out.contains(&format!(
            "drop database `asked` on `db.example.com:{}` as user `postgres`? [y/N]",
            cluster.port
        )),
        "{out}"
    );
    assert!(out.contains("was not confirmed"), "{out}");
    assert_eq!(code, 1, "{out}");
    assert_eq!(exists(), "1");

    let (code, out) = on_terminal(&client, &["-d", &target, "reset"], "n\n");
    assert!(out.contains("drop and rebuild database `asked`"), "{out}");
    assert_eq!(code, 1, "{out}");

    let (code, out) = on_terminal(&client, &["-d", &target, "destroy"], "y\n");
    assert_eq!(code, 0, "{out}");
    assert_eq!(exists(), "0");

    client.ok(&["-d", &target, "empty"]);
    let (code, out) = on_terminal(&client, &["-d", &target, "destroy", "--yes"], "");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("[y/N]"), "{out}");
    assert_eq!(exists(), "0");

    // No terminal: no question.
    client.ok(&["-d", &target, "empty"]);
    let out = client.ok(&["-d", &target, "destroy"]);
    assert!(!out.contains("[y/N]"), "{out}");
    assert_eq!(exists(), "0");
}

#[test]
fn local_server_is_never_asked_about() {
    let cluster = plain_cluster();
    let client = Client::new(cluster);
    let (code, out) = on_terminal(&client, &["-d", "local_q", "destroy"], "");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("[y/N]"), "{out}");
}

#[test]
fn client_certificate_from_the_environment_or_home() {
    let cluster = tls_cluster();
    cluster.sql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'certuser') THEN \
           CREATE ROLE certuser LOGIN SUPERUSER; END IF; END $$",
    );
    let certs = cluster.certs.as_ref().unwrap();
    let mut client = Client::new(cluster);
    client.set("PGUSER", "certuser").unset("PGPASSWORD");
    client.set("PGSSLMODE", "verify-full");
    client.set("PGSSLROOTCERT", cluster.ca().to_str().unwrap());
    // No certificate: the server turns us away.
    let err = client.fails(&["dump"]);
    assert!(err.contains("certuser"), "{err}");

    client.set("PGSSLCERT", certs.client_crt.to_str().unwrap());
    client.set("PGSSLKEY", certs.client_key.to_str().unwrap());
    let out = client.ok(&["status"]);
    assert!(out.contains("sslcert:     "), "{out}");
    assert!(out.contains("password:    none"), "{out}");

    // The defaults in ~/.postgresql.
    client.unset("PGSSLCERT").unset("PGSSLKEY");
    let dir = client.home.path().join(".postgresql");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(&certs.client_crt, dir.join("postgresql.crt")).unwrap();
    let err = client.fails(&["dump"]);
    assert!(
        err.contains("no private key") || err.contains("postgresql.key"),
        "{err}"
    );
    std::fs::copy(&certs.client_key, dir.join("postgresql.key")).unwrap();
    let out = client.ok(&["status"]);
    assert!(out.contains("postgresql.crt (default)"), "{out}");
}

#[test]
fn scram_binds_to_the_tls_channel() {
    // channel_binding=require fails unless SCRAM-SHA-256-PLUS succeeded, which needs our
    // tls-server-end-point hash of the server's certificate to be right.
    let cluster = tls_cluster();
    let mut client = Client::new(cluster);
    client
        .set("PGSSLMODE", "require")
        .set("PGCHANNELBINDING", "require");
    assert!(tls_line(&client.ok(&["status"])).contains("yes"));
    client.set("PGSSLMODE", "disable");
    client.fails(&["dump"]);
    // Options we do not act on are named, once.
    let (_, _, err) = client.run(&["-d", "target_session_attrs=any", "dump"]);
    assert!(
        err.contains("`target_session_attrs` is not supported"),
        "{err}"
    );
}

#[test]
fn silent_server_fails_within_the_connect_timeout() {
    // Accepts the TCP connection (the backlog does) and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut client = Client::new(plain_cluster());
    client.set("PGCONNECT_TIMEOUT", "2");
    let started = Instant::now();
    let err = client.fails(&["-h", "127.0.0.1", "-p", &port, "dump"]);
    assert!(err.contains(&format!("`127.0.0.1:{port}`")), "{err}");
    assert!(err.contains("no answer within 2 s"), "{err}");
    assert!(err.contains("PGCONNECT_TIMEOUT"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

#[test]
fn host_lists_are_tried_in_turn() {
    let cluster = plain_cluster();
    let dead = crate::cluster::free_port().to_string();
    let client = Client::new(cluster);
    let hosts = "127.0.0.1,localhost";
    let ports = format!("{dead},{}", cluster.port);
    let out = client.ok(&["-h", hosts, "-p", &ports, "status"]);
    assert!(
        out.contains("host:        127.0.0.1,localhost (command line)"),
        "{out}"
    );
    assert!(out.contains("server:      PostgreSQL"), "{out}");
}
