//! The public handle on a running child, modelled on `std::process::Child`.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use crate::plan::Plan;
use crate::status::{ExitStatus, Output, ResourceUsage};
use crate::sys::{Process, Spawned};

/// The kernel mechanism that created a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// Linux `clone3(2)` with `CLONE_PIDFD`.
    Clone3,
    /// Linux `clone(2)` with `CLONE_PIDFD`.
    Clone,
    /// Linux `clone(2)`, then `pidfd_open(2)` on the unreaped child.
    CloneThenPidfdOpen,
    /// Linux `clone(2)` with no descriptor (`Command::descriptor(false)`).
    CloneNoDescriptor,
    /// FreeBSD `pdrfork(2)`.
    Pdrfork,
    /// FreeBSD `pdfork(2)`: a copy of the address space.
    Pdfork,
}

impl Mechanism {
    /// A short name for reports: `clone3`, `clone`, `pdrfork`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Clone3 => "clone3",
            Self::Clone => "clone",
            Self::CloneThenPidfdOpen => "pidfd_open fallback",
            Self::CloneNoDescriptor => "clone without descriptor",
            Self::Pdrfork => "pdrfork",
            Self::Pdfork => "pdfork",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A running or finished child, held by its process descriptor.
///
/// Like `std::process::Child`, with these differences:
///
/// - [`AsFd`] gives the process descriptor (a Linux pidfd, a FreeBSD
///   procdesc).  It is readable (Linux) or hangs up (FreeBSD) when the
///   child exits, so it can be polled or registered with an event loop.
/// - Dropping the handle on a child that is still running kills it with
///   `SIGKILL` and reaps it, as closing a FreeBSD process descriptor
///   without `PD_DAEMON` does, on every platform.  A child spawned with
///   [`Command::daemon`](crate::Command::daemon) is left running instead,
///   and reaped when it exits, by a small detached thread blocked in
///   `waitid(2)` (Linux) or `pdwait(2)`/`wait4(2)` (FreeBSD), one per
///   such child until it exits.  If that thread cannot be created, a
///   Linux child stays a zombie of this process once it exits, until this
///   process exits; a FreeBSD child's descriptor is closed at once, which
///   hands it to its reaper on kernels before the 2026 zombie references
///   and leaves it a zombie of this process on newer ones (see
///   `docs/platforms.md`).
/// - If this process exits without dropping the handle (for instance
///   through `std::process::exit`), a Linux child keeps running unless it
///   was given a [`parent_death_signal`](crate::Command::parent_death_signal).
pub struct Child {
    process: Process,
    status: Option<ExitStatus>,
    usage: Option<ResourceUsage>,
    daemon: bool,
    mechanism: Mechanism,
    shared_memory: bool,
    /// The parent's end of the child's stdin, if it was piped.
    pub stdin: Option<ChildStdin>,
    /// The parent's end of the child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The parent's end of the child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
}

impl Child {
    pub(crate) fn new(spawned: Spawned, plan: &mut Plan, daemon: bool) -> Self {
        let [stdin, stdout, stderr] = std::mem::take(&mut plan.parent_pipes);
        Self {
            process: Process::new(spawned.pid, spawned.descriptor),
            status: None,
            usage: None,
            daemon,
            mechanism: spawned.mechanism,
            shared_memory: spawned.shared_memory,
            stdin: stdin.map(|fd| ChildStdin(fd.into())),
            stdout: stdout.map(|fd| ChildStdout(fd.into())),
            stderr: stderr.map(|fd| ChildStderr(fd.into())),
        }
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.process.pid() as u32
    }

    /// The process descriptor, or `None` if the command was spawned with
    /// [`descriptor(false)`](crate::Command::descriptor).
    pub fn pidfd(&self) -> Option<BorrowedFd<'_>> {
        self.process.descriptor()
    }

    /// The kernel mechanism that created this child.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Whether the child was observed running in this process's address
    /// space before its `execve`, which is what vfork semantics mean.
    ///
    /// It is `false` for the fork strategy, and also where an emulator
    /// (qemu-user) silently turns a vfork into a fork.
    pub fn shared_address_space(&self) -> bool {
        self.shared_memory
    }

    /// Waits for the child to exit and reaps it; returns at once if it
    /// already has been.  Closes the child's stdin first, as std does.
    ///
    /// # Errors
    ///
    /// The error of `waitid(2)`; `EINTR` is retried, never returned.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        let reaped = self.process.wait()?;
        Ok(self.record(reaped))
    }

    fn record(&mut self, (status, usage): (ExitStatus, ResourceUsage)) -> ExitStatus {
        self.status = Some(status);
        self.usage = Some(usage);
        status
    }

    /// The CPU time and peak memory the child used, once it has been
    /// reaped by one of the wait methods.
    pub fn resource_usage(&self) -> Option<ResourceUsage> {
        self.usage
    }

    /// Reaps the child if it has exited, without blocking.
    ///
    /// # Errors
    ///
    /// The error of `waitid(2)`; `EINTR` is retried, never returned.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        Ok(self.process.try_wait()?.map(|reaped| self.record(reaped)))
    }

    /// Waits at most `timeout` for the child to exit; `Ok(None)` if it is
    /// still running then.  The descriptor is polled, so no signal or
    /// thread is involved.
    ///
    /// # Errors
    ///
    /// The error of `ppoll(2)` or `waitid(2)`; `EINTR` is retried.
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        Ok(self
            .process
            .wait_timeout(timeout)?
            .map(|reaped| self.record(reaped)))
    }

    /// Sends `SIGKILL`.  Does nothing once the child has been reaped.
    ///
    /// # Errors
    ///
    /// As [`Child::signal`].
    pub fn kill(&mut self) -> io::Result<()> {
        self.signal(libc::SIGKILL)
    }

    /// Sends `signal` through the process descriptor
    /// (`pidfd_send_signal(2)`, `pdkill(2)`).  Does nothing once the child
    /// has been reaped, since its pid may then belong to another process.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a bad signal number, `EPERM` if not allowed.
    pub fn signal(&mut self, signal: i32) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.process.signal(signal)
    }

    /// Waits for the child, collecting all of its piped stdout and stderr.
    ///
    /// # Errors
    ///
    /// Any error from reading the pipes or from waiting.
    pub fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let (stdout, stderr) = read_both(self.stdout.take(), self.stderr.take())?;
        let status = self.wait()?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

impl AsFd for Child {
    /// The process descriptor.
    ///
    /// # Panics
    ///
    /// If the command was spawned with `descriptor(false)`: there is no
    /// descriptor then; use [`Child::pidfd`] to check.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.pidfd()
            .expect("colaunch: this child was spawned with descriptor(false)")
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.id())
            .field("mechanism", &self.mechanism)
            .field("status", &self.status)
            .field("daemon", &self.daemon)
            .finish_non_exhaustive()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        if self.daemon {
            let process = std::mem::replace(&mut self.process, Process::new(0, None));
            process.release_daemon();
            return;
        }
        self.process.kill_and_reap();
    }
}

/// Reads two pipes to the end at once, so neither can fill up and stall
/// the child.
fn read_both(out: Option<ChildStdout>, err: Option<ChildStderr>) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    match (out, err) {
        (None, None) => {}
        (Some(mut out), None) => {
            out.read_to_end(&mut out_buf)?;
        }
        (None, Some(mut err)) => {
            err.read_to_end(&mut err_buf)?;
        }
        (Some(out), Some(err)) => {
            let mut streams = [(Some(out.0), &mut out_buf), (Some(err.0), &mut err_buf)];
            poll_read_all(&mut streams)?;
        }
    }
    Ok((out_buf, err_buf))
}

fn poll_read_all(streams: &mut [(Option<File>, &mut Vec<u8>); 2]) -> io::Result<()> {
    let mut chunk = [0u8; 8192];
    while streams.iter().any(|(f, _)| f.is_some()) {
        let mut fds: Vec<libc::pollfd> = streams
            .iter()
            .map(|(f, _)| libc::pollfd {
                fd: f.as_ref().map_or(-1, |f| f.as_raw_fd()),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: `fds` is a live array of `fds.len()` pollfds; a negative
        // fd is ignored by poll(2).
        if unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) } < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        for (pfd, (file, buf)) in fds.iter().zip(streams.iter_mut()) {
            if pfd.revents == 0 {
                continue;
            }
            let Some(f) = file else { continue };
            match f.read(&mut chunk) {
                Ok(0) => *file = None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

macro_rules! child_stream {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(File);

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_raw_fd()
            }
        }

        impl From<$name> for OwnedFd {
            fn from(stream: $name) -> OwnedFd {
                stream.0.into()
            }
        }
    };
}

child_stream!(
    /// The parent's writing end of a child's piped stdin.
    ChildStdin
);
child_stream!(
    /// The parent's reading end of a child's piped stdout.
    ChildStdout
);
child_stream!(
    /// The parent's reading end of a child's piped stderr.
    ChildStderr
);

impl Write for ChildStdin {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Read for ChildStdout {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Read for ChildStderr {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
