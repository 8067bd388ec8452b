//! Everything `colaunch` says to its user: the logger, the one error line,
//! and output on stdout.
//!
//! Log lines and the error line share the `colaunch:` prefix, are written
//! in lowercase and end without a full stop.

use std::io::{self, Write};

use log::{Level, LevelFilter};

/// Sets up the stderr logger at `level` (`warn` unless -v or -q).
pub(crate) fn init_logger(level: LevelFilter) {
    env_logger::Builder::new()
        .filter_level(level)
        .target(env_logger::Target::Stderr)
        .format(|buf, record| {
            let level = match record.level() {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
                Level::Trace => "trace",
            };
            writeln!(buf, "colaunch: {level}: {}", record.args())
        })
        .init();
}

/// Prints the error that ends the run, once, with its whole chain.
pub(crate) fn print_error(err: &anyhow::Error) {
    // Nothing is left to tell anyone if stderr itself is gone.
    let _ = writeln!(io::stderr().lock(), "colaunch: {err:#}");
}

/// A clap usage error, read as `colaunch: ...` in place of `error: ...`.
#[derive(Debug)]
pub(crate) struct UsageError(String);

impl From<&clap::Error> for UsageError {
    fn from(err: &clap::Error) -> Self {
        let text = err.render().to_string();
        let text = text.strip_prefix("error: ").unwrap_or(&text);
        Self(text.trim_end().to_owned())
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// An I/O error as a reader wants it: `No such file or directory`, not
/// `No such file or directory (os error 2)`.
pub(crate) fn reason(err: &io::Error) -> String {
    let text = err.to_string();
    match err.raw_os_error() {
        Some(code) => match text.strip_suffix(&format!(" (os error {code})")) {
            Some(bare) => bare.to_owned(),
            None => text,
        },
        None => text,
    }
}

/// An I/O error for the error chain, read as [`reason`] gives it.
pub(crate) fn io_error(err: io::Error) -> anyhow::Error {
    anyhow::Error::new(Reason(err))
}

#[derive(Debug)]
struct Reason(io::Error);

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&reason(&self.0))
    }
}

impl std::error::Error for Reason {}

/// Writes `text` to stdout; a reader that has gone away (`EPIPE`) is not
/// an error, as for any filter in a pipeline.
pub(crate) fn stdout(text: &str) -> io::Result<()> {
    match stdout_to_reader(text) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `text` to stdout for a reader that needs it: a reader that has
/// gone away (`EPIPE`) is an error like any other.
pub(crate) fn stdout_to_reader(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush())
}
