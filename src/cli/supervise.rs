//! Waiting for the child: its descriptor, forwarded signals and the
//! timeout, all in one `poll(2)` loop on the main thread.

use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::{Duration, Instant};

use anyhow::Context;
use colaunch::{Child, ExitStatus};
use log::{debug, trace, warn};

use super::messages::io_error;
use super::signals::{self, Forwarder, Received};

/// What `--timeout`, `--signal` and `--kill-after` ask for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeout {
    pub(crate) after: Duration,
    pub(crate) signal: i32,
    pub(crate) kill_after: Option<Duration>,
}

/// How the wait ended.
pub(crate) struct Ended {
    pub(crate) status: ExitStatus,
    /// The timeout expired and its signal was sent.
    pub(crate) timed_out: bool,
}

/// Waits for `child` to exit, forwarding signals and applying `timeout`.
///
/// # Errors
///
/// The error of `poll(2)` or `waitid(2)`.
pub(crate) fn wait(
    child: &mut Child,
    forwarder: &Forwarder,
    timeout: Option<Timeout>,
) -> anyhow::Result<Ended> {
    let pidfd = child
        .pidfd()
        .map(|fd| fd.as_raw_fd())
        .context("the child has no process descriptor to wait on")?;
    let start = Instant::now();

    // The next timed action: the timeout's signal, then SIGKILL if asked.
    // A deadline past the end of time (`Instant` overflow) never comes.
    let mut next = timeout.and_then(|t| Some((start.checked_add(t.after)?, t.signal)));
    let mut kill_after = timeout.and_then(|t| t.kill_after);
    let mut timed_out = false;

    loop {
        let remaining = next.map(|(at, _)| at.saturating_duration_since(Instant::now()));
        let ready = poll(pidfd, forwarder.as_fd().as_raw_fd(), remaining)?;
        trace!("poll: child {}, signals {}", ready.child, ready.signals);

        if ready.signals {
            for received in forwarder.drain() {
                forward(child, received);
            }
        }
        if ready.child
            && let Some(status) = child.try_wait().map_err(io_error).context("cannot reap")?
        {
            return Ok(Ended { status, timed_out });
        }
        if let Some((at, signal)) = next
            && Instant::now() >= at
        {
            timed_out = true;
            debug!(
                "timed out: sending {} to pid {}",
                signals::name(signal),
                child.id()
            );
            send(child, signal);
            next = kill_after
                .take()
                .and_then(|d| Some((Instant::now().checked_add(d)?, libc::SIGKILL)));
        }
    }
}

/// Passes a signal on to the child, unless the kernel already sent it to
/// the child's process group (a terminal's `^C` reaches both).
fn forward(child: &mut Child, received: Received) {
    let name = signals::name(received.signal);
    if received.from_kernel && same_process_group(child) {
        debug!("not forwarding {name}: the terminal sent it to the child too");
        return;
    }
    debug!("forwarding {name} to pid {}", child.id());
    send(child, received.signal);
}

/// Sends `signal`, then `SIGCONT` as `timeout(1)` does for the signals
/// meant to end the child: a stopped child would otherwise not act on
/// them until someone else continues it.  Signals that only inform
/// (`SIGUSR1`, `SIGUSR2`, `SIGWINCH`) must not wake a child that someone
/// stopped on purpose.
fn send(child: &mut Child, signal: i32) {
    signal_once(child, signal);
    let informs = matches!(signal, libc::SIGUSR1 | libc::SIGUSR2 | libc::SIGWINCH);
    if !informs && signal != libc::SIGKILL && signal != libc::SIGCONT {
        signal_once(child, libc::SIGCONT);
    }
}

fn signal_once(child: &mut Child, signal: i32) {
    if let Err(e) = child.signal(signal) {
        // ESRCH: it exited on its own meanwhile, which the loop will see.
        let name = signals::name(signal);
        match e.raw_os_error() {
            Some(libc::ESRCH) => debug!("not sending {name}: the child has exited"),
            _ => warn!(
                "cannot send {name} to pid {}: {}",
                child.id(),
                super::messages::reason(&e)
            ),
        }
    }
}

/// Whether the child is still in colaunch's process group.
fn same_process_group(child: &Child) -> bool {
    // SAFETY: getpgid only reads; the child is unreaped, so its pid is not
    // reused, and 0 names this process.
    let (theirs, ours) = unsafe { (libc::getpgid(child.id() as libc::pid_t), libc::getpgid(0)) };
    theirs >= 0 && theirs == ours
}

/// Which of the two descriptors became readable.
struct Ready {
    child: bool,
    signals: bool,
}

/// `poll(2)` on the child's descriptor and the signal pipe; `None` waits
/// without limit.  An interrupted poll reports nothing ready.
fn poll(pidfd: RawFd, signals: RawFd, timeout: Option<Duration>) -> anyhow::Result<Ready> {
    // Round up, so a wait never ends just before its deadline and spins.
    let millis = timeout.map_or(-1, |d| {
        i32::try_from(d.as_micros().div_ceil(1000)).unwrap_or(i32::MAX)
    });
    let mut fds = [pidfd, signals].map(|fd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    });
    // SAFETY: `fds` is a live array of two pollfds.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, millis) };
    if n < 0 {
        let err = std::io::Error::last_os_error();
        if err.kind() == std::io::ErrorKind::Interrupted {
            return Ok(Ready {
                child: false,
                signals: false,
            });
        }
        return Err(io_error(err)).context("cannot wait for the child");
    }
    Ok(Ready {
        child: fds[0].revents != 0,
        signals: fds[1].revents != 0,
    })
}
