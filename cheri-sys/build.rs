//! Build script: sets `cfg(cheri_purecap)` for the group of purecap targets.
//!
//! Upstream rustc has no CHERI target. The out-of-tree ports name their
//! purecap targets `*-purecap` (for example
//! `aarch64-unknown-freebsd-purecap`), and the ones we have read select the
//! ABI through LLVM's `abiname`, which does not reach `cfg(target_abi)`. So
//! the target name is checked as well as `target_abi`. `--cfg cheri_purecap`
//! in `RUSTFLAGS` forces the cfg by hand, which is also how a purecap-only
//! item is type-checked on an ordinary FreeBSD target.
//!
//! The cfg is declared here, not in `Cargo.toml`: the crate inherits
//! `[workspace.lints]`, and Cargo refuses a local `[lints.rust]` table next
//! to `lints.workspace = true`.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cheri_purecap)");
    println!("cargo::rerun-if-changed=build.rs");

    // Cargo sets both for every build script; a missing one means "no".
    let target = env::var("TARGET").unwrap_or_default();
    let abi = env::var("CARGO_CFG_TARGET_ABI").unwrap_or_default();
    if abi == "purecap" || target.contains("purecap") {
        println!("cargo::rustc-cfg=cheri_purecap");
    }
}
