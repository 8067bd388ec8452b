//! The FreeBSD backend's decisions, kept free of system calls.
//!
//! Which fork to make (`pdrfork(RFSPAWN)` or `pdfork`), with which flags,
//! which exec the child makes (`execve`, `coexecve`, `coexecvec`), and when
//! to refuse with `Unsupported` or `InvalidInput` instead: all of it is a
//! function of the request and of what the kernel was found to have.  This
//! module is compiled on FreeBSD as part of the backend and, through
//! `sys/mod.rs`, in the unit tests of every host, so that the Linux CI
//! host checks every combination (`tests.rs`).
//!
//! It names only `crate::` paths, because it is reached under two module
//! paths, and uses the FreeBSD constants of `cheri-sys`, which that crate
//! exports on every target for this purpose.

use std::io;

use cheri_sys::{
    PD_ALLOWED_AT_FORK, PD_CLOEXEC, PD_DAEMON, RFHIGHPID, RFPROC, RFPROCDESC, RFSPAWN, RFSTOPPED,
};
use libc::c_int;

use crate::Mechanism;
use crate::command::{Colocation, Strategy};

/// What the kernel was found to have; see `probe.rs` for how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Kernel {
    /// `pdrfork(2)`, FreeBSD 15.1: a vfork-style spawn with a descriptor.
    pub(crate) pdrfork: bool,
    /// `pdwait(2)`, FreeBSD 15.1: waiting through the descriptor.
    pub(crate) pdwait: bool,
    /// `coexecve(2)` and `coexecvec(2)` usable by this process: a CheriBSD
    /// colocation kernel, and a purecap build (CheriBSD's non-purecap
    /// syscall table maps both to `nosys`).
    pub(crate) coexecve: bool,
}

/// What one spawn asks for, reduced to what the decision depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) strategy: Strategy,
    pub(crate) descriptor: bool,
    pub(crate) daemon: bool,
    pub(crate) colocation: Option<Colocation>,
    /// Whether a capability vector was set (purecap builds only).
    pub(crate) capability_vector: bool,
    /// Whether this is a purecap (CheriABI) build.
    pub(crate) purecap: bool,
    /// The spawning process, the target of [`Colocation::Parent`].
    pub(crate) parent_pid: libc::pid_t,
}

/// The fork system call to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fork {
    /// `pdrfork(fdp, pdflags, rfflags)`: shares the address space when
    /// `rfflags` is `RFSPAWN`.
    Pdrfork { rfflags: c_int },
    /// `pdfork(fdp, pdflags)`: a copy-on-write copy of the address space.
    Pdfork,
}

/// The exec the child makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exec {
    /// `execve(2)`.
    Execve,
    /// `coexecve(pid, ...)`: the new image joins `pid`'s address space.
    Coexecve { pid: libc::pid_t },
    /// `coexecvec(pid, ..., capv, capc)`: the same, with a capability
    /// vector, which needs the child to share the caller's address space.
    Coexecvec { pid: libc::pid_t },
}

/// How to spawn, as decided by [`decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) fork: Fork,
    pub(crate) pdflags: c_int,
    pub(crate) exec: Exec,
    pub(crate) mechanism: Mechanism,
    /// Whether the child shares the parent's address space until exec.
    pub(crate) shares_memory: bool,
    /// Whether the child must reset caught signals itself: `RFSPAWN` has
    /// the kernel do it (`FR2_DROPSIG_CAUGHT`), `pdfork` does not.
    pub(crate) reset_handlers: bool,
}

/// Why a spawn is refused before any process exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) kind: io::ErrorKind,
    pub(crate) message: String,
}

impl From<Refusal> for io::Error {
    fn from(refusal: Refusal) -> Self {
        io::Error::new(refusal.kind, refusal.message)
    }
}

fn unsupported(message: impl Into<String>) -> Refusal {
    Refusal {
        kind: io::ErrorKind::Unsupported,
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal {
        kind: io::ErrorKind::InvalidInput,
        message: message.into(),
    }
}

/// The `rfflags` of the vfork-style spawn: `RFSPAWN` and nothing else,
/// since `sys_pdrfork()` refuses `RFSPAWN` with any other bit.
pub(crate) const SPAWN_RFFLAGS: c_int = RFSPAWN;

/// The `rfflags` of the `pdrfork` probe: a kernel-only flag, which every
/// `sys_pdrfork()` refuses with `EINVAL` before it creates anything, while
/// a kernel without the call answers `ENOSYS` (after `SIGSYS`).
pub(crate) const PROBE_RFFLAGS: c_int = RFSTOPPED;

/// The `pdflags` of every spawn: close-on-exec, as every descriptor
/// colaunch makes, plus `PD_DAEMON` for [`Command::daemon`].
///
/// `PD_NOWAITPID` is left out on purpose: its value is unverified and
/// older kernels refuse it with `EINVAL`.  The backend reaps by pid while
/// the descriptor is open instead, which is right on kernels both before
/// and after the 2026 zombie references (see `process.rs`).
///
/// [`Command::daemon`]: crate::Command::daemon
pub(crate) fn pdflags(daemon: bool) -> c_int {
    PD_CLOEXEC | if daemon { PD_DAEMON } else { 0 }
}

/// Decides how to spawn `request` on `kernel`.
///
/// # Errors
///
/// A [`Refusal`] naming what is missing or contradictory:
///
/// - `Unsupported` for no descriptor (not implemented here), for
///   colocation without a purecap build or without `coexecve`, for a
///   vfork-style spawn or a capability vector without `pdrfork`;
/// - `InvalidInput` for a capability vector without colocation, with the
///   fork strategy, or a colocation pid that names no process.
pub(crate) fn decide(request: &Request, kernel: Kernel) -> Result<Decision, Refusal> {
    if !request.descriptor {
        return Err(unsupported(
            "spawning without a process descriptor is not implemented on FreeBSD \
             (descriptor(false) exists for Linux sandboxes)",
        ));
    }
    let exec = exec_for(request, kernel)?;

    // A capability vector reaches the program only if the child still
    // shares this address space when it calls coexecvec (EPROT after a
    // fork), and only pdrfork gives that together with a descriptor.
    let vector = matches!(exec, Exec::Coexecvec { .. });
    let fork = match (request.strategy, kernel.pdrfork) {
        (Strategy::Fork, _) if vector => {
            return Err(invalid(
                "a capability vector needs a shared address space; the fork strategy \
                 copies it (coexecvec(2) would fail with EPROT)",
            ));
        }
        (Strategy::Fork, _) => Fork::Pdfork,
        (_, true) => Fork::Pdrfork {
            rfflags: SPAWN_RFFLAGS,
        },
        (_, false) if vector => {
            return Err(unsupported(
                "a capability vector needs a vfork-style spawn with a process descriptor, \
                 pdrfork(2) (FreeBSD 15.1), which this kernel lacks; CheriBSD has no \
                 pdrfork yet",
            ));
        }
        (Strategy::Vfork, false) => {
            return Err(unsupported(
                "a vfork-style spawn with a process descriptor needs pdrfork(2) \
                 (FreeBSD 15.1 or later), which this kernel lacks; Strategy::Auto \
                 falls back to pdfork(2)",
            ));
        }
        (_, false) => Fork::Pdfork,
    };

    let shares_memory = matches!(fork, Fork::Pdrfork { .. });
    let mechanism = if shares_memory {
        Mechanism::Pdrfork
    } else {
        Mechanism::Pdfork
    };
    Ok(Decision {
        fork,
        pdflags: pdflags(request.daemon),
        exec,
        mechanism,
        shares_memory,
        reset_handlers: !shares_memory,
    })
}

/// The exec for `request`, checking the colocation options.
fn exec_for(request: &Request, kernel: Kernel) -> Result<Exec, Refusal> {
    let Some(colocation) = request.colocation else {
        if request.capability_vector {
            return Err(invalid(
                "a capability vector is handed over by coexecvec(2) only: set a colocation \
                 with Command::colocate",
            ));
        }
        return Ok(Exec::Execve);
    };
    if !request.purecap {
        return Err(unsupported(
            "colocation needs coexecve(2), which CheriBSD offers to purecap (CheriABI) \
             programs only; this is not a purecap build",
        ));
    }
    if !kernel.coexecve {
        return Err(unsupported(
            "colocation needs a CheriBSD kernel with coexecve(2) (the experimental \
             colocation branch); this kernel answers ENOSYS",
        ));
    }
    let pid = match colocation {
        Colocation::Parent => request.parent_pid,
        Colocation::Pid(pid) => colocation_pid(pid)?,
    };
    Ok(if request.capability_vector {
        Exec::Coexecvec { pid }
    } else {
        Exec::Coexecve { pid }
    })
}

/// A pid for `coexecve`, where 0 means the caller's parent and -1 no
/// colocation at all: neither may come from [`Colocation::Pid`].
fn colocation_pid(pid: u32) -> Result<libc::pid_t, Refusal> {
    match libc::pid_t::try_from(pid) {
        Ok(pid) if pid > 0 => Ok(pid),
        _ => Err(invalid(format!(
            "colocation pid {pid} names no process (use Colocation::Parent for the caller)"
        ))),
    }
}

/// What a probe call's result says about a system call's presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Presence {
    Present,
    /// `ENOSYS`: the kernel has no such call (it also posted `SIGSYS`).
    Absent,
}

/// Judges a probe made with deliberately bad arguments: `ret` is the raw
/// result (`-errno` on failure).  Any answer but `ENOSYS`, success
/// included, means the kernel dispatched the call.
pub(crate) fn presence(ret: isize) -> Presence {
    if ret == -(libc::ENOSYS as isize) {
        Presence::Absent
    } else {
        Presence::Present
    }
}

/// Turns a stub's or raw syscall's result (`-errno` on failure) into a
/// pid or an `io::Error` with the exact errno.
pub(crate) fn pid_or_errno(ret: isize) -> io::Result<libc::pid_t> {
    match libc::pid_t::try_from(ret) {
        Ok(pid) if pid >= 0 => Ok(pid),
        _ if ret < 0 => Err(io::Error::from_raw_os_error(ret.wrapping_neg() as i32)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the kernel returned {ret}, which is no pid"),
        )),
    }
}

/// What one `pdwait(2)` or `wait4(2)` call amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitOutcome {
    /// The child was reaped; the status word is valid.
    Reaped,
    /// `WNOHANG` and the child still runs: `pdwait` says `EWOULDBLOCK`
    /// (`kern_pdwait()`), `wait4` returns 0.
    Running,
    /// `EINTR`: call again.
    Retry,
    /// `wait4` reported a trace stop, which it adds to every request
    /// (`kern_wait()` ORs in `WTRAPPED`): the child is alive.
    Stopped,
}

/// Classifies a wait: `ret` is the raw result (`-errno` on failure) of
/// `pdwait` (0 on success) or `wait4` (the pid, or 0 with `WNOHANG`), and
/// `status` the status word it wrote.
///
/// # Errors
///
/// Any other errno, as an `io::Error` carrying it.
pub(crate) fn wait_outcome(
    ret: isize,
    by_descriptor: bool,
    status: c_int,
) -> io::Result<WaitOutcome> {
    match ret {
        0 if by_descriptor => Ok(WaitOutcome::Reaped),
        0 => Ok(WaitOutcome::Running),
        r if r > 0 && libc::WIFSTOPPED(status) => Ok(WaitOutcome::Stopped),
        r if r > 0 => Ok(WaitOutcome::Reaped),
        r if r == -(libc::EINTR as isize) => Ok(WaitOutcome::Retry),
        r if r == -(libc::EWOULDBLOCK as isize) => Ok(WaitOutcome::Running),
        r => Err(io::Error::from_raw_os_error(r.wrapping_neg() as i32)),
    }
}

/// Whether `pdrfork` would accept `rfflags` and `pdflags`: the checks of
/// `sys_pdrfork()` and `fork1()`, in the kernel's order, each with the
/// message of its `EXTERROR` (`sys/kern/kern_fork.c` at
/// kostikbel/freebsd-src@85cbc310).  Used by the tests to show that the
/// spawn flags pass and the probe flags fail at the very first check.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn pdrfork_check(rfflags: c_int, pdflags: c_int) -> Result<(), &'static str> {
    if rfflags & (RFSTOPPED | RFHIGHPID) != 0 {
        return Err("Kernel-only flags");
    }
    if rfflags & RFSPAWN != 0 {
        if rfflags != RFSPAWN {
            return Err("RFSPAWN must be the only flag");
        }
    } else if rfflags & (RFPROC | RFPROCDESC) != RFPROC | RFPROCDESC {
        return Err("RFPROC|RFPROCDESC required");
    }
    if pdflags & !PD_ALLOWED_AT_FORK != 0 {
        return Err("Invalid pdflags at fork");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
