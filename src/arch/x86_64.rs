//! x86_64 Linux: the clone stubs and raw syscalls for the child.
//!
//! # Safety
//!
//! Thin declarations and syscall shims only; see the module docs of
//! `arch` for the soundness argument and `sys::linux` for each use.

use core::arch::{asm, global_asm};

global_asm!(
    include_str!("../../asm-cheri/linux-x86_64.S"),
    options(att_syntax)
);

/// A raw system call with up to four arguments; returns the kernel's
/// result (`-errno` on failure) without touching `errno`.
///
/// # Safety
///
/// - The arguments must be valid for the system call `nr`.
#[inline(always)]
pub(crate) unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller vouches for the arguments; the kernel clobbers
    // only rax, rcx and r11, which are declared.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") a0,
            in("rsi") a1,
            in("rdx") a2,
            in("r10") a3,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, preserves_flags),
        );
    }
    ret
}
