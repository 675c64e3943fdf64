//! Reading connection settings the way libpq (and so `psql`) does, with std only.
//!
//! - [`conninfo`] parses connection strings, both the `key=value` form and the
//!   `postgresql://` URI form, and redacts passwords in them for error messages.
//! - [`pgpass`] looks passwords up in the password file (`~/.pgpass` or `PGPASSFILE`).
//! - [`service`] reads named services from the connection service files
//!   (`~/.pg_service.conf` or `PGSERVICEFILE`, then `$PGSYSCONFDIR/pg_service.conf`).
//!
//! The rules follow libpq 15 (the PostgreSQL 15 documentation, sections 34.1.1, 34.1.2, 34.15
//! and 34.16, and `fe-connect.c`). Functions that depend on the environment take it as an
//! `env` closure so that tests never read the real environment. No error message produced by
//! these modules contains a password.

pub mod conninfo;
pub mod pgpass;
pub mod service;
