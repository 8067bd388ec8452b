//! The only code that runs in the child between the clone and `execve`.
//!
//! # Async-signal-safety
//!
//! The child shares the parent's memory (vfork semantics) or has a copy of
//! a possibly multi-threaded parent (fork semantics); either way another
//! thread may have held a lock or been inside the allocator at the moment
//! of the clone.  So this module, and everything it calls, must not:
//!
//! - allocate or free memory (no `Vec`, `String`, `Box`, `format!`);
//! - take a lock (no `std::io`, no `std::env`, no `Mutex`);
//! - panic or unwind (no `unwrap`, no indexing that can fail, no
//!   arithmetic that can overflow-check);
//! - run drop glue that frees memory;
//! - log, print or format;
//! - call anything but raw system calls through `sys::raw`, which do not
//!   even touch `errno` (the parent thread's `errno` is the same memory).
//!
//! All signals are blocked on entry (the parent blocked them before the
//! clone); the requested mask is installed just before `execve`, after
//! every caught handler has been reset, so no parent handler ever runs in
//! the child.
//!
//! # Error record
//!
//! When the child cannot run its program it writes one fixed record to the
//! close-on-exec error pipe and exits with status 127: 8 bytes, the errno
//! as a native-endian `i32` followed by the tag `b"CLER"`.  The write is
//! made once; if the reader is gone (`EPIPE`) the child exits anyway.  A
//! successful `execve` closes the pipe, so the parent reads end-of-file.
//! The pipe, not shared memory, carries the error because an emulator such
//! as qemu-user turns a vfork into a fork, where a write to memory would
//! be lost.

use core::ffi::{c_char, c_int, c_void};
use core::ptr;

use crate::sys::raw;

/// The tag after the errno in the error record.
pub(crate) const ERROR_TAG: [u8; 4] = *b"CLER";

/// The size of the error record.
pub(crate) const ERROR_RECORD_LEN: usize = 8;

/// Builds the error record for `errno`.
pub(crate) fn encode_error(errno: c_int) -> [u8; ERROR_RECORD_LEN] {
    let e = errno.to_ne_bytes();
    let t = ERROR_TAG;
    [e[0], e[1], e[2], e[3], t[0], t[1], t[2], t[3]]
}

/// Reads an errno back from a complete record, or `None` if the tag does
/// not match.
pub(crate) fn decode_error(record: &[u8; ERROR_RECORD_LEN]) -> Option<c_int> {
    let (errno, tag) = record.split_at(4);
    (tag == ERROR_TAG).then(|| c_int::from_ne_bytes([errno[0], errno[1], errno[2], errno[3]]))
}

/// One descriptor move: make `src` the child's descriptor `dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FdAction {
    pub(crate) src: c_int,
    pub(crate) dst: c_int,
}

/// What the child reads; every pointer points into the parent's plan.
pub(crate) struct ChildArgs {
    /// Null-terminated list of paths to try with `execve`.
    pub(crate) candidates: *const *const c_char,
    pub(crate) argv: *const *const c_char,
    pub(crate) envp: *const *const c_char,
    /// Directory to enter, or null.
    pub(crate) cwd: *const c_char,
    pub(crate) actions: *const FdAction,
    pub(crate) action_count: usize,
    pub(crate) process_group: Option<i32>,
    /// The signal mask to install just before `execve`.
    pub(crate) mask: [u64; 2],
    /// Reset every caught signal to its default (the kernel did not).
    pub(crate) reset_handlers: bool,
    /// Signal on the spawning thread's death, or 0.
    pub(crate) parent_death_signal: c_int,
    pub(crate) parent_pid: libc::pid_t,
    pub(crate) err_fd: c_int,
    /// Written by the child: an address on its stack.  The parent sees it
    /// only when the address space is shared.
    pub(crate) observed_sp: usize,
    /// Written by the child in test builds: the signal mask it started
    /// with.
    pub(crate) observed_mask: [u64; 2],
    /// Run the program with `coexecve(2)` instead of `execve` (CheriBSD
    /// colocation, set by the FreeBSD backend).
    #[cfg(cheri_purecap)]
    pub(crate) coexec: Option<Coexec>,
}

/// The colocation target of `coexecve(2)`, and the capability vector of
/// `coexecvec(2)` when `capv` is not null.
#[cfg(cheri_purecap)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Coexec {
    pub(crate) pid: libc::pid_t,
    pub(crate) capv: *const *mut c_void,
    pub(crate) capc: c_int,
}

/// The child's entry point, called by the assembly stub on the child stack.
///
/// # Safety
///
/// - `arg` must point to a `ChildArgs` whose pointers are valid, and which
///   stays valid until this process calls `execve` or exits.
/// - It may only be called in a freshly cloned child, never in the parent.
pub(crate) unsafe extern "C" fn child_main(arg: *mut c_void) -> ! {
    let args = arg.cast::<ChildArgs>();

    // Let the parent see, when memory is shared, which stack this is and,
    // for the unit tests of the signal policy, that all signals arrived
    // blocked.  Only test builds ask for the mask: it costs a system call
    // made while the parent waits, on every spawn.
    let marker = 0u8;
    // SAFETY: `args` is valid (caller contract); the parent does not read
    // these fields until the child has exec'd or exited.
    unsafe {
        ptr::write_volatile(&raw mut (*args).observed_sp, &raw const marker as usize);
        if cfg!(test) {
            ptr::write_volatile(&raw mut (*args).observed_mask, raw::current_mask());
        }
    }

    // SAFETY: `args` is valid for reads (caller contract).
    let args = unsafe { &*args };
    // SAFETY: the pointers in `args` are valid (caller contract).
    let errno = unsafe { prepare_and_exec(args) };

    // One write; a reader that is gone changes nothing: we exit either way.
    let record = encode_error(errno);
    raw::write(args.err_fd, &record);
    raw::exit(127) // no destructors, no atexit: _exit semantics
}

/// Sets the child up and runs its program; returns only with an errno.
///
/// # Safety
///
/// - Every pointer in `args` is valid (see [`child_main`]).
unsafe fn prepare_and_exec(args: &ChildArgs) -> c_int {
    // Caught handlers must go before any signal can be unblocked, or a
    // parent handler could run here on shared memory.
    if args.reset_handlers {
        raw::reset_caught_handlers();
    }
    // SIGPIPE goes back to its default, as std does for its children
    // (a Rust parent ignores it).
    raw::set_default_action(libc::SIGPIPE);

    // The parent cannot have died yet unless it was killed while waiting
    // for us; then nobody wants this child.
    if args.parent_death_signal != 0 {
        if let Err(e) = raw::set_parent_death_signal(args.parent_death_signal) {
            return e;
        }
        if raw::getppid() != args.parent_pid {
            return libc::ESRCH;
        }
    }

    if let Some(pgroup) = args.process_group
        && let Err(e) = raw::setpgid(0, pgroup)
    {
        return e;
    }

    // Sources were moved above every target by the parent, so the moves
    // are independent of each other.
    for i in 0..args.action_count {
        // SAFETY: `actions` has `action_count` elements (caller contract).
        let action = unsafe { *args.actions.add(i) };
        if let Err(e) = raw::move_fd(action.src, action.dst) {
            return e;
        }
    }

    if !args.cwd.is_null() {
        // SAFETY: a non-null `cwd` is a C string (caller contract).
        if let Err(e) = unsafe { raw::chdir(args.cwd) } {
            return e;
        }
    }

    // The last step before execve: from here on, signals reach the child.
    if let Err(e) = raw::set_mask(&args.mask) {
        return e;
    }

    // SAFETY: the arrays are null-terminated C string arrays (contract).
    unsafe { exec_candidates(args) }
}

/// Tries each candidate path in order, as `execvp(3)` does, and returns the
/// errno to report: the first "real" error, else `EACCES` if any candidate
/// was not executable, else the last lookup error.
///
/// # Safety
///
/// - `candidates`, `argv` and `envp` are null-terminated C string arrays.
unsafe fn exec_candidates(args: &ChildArgs) -> c_int {
    let mut errno = libc::ENOENT;
    let mut denied = false;
    let mut i = 0;
    loop {
        // SAFETY: the array is null-terminated and we stop at the null.
        let path = unsafe { *args.candidates.add(i) };
        if path.is_null() {
            break;
        }
        // SAFETY: all three are valid C string (arrays) (contract).
        errno = unsafe { exec(args, path) };
        match errno {
            libc::EACCES => denied = true,
            libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
            _ => return errno,
        }
        i = i.wrapping_add(1); // no overflow check in the child
    }
    if denied { libc::EACCES } else { errno }
}

/// `execve`, or `coexecve`/`coexecvec` when the backend asked for
/// colocation; returns the errno.
///
/// # Safety
///
/// - `path` is a C string and `args` valid (see [`exec_candidates`]).
unsafe fn exec(args: &ChildArgs, path: *const c_char) -> c_int {
    #[cfg(cheri_purecap)]
    if let Some(co) = args.coexec {
        // SAFETY: as below; `capv` is null or points to `capc` entries of
        // the parent's plan (set by the backend).
        return unsafe { raw::coexecve(co.pid, path, args.argv, args.envp, co.capv, co.capc) };
    }
    // SAFETY: valid C string (arrays) (caller contract).
    unsafe { raw::execve(path, args.argv, args.envp) }
}

#[cfg(test)]
mod tests;
