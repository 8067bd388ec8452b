//! Signal names for `--signal`, and forwarding signals to the child.
//!
//! # How forwarding works
//!
//! A handler for each forwarded signal writes a two-byte record (the
//! signal number, and whether the kernel rather than a process sent it) to
//! a non-blocking self-pipe; the supervising loop polls that pipe next to
//! the child's process descriptor and forwards each signal through the
//! descriptor.  A self-pipe rather than Linux's `signalfd(2)` keeps the
//! code the same on FreeBSD (a procdesc polls like a pidfd), and needs no
//! signal to be blocked.  The opposite matters: a forwarded signal that
//! was blocked when `colaunch` started (a harness that spawns with some
//! blocked) would stay pending for ever, so `colaunch` unblocks it for
//! itself, and the child still starts with the mask `colaunch` was given,
//! as it would without `colaunch`.  The library resets every caught
//! signal to its default in the child before the child can receive one,
//! so the handler never runs there.
//!
//! A signal the kernel sent to a whole terminal process group (`^C`, `^\`,
//! a window resize, a hangup) already reached a child in `colaunch`'s
//! process group, so it is not sent a second time.  A signal that was
//! ignored when `colaunch` started (`nohup`, a shell's background job) is
//! left ignored, and the child inherits that, as it would without
//! `colaunch`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

use colaunch::SignalMask;

/// The signals `colaunch` passes on to its child.
pub(crate) const FORWARDED: [i32; 7] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// The `si_code` of a signal the kernel generated itself (a terminal's).
#[cfg(target_os = "linux")]
const SI_KERNEL: libc::c_int = libc::SI_KERNEL;
/// The `si_code` of a signal the kernel generated itself (`sys/signal.h`).
#[cfg(target_os = "freebsd")]
const SI_KERNEL: libc::c_int = 0x10006;

/// Parses `TERM`, `SIGTERM`, `term` or `15` into a signal number.
///
/// # Errors
///
/// A message for clap when the name is unknown or the number is not a
/// signal of this kernel.
pub(crate) fn parse_signal(text: &str) -> Result<i32, String> {
    if let Ok(number) = text.parse::<i32>() {
        return match is_signal(number) {
            true => Ok(number),
            false => Err(format!("{number} is not a signal number on this system")),
        };
    }
    let upper = text.to_ascii_uppercase();
    let wanted = upper.strip_prefix("SIG").unwrap_or(&upper);
    (1..=128)
        .find(|&n| colaunch::signal_name(n).and_then(|s| s.strip_prefix("SIG")) == Some(wanted))
        .or_else(|| alias(wanted))
        .ok_or_else(|| format!("'{text}' is not a signal name (try TERM, INT, KILL or 15)"))
}

/// The other names kill(1) takes: `IOT`, `CLD`, `POLL`, and on Linux the
/// real-time signals as `RTMIN`, `RTMIN+N`, `RTMAX-N` and `RTMAX`.
fn alias(wanted: &str) -> Option<i32> {
    match wanted {
        "IOT" => return Some(libc::SIGABRT),
        "CLD" => return Some(libc::SIGCHLD),
        "POLL" => return Some(libc::SIGIO),
        _ => {}
    }
    real_time(wanted)
}

#[cfg(target_os = "linux")]
fn real_time(wanted: &str) -> Option<i32> {
    let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    // "" or "<sign>N" with N from 0 to the number of real-time signals.
    let offset = |rest: &str, sign: char| match rest.strip_prefix(sign) {
        None if rest.is_empty() => Some(0),
        None => None,
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=max - min).contains(n)),
        Some(_) => None,
    };
    if let Some(rest) = wanted.strip_prefix("RTMIN") {
        return offset(rest, '+').map(|n| min + n);
    }
    offset(wanted.strip_prefix("RTMAX")?, '-').map(|n| max - n)
}

#[cfg(not(target_os = "linux"))]
fn real_time(_: &str) -> Option<i32> {
    None
}

/// The name of `signal` for messages: `SIGTERM`, or `signal 40`.
pub(crate) fn name(signal: i32) -> String {
    colaunch::signal_name(signal).map_or_else(|| format!("signal {signal}"), str::to_owned)
}

/// Whether this kernel has signal `number` (`sigaddset(3)` says `EINVAL`
/// for one it has not).
fn is_signal(number: i32) -> bool {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: `set` is a writable sigset_t; sigemptyset initialises it
    // before sigaddset reads it.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr()) == 0 && libc::sigaddset(set.as_mut_ptr(), number) == 0
    }
}

/// A signal that reached `colaunch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Received {
    pub(crate) signal: i32,
    /// The kernel generated it (a terminal), rather than `kill(2)`.
    pub(crate) from_kernel: bool,
}

/// What [`Forwarder::install`] found and changed.
#[derive(Debug, Default)]
pub(crate) struct Installed {
    /// Forwarded signals left alone because they were ignored.
    pub(crate) ignored: Vec<i32>,
    /// Forwarded signals that were blocked, now unblocked in `colaunch`.
    pub(crate) unblocked: Vec<i32>,
    /// The mask `colaunch` started with, for the child, when `colaunch`
    /// has changed its own.
    pub(crate) child_mask: Option<SignalMask>,
}

/// The write end of the self-pipe, for the handler; -1 when none.
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

/// The handlers for [`FORWARDED`] and the pipe they write to.
pub(crate) struct Forwarder {
    read: OwnedFd,
    /// Kept open for the handler, which only has its number.
    _write: OwnedFd,
}

impl Forwarder {
    /// Creates the pipe and installs the handlers, skipping the signals
    /// that are ignored now, and unblocks the handled ones in this
    /// thread, `colaunch`'s only one.
    ///
    /// # Errors
    ///
    /// The error of `pipe2(2)`, `sigaction(2)` or `pthread_sigmask(3)`.
    pub(crate) fn install() -> io::Result<(Self, Installed)> {
        let (read, write) = nonblocking_pipe()?;
        PIPE_WRITE.store(write.as_raw_fd(), Ordering::SeqCst);
        let blocked = blocked_now()?;
        let mut installed = Installed::default();
        for signal in FORWARDED {
            if current_action(signal)? == libc::SIG_IGN {
                installed.ignored.push(signal);
                continue;
            }
            set_action(signal, Disposition::Forward)?;
            if blocked.contains(signal) {
                installed.unblocked.push(signal);
            }
        }
        if !installed.unblocked.is_empty() {
            unblock(&installed.unblocked)?;
            installed.child_mask = Some(blocked);
        }
        let forwarder = Self {
            read,
            _write: write,
        };
        Ok((forwarder, installed))
    }

    /// Takes every record the handler has written so far.
    pub(crate) fn drain(&self) -> Vec<Received> {
        let mut received = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            // SAFETY: `buf` is writable for its length; the pipe is ours.
            let n = unsafe { libc::read(self.read.as_raw_fd(), buf.as_mut_ptr().cast(), 64) };
            if n <= 0 {
                // Empty (EAGAIN), or EINTR: either way what is there has
                // been read; the poll loop comes back if more arrives.
                return received;
            }
            // Records are 2 bytes and pipe writes of 2 bytes are atomic,
            // so a read never splits one.
            for record in buf[..n as usize].chunks_exact(2) {
                received.push(Received {
                    signal: i32::from(record[0]),
                    from_kernel: record[1] != 0,
                });
            }
        }
    }
}

impl AsFd for Forwarder {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }
}

/// The handler: one `write(2)`, which is async-signal-safe, with `errno`
/// saved and restored around it.
extern "C" fn on_signal(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    let errno = errno_location();
    // SAFETY: the errno location of this thread is always valid.
    let saved = unsafe { *errno };
    // SAFETY: with SA_SIGINFO the kernel passes a valid siginfo or null.
    let from_kernel = !info.is_null() && unsafe { (*info).si_code } == SI_KERNEL;
    let record = [signal as u8, u8::from(from_kernel)];
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    // A full pipe drops the record: the same signal is already queued
    // there, and standard signals do not count repeats either.
    // SAFETY: `record` is readable for 2 bytes; a closed fd is EBADF.
    unsafe { libc::write(fd, record.as_ptr().cast(), 2) };
    // SAFETY: as above.
    unsafe { *errno = saved };
}

#[cfg(target_os = "linux")]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: no preconditions; returns this thread's errno.
    unsafe { libc::__errno_location() }
}

#[cfg(target_os = "freebsd")]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: no preconditions; returns this thread's errno.
    unsafe { libc::__error() }
}

/// What [`set_action`] gives a signal.
#[derive(Clone, Copy, Debug)]
enum Disposition {
    /// `SIG_DFL` with no flags, which clears `SA_NOCLDWAIT` too.
    Default,
    /// [`on_signal`], which writes the signal to the self-pipe.
    Forward,
}

/// Sets the disposition of `signal` with `sigaction(2)`, with an empty
/// mask.
///
/// # Errors
///
/// The error of `sigaction(2)`.
fn set_action(signal: i32, disposition: Disposition) -> io::Result<()> {
    // SAFETY: an all-zero sigaction is valid (empty mask, no flags).
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    match disposition {
        Disposition::Default => action.sa_sigaction = libc::SIG_DFL,
        Disposition::Forward => {
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                on_signal;
            action.sa_sigaction = handler as libc::sighandler_t;
            // SA_RESTART spares the rest of the program EINTR; poll(2)
            // still returns early, which is what wakes the loop.
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        }
    }
    // SAFETY: `action` is initialised, and its handler is SIG_DFL or
    // `on_signal`, which is async-signal-safe.
    if unsafe { libc::sigaction(signal, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sets `SIGCHLD` back to its default disposition, as `timeout(1)` does.
///
/// Whoever started colaunch may have left it ignored (or set
/// `SA_NOCLDWAIT`); the kernel then reaps the child by itself and its
/// status is lost, so `waitid(2)` would fail with `ECHILD`.
///
/// # Errors
///
/// The error of `sigaction(2)`.
pub(crate) fn reset_sigchld() -> io::Result<()> {
    set_action(libc::SIGCHLD, Disposition::Default)
}

/// Ends colaunch by `signal`, as a shell expects of a program whose child
/// died of `SIGINT` or `SIGQUIT`; returns only if that did not work.
///
/// A shell running a loop waits for its child and stops the loop when the
/// child was killed by such a signal, but carries on when the child
/// exited, even with 130: it takes the child to have handled the signal
/// ("wait and cooperative exit").  So colaunch passes its child's death on
/// as its own, without leaving a core file of its own for `SIGQUIT`.
pub(crate) fn die_by(signal: i32) {
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // A failure here shows as raise() not ending colaunch: the caller
    // then exits with the status instead.
    let _ = set_action(signal, Disposition::Default);
    // SAFETY: `set` is initialised by sigemptyset before use; setrlimit
    // and raise take plain values.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigemptyset(set.as_mut_ptr());
        libc::sigaddset(set.as_mut_ptr(), signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, set.as_ptr(), std::ptr::null_mut());
        libc::raise(signal);
    }
}

/// The signals blocked in this thread now.
fn blocked_now() -> io::Result<SignalMask> {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: a null new set only queries; `set` is writable.
    let ret = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), set.as_mut_ptr()) };
    if ret != 0 {
        return Err(io::Error::from_raw_os_error(ret));
    }
    // SAFETY: pthread_sigmask succeeded and filled `set`.
    let set = unsafe { set.assume_init() };
    // SAFETY: `set` is an initialised sigset_t; `n` is a valid signal.
    let member = |n: i32| is_signal(n) && unsafe { libc::sigismember(&set, n) } == 1;
    Ok((1..=128).filter(|&n| member(n)).collect())
}

/// Unblocks `signals` in this thread.
fn unblock(signals: &[i32]) -> io::Result<()> {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initialises `set` before sigaddset and
    // pthread_sigmask read it; the signals are valid numbers.
    let ret = unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        for &signal in signals {
            libc::sigaddset(set.as_mut_ptr(), signal);
        }
        libc::pthread_sigmask(libc::SIG_UNBLOCK, set.as_ptr(), std::ptr::null_mut())
    };
    match ret {
        0 => Ok(()),
        e => Err(io::Error::from_raw_os_error(e)),
    }
}

/// The disposition of `signal` now (`SIG_DFL`, `SIG_IGN` or a handler).
fn current_action(signal: i32) -> io::Result<libc::sighandler_t> {
    // SAFETY: an all-zero sigaction is a valid place for the kernel to
    // write the old action into.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; `old` is writable.
    if unsafe { libc::sigaction(signal, std::ptr::null(), &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(old.sa_sigaction)
}

/// A pipe with both ends non-blocking and close-on-exec.
fn nonblocking_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both are new descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
