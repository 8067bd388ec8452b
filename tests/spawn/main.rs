//! Integration tests of the spawn engine, one file per area of the API and
//! one per family of faults in `docs/scenarios.md`.

// These tests read /proc and use Linux-only calls; FreeBSD's are in the
// backend's unit tests (src/sys/freebsd/tests.rs).
#![cfg(target_os = "linux")]

mod common;

mod child; // Child: wait, try_wait, wait_timeout, kill, signal, output
mod command; // Command options reaching the child
mod errors; // synchronous errors: S3, E2BIG, NUL bytes, Unsupported
mod lifetime; // drop kills and reaps, daemon children, parent death
mod resources; // S7, S8: nothing leaks across failures
#[cfg(target_os = "linux")] // seccomp is Linux's
mod sandbox; // S4, S9, S11: seccomp filters (not under qemu-user)
mod signals; // S1, S13, S14, S18: the signal policy
mod stack; // S6, S12, S20: vfork semantics really in force
