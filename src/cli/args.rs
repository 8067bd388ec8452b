//! The command line, as clap parses it; `docs/colaunch.1` says the same.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::{ArgAction, Parser, ValueEnum};
use log::LevelFilter;

use super::duration::parse_duration;
use super::signals::parse_signal;

const USAGE: &str = "colaunch [OPTIONS] [--] PROGRAM [ARGS]...
       colaunch --probe [--report FILE]";

const AFTER_HELP: &str = "\
Exit status:
  N        the program's own exit status
  128+N    the program was killed by signal N (for INT and QUIT, colaunch
           kills itself with N, so shells stop as they would for the program)
  124      --timeout expired
  125      colaunch itself failed (bad option, no program, --chdir failed,
           colocation unsupported, the report cannot be written, resources
           exhausted)
  126      the program was found but could not be executed
  127      the program was not found

Signals INT, TERM, HUP, QUIT, USR1, USR2 and WINCH are forwarded to the
program through its process descriptor. Unless --daemon is given, the
program is killed (SIGKILL) if colaunch dies. See colaunch(1).";

/// Run a program as a coprocess with vfork cost, held by its process
/// descriptor.
#[derive(Debug, Parser)]
#[command(name = "colaunch", version, override_usage = USAGE, after_help = AFTER_HELP)]
#[command(max_term_width = 80)]
pub(crate) struct Args {
    /// Change to DIR before running the program, as env -C does
    #[arg(short = 'C', long, value_name = "DIR")]
    pub(crate) chdir: Option<PathBuf>,

    /// Set KEY to VALUE in the program's environment (repeatable)
    #[arg(
        short,
        long = "env",
        value_name = "KEY=VALUE",
        value_parser = OsStringValueParser::new().try_map(parse_assignment),
    )]
    pub(crate) env: Vec<(OsString, OsString)>,

    /// Remove KEY from the program's environment (repeatable)
    #[arg(
        short,
        long,
        value_name = "KEY",
        value_parser = OsStringValueParser::new().try_map(parse_name),
    )]
    pub(crate) unset: Vec<OsString>,

    /// Start the program with an empty environment (then -u, then -e)
    #[arg(short, long)]
    pub(crate) ignore_environment: bool,

    /// Signal the program after DURATION (500ms, 2s, 1m, or seconds such as
    /// 0.5; 0 means never); colaunch then exits 124
    // Negative numbers are taken as values, so that `--timeout -1` is
    // refused for what it is, not taken for an unknown option `-1`.
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_duration,
        allow_negative_numbers = true
    )]
    pub(crate) timeout: Option<Duration>,

    /// The signal --timeout sends: a name (TERM, SIGINT) or a number
    /// [default: TERM]
    #[arg(
        long,
        value_name = "SIG",
        requires = "timeout",
        value_parser = parse_signal,
        allow_negative_numbers = true
    )]
    pub(crate) signal: Option<i32>,

    /// Send KILL this long after the --timeout signal if the program is
    /// still running (0 means never)
    #[arg(
        long,
        value_name = "DURATION",
        requires = "timeout",
        value_parser = parse_duration,
        allow_negative_numbers = true
    )]
    pub(crate) kill_after: Option<Duration>,

    /// Run the program inside the address space of process PID (CheriBSD
    /// coexecve)
    #[arg(
        long,
        value_name = "PID",
        value_parser = clap::value_parser!(u32).range(1..=i32::MAX as i64),
        allow_negative_numbers = true
    )]
    pub(crate) colocate: Option<u32>,

    /// Run the program inside colaunch's own address space (CheriBSD
    /// coexecve)
    #[arg(long, conflicts_with = "colocate")]
    pub(crate) colocate_parent: bool,

    /// Start the program detached (own process group, stdio on
    /// /dev/null), print its pid and exit 0, leaving it running
    #[arg(long, conflicts_with = "timeout")]
    pub(crate) daemon: bool,

    /// How the child's address space is made
    #[arg(long, value_enum, value_name = "STRATEGY", default_value_t = StrategyArg::Auto)]
    pub(crate) strategy: StrategyArg,

    /// Write a JSON report of the run (or of --probe) to FILE; - is stderr
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,

    /// Print what this kernel and build support, and exit
    #[arg(
        long,
        conflicts_with_all = [
            "command", "chdir", "env", "unset", "ignore_environment", "timeout",
            "signal", "kill_after", "colocate", "colocate_parent", "daemon",
            "strategy",
        ],
    )]
    pub(crate) probe: bool,

    /// Log more: -v for decisions (debug), -vv for detail (trace)
    #[arg(short, long, action = ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Log nothing but the error that ends a run
    #[arg(short, long, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// The program to run, looked up as env(1) does in the PATH it is given
    /// (after -i, -u and -e; /bin:/usr/bin if none), then its arguments,
    /// passed on unchanged, even those that look like options
    // One positional for both: with a separate program argument, clap
    // would go on reading colaunch's options until the first argument
    // after the program (`colaunch ls --version` printed our version).
    #[arg(
        value_name = "PROGRAM",
        required_unless_present = "probe",
        trailing_var_arg = true,
        num_args = 1..
    )]
    pub(crate) command: Vec<OsString>,
}

/// `--strategy`, as clap spells [`colaunch::Strategy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum StrategyArg {
    /// The cheapest spawn with a process descriptor (vfork style where the
    /// kernel has one)
    Auto,
    /// Share the address space until exec; 125 where the kernel cannot, a
    /// warning where an emulator (qemu-user) copies it all the same
    Vfork,
    /// Copy the address space, as fork(2) does
    Fork,
}

impl From<StrategyArg> for colaunch::Strategy {
    fn from(arg: StrategyArg) -> Self {
        match arg {
            StrategyArg::Auto => Self::Auto,
            StrategyArg::Vfork => Self::Vfork,
            StrategyArg::Fork => Self::Fork,
        }
    }
}

impl Args {
    /// The program to run, if one was given.
    pub(crate) fn program(&self) -> Option<&OsString> {
        self.command.first()
    }

    /// The arguments after the program.
    pub(crate) fn program_args(&self) -> &[OsString] {
        self.command.get(1..).unwrap_or_default()
    }

    /// The log level -v and -q ask for; `warn` by default.
    pub(crate) fn log_level(&self) -> LevelFilter {
        match (self.quiet, self.verbose) {
            (true, _) => LevelFilter::Off,
            (false, 0) => LevelFilter::Warn,
            (false, 1) => LevelFilter::Debug,
            (false, _) => LevelFilter::Trace,
        }
    }
}

/// Splits `KEY=VALUE` at the first `=`; the key may not be empty.
fn parse_assignment(text: OsString) -> Result<(OsString, OsString), String> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};

    let bytes = text.as_bytes();
    match bytes.iter().position(|&b| b == b'=') {
        Some(0) | None => Err(format!("'{}' is not KEY=VALUE", text.to_string_lossy())),
        Some(at) => {
            let mut key = text.into_vec();
            let value = key.split_off(at + 1);
            key.pop();
            Ok((OsString::from_vec(key), OsString::from_vec(value)))
        }
    }
}

/// Checks a variable name for `-u`: not empty, no `=`, as `env -u` wants;
/// the library would refuse it only after `-C` had run.
fn parse_name(text: OsString) -> Result<OsString, String> {
    use std::os::unix::ffi::OsStrExt;

    match text.is_empty() || text.as_bytes().contains(&b'=') {
        true => Err(format!(
            "'{}' is not a variable name",
            text.to_string_lossy()
        )),
        false => Ok(text),
    }
}
