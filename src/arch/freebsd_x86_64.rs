//! x86_64 FreeBSD: the pdrfork/pdfork stub and raw syscalls for the child.
//!
//! # Safety
//!
//! Thin declarations and syscall shims only; see the module docs of
//! `arch` for the soundness argument and `sys::freebsd` for each use.

use core::arch::{asm, global_asm};
use core::ffi::{c_int, c_void};

global_asm!(
    include_str!("../../asm-cheri/freebsd-x86_64.S"),
    options(att_syntax)
);

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
    let carry: u8;
    // SAFETY: the caller vouches for the arguments.  The kernel changes
    // rax, rdx, rcx, r11 and the flags (lib/libsys/amd64/SYS.h); every
    // argument register is declared clobbered as well, to be safe.
    unsafe {
        asm!(
            "syscall",
            "setc {carry}",
            inlateout("rax") nr as isize => ret,
            inlateout("rdi") args[0] => _,
            inlateout("rsi") args[1] => _,
            inlateout("rdx") args[2] => _,
            inlateout("r10") args[3] => _,
            inlateout("r8") args[4] => _,
            inlateout("r9") args[5] => _,
            lateout("rcx") _,
            lateout("r11") _,
            carry = lateout(reg_byte) carry,
            options(nostack),
        );
    }
    if carry != 0 { ret.wrapping_neg() } else { ret }
}
