//! Integration tests: the real binary against a real PostgreSQL (see `support.rs`), and
//! against private clusters with TLS and passwords (see `cluster.rs`).

mod support;

mod basics;
mod cluster;
mod connection;
