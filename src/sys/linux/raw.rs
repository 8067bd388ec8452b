//! Linux raw system calls for the child, which never touch `errno`.
//!
//! Each function is one system call (a loop of them for
//! `reset_caught_handlers`).  They are safe to call
//! between the clone and `execve`: no allocation, no lock, no libc state.
//!
//! # Safety
//!
//! Thin shims over `arch::syscall4`; every pointer passed to the kernel
//! is either a local or a caller-supplied C string.
#![allow(clippy::undocumented_unsafe_blocks)]

use core::ffi::{c_char, c_int};

use crate::arch::syscall4;

/// The kernel's `sigset_t` size on x86_64 and aarch64 (64 signals).
const KERNEL_SIGSET_SIZE: usize = 8;

/// The kernel's `struct sigaction` on x86_64 and aarch64, both of which
/// define `SA_RESTORER` (`include/linux/signal_types.h`).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

fn syscall(nr: libc::c_long, a0: usize, a1: usize, a2: usize, a3: usize) -> Result<usize, c_int> {
    let ret = unsafe { syscall4(nr as usize, a0, a1, a2, a3) };
    if (-4095..0).contains(&ret) {
        Err(-ret as c_int)
    } else {
        Ok(ret as usize)
    }
}

/// `rt_sigprocmask(SIG_BLOCK, NULL, &old)`: the current mask.
pub(crate) fn current_mask() -> [u64; 2] {
    let mut old = 0u64;
    let _ = syscall(
        libc::SYS_rt_sigprocmask,
        libc::SIG_BLOCK as usize,
        0,
        &raw mut old as usize,
        KERNEL_SIGSET_SIZE,
    );
    [old, 0]
}

/// `rt_sigprocmask(SIG_SETMASK, all, &old)`: blocks every signal, the C
/// library's internal ones included (the kernel leaves `SIGKILL` and
/// `SIGSTOP` out by itself); returns the old mask.
pub(crate) fn block_all() -> [u64; 2] {
    let all = u64::MAX;
    let mut old = 0u64;
    let _ = syscall(
        libc::SYS_rt_sigprocmask,
        libc::SIG_SETMASK as usize,
        &raw const all as usize,
        &raw mut old as usize,
        KERNEL_SIGSET_SIZE,
    );
    [old, 0]
}

/// `rt_sigprocmask(SIG_SETMASK, mask)`.
pub(crate) fn set_mask(mask: &[u64; 2]) -> Result<(), c_int> {
    let set = mask[0];
    syscall(
        libc::SYS_rt_sigprocmask,
        libc::SIG_SETMASK as usize,
        &raw const set as usize,
        0,
        KERNEL_SIGSET_SIZE,
    )
    .map(drop)
}

/// `rt_sigaction(sig, SIG_DFL)`.
pub(crate) fn set_default_action(sig: c_int) {
    let act = KernelSigaction {
        handler: 0,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    let _ = syscall(
        libc::SYS_rt_sigaction,
        sig as usize,
        &raw const act as usize,
        0,
        KERNEL_SIGSET_SIZE,
    );
}

/// Resets every caught signal to `SIG_DFL`, leaving ignored ones ignored:
/// what `CLONE_CLEAR_SIGHAND` does, for kernels or paths without it.
pub(crate) fn reset_caught_handlers() {
    for sig in 1..=super::MAX_SIGNAL {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        let mut old = KernelSigaction {
            handler: 0,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        let query = syscall(
            libc::SYS_rt_sigaction,
            sig as usize,
            0,
            &raw mut old as usize,
            KERNEL_SIGSET_SIZE,
        );
        let caught = old.handler != libc::SIG_DFL && old.handler != libc::SIG_IGN;
        if query.is_ok() && caught {
            set_default_action(sig);
        }
    }
}

/// `prctl(PR_SET_PDEATHSIG, sig)`.
pub(crate) fn set_parent_death_signal(sig: c_int) -> Result<(), c_int> {
    syscall(
        libc::SYS_prctl,
        libc::PR_SET_PDEATHSIG as usize,
        sig as usize,
        0,
        0,
    )
    .map(drop)
}

/// `getppid()`.
pub(crate) fn getppid() -> libc::pid_t {
    syscall(libc::SYS_getppid, 0, 0, 0, 0).unwrap_or(0) as libc::pid_t
}

/// `setpgid(pid, pgroup)`.
pub(crate) fn setpgid(pid: libc::pid_t, pgroup: libc::pid_t) -> Result<(), c_int> {
    syscall(libc::SYS_setpgid, pid as usize, pgroup as usize, 0, 0).map(drop)
}

/// Makes `src` the descriptor `dst`, without close-on-exec.
///
/// `dup3` (aarch64 has no `dup2`) clears close-on-exec on `dst`; when the
/// two are equal `dup3` is `EINVAL`, so only the flag is cleared.
pub(crate) fn move_fd(src: c_int, dst: c_int) -> Result<(), c_int> {
    if src == dst {
        return syscall(libc::SYS_fcntl, dst as usize, libc::F_SETFD as usize, 0, 0).map(drop);
    }
    syscall(libc::SYS_dup3, src as usize, dst as usize, 0, 0).map(drop)
}

/// `chdir(path)`.
///
/// # Safety
///
/// - `path` is a valid C string.
pub(crate) unsafe fn chdir(path: *const c_char) -> Result<(), c_int> {
    syscall(libc::SYS_chdir, path as usize, 0, 0, 0).map(drop)
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
        libc::SYS_execve,
        path as usize,
        argv as usize,
        envp as usize,
        0,
    );
    ret.err().unwrap_or(libc::EINVAL) // execve only returns on failure
}

/// One `write(fd, buf)`, result ignored: the caller exits next.
pub(crate) fn write(fd: c_int, buf: &[u8]) {
    let _ = syscall(
        libc::SYS_write,
        fd as usize,
        buf.as_ptr() as usize,
        buf.len(),
        0,
    );
}

/// `exit_group(code)`: ends the child at once, no atexit handlers.
pub(crate) fn exit(code: c_int) -> ! {
    let _ = syscall(libc::SYS_exit_group, code as usize, 0, 0, 0);
    // exit_group does not return; if it somehow did, do not run on.
    loop {
        let _ = syscall(libc::SYS_exit, code as usize, 0, 0, 0);
    }
}
