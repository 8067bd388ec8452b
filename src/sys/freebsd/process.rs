//! Waiting for, signalling and releasing a FreeBSD child by its process
//! descriptor.
//!
//! # Reaping, on every kernel generation
//!
//! - With `pdwait(2)` (FreeBSD 15.1) the child is waited for through the
//!   descriptor, which also works in Capsicum capability mode, where
//!   `wait4` skips descriptor children.
//! - Without it, `wait4(pid)` is used while the descriptor is still open:
//!   a pid is not reused until its descriptor is closed ([pdfork(2)]), so
//!   the pid names this child and no other.
//! - Since the 2026 zombie references (main, `bcdb6ba94d08`), a descriptor
//!   child without `PD_NOWAITPID` stays a zombie until its parent has
//!   waited for it *and* its descriptors are closed, and later `pdwait`
//!   documentation says it no longer reaps.  So after a `pdwait` that saw
//!   the exit, one `wait4(pid, WNOHANG)` follows, still with the
//!   descriptor open; it reaps what is left and is a harmless `ECHILD`
//!   where `pdwait` already reaped.  `PD_NOWAITPID` itself is not used: its
//!   value is unverified and older kernels refuse it.
//! - The descriptor is closed last, when the `Process` is dropped.
//!
//! [pdfork(2)]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use super::decide::{WaitOutcome, wait_outcome};
use super::kernel;
use crate::status::{ExitStatus, ResourceUsage};
use crate::sys::shared;

/// A live, unreaped child: its pid and its process descriptor.
pub(crate) struct Process {
    pid: libc::pid_t,
    fd: Option<OwnedFd>,
}

impl Process {
    pub(crate) fn new(pid: libc::pid_t, fd: Option<OwnedFd>) -> Self {
        Self { pid, fd }
    }

    pub(crate) fn pid(&self) -> libc::pid_t {
        self.pid
    }

    pub(crate) fn descriptor(&self) -> Option<BorrowedFd<'_>> {
        self.fd.as_ref().map(|fd| fd.as_fd())
    }

    /// Blocks until the child exits and reaps it; retries `EINTR`.
    pub(crate) fn wait(&self) -> io::Result<Reaped> {
        loop {
            if let Some(reaped) = self.reap(0)? {
                return Ok(reaped);
            }
        }
    }

    /// Reaps the child if it has exited; never blocks.
    pub(crate) fn try_wait(&self) -> io::Result<Option<Reaped>> {
        self.reap(libc::WNOHANG)
    }

    /// Waits at most `timeout` for the child to exit.
    ///
    /// The descriptor is polled: it reports `POLLHUP` once the process has
    /// exited (`procdesc_poll()` in `sys/kern/sys_procdesc.c`).
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> io::Result<Option<Reaped>> {
        let deadline = Instant::now().checked_add(timeout);
        shared::wait_until(self.fd.as_ref(), libc::POLLHUP, deadline, || {
            self.try_wait()
        })
    }

    /// Sends `signal`: `pdkill(2)`, or `kill(2)` without a descriptor.
    pub(crate) fn signal(&self, signal: i32) -> io::Result<()> {
        let ret = match &self.fd {
            // SAFETY: a live process descriptor and a signal number.
            Some(fd) => unsafe { libc::pdkill(fd.as_raw_fd(), signal) },
            // SAFETY: our unreaped child, so the pid is not reused.
            None => unsafe { libc::kill(self.pid, signal) },
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reaps a child whose spawn failed after the fork.
    pub(crate) fn reap_failed(self) {
        // The child has exited already (it reported an error); reap it.
        let _ = self.wait();
    }

    /// Kills the child with `SIGKILL` and reaps it (the drop path), so
    /// that closing the descriptor afterwards leaves no zombie behind.
    pub(crate) fn kill_and_reap(&self) {
        let _ = self.signal(libc::SIGKILL);
        let _ = self.wait();
    }

    /// Leaves a daemon child running: reaps it if it has exited, otherwise
    /// closes the descriptor, which for a `PD_DAEMON` child neither kills
    /// it nor keeps it: the kernel reparents it to its reaper, which reaps
    /// it when it exits (`procdesc_close()`).
    ///
    /// A child that exits between the check and the close is a zombie at
    /// the close.  Kernels before the 2026 zombie references reap it right
    /// there; newer ones leave it to this process until a `wait` for any
    /// child collects it.
    pub(crate) fn release_daemon(self) {
        let _ = self.try_wait();
    }

    /// One wait: `pdwait(2)` where the kernel has it, else `wait4(2)`,
    /// then the zombie-reference sweep (see the module docs).
    fn reap(&self, options: libc::c_int) -> io::Result<Option<Reaped>> {
        let by_descriptor = kernel().pdwait && self.fd.is_some();
        loop {
            let mut status: libc::c_int = 0;
            // SAFETY: __wrusage is two plain rusage structs; zero is valid.
            let mut usage: cheri_sys::__wrusage = unsafe { std::mem::zeroed() };
            let ret = match &self.fd {
                Some(fd) if by_descriptor => {
                    // SAFETY: a live descriptor and writable outputs.
                    let ret = unsafe {
                        cheri_sys::pdwait(
                            fd.as_raw_fd(),
                            &mut status,
                            libc::WEXITED | options,
                            &mut usage,
                            std::ptr::null_mut(),
                        )
                    };
                    errno_result(ret as isize)
                }
                _ => {
                    // SAFETY: our unreaped child (its descriptor, if any,
                    // is open, so the pid is not reused); writable outputs.
                    let ret =
                        unsafe { libc::wait4(self.pid, &mut status, options, &mut usage.wru_self) };
                    errno_result(ret as isize)
                }
            };
            match wait_outcome(ret, by_descriptor)? {
                WaitOutcome::Retry => continue,
                WaitOutcome::Running => return Ok(None),
                WaitOutcome::Reaped => {}
            }
            if by_descriptor {
                self.sweep_zombie();
            }
            let usage = ResourceUsage::from_rusage(&usage.wru_self);
            return Ok(Some((exit_status(status), usage)));
        }
    }

    /// `wait4(pid, WNOHANG)` after `pdwait`: collects the zombie that a
    /// kernel with zombie references keeps for its parent; `ECHILD` where
    /// `pdwait` reaped already.  The descriptor is still open, so the pid
    /// cannot name another process.
    fn sweep_zombie(&self) {
        let mut status = 0;
        // SAFETY: as in `reap`; the outputs are locals.
        unsafe { libc::wait4(self.pid, &mut status, libc::WNOHANG, std::ptr::null_mut()) };
    }
}

/// Decodes a wait status word (the traditional encoding, which FreeBSD's
/// `<sys/wait.h>` shares).
fn exit_status(status: libc::c_int) -> ExitStatus {
    if libc::WIFEXITED(status) {
        ExitStatus::from_exit_code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        ExitStatus::from_signal(libc::WTERMSIG(status), libc::WCOREDUMP(status))
    } else {
        ExitStatus::from_raw(status)
    }
}

/// A libc result (-1 and `errno` on failure) as the raw `-errno` form the
/// decision helpers take.
fn errno_result(ret: isize) -> isize {
    if ret >= 0 {
        return ret;
    }
    let errno = io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL);
    -(errno as isize)
}

/// A reaped child's status and resource usage.
pub(crate) type Reaped = (ExitStatus, ResourceUsage);
