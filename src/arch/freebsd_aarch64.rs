//! aarch64 FreeBSD (plain and Morello hybrid): the pdrfork/pdfork stub and
//! raw syscalls for the child.
//!
//! # Safety
//!
//! Thin declarations and syscall shims only; see the module docs of
//! `arch` for the soundness argument and `sys::freebsd` for each use.

use core::arch::{asm, global_asm};
use core::ffi::{c_int, c_void};

global_asm!(include_str!("../../asm-cheri/freebsd-aarch64.S"));

/// A raw FreeBSD system call with up to six arguments; returns the result,
/// or `-errno` when the kernel set the carry flag, without touching
/// `errno`.
///
/// # Safety
///
/// - The arguments must be valid for the system call `nr`.
#[inline(always)]
pub(crate) unsafe fn syscall6(nr: c_int, args: [*mut c_void; 6]) -> isize {
    let ret: isize;
    let carry: usize;
    // SAFETY: the caller vouches for the arguments.  The kernel changes
    // x0, x1 and the carry flag (cpu_set_syscall_retval()); the other
    // argument registers are declared clobbered as well, to be safe.
    unsafe {
        asm!(
            "svc #0",
            "cset {carry}, cs",
            in("x8") nr as isize,
            inlateout("x0") args[0] => ret,
            inlateout("x1") args[1] => _,
            inlateout("x2") args[2] => _,
            inlateout("x3") args[3] => _,
            inlateout("x4") args[4] => _,
            inlateout("x5") args[5] => _,
            carry = lateout(reg) carry,
            options(nostack),
        );
    }
    if carry != 0 { ret.wrapping_neg() } else { ret }
}
