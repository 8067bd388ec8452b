//! Build script: sets `cfg(cheri_purecap)` for the group of purecap targets.
//!
//! The same test as `cheri-sys/build.rs`, which cannot pass a cfg on to
//! its dependents: upstream rustc has no CHERI target, and the out-of-tree
//! ports name their purecap targets `*-purecap` and do not all set
//! `target_abi`, so both are checked.  Passing `--cfg cheri_purecap` to
//! rustc forces the cfg by hand: `.ci/freebsd-check` does so after the
//! `--` of `cargo clippy`, to type-check the purecap code on an ordinary
//! `aarch64-unknown-freebsd`.
//! The cfg is declared in the workspace's `unexpected_cfgs` check-cfg.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");

    // Cargo sets both for every build script; a missing one means "no".
    let target = env::var("TARGET").unwrap_or_default();
    let abi = env::var("CARGO_CFG_TARGET_ABI").unwrap_or_default();
    if abi == "purecap" || target.contains("purecap") {
        println!("cargo::rustc-cfg=cheri_purecap");
    }
}
