//! Integration tests: the real binary against a real PostgreSQL (see `support.rs`). One module
//! per subcommand, plus what they share: finding the project, awkward names, usage.

mod support;

mod basics;
mod completions;
mod create;
mod destroy;
mod dump;
mod empty;
mod names;
mod project;
mod random;
mod readme;
mod reset;
mod usage;
