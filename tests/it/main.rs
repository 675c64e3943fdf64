//! Integration tests: the real binary against a real PostgreSQL (see `support.rs`). One module
//! per subcommand, plus what they share: finding the project, awkward names, usage; and
//! connecting the libpq way against private clusters with TLS and passwords (see `cluster.rs`).

mod support;

mod basics;
mod cluster;
mod completions;
mod concurrency;
mod connection;
mod create;
mod destroy;
mod dump;
mod dump_formats;
mod empty;
mod fault;
mod files;
mod input;
mod names;
mod project;
mod random;
mod random_scale;
mod readme;
mod reset;
mod safety;
mod usage;
