//! Property tests for hostile input (issue #7): arbitrary bytes reach the
//! child unchanged, a NUL byte anywhere is refused before any process
//! exists, and strings or lists beyond the kernel's room give `E2BIG`.
//!
//! Case counts are fixed and small, since most cases start real processes:
//! the whole suite takes about a second natively and six under
//! qemu-aarch64.  A failure prints the shrunk input; nothing is written to
//! the tree (no regression files).

// These tests read /proc and hold Linux's MAX_ARG_STRLEN rules.
#![cfg(target_os = "linux")]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

mod bytes; // non-UTF-8 arguments and environment, byte for byte
mod limits; // E2BIG for one long string and for long lists
mod nul; // NUL bytes and bad names: InvalidInput, naming the culprit

/// The configuration every property here runs with.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        // Shrinking respawns for every step; a few hundred is plenty to
        // reach a small input from strings this short.
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// Bytes that never occur in UTF-8, wherever they stand.
fn never_utf8() -> impl Strategy<Value = u8> {
    prop_oneof![0xc0u8..=0xc1, 0xf5u8..=0xff]
}

/// Up to `max` bytes drawn from `byte`, with one byte that no UTF-8 text
/// holds put in somewhere, so the result is never UTF-8.
fn non_utf8(byte: impl Strategy<Value = u8>, max: usize) -> impl Strategy<Value = Vec<u8>> {
    (vec(byte, 0..max), any::<Index>(), never_utf8()).prop_map(|(mut bytes, at, bad)| {
        bytes.insert(at.index(bytes.len() + 1), bad);
        bytes
    })
}

/// Any byte but NUL.
fn not_nul() -> impl Strategy<Value = u8> {
    1u8..=255
}

/// Any byte but NUL and `=`: what an environment name may hold.
fn name_byte() -> impl Strategy<Value = u8> {
    prop_oneof![1u8..b'=', b'=' + 1..=255]
}
