//! Build script: sets `cfg(cheri_purecap)` for the group of purecap targets.
//!
//! Upstream rustc has no CHERI target. The out-of-tree ports name their
//! purecap targets `*-purecap` (for example
//! `aarch64-unknown-freebsd-purecap`). Kent's fork also sets
//! `target_abi = "purecap"`; CyberHive's spec sets no `abi` that we know
//! of (it says purecap in its `arch` and linker flags), so
//! `cfg(target_abi)` may not tell. So the target name is checked as well
//! as `target_abi`. Passing
//! `--cfg cheri_purecap` to rustc forces the cfg by hand, which is how a
//! purecap-only item is type-checked on an ordinary FreeBSD target.
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
