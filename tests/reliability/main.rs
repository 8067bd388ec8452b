//! Reliability under load, exhaustion and faults: fixed counts, figures
//! printed, nothing timed.  `docs/reliability.md` lists each guarantee
//! with the test that proves it.

// These tests read /proc and use Linux-only calls; FreeBSD's are in the
// backend's unit tests (src/sys/freebsd/tests.rs).
#![cfg(target_os = "linux")]

// Shared with tests/spawn; not every helper is used here.
#[allow(dead_code)]
#[path = "../spawn/common.rs"]
mod common;

mod exhaustion; // RLIMIT_NOFILE, RLIMIT_AS, oversize argument lists
mod faults; // parent killed, descriptor closed behind the library's back
mod load; // 100 000 mixed spawns; eight threads under signals and churn
