//! Decoding of a child's termination status.

use std::fmt;

/// How a child process ended, as `std::process::ExitStatus` describes it.
///
/// It holds the traditional wait status word (`wait(2)`), so
/// [`ExitStatus::from_raw`] and [`ExitStatus::into_raw`] round-trip with
/// other Unix code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExitStatus(i32);

impl ExitStatus {
    /// Wraps a raw wait status word, as `waitpid(2)` stores it.
    pub fn from_raw(raw: i32) -> Self {
        Self(raw)
    }

    /// The raw wait status word.
    pub fn into_raw(self) -> i32 {
        self.0
    }

    /// Builds the status of a child that exited with `code` (0 to 255).
    pub(crate) fn from_exit_code(code: i32) -> Self {
        Self((code & 0xff) << 8)
    }

    /// Builds the status of a child killed by `signal`.
    pub(crate) fn from_signal(signal: i32, core_dumped: bool) -> Self {
        Self((signal & 0x7f) | if core_dumped { 0x80 } else { 0 })
    }

    /// Whether the child exited normally with status 0.
    pub fn success(&self) -> bool {
        self.code() == Some(0)
    }

    /// The exit code, if the child exited normally.
    pub fn code(&self) -> Option<i32> {
        libc::WIFEXITED(self.0).then(|| libc::WEXITSTATUS(self.0))
    }

    /// The signal that killed the child, if one did.
    pub fn signal(&self) -> Option<i32> {
        libc::WIFSIGNALED(self.0).then(|| libc::WTERMSIG(self.0))
    }

    /// Whether the child dumped core when a signal killed it.
    pub fn core_dumped(&self) -> bool {
        libc::WIFSIGNALED(self.0) && libc::WCOREDUMP(self.0)
    }
}

impl fmt::Debug for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExitStatus")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl fmt::Display for ExitStatus {
    /// Formats as std does: `exit status: 1`, `signal: 9 (SIGKILL)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = self.code() {
            return write!(f, "exit status: {code}");
        }
        let Some(signal) = self.signal() else {
            return write!(f, "unrecognised wait status: {:#x}", self.0);
        };
        write!(f, "signal: {signal}")?;
        if let Some(name) = signal_name(signal) {
            write!(f, " ({name})")?;
        }
        if self.core_dumped() {
            f.write_str(" (core dumped)")?;
        }
        Ok(())
    }
}

/// The C name of a standard signal number on this platform.
pub fn signal_name(signal: i32) -> Option<&'static str> {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGCHLD => "SIGCHLD",
        libc::SIGCONT => "SIGCONT",
        libc::SIGSTOP => "SIGSTOP",
        libc::SIGTSTP => "SIGTSTP",
        libc::SIGTTIN => "SIGTTIN",
        libc::SIGTTOU => "SIGTTOU",
        libc::SIGURG => "SIGURG",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGVTALRM => "SIGVTALRM",
        libc::SIGPROF => "SIGPROF",
        libc::SIGWINCH => "SIGWINCH",
        libc::SIGIO => "SIGIO",
        libc::SIGSYS => "SIGSYS",
        #[cfg(target_os = "linux")]
        libc::SIGSTKFLT => "SIGSTKFLT",
        #[cfg(target_os = "linux")]
        libc::SIGPWR => "SIGPWR",
        #[cfg(target_os = "freebsd")]
        libc::SIGEMT => "SIGEMT",
        #[cfg(target_os = "freebsd")]
        libc::SIGINFO => "SIGINFO",
        #[cfg(target_os = "freebsd")]
        libc::SIGTHR => "SIGTHR",
        #[cfg(target_os = "freebsd")]
        libc::SIGLIBRT => "SIGLIBRT",
        _ => return None,
    };
    Some(name)
}

/// What a finished child used, from `getrusage(2)`'s fields as the
/// kernel reports them when it is reaped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResourceUsage {
    /// CPU time spent in user mode.
    pub user_time: std::time::Duration,
    /// CPU time spent in the kernel.
    pub system_time: std::time::Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    ///
    /// On Linux it is at least the spawning process's resident size at the
    /// spawn: `execve` carries the peak of the address space it leaves
    /// into the child's figure, and a vfork-style child leaves the
    /// parent's (a fork-style child, its copy).  Any launcher's children
    /// report it so; the figure says the most the child used only when it
    /// exceeds the parent's.
    pub max_rss_kib: u64,
}

impl ResourceUsage {
    pub(crate) fn from_rusage(usage: &libc::rusage) -> Self {
        let time = |tv: libc::timeval| {
            std::time::Duration::new(tv.tv_sec.max(0) as u64, tv.tv_usec.max(0) as u32 * 1000)
        };
        Self {
            user_time: time(usage.ru_utime),
            system_time: time(usage.ru_stime),
            max_rss_kib: usage.ru_maxrss.max(0) as u64,
        }
    }
}

/// The captured result of a finished child, as `std::process::Output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// How the child ended.
    pub status: ExitStatus,
    /// Everything the child wrote to its standard output.
    pub stdout: Vec<u8>,
    /// Everything the child wrote to its standard error.
    pub stderr: Vec<u8>,
}

#[cfg(test)]
mod tests;
