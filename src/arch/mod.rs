//! Per-architecture entry points into the assembly stubs in `asm-cheri/`.
//!
//! # Why assembly, and why it is sound
//!
//! A vfork-style spawn returns twice: once in the parent, once in a child
//! that shares the parent's memory.  Rust has no way to express a function
//! that returns twice (`#[ffi_returns_twice]` was removed, and `libc`
//! deprecated `vfork` after miscompilations), so colaunch never lets the
//! child return into a Rust frame.  Instead:
//!
//! - **Which stack the child uses.**  The parent maps a fresh stack for the
//!   child (with a guard page below it) before the trap.  The stub passes it
//!   to the kernel (`clone3`'s `stack`, `clone`'s stack argument), so the
//!   child's first instruction after the trap already runs on that stack.
//!   FreeBSD's `pdrfork` and `pdfork` take no stack: there the child runs
//!   only register tests (carry, zero) before the instruction that loads
//!   the stack register, so it touches no memory on the parent's stack (on
//!   purecap CheriBSD the new stack is a capability bounded to the
//!   mapping, and the return address stays in `c30`, never spilled).  The
//!   child's only use of the parent's stack would be a `ret`, and it never
//!   executes one: the stub calls `entry(arg)` and `entry` never returns.
//! - **Why no frame runs twice.**  The parent's frames, including the
//!   stub's own saved registers and return address, are touched only by the
//!   parent.  The child starts in the stub below the trap with nothing to
//!   return to and runs `entry`, a plain Rust function with its own frames
//!   on the child stack.  No Rust function is entered once and left twice.
//! - **What the parent may assume when it resumes.**  With vfork semantics
//!   (`CLONE_VM | CLONE_VFORK`, `RFSPAWN`) the kernel holds the parent until
//!   the child has called `execve` or exited, so the child stack is unused
//!   when the stub returns and may be unmapped or reused.  The child wrote
//!   only into its own stack and into the `ChildArgs` fields meant for it
//!   (see `child_side`).  Every callee-saved register is restored by the
//!   stub, and all signals were blocked by the caller across the trap, so
//!   no handler ran in the child on the parent's behalf.  With fork
//!   semantics the child has a copy of memory and nothing it does is
//!   visible to the parent at all.
//!
//! The code the child runs is in `child_side`; its rules (no allocation,
//! no locks, no panics, only async-signal-safe calls) are listed there.
//! [`Command::spawn`](crate::Command::spawn) links here.
//!
//! # Safety
//!
//! This module only declares the stubs and thin raw-syscall shims used by
//! the child; the callers in `sys` document each use.
#![allow(clippy::undocumented_unsafe_blocks)]

use core::ffi::{c_int, c_void};

/// The child's entry point: called on the child stack, must never return.
pub(crate) type ChildEntry = unsafe extern "C" fn(arg: *mut c_void) -> !;

// The stubs every architecture of an OS defines, with one signature; each
// per-architecture module assembles its own `asm-cheri/` file.
#[cfg(target_os = "linux")]
unsafe extern "C" {
    /// `clone3(args, size)` with the child calling `entry(arg)` on
    /// `args.stack`; returns the pid in the parent or `-errno`.
    pub(crate) fn colaunch_linux_clone3(
        args: *mut c_void,
        size: usize,
        entry: ChildEntry,
        arg: *mut c_void,
    ) -> isize;

    /// `clone(flags, stack_top, parent_tid, 0, 0)` with the child calling
    /// `entry(arg)` on `stack_top`; returns the pid or `-errno`.
    pub(crate) fn colaunch_linux_clone(
        flags: core::ffi::c_ulong,
        stack_top: *mut c_void,
        parent_tid: *mut c_int,
        entry: ChildEntry,
        arg: *mut c_void,
    ) -> isize;
}

#[cfg(target_os = "freebsd")]
unsafe extern "C" {
    /// `pdrfork(fdp, pdflags, rfflags)` with the child calling
    /// `entry(arg)` on `stack_top`; returns the pid in the parent or
    /// `-errno`.
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
}

// The stub modules are declared here, each under the condition of its
// branch below, rather than inside `cfg_select!`: rustfmt cannot see into
// a macro, so a module declared there is never formatted.
#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
mod aarch64;
#[cfg(all(target_os = "freebsd", target_arch = "aarch64", cheri_purecap))]
mod cheribsd_morello_purecap;
#[cfg(all(target_os = "freebsd", target_arch = "aarch64", not(cheri_purecap)))]
mod freebsd_aarch64;
#[cfg(all(target_os = "freebsd", target_arch = "x86_64", not(cheri_purecap)))]
mod freebsd_x86_64;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod x86_64;

cfg_select! {
    all(cheri_purecap, not(target_os = "freebsd")) => {
        compile_error!("colaunch's purecap stub is for CheriBSD; see docs/platforms.md");
    }
    all(target_os = "linux", target_arch = "x86_64") => {
        pub(crate) use x86_64::*;
    }
    all(target_os = "linux", target_arch = "aarch64") => {
        pub(crate) use aarch64::*;
    }
    all(target_os = "freebsd", target_arch = "x86_64", not(cheri_purecap)) => {
        pub(crate) use freebsd_x86_64::*;
    }
    all(target_os = "freebsd", target_arch = "aarch64", cheri_purecap) => {
        pub(crate) use cheribsd_morello_purecap::*;
    }
    all(target_os = "freebsd", target_arch = "aarch64") => {
        pub(crate) use freebsd_aarch64::*;
    }
    _ => {
        compile_error!(
            "colaunch has no spawn stub for this target; see asm-cheri/ and docs/platforms.md"
        );
    }
}
