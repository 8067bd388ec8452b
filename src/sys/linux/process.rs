//! Waiting for, signalling and releasing a Linux child by its pidfd.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use crate::status::{ExitStatus, ResourceUsage};
use crate::sys::shared;

/// A live, unreaped child: its pid and, unless switched off, its pidfd.
pub(crate) struct Process {
    pid: libc::pid_t,
    pidfd: Option<OwnedFd>,
}

impl Process {
    pub(crate) fn new(pid: libc::pid_t, pidfd: Option<OwnedFd>) -> Self {
        Self { pid, pidfd }
    }

    pub(crate) fn pid(&self) -> libc::pid_t {
        self.pid
    }

    pub(crate) fn descriptor(&self) -> Option<BorrowedFd<'_>> {
        use std::os::fd::AsFd;
        self.pidfd.as_ref().map(|fd| fd.as_fd())
    }

    /// Blocks until the child exits and reaps it; retries `EINTR`.
    pub(crate) fn wait(&self) -> io::Result<Reaped> {
        loop {
            match self.waitid(libc::WEXITED) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
                Ok(Some(status)) => return Ok(status),
                // A blocking waitid returns only for a state change.
                Ok(None) => continue,
            }
        }
    }

    /// Reaps the child if it has exited; never blocks.
    pub(crate) fn try_wait(&self) -> io::Result<Option<Reaped>> {
        loop {
            match self.waitid(libc::WEXITED | libc::WNOHANG) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// Waits at most `timeout` for the child to exit.
    ///
    /// With a pidfd this polls it (readable once the child has exited);
    /// without one it checks with `WNOHANG` at growing intervals.
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> io::Result<Option<Reaped>> {
        let deadline = Instant::now().checked_add(timeout);
        shared::wait_until(self.pidfd.as_ref(), libc::POLLIN, deadline, || {
            self.try_wait()
        })
    }

    /// Sends `signal`: `pidfd_send_signal(2)`, or `kill(2)` without a pidfd.
    pub(crate) fn signal(&self, signal: i32) -> io::Result<()> {
        let ret = match &self.pidfd {
            // SAFETY: a live pidfd, a signal number, no siginfo, no flags.
            Some(fd) => unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    fd.as_raw_fd(),
                    signal,
                    std::ptr::null::<libc::siginfo_t>(),
                    0,
                )
            },
            // SAFETY: our unreaped child, so the pid is not reused.
            None => unsafe { libc::kill(self.pid, signal) as libc::c_long },
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reaps a child whose spawn failed after the clone.
    pub(crate) fn reap_failed(self) {
        // The child has exited already (it reported an error); reap it.
        let _ = self.wait();
    }

    /// Kills the child with `SIGKILL` and reaps it (the drop path).
    pub(crate) fn kill_and_reap(&self) {
        let _ = self.signal(libc::SIGKILL);
        let _ = self.wait();
    }

    /// Leaves a daemon child running and makes sure it is reaped when it
    /// exits, by a small detached thread blocked in `waitid`, so it never
    /// lingers as a zombie of this process.  If the thread cannot be
    /// created the child stays unreaped until this process exits.
    pub(crate) fn release_daemon(self) {
        shared::reap_in_background(move || {
            let _ = self.wait();
        });
    }

    /// `waitid(2)` through the raw syscall, whose fifth argument (which
    /// the C library hides) returns the child's resource usage.
    fn waitid(&self, options: libc::c_int) -> io::Result<Option<Reaped>> {
        let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
        let mut usage = MaybeUninit::<libc::rusage>::zeroed();
        let (idtype, id) = match &self.pidfd {
            Some(fd) => (libc::P_PIDFD, fd.as_raw_fd() as libc::id_t),
            None => (libc::P_PID, self.pid as libc::id_t),
        };
        // SAFETY: `info` and `usage` are zeroed buffers the kernel may fill.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_waitid,
                idtype,
                id,
                info.as_mut_ptr(),
                options,
                usage.as_mut_ptr(),
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: zeroed, then possibly filled in by the kernel.
        let (info, usage) = unsafe { (info.assume_init(), usage.assume_init()) };
        // SAFETY: the union fields read are those waitid fills for SIGCHLD.
        let (pid, status) = unsafe { (info.si_pid(), info.si_status()) };
        if pid == 0 {
            return Ok(None); // WNOHANG and still running
        }
        let status = match info.si_code {
            libc::CLD_EXITED => ExitStatus::from_exit_code(status),
            libc::CLD_DUMPED => ExitStatus::from_signal(status, true),
            _ => ExitStatus::from_signal(status, false),
        };
        Ok(Some((status, ResourceUsage::from_rusage(&usage))))
    }
}

/// A reaped child's status and resource usage.
pub(crate) type Reaped = (ExitStatus, ResourceUsage);
