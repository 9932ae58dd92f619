//! End-to-end tests of the plugin system through the real `factql` binary: the fault matrix
//! (every fault plugin in-process and isolated), trust checks that must run before `dlopen`,
//! the panic=abort refusal, a scaffolded plugin built, trusted and ingested, and the
//! mention-and-entity example of docs/plugins.md built and queried.
//!
//! Cases that can kill a process run `factql` as a child and assert on its exit signal.
//! The plugin libraries are built with `cargo build` once per test binary (a no-op after
//! `cargo build --workspace`), so a stale library is never tested.

mod catch_up;
mod entities;
mod fault;
mod parity;
mod scaffold;
mod support;
mod trust;
mod tutorial;
