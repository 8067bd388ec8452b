//! Spawn-to-exit latency and throughput of colaunch against its peers, as
//! the parent's resident memory grows (issue #6).
//!
//! ```text
//! cargo bench --bench spawn -- [--rss-mib 0,1024,4096] [--iterations N]
//!     [--threads 1,2] [--methods LIST] [--program PATH] [--args N]
//!     [--max-seconds S] [--json FILE] [--plot FILE.png]
//! ```
//!
//! For each parent size, each thread count and each method, the bench
//! spawns the target program and waits for it, timing each pair.  The
//! methods are described in `methods.rs`; `docs/performance.md` holds a
//! run and how to read it.
//!
//! Each cell is run in [`PASSES`] slices, the methods taking turns, and
//! the parent sizes take turns too, in [`ROUNDS`] rounds, so that a slow
//! spell of a shared machine falls on every method and size alike instead
//! of on whichever ran then.

mod memory;
mod methods;
mod report;
mod target;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use memory::Ballast;
use methods::{Method, Spawner};

/// How many slices each cell is cut into; see the crate docs.  A slice of
/// a fast method lasts about 10 ms at the default iteration count.
const PASSES: usize = 20;

/// How many times the parent sizes take turns; each round runs
/// `PASSES / ROUNDS` slices of every cell.
const ROUNDS: usize = 4;

/// Untimed spawns per thread before a cell's first slice, so that a
/// method's first use (colaunch's kernel probe, page faults on fresh code)
/// is not timed.
const WARMUP: usize = 3;

/// The fewest timed spawns per thread and slice, even past the budget.
const MIN_PER_SLICE: usize = 1;

/// The command line, with its defaults.
struct Options {
    rss_mib: Vec<usize>,
    iterations: usize,
    threads: Vec<usize>,
    methods: Vec<Method>,
    program: Option<PathBuf>,
    args: usize,
    max_seconds: f64,
    json: Option<PathBuf>,
    plot: Option<PathBuf>,
}

const USAGE: &str = "\
usage: cargo bench --bench spawn -- [options]

  --rss-mib LIST     parent memory sizes to touch first, in MiB [0,1024,4096]
  --iterations N     timed spawns per method, size and thread count [1000]
  --threads LIST     threads spawning at once [1,2]
  --methods LIST     colaunch,posix_spawn,std_command,fork_exec,colaunch_fork
                     [all]
  --program PATH     program to spawn [a static exit(0) program of under
                     200 bytes, written by the bench]
  --args N           arguments to pass it (arg1, arg2, ...) [0]
  --max-seconds S    time budget per method, size and thread count; the
                     fork methods reach it first at large sizes [4]
  --json FILE        also write the results as a JSON array
  --plot FILE        also draw latency and throughput against size as PNG
";

impl Options {
    fn parse() -> Result<Self, String> {
        let mut opts = Options {
            rss_mib: vec![0, 1024, 4096],
            iterations: 1000,
            threads: vec![1, 2],
            methods: Method::ALL.to_vec(),
            program: None,
            args: 0,
            max_seconds: 4.0,
            json: None,
            plot: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            // cargo bench adds --bench to the arguments of every bench.
            if arg == "--bench" {
                continue;
            }
            if arg == "--help" || arg == "-h" {
                return Err(String::new());
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            match arg.as_str() {
                "--rss-mib" => opts.rss_mib = numbers(&arg, &value)?,
                "--iterations" => opts.iterations = number(&arg, &value)?,
                "--threads" => opts.threads = numbers(&arg, &value)?,
                "--methods" => opts.methods = method_list(&value)?,
                "--program" => opts.program = Some(value.into()),
                "--args" => opts.args = number(&arg, &value)?,
                "--max-seconds" => {
                    opts.max_seconds = value
                        .parse()
                        .ok()
                        .filter(|s: &f64| *s > 0.0)
                        .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
                }
                "--json" => opts.json = Some(value.into()),
                "--plot" => opts.plot = Some(value.into()),
                _ => return Err(format!("unknown option {arg}")),
            }
        }
        // A size or count given twice would share one cell.
        let mut seen = Vec::new();
        opts.rss_mib
            .retain(|&m| !seen.contains(&m) && (seen.push(m), true).1);
        seen.clear();
        opts.threads
            .retain(|&t| !seen.contains(&t) && (seen.push(t), true).1);
        if opts.iterations == 0 || opts.threads.contains(&0) {
            return Err("--iterations and --threads must be at least 1".into());
        }
        Ok(opts)
    }
}

fn number(arg: &str, value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{arg}: {value:?} is not a number"))
}

fn numbers(arg: &str, value: &str) -> Result<Vec<usize>, String> {
    value.split(',').map(|v| number(arg, v)).collect()
}

fn method_list(value: &str) -> Result<Vec<Method>, String> {
    let methods = value.split(',').map(|name| {
        Method::from_name(name.trim()).ok_or_else(|| format!("unknown method {name:?}"))
    });
    methods.collect()
}

/// The timings of one method at one parent size and thread count.
pub(crate) struct Cell {
    pub(crate) method: Method,
    pub(crate) rss_mib: usize,
    pub(crate) threads: usize,
    /// Every timed spawn, in nanoseconds, sorted.
    pub(crate) samples: Vec<u64>,
    /// The wall-clock time of all slices together.
    pub(crate) wall: Duration,
}

impl Cell {
    /// The `q` quantile in microseconds, interpolated between samples.
    pub(crate) fn quantile_us(&self, q: f64) -> f64 {
        let last = self.samples.len() - 1;
        let pos = q * last as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let frac = pos - lo as f64;
        let ns = self.samples[lo] as f64 * (1.0 - frac) + self.samples[hi] as f64 * frac;
        ns / 1000.0
    }

    pub(crate) fn median_us(&self) -> f64 {
        self.quantile_us(0.5)
    }

    pub(crate) fn spawns_per_sec(&self) -> f64 {
        self.samples.len() as f64 / self.wall.as_secs_f64()
    }
}

/// What one slice asks of each of its threads.
#[derive(Clone, Copy)]
struct Slice {
    /// Arguments to pass the program.
    args: usize,
    warmup: usize,
    per_thread: usize,
    budget: Duration,
}

/// Runs one slice of `method` on `threads` threads at once; returns the
/// samples and the wall-clock time from the common start to the last end.
fn run_slice(
    method: Method,
    program: &Path,
    threads: usize,
    slice: Slice,
) -> io::Result<(Vec<u64>, Duration)> {
    let start_line = Barrier::new(threads + 1);
    let results = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| spawn_loop(method, program, slice, &start_line)))
            .collect();
        start_line.wait();
        let start = Instant::now();
        let results: Vec<_> = workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread panicked"))
            .collect();
        (results, start)
    });
    let (results, start) = results;
    let mut samples = Vec::new();
    let mut end = start;
    for result in results {
        let (thread_samples, thread_end) = result?;
        samples.extend(thread_samples);
        end = end.max(thread_end);
    }
    Ok((samples, end - start))
}

/// One thread's part of a slice: warm up, then time spawns until its
/// share is done or the budget is spent.
fn spawn_loop(
    method: Method,
    program: &Path,
    slice: Slice,
    start_line: &Barrier,
) -> io::Result<(Vec<u64>, Instant)> {
    let prepared = Spawner::new(method, program, slice.args).and_then(|mut spawner| {
        (0..slice.warmup).try_for_each(|_| spawner.run())?;
        Ok(spawner)
    });
    // Every thread must reach the barrier, or the others wait forever.
    start_line.wait();
    let mut spawner = prepared?;

    let mut samples = Vec::with_capacity(slice.per_thread);
    let begin = Instant::now();
    while samples.len() < slice.per_thread
        && (samples.len() < MIN_PER_SLICE || begin.elapsed() < slice.budget)
    {
        let t0 = Instant::now();
        spawner.run()?;
        samples.push(t0.elapsed().as_nanos() as u64);
    }
    Ok((samples, Instant::now()))
}

/// Runs `passes` of the slices of `cells`, all of one parent size and
/// thread count, the methods taking turns.
fn measure(
    opts: &Options,
    program: &Path,
    cells: &mut [Cell],
    passes: std::ops::Range<usize>,
) -> io::Result<()> {
    let threads = cells.first().map_or(1, |c| c.threads);
    let per_thread = opts
        .iterations
        .div_ceil(threads * PASSES)
        .max(MIN_PER_SLICE);
    let mut slice = Slice {
        args: opts.args,
        warmup: if passes.start == 0 { WARMUP } else { 0 },
        per_thread,
        budget: Duration::from_secs_f64(opts.max_seconds / PASSES as f64),
    };
    for pass in passes {
        // Alternate the order so that no method always follows another.
        let order: Vec<usize> = match pass % 2 {
            0 => (0..cells.len()).collect(),
            _ => (0..cells.len()).rev().collect(),
        };
        for i in order {
            let (samples, wall) = run_slice(cells[i].method, program, threads, slice)?;
            cells[i].samples.extend(samples);
            cells[i].wall += wall;
        }
        slice.warmup = 0;
    }
    Ok(())
}

fn run(opts: &Options) -> io::Result<Vec<Cell>> {
    let program = match &opts.program {
        Some(path) => resolve(path)?,
        None => target::build(Path::new(env!("CARGO_TARGET_TMPDIR")))?,
    };
    println!("{}", report::machine(&program));
    println!(
        "iterations {} per cell (fork methods stop after {} s), threads {:?}, {} slices \
         in {} rounds, {} arguments",
        opts.iterations, opts.max_seconds, opts.threads, PASSES, ROUNDS, opts.args
    );
    println!();

    let mut cells = Vec::new();
    for &rss_mib in &opts.rss_mib {
        for &threads in &opts.threads {
            cells.extend(opts.methods.iter().map(|&method| Cell {
                method,
                rss_mib,
                threads,
                samples: Vec::new(),
                wall: Duration::ZERO,
            }));
        }
    }

    // The sizes take turns too, round by round, so that the flatness ratio
    // (colaunch at the largest size over the smallest) does not compare a
    // quiet minute with a busy one.
    let per_round = PASSES / ROUNDS;
    for round in 0..ROUNDS {
        let mut sizes = opts.rss_mib.clone();
        if round % 2 == 1 {
            sizes.reverse();
        }
        for rss_mib in sizes {
            let ballast = Ballast::new(rss_mib)?;
            let resident = memory::resident_mib().map_or("?".into(), |m| m.to_string());
            eprintln!("round {round}: parent touched {rss_mib} MiB (resident {resident} MiB)");
            for &threads in &opts.threads {
                let at = |c: &Cell| c.rss_mib == rss_mib && c.threads == threads;
                let start = cells
                    .iter()
                    .position(at)
                    .expect("a cell per size and count");
                let group = &mut cells[start..start + opts.methods.len()];
                measure(
                    opts,
                    &program,
                    group,
                    round * per_round..(round + 1) * per_round,
                )?;
            }
            drop(ballast);
        }
    }
    for cell in &mut cells {
        cell.samples.sort_unstable();
        eprintln!("  {}", report::row(cell));
    }
    Ok(cells)
}

/// Makes `program` absolute, searching `PATH` for a bare name, so that
/// every method runs the same file and none pays for a search.
fn resolve(program: &Path) -> io::Result<PathBuf> {
    if program.components().count() > 1 {
        return std::path::absolute(program);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            let name = program.display();
            io::Error::new(io::ErrorKind::NotFound, format!("{name} is not in PATH"))
        })
}

fn main() -> ExitCode {
    let opts = match Options::parse() {
        Ok(opts) => opts,
        Err(msg) if msg.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprint!("spawn bench: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cells = match run(&opts) {
        Ok(cells) => cells,
        Err(e) => {
            eprintln!("spawn bench: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("{}", report::table(&cells));
    println!("after: {}\n", report::load());
    println!("{}", report::ratios(&cells));
    let written = opts
        .json
        .as_ref()
        .map(|path| report::write_json(path, &cells).map(|()| path))
        .transpose()
        .and_then(|_| {
            opts.plot
                .as_ref()
                .map(|path| report::plot(path, &cells))
                .transpose()
        });
    if let Err(e) = written {
        eprintln!("spawn bench: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
