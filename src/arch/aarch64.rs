//! aarch64 Linux: the clone stubs and raw syscalls for the child.
//!
//! # Safety
//!
//! Thin declarations and syscall shims only; see the module docs of
//! `arch` for the soundness argument and `sys::linux` for each use.

use core::arch::{asm, global_asm};

global_asm!(include_str!("../../asm-cheri/linux-aarch64.S"));

/// A raw system call with up to four arguments; returns the kernel's
/// result (`-errno` on failure) without touching `errno`.
///
/// # Safety
///
/// - The arguments must be valid for the system call `nr`.
#[inline(always)]
pub(crate) unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller vouches for the arguments; `svc #0` changes only
    // x0, which is the declared output.
    unsafe {
        asm!(
            "svc #0",
            in("x8") nr,
            inlateout("x0") a0 as isize => ret,
            in("x1") a1,
            in("x2") a2,
            in("x3") a3,
            options(nostack, preserves_flags),
        );
    }
    ret
}
