//! FreeBSD raw system calls for the child, which never touch `errno`.
//!
//! Each function is one system call (a loop of them for
//! `reset_caught_handlers`), made through
//! `arch::syscall6`, which reports failure as `-errno` from the carry
//! flag.  They are safe to call between the fork and `execve`: no
//! allocation, no lock, no libc state.  Every argument travels as a
//! pointer-sized word built by [`int()`] or [`ptr()`], so that on purecap
//! CheriBSD a pointer argument stays a whole capability.
//!
//! The syscall numbers are those of `sys/sys/syscall.h` at
//! [cheribsd@a61e250a][numbers], which FreeBSD shares except for the
//! `co*` calls; `cheri-sys` has the process-descriptor ones.
//!
//! [numbers]: https://github.com/CTSRD-CHERI/cheribsd/blob/a61e250a9983217233f91b6b0642d142818d3397/sys/sys/syscall.h
//!
//! # Safety
//!
//! Thin shims over `arch::syscall6`; every pointer passed to the kernel
//! is either a local or a caller-supplied C string or array.
#![allow(clippy::undocumented_unsafe_blocks)]

use core::ffi::{c_char, c_int, c_void};
use core::ptr;

use crate::arch::syscall6;

const SYS_EXIT: c_int = 1;
const SYS_WRITE: c_int = 4;
const SYS_CHDIR: c_int = 12;
const SYS_GETPPID: c_int = 39;
const SYS_EXECVE: c_int = 59;
const SYS_SETPGID: c_int = 82;
const SYS_DUP2: c_int = 90;
const SYS_FCNTL: c_int = 92;
#[cfg(cheri_purecap)]
const SYS_COEXECVE: c_int = 151;
#[cfg(cheri_purecap)]
const SYS_COEXECVEC: c_int = 152;
pub(super) const SYS_SIGPROCMASK: c_int = 340;
const SYS_SIGACTION: c_int = 416;
const SYS_PROCCTL: c_int = 544;

/// An integer argument as a pointer-sized word (an untagged capability on
/// purecap CheriBSD, whose address the kernel reads as the value).
pub(super) fn int(value: isize) -> *mut c_void {
    ptr::without_provenance_mut(value as usize)
}

/// A pointer argument, kept with its provenance (a whole capability on
/// purecap CheriBSD).
pub(super) fn ptr<T>(p: *const T) -> *mut c_void {
    p.cast_mut().cast()
}

const NONE: *mut c_void = ptr::null_mut();

fn syscall(nr: c_int, args: [*mut c_void; 6]) -> Result<usize, c_int> {
    let ret = unsafe { syscall6(nr, args) };
    if ret < 0 {
        Err(ret.wrapping_neg() as c_int)
    } else {
        Ok(ret as usize)
    }
}

/// `sigprocmask(SIG_BLOCK, NULL, &old)`: the current mask.
///
/// FreeBSD's `sigset_t` is four 32-bit words (signals 1 to 128), which on
/// little-endian x86_64 and aarch64 is the same memory as `[u64; 2]`.
pub(crate) fn current_mask() -> [u64; 2] {
    let mut old = [0u64; 2];
    let how = int(libc::SIG_BLOCK as isize);
    let _ = syscall(
        SYS_SIGPROCMASK,
        [how, NONE, ptr(&raw mut old), NONE, NONE, NONE],
    );
    old
}

/// `sigprocmask(SIG_SETMASK, all, &old)`: blocks every signal (the kernel
/// leaves `SIGKILL` and `SIGSTOP` out by itself); returns the old mask.
pub(crate) fn block_all() -> [u64; 2] {
    let all = [u64::MAX; 2];
    let mut old = [0u64; 2];
    let how = int(libc::SIG_SETMASK as isize);
    let _ = syscall(
        SYS_SIGPROCMASK,
        [how, ptr(&all), ptr(&raw mut old), NONE, NONE, NONE],
    );
    old
}

/// `sigprocmask(SIG_SETMASK, mask, NULL)`.
pub(crate) fn set_mask(mask: &[u64; 2]) -> Result<(), c_int> {
    let how = int(libc::SIG_SETMASK as isize);
    syscall(SYS_SIGPROCMASK, [how, ptr(mask), NONE, NONE, NONE, NONE]).map(drop)
}

/// A `struct sigaction` with `SIG_DFL`, no flags and an empty mask.
fn default_action() -> libc::sigaction {
    // All zero is SIG_DFL, no flags and an empty mask.
    unsafe { core::mem::zeroed() }
}

/// `sigaction(sig, SIG_DFL, NULL)`.
pub(crate) fn set_default_action(sig: c_int) {
    let act = default_action();
    let _ = syscall(
        SYS_SIGACTION,
        [int(sig as isize), ptr(&act), NONE, NONE, NONE, NONE],
    );
}

/// Resets every caught signal to `SIG_DFL`, leaving ignored ones ignored:
/// what `RFSPAWN` has the kernel do, for the `pdfork` path.
pub(crate) fn reset_caught_handlers() {
    for sig in 1..=super::MAX_SIGNAL {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        let mut old = default_action();
        let query = syscall(
            SYS_SIGACTION,
            [int(sig as isize), NONE, ptr(&raw mut old), NONE, NONE, NONE],
        );
        let handler = old.sa_sigaction;
        let caught = handler != libc::SIG_DFL && handler != libc::SIG_IGN;
        if query.is_ok() && caught {
            set_default_action(sig);
        }
    }
}

/// `procctl(P_PID, 0, PROC_PDEATHSIG_CTL, &sig)`: `sig` when the parent
/// process exits.
pub(crate) fn set_parent_death_signal(sig: c_int) -> Result<(), c_int> {
    let args = [
        int(libc::P_PID as isize),
        int(0),
        int(libc::PROC_PDEATHSIG_CTL as isize),
        ptr(&raw const sig),
        NONE,
        NONE,
    ];
    syscall(SYS_PROCCTL, args).map(drop)
}

/// `getppid()`.
pub(crate) fn getppid() -> libc::pid_t {
    syscall(SYS_GETPPID, [NONE; 6]).unwrap_or(0) as libc::pid_t
}

/// `setpgid(pid, pgroup)`.
pub(crate) fn setpgid(pid: libc::pid_t, pgroup: libc::pid_t) -> Result<(), c_int> {
    let args = [
        int(pid as isize),
        int(pgroup as isize),
        NONE,
        NONE,
        NONE,
        NONE,
    ];
    syscall(SYS_SETPGID, args).map(drop)
}

/// Makes `src` the descriptor `dst`, without close-on-exec.
///
/// `dup2` clears close-on-exec on `dst`, but does nothing at all when the
/// two are equal, so then only the flag is cleared.
pub(crate) fn move_fd(src: c_int, dst: c_int) -> Result<(), c_int> {
    if src == dst {
        let args = [
            int(dst as isize),
            int(libc::F_SETFD as isize),
            int(0),
            NONE,
            NONE,
            NONE,
        ];
        return syscall(SYS_FCNTL, args).map(drop);
    }
    syscall(
        SYS_DUP2,
        [int(src as isize), int(dst as isize), NONE, NONE, NONE, NONE],
    )
    .map(drop)
}

/// `chdir(path)`.
///
/// # Safety
///
/// - `path` is a valid C string.
pub(crate) unsafe fn chdir(path: *const c_char) -> Result<(), c_int> {
    syscall(SYS_CHDIR, [ptr(path), NONE, NONE, NONE, NONE, NONE]).map(drop)
}

/// `execve(path, argv, envp)`; returns the errno when it fails.
///
/// # Safety
///
/// - `path` is a C string, `argv` and `envp` null-terminated arrays of
///   C strings.
pub(crate) unsafe fn execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    let ret = syscall(
        SYS_EXECVE,
        [ptr(path), ptr(argv), ptr(envp), NONE, NONE, NONE],
    );
    ret.err().unwrap_or(libc::EINVAL) // execve only returns on failure
}

/// `coexecve(pid, path, argv, envp)`, or `coexecvec(..., capv, capc)`
/// when `capv` is not null; returns the errno when it fails.
///
/// # Safety
///
/// - As [`execve`], and `capv` is null or points to `capc` capabilities.
#[cfg(cheri_purecap)]
pub(crate) unsafe fn coexecve(
    pid: libc::pid_t,
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    capv: *const *mut c_void,
    capc: c_int,
) -> c_int {
    let (pid, path, argv, envp) = (int(pid as isize), ptr(path), ptr(argv), ptr(envp));
    let ret = if capv.is_null() {
        syscall(SYS_COEXECVE, [pid, path, argv, envp, NONE, NONE])
    } else {
        syscall(
            SYS_COEXECVEC,
            [pid, path, argv, envp, ptr(capv), int(capc as isize)],
        )
    };
    ret.err().unwrap_or(libc::EINVAL) // coexecve only returns on failure
}

/// One `write(fd, buf)`, result ignored: the caller exits next.
pub(crate) fn write(fd: c_int, buf: &[u8]) {
    let args = [
        int(fd as isize),
        ptr(buf.as_ptr()),
        int(buf.len() as isize),
        NONE,
        NONE,
        NONE,
    ];
    let _ = syscall(SYS_WRITE, args);
}

/// `_exit(code)`: ends the child at once, no atexit handlers.
pub(crate) fn exit(code: c_int) -> ! {
    loop {
        // SYS_exit ends the whole process; if it somehow returned, do not
        // run on.
        let _ = syscall(SYS_EXIT, [int(code as isize), NONE, NONE, NONE, NONE, NONE]);
    }
}
