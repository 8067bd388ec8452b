//! The `colaunch` command: options in, one child out, its status back.
//!
//! `run` parses the command line, prepares a [`colaunch::Command`], and
//! either hands the child off (`--daemon`) or supervises it until it is
//! reaped ([`supervise`]).  Exit statuses live in [`exit`], everything
//! said to the user in [`messages`].
//!
//! # The no-orphan guarantee
//!
//! A supervised child is spawned with `parent_death_signal(SIGKILL)`:
//! `PR_SET_PDEATHSIG` on Linux, `procctl(PROC_PDEATHSIG_CTL)` on FreeBSD,
//! where closing the process descriptor (without `PD_DAEMON`) when
//! colaunch dies kills it too.  Linux ties the signal to the *thread* that
//! spawned, so the spawn happens on the main thread, which lives for the
//! whole run.  A `--daemon` child has neither and is left running.

mod args;
mod duration;
pub(crate) mod exit;
pub(crate) mod messages;
mod probe;
mod report;
mod signals;
mod supervise;

use std::ffi::OsStr;
use std::io;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use colaunch::{Child, Colocation, Command, Stdio};
use log::{debug, warn};

use args::Args;
use exit::{Exit, SpawnError};
use messages::io_error;
use report::{FailureReport, ProbeReport, RunReport, Sink};
use signals::Forwarder;
use supervise::Timeout;

/// Runs the command line of this process.
///
/// # Errors
///
/// Every failure of colaunch itself, and a failure to start the program
/// (as [`SpawnError`], which carries the errno that picks 126 or 127).
pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => return usage(&err),
    };
    messages::init_logger(args.log_level());

    // The report file is opened first, so that a relative path means the
    // directory colaunch was started in, and a bad one fails before the
    // program runs.
    let mut sink = args.report.as_deref().map(Sink::open).transpose()?;
    if args.probe {
        return probe(sink);
    }

    // Once the file is open, a run that fails before its report is
    // written says why there too, so that a harness never finds the file
    // empty.  A usage error ends colaunch before that, and leaves a file
    // from an earlier run as it was (colaunch(1), REPORT).
    let result = launch(&args, &mut sink);
    if let (Err(err), Some(sink)) = (&result, sink.take())
        && let Err(e) = sink.write(&FailureReport::new(&args, err))
    {
        warn!("{e:#}");
    }
    result
}

/// Runs the program the options describe; writes the report (and takes
/// `sink`) once it has ended.
fn launch(args: &Args, sink: &mut Option<Sink>) -> anyhow::Result<ExitCode> {
    let program = args.program().cloned().context("no program given")?;

    // colaunch changes directory itself, as env -C does: the program is
    // then looked up from there, and a failure is colaunch's own (125),
    // which a chdir in the child could not tell from the exec's errors.
    if let Some(dir) = &args.chdir {
        std::env::set_current_dir(dir)
            .map_err(io_error)
            .with_context(|| format!("cannot change directory to '{}'", dir.display()))?;
    }

    // Before the spawn: with SIGCHLD ignored the kernel would reap the
    // child itself, and its status would be lost (ECHILD).
    signals::reset_sigchld()
        .map_err(io_error)
        .context("cannot reset SIGCHLD to its default")?;
    let mut cmd = command(args, &program);
    let forwarder = match args.daemon {
        true => None,
        false => Some(install_forwarder(&mut cmd)?),
    };
    log_sizes(&cmd, args.ignore_environment);

    let started = Instant::now();
    let spawned = cmd.spawn();
    let latency = started.elapsed();
    let mut child = spawned
        .map_err(|e| anyhow::Error::new(SpawnError(e)))
        .with_context(|| program.to_string_lossy().into_owned())?;
    log_child(&child, args);
    let mut report = RunReport::started(argv(args), &child, latency);

    let Some(forwarder) = forwarder else {
        return hand_off(child, report, sink);
    };

    let timeout = args.timeout.filter(|d| !d.is_zero()).map(|after| Timeout {
        after,
        signal: args.signal.unwrap_or(libc::SIGTERM),
        kill_after: args.kill_after.filter(|d| !d.is_zero()),
    });
    let ended = supervise::wait(&mut child, &forwarder, timeout)?;
    let exit = match ended.timed_out {
        true => Exit::Timeout,
        false => Exit::of_status(ended.status),
    };
    debug!("pid {} ended with {}", child.id(), ended.status);

    report.finished(&child, ended.status, started.elapsed());
    report.timed_out = ended.timed_out;
    report.status = Some(exit.code());
    sink.take().map(|s| s.write(&report)).transpose()?;

    // Last of all, once everything is written: see Exit::signal_to_raise.
    if let Some(signal) = exit.signal_to_raise() {
        debug!("dying by {} as the child did", signals::name(signal));
        signals::die_by(signal);
    }
    Ok(exit.into())
}

/// `--daemon`: prints the pid, writes the report and leaves the child.
fn hand_off(
    mut child: Child,
    mut report: RunReport,
    sink: &mut Option<Sink>,
) -> anyhow::Result<ExitCode> {
    report.daemon = true;
    report.status = Some(Exit::Success.code());

    // A caller that never learns the pid cannot stop the daemon, so a
    // failure here must leave nothing running.
    if let Err(e) = messages::stdout_to_reader(&format!("{}\n", child.id())) {
        if let Err(kill) = child.kill().and_then(|()| child.wait().map(drop)) {
            warn!(
                "cannot stop pid {}: {}",
                child.id(),
                messages::reason(&kill)
            );
        }
        return Err(io_error(e)).context("cannot print the pid");
    }
    sink.take().map(|s| s.write(&report)).transpose()?;
    Ok(Exit::Success.into())
}

/// The program's whole argument vector, for reports.
fn argv(args: &Args) -> Vec<String> {
    args.command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Help and version go to stdout with status 0; any other clap error
/// becomes the error `main` prints, with status 125.
fn usage(err: &clap::Error) -> anyhow::Result<ExitCode> {
    if err.use_stderr() {
        return Err(anyhow::Error::new(messages::UsageError::from(err)));
    }
    let what = match err.kind() {
        clap::error::ErrorKind::DisplayVersion => "the version",
        _ => "the help",
    };
    match err.print() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(io_error(e)).with_context(|| format!("cannot print {what}"))
        }
        _ => Ok(Exit::Success.into()),
    }
}

/// `--probe`: aligned text on stdout, or JSON to the `--report` sink.
fn probe(sink: Option<Sink>) -> anyhow::Result<ExitCode> {
    let probe = colaunch::probe();
    debug!("probe: {probe:?}");
    match sink {
        Some(sink) => sink.write(&ProbeReport::from(&probe))?,
        None => messages::stdout(&probe::text(&probe))
            .map_err(io_error)
            .context("cannot print the probe")?,
    }
    Ok(Exit::Success.into())
}

/// The library command the options describe.
fn command(args: &Args, program: &OsStr) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args.program_args()).strategy(args.strategy.into());

    // The order env(1) applies them in: clear, unset, then set.
    if args.ignore_environment {
        cmd.env_clear();
    }
    for key in &args.unset {
        cmd.env_remove(key);
    }
    for (key, value) in &args.env {
        cmd.env(key, value);
    }

    if let Some(pid) = args.colocate {
        cmd.colocate(Colocation::Pid(pid));
    }
    if args.colocate_parent {
        cmd.colocate(Colocation::Parent);
    }

    // A daemon is detached the way daemon(8) does it, so that a caller
    // reading its pid from a pipe is not held open by it; anything else
    // dies with colaunch (see the module docs).
    if args.daemon {
        cmd.daemon(true)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    } else {
        cmd.parent_death_signal(Some(libc::SIGKILL));
    }
    cmd
}

/// Installs the forwarding handlers; the child of `cmd` keeps the signal
/// mask colaunch started with, even where colaunch changes its own.
fn install_forwarder(cmd: &mut Command) -> anyhow::Result<Forwarder> {
    let (forwarder, installed) = Forwarder::install()
        .map_err(io_error)
        .context("cannot install the signal handlers")?;
    for signal in installed.ignored {
        debug!(
            "{} is ignored, so it is not forwarded",
            signals::name(signal)
        );
    }
    for signal in installed.unblocked {
        debug!(
            "{} was blocked; unblocked to forward it, still blocked in the program",
            signals::name(signal)
        );
    }
    if let Some(mask) = installed.child_mask {
        cmd.signal_mask(mask);
    }
    Ok(forwarder)
}

/// Debug: the sizes of what the kernel is handed, read from the built
/// `cmd`; `cleared` is `-i`, which the library does not give back.
fn log_sizes(cmd: &Command, cleared: bool) {
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    let argc = 1 + cmd.get_args().len();
    let argv_bytes: usize = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.len() + 1)
        .sum();

    // The inherited environment, with the changes -u and -e made to it
    // in command(); the library's own merge is not public.
    let mut env: std::collections::BTreeMap<_, _> = match cleared {
        true => Default::default(),
        false => std::env::vars_os().collect(),
    };
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => env.insert(key.to_owned(), value.to_owned()),
            None => env.remove(key),
        };
    }
    let env_bytes: usize = env.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    debug!(
        "argv: {argc} strings, {argv_bytes} bytes; environment: {} variables, {env_bytes} bytes",
        env.len()
    );
}

/// Debug: the mechanism; warnings: anything less than was asked for.
///
/// Under qemu-user both warnings apply; each is given once.
fn log_child(child: &Child, args: &Args) {
    use colaunch::Mechanism;

    let mechanism = child.mechanism();
    debug!("pid {} started by {mechanism}", child.id());
    let forked = args.strategy == args::StrategyArg::Fork;
    let pdfork = matches!(mechanism, Mechanism::Pdfork);
    if matches!(mechanism, Mechanism::CloneThenPidfdOpen) {
        warn!(
            "this kernel or emulator gave no descriptor at clone time; \
             using pidfd_open on the new pid"
        );
    }
    if pdfork && !forked {
        warn!("this kernel or emulator has no pdrfork; the child is a copy made by pdfork")
    }

    // pdfork has just said so, and fork asked for a copy.
    if !pdfork && !forked && !child.shared_address_space() {
        warn!(
            "the child did not share colaunch's memory (an emulator such as qemu-user \
             turns vfork into fork); spawn cost grows with colaunch's size"
        );
    }
}

#[cfg(test)]
mod tests;
