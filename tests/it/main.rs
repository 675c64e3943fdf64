//! Integration tests: the real binary against a real PostgreSQL (see `support.rs`).

mod support;

mod basics;

mod concurrency;
mod fault;
mod files;
mod input;
mod safety;
