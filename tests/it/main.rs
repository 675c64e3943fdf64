//! Integration tests: the real binary against a real PostgreSQL (see `support.rs`).

mod support;

mod basics;
mod dump;
mod random;
