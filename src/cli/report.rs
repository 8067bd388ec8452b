//! The `--report` JSON objects: one per run, or one for `--probe`.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use colaunch::{Child, ExitStatus, Probe};
use serde::Serialize;

/// Where the report goes: a file opened before the program starts (so a
/// bad path fails early, relative to the directory colaunch started in),
/// or stderr for `-`.
pub(crate) enum Sink {
    File(File, String),
    Stderr,
}

impl Sink {
    /// Opens (creating or truncating) `path`, or takes stderr for `-`.
    ///
    /// # Errors
    ///
    /// When the file cannot be created.
    pub(crate) fn open(path: &Path) -> anyhow::Result<Self> {
        if path == Path::new("-") {
            return Ok(Self::Stderr);
        }
        let file = File::create(path)
            .map_err(super::messages::io_error)
            .with_context(|| format!("cannot create report file '{}'", path.display()))?;
        Ok(Self::File(file, path.display().to_string()))
    }

    /// Writes `value` as one line of JSON.
    ///
    /// # Errors
    ///
    /// When the write fails.
    pub(crate) fn write<T: Serialize>(self, value: &T) -> anyhow::Result<()> {
        let mut line = serde_json::to_string(value).context("cannot encode the report")?;
        line.push('\n');
        let (result, name) = match self {
            Self::File(mut file, name) => (file.write_all(line.as_bytes()), name),
            Self::Stderr => (
                io::stderr().lock().write_all(line.as_bytes()),
                "stderr".into(),
            ),
        };
        result
            .map_err(super::messages::io_error)
            .with_context(|| format!("cannot write the report to {name}"))
    }
}

/// One run, as `--report` describes it.
#[derive(Debug, Serialize)]
pub(crate) struct RunReport {
    /// The program as given on the command line.
    pub(crate) program: String,
    /// The program's whole argument vector, `argv[0]` first.
    pub(crate) argv: Vec<String>,
    pub(crate) pid: u32,
    /// The kernel mechanism that created the child (`clone3`, ...).
    pub(crate) mechanism: &'static str,
    /// Whether the child was seen in colaunch's address space before its
    /// exec (vfork semantics really in force).
    pub(crate) shared_address_space: bool,
    pub(crate) daemon: bool,
    /// From just before the spawn call to its return.
    pub(crate) spawn_latency_us: u64,
    /// From just before the spawn call to the child being reaped; `null`
    /// for a daemon.
    pub(crate) wall_time_us: Option<u64>,
    pub(crate) exit_code: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) signal_name: Option<String>,
    /// `null` for a daemon, like the other members on how the child ended.
    pub(crate) core_dumped: Option<bool>,
    /// Known for every run: `false` for a daemon, which has no timeout.
    pub(crate) timed_out: bool,
    pub(crate) user_time_us: Option<u64>,
    pub(crate) system_time_us: Option<u64>,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub(crate) max_rss_kib: Option<u64>,
    /// The status colaunch itself exits with (0 for a daemon).
    pub(crate) status: Option<u8>,
}

impl RunReport {
    /// The fields known once the child has started.
    pub(crate) fn started(argv: Vec<String>, child: &Child, latency: Duration) -> Self {
        Self {
            program: argv.first().cloned().unwrap_or_default(),
            argv,
            pid: child.id(),
            mechanism: child.mechanism().name(),
            shared_address_space: child.shared_address_space(),
            daemon: false,
            spawn_latency_us: micros(latency),
            wall_time_us: None,
            exit_code: None,
            signal: None,
            signal_name: None,
            core_dumped: None,
            timed_out: false,
            user_time_us: None,
            system_time_us: None,
            max_rss_kib: None,
            status: None,
        }
    }

    /// Fills in how the child ended.
    pub(crate) fn finished(&mut self, child: &Child, status: ExitStatus, wall: Duration) {
        self.wall_time_us = Some(micros(wall));
        self.exit_code = status.code();
        self.signal = status.signal();
        // Null rather than "signal 40": a reader matches on the name.
        self.signal_name = status
            .signal()
            .and_then(colaunch::signal_name)
            .map(str::to_owned);
        self.core_dumped = Some(status.core_dumped());
        if let Some(usage) = child.resource_usage() {
            self.user_time_us = Some(micros(usage.user_time));
            self.system_time_us = Some(micros(usage.system_time));
            self.max_rss_kib = Some(usage.max_rss_kib);
        }
    }
}

/// A run that failed before the program ended: why, and the status.
#[derive(Debug, Serialize)]
pub(crate) struct FailureReport {
    pub(crate) program: String,
    pub(crate) argv: Vec<String>,
    /// The error as colaunch prints it, without the `colaunch: ` prefix.
    pub(crate) error: String,
    /// The status colaunch exits with (125, 126 or 127).
    pub(crate) status: u8,
}

impl FailureReport {
    pub(crate) fn new(args: &super::args::Args, err: &anyhow::Error) -> Self {
        let argv = super::argv(args);
        Self {
            program: argv.first().cloned().unwrap_or_default(),
            argv,
            error: format!("{err:#}"),
            status: super::exit::Exit::of_error(err).code(),
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// `--probe --report`, as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct ProbeReport {
    pub(crate) os: &'static str,
    pub(crate) arch: &'static str,
    pub(crate) purecap: bool,
    pub(crate) features: Vec<FeatureReport>,
    /// The mechanism a default spawn uses, or `null` with the reason in
    /// `auto_mechanism_error`.
    pub(crate) auto_mechanism: Option<&'static str>,
    pub(crate) auto_mechanism_error: Option<String>,
    pub(crate) shared_address_space: Option<bool>,
}

/// One line of the probe.
#[derive(Debug, Serialize)]
pub(crate) struct FeatureReport {
    pub(crate) name: &'static str,
    pub(crate) available: bool,
    pub(crate) detail: String,
}

impl From<&Probe> for ProbeReport {
    fn from(probe: &Probe) -> Self {
        Self {
            os: probe.os,
            arch: probe.arch,
            purecap: probe.purecap,
            features: probe
                .features
                .iter()
                .map(|f| FeatureReport {
                    name: f.name,
                    available: f.available,
                    detail: f.detail.clone(),
                })
                .collect(),
            auto_mechanism: probe.auto_mechanism.as_ref().ok().map(|m| m.name()),
            auto_mechanism_error: probe.auto_mechanism.as_ref().err().cloned(),
            shared_address_space: probe.shared_address_space,
        }
    }
}
