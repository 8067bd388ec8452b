//! Every exit status `colaunch` can end with, in one place.
//!
//! The numbers follow `env(1)` and `timeout(1)`; `docs/colaunch.1` (EXIT
//! STATUS) and the `--help` text list the same table.

use std::io;
use std::process::ExitCode;

use colaunch::ExitStatus;

/// How `colaunch` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: `--daemon` started the program, `--probe` ran, or help was shown.
    Success,
    /// The child's own exit code, passed through unchanged.
    Child(u8),
    /// 128 + N: the child was killed by signal N.
    ///
    /// For `SIGINT` and `SIGQUIT` colaunch instead dies by the same
    /// signal (see [`Exit::signal_to_raise`]), which a shell reports as
    /// 130 or 131 all the same.
    ChildSignal(i32),
    /// 124: `--timeout` expired and the child was signalled, however it
    /// ended afterwards.
    Timeout,
    /// 125: `colaunch` itself failed: a bad option, no program, `--chdir`
    /// failed, colocation unsupported, the report cannot be written, or a
    /// spawn error that is not the program's (resources exhausted, a
    /// process gone, an interrupted call: see [`Exit::of_spawn_error`]).
    Failure,
    /// 126: the program was found but could not be executed (`EACCES`,
    /// `ENOEXEC` and every other errno but `ENOENT` and those of 125).
    CannotExecute,
    /// 127: the program was not found (`ENOENT`).
    NotFound,
}

impl Exit {
    /// The number the process exits with.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Child(code) => code,
            // Signal numbers stop at 64 (Linux) or 128 (FreeBSD, whose
            // shells also wrap); keep the low byte as they do.
            Self::ChildSignal(signal) => (128 + signal) as u8,
            Self::Timeout => 124,
            Self::Failure => 125,
            Self::CannotExecute => 126,
            Self::NotFound => 127,
        }
    }

    /// The signal colaunch should kill itself with rather than exit.
    ///
    /// Only `SIGINT` and `SIGQUIT`: a shell stops a loop or a script when
    /// its child dies of one of them, but not when the child exits 130,
    /// which it takes to mean the child handled the signal.  Every other
    /// signal gives 128 + N, which harnesses read as a plain status.
    pub(crate) fn signal_to_raise(self) -> Option<i32> {
        match self {
            Self::ChildSignal(signal @ (libc::SIGINT | libc::SIGQUIT)) => Some(signal),
            _ => None,
        }
    }

    /// What a child that ended with `status` makes `colaunch` exit with.
    pub(crate) fn of_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Self::Child(code as u8),
            (None, Some(signal)) => Self::ChildSignal(signal),
            // Neither exited nor signalled cannot come from a reaped child.
            (None, None) => Self::Failure,
        }
    }

    /// What a failed spawn makes `colaunch` exit with.
    ///
    /// Errors without an errno (an option the platform cannot honour, a
    /// NUL byte) are the launcher's own failure, and so are `EAGAIN`,
    /// `ENOMEM`, `EMFILE`, `ENFILE`, `ENOSPC` (resources exhausted),
    /// `ESRCH` (a process the spawn needed is gone) and `EINTR`, whether
    /// the spawn or `execve(2)` gave them; every other errno means the
    /// program could not be executed.  colaunch(1), EXIT STATUS, lists
    /// the same.
    pub(crate) fn of_spawn_error(err: &io::Error) -> Self {
        match err.raw_os_error() {
            None => Self::Failure,
            Some(libc::ENOENT) => Self::NotFound,
            Some(
                libc::EAGAIN
                | libc::ENOMEM
                | libc::EMFILE
                | libc::ENFILE
                | libc::ENOSPC
                | libc::ESRCH
                | libc::EINTR,
            ) => Self::Failure,
            Some(_) => Self::CannotExecute,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

impl Exit {
    /// What an error returned by `run` makes `colaunch` exit with: the
    /// status of the spawn failure in its chain, else 125.
    pub(crate) fn of_error(err: &anyhow::Error) -> Self {
        err.chain()
            .find_map(|cause| cause.downcast_ref::<SpawnError>())
            .map_or(Self::Failure, |spawn| Self::of_spawn_error(&spawn.0))
    }
}

/// A failure to start the program, kept whole so that its errno picks
/// the exit status; it reads as the bare reason, without `(os error N)`.
#[derive(Debug)]
pub(crate) struct SpawnError(pub(crate) io::Error);

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::cli::messages::reason(&self.0))
    }
}

impl std::error::Error for SpawnError {}
