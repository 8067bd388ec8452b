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
//!   the pid names this child and no other.  The descriptor is polled for
//!   `POLLHUP` first: in Capsicum capability mode `kern_wait6()` skips a
//!   descriptor child that is still running (`ECHILD`) but reaps its
//!   zombie.  `wait4` also reports trace stops unasked (it adds
//!   `WTRAPPED`); those are passed over.
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

    /// Leaves a daemon child running and reaps it when it exits, from a
    /// small detached thread that holds the descriptor until then.
    ///
    /// Closing the descriptor at once would hand a `PD_DAEMON` child to
    /// its reaper only on kernels before the 2026 zombie references; on
    /// newer ones `procdesc_close()` keeps it a child of this process,
    /// which it would linger as a zombie of.  Waiting here is right on
    /// both.  If this process exits first, the close at its exit leaves
    /// the child running.  Without a thread, the descriptor is closed now,
    /// as on the older kernels.
    pub(crate) fn release_daemon(self) {
        shared::reap_in_background(move || {
            let _ = self.wait();
        });
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
                    if let Some(fd) = &self.fd
                        && !hung_up(fd, options & libc::WNOHANG == 0)?
                    {
                        return Ok(None);
                    }
                    // SAFETY: our unreaped child (its descriptor, if any,
                    // is open, so the pid is not reused); writable outputs.
                    let ret =
                        unsafe { libc::wait4(self.pid, &mut status, options, &mut usage.wru_self) };
                    errno_result(ret as isize)
                }
            };
            match wait_outcome(ret, by_descriptor, status)? {
                WaitOutcome::Retry => continue,
                WaitOutcome::Stopped if options & libc::WNOHANG == 0 => continue,
                WaitOutcome::Running | WaitOutcome::Stopped => return Ok(None),
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

/// Whether the process behind `fd` has exited (`POLLHUP`); with `block`,
/// waits until it has.  `EINTR` is retried.
fn hung_up(fd: &OwnedFd, block: bool) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLHUP,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, if block { -1 } else { 0 }) };
        if n >= 0 {
            return Ok(pfd.revents & libc::POLLHUP != 0);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
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
