//! Purecap Morello CheriBSD: the pdrfork/pdfork stub and raw syscalls for
//! the child, all in assembly, since inline `asm!` in upstream Rust cannot
//! name a capability register.
//!
//! Compiled only with `cfg(cheri_purecap)` on `aarch64` FreeBSD, which
//! needs a CHERI Rust compiler; `.ci/freebsd-check` type-checks it by
//! forcing the cfg on `aarch64-unknown-freebsd` (no code is generated, so
//! the C64 assembly is not assembled there).
//!
//! # Safety
//!
//! Thin declarations and syscall shims only; see the module docs of
//! `arch` for the soundness argument and `sys::freebsd` for each use.

use core::arch::global_asm;
use core::ffi::{c_int, c_void};

global_asm!(include_str!("../../asm-cheri/cheribsd-morello-purecap.S"));

unsafe extern "C" {
    fn colaunch_freebsd_syscall6(
        nr: c_int,
        a0: *mut c_void,
        a1: *mut c_void,
        a2: *mut c_void,
        a3: *mut c_void,
        a4: *mut c_void,
        a5: *mut c_void,
    ) -> isize;
}

/// A raw FreeBSD system call with up to six arguments; returns the result,
/// or `-errno` when the kernel set the carry flag, without touching
/// `errno`.  Every argument travels as a whole capability.
///
/// # Safety
///
/// - The arguments must be valid for the system call `nr`.
#[inline(always)]
pub(crate) unsafe fn syscall6(nr: c_int, args: [*mut c_void; 6]) -> isize {
    let [a0, a1, a2, a3, a4, a5] = args;
    // SAFETY: the caller vouches for the arguments; the stub only moves
    // them into c0-c5 and traps.
    unsafe { colaunch_freebsd_syscall6(nr, a0, a1, a2, a3, a4, a5) }
}
