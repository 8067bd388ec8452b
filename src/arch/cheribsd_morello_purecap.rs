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

use super::ChildEntry;

global_asm!(include_str!("../../asm-cheri/cheribsd-morello-purecap.S"));

unsafe extern "C" {
    /// `pdrfork(fdp, pdflags, rfflags)` with the child calling
    /// `entry(arg)` on the capability `stack_top`; returns the pid in the
    /// parent or `-errno`.
    pub(crate) fn colaunch_freebsd_pdrfork(
        fdp: *mut c_int,
        pdflags: c_int,
        rfflags: c_int,
        stack_top: *mut c_void,
        entry: ChildEntry,
        arg: *mut c_void,
    ) -> isize;

    /// `pdfork(fdp, pdflags)` with the child calling `entry(arg)` on
    /// `stack_top`; `rfflags` is ignored.  Returns the pid or `-errno`.
    pub(crate) fn colaunch_freebsd_pdfork(
        fdp: *mut c_int,
        pdflags: c_int,
        rfflags: c_int,
        stack_top: *mut c_void,
        entry: ChildEntry,
        arg: *mut c_void,
    ) -> isize;

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
