//! What the bench prints and writes: machine, table, ratios, JSON, plot.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use plotters::prelude::*;

use crate::Cell;
use crate::methods::Method;

/// A description of the machine and the target program.
pub(crate) fn machine(program: &Path) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .map_or("unknown".to_owned(), |v| v.trim().to_owned())
    };
    let virt = match field("flags").split(' ').any(|f| f == "hypervisor") {
        true => ", virtual machine",
        false => "",
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / (1 << 20) as f64);
    let thp = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .unwrap_or_else(|_| "unknown".into());
    let size = std::fs::metadata(program).map_or(0, |m| m.len());

    let mut s = String::new();
    let _ = writeln!(
        s,
        "cpu      {} ({cpus} cpus{virt}), {mem_gib:.1} GiB",
        field("model name")
    );
    let _ = writeln!(s, "kernel   {}, glibc {}", kernel(), glibc());
    let _ = writeln!(s, "thp      {} (ballast uses MADV_NOHUGEPAGE)", thp.trim());
    let probe = colaunch::probe();
    let mechanism = match &probe.auto_mechanism {
        Ok(m) => m.name().to_owned(),
        Err(e) => format!("none ({e})"),
    };
    let shared = match probe.shared_address_space {
        Some(true) => "child shares the address space",
        Some(false) => "child does NOT share the address space",
        None => "sharing unknown",
    };
    let _ = writeln!(s, "colaunch {mechanism}, {shared}");
    let _ = writeln!(s, "target   {} ({size} bytes)", program.display());
    let _ = write!(s, "before   {}", load());
    s
}

/// The load averages, so that a reader can tell a busy machine's run.
pub(crate) fn load() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    format!("load average {}", fields.join(" "))
}

fn kernel() -> String {
    // SAFETY: utsname is plain bytes; uname fills it or fails.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a writable utsname.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return "unknown".into();
    }
    // c_char is i8 on x86_64 and u8 on aarch64; this reads either.
    let text = |f: &[libc::c_char]| {
        let byte = |c: &libc::c_char| u8::from_ne_bytes(c.to_ne_bytes());
        let bytes: Vec<u8> = f.iter().map(byte).take_while(|&b| b != 0).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    format!(
        "{} {} {}",
        text(&uts.sysname),
        text(&uts.release),
        text(&uts.machine)
    )
}

fn glibc() -> String {
    // SAFETY: returns a pointer to a static C string.
    let version = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
    version.to_string_lossy().into_owned()
}

/// One line of progress for a finished cell.
pub(crate) fn row(cell: &Cell) -> String {
    format!(
        "{:<14} {:>5} MiB  {} thr  median {:>9.1} us  p10 {:>9.1}  p90 {:>9.1}  n {:>5}  {:>7.0}/s",
        cell.method.name(),
        cell.rss_mib,
        cell.threads,
        cell.median_us(),
        cell.quantile_us(0.1),
        cell.quantile_us(0.9),
        cell.samples.len(),
        cell.spawns_per_sec(),
    )
}

/// The results as a Markdown table.
pub(crate) fn table(cells: &[Cell]) -> String {
    let mut s = String::from(
        "| method | parent RSS (MiB) | threads | median (us) | p10 (us) | p90 (us) \
         | spawns | spawns/s |\n|---|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for c in cells {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {} | {:.0} |",
            c.method.name(),
            c.rss_mib,
            c.threads,
            c.median_us(),
            c.quantile_us(0.1),
            c.quantile_us(0.9),
            c.samples.len(),
            c.spawns_per_sec(),
        );
    }
    s
}

/// The four targets, from the medians, for each thread count.
pub(crate) fn ratios(cells: &[Cell]) -> String {
    let mut counts: Vec<usize> = cells.iter().map(|c| c.threads).collect();
    counts.sort_unstable();
    counts.dedup();
    counts
        .iter()
        .map(|&threads| ratios_at(cells, threads))
        .collect()
}

fn ratios_at(cells: &[Cell], threads: usize) -> String {
    let median = |method: Method, rss: usize| {
        cells
            .iter()
            .find(|c| c.method == method && c.rss_mib == rss && c.threads == threads)
            .map(Cell::median_us)
    };
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let mut sizes: Vec<usize> = cells.iter().map(|c| c.rss_mib).collect();
    sizes.sort_unstable();
    sizes.dedup();

    let plural = if threads == 1 { "" } else { "s" };
    let mut s = format!("targets (medians, {threads} thread{plural}):\n");
    for &rss in &sizes {
        let (Some(ours), Some(theirs)) = (
            median(Method::Colaunch, rss),
            median(Method::PosixSpawn, rss),
        ) else {
            continue;
        };
        let (ratio, extra) = (ours / theirs, ours - theirs);
        let _ = writeln!(
            s,
            "  {rss:>5} MiB  colaunch / posix_spawn {ratio:.3} (<= 1.10 {})  \
             colaunch - posix_spawn {extra:+.1} us (< 20 us {})",
            verdict(ratio <= 1.10),
            verdict(extra < 20.0),
        );
    }
    let (Some(&small), Some(&large)) = (sizes.first(), sizes.last()) else {
        return s;
    };
    if small == large {
        return s;
    }
    if let (Some(at_large), Some(at_small)) = (
        median(Method::Colaunch, large),
        median(Method::Colaunch, small),
    ) {
        let flat = at_large / at_small;
        let _ = writeln!(
            s,
            "  flat: colaunch at {large} MiB / at {small} MiB {flat:.3} (<= 1.20 {})",
            verdict(flat <= 1.20)
        );
    }
    if let (Some(fork), Some(ours)) = (
        median(Method::ForkExec, large),
        median(Method::Colaunch, large),
    ) {
        let speedup = fork / ours;
        let _ = writeln!(
            s,
            "  fork_exec / colaunch at {large} MiB {speedup:.1}x (>= 50x {})",
            verdict(speedup >= 50.0)
        );
    }
    s
}

/// Writes the array of result objects the issue specifies, plus each
/// cell's throughput.
pub(crate) fn write_json(path: &Path, cells: &[Cell]) -> io::Result<()> {
    let mut s = String::from("[\n");
    for (i, c) in cells.iter().enumerate() {
        let comma = if i + 1 < cells.len() { "," } else { "" };
        let _ = writeln!(
            s,
            "  {{\"method\": \"{}\", \"rss_mib\": {}, \"threads\": {}, \"median_us\": {:.2}, \
             \"p10_us\": {:.2}, \"p90_us\": {:.2}, \"iterations\": {}, \
             \"spawns_per_sec\": {:.1}}}{comma}",
            c.method.name(),
            c.rss_mib,
            c.threads,
            c.median_us(),
            c.quantile_us(0.1),
            c.quantile_us(0.9),
            c.samples.len(),
            c.spawns_per_sec(),
        );
    }
    s.push_str("]\n");
    std::fs::write(path, s)
}

fn color(method: Method) -> RGBColor {
    match method {
        Method::Colaunch => RGBColor(0x1f, 0x5f, 0xbf),
        Method::PosixSpawn => RGBColor(0x2c, 0xa0, 0x2c),
        Method::StdCommand => RGBColor(0xff, 0x8c, 0x00),
        Method::ForkExec => RGBColor(0xd6, 0x27, 0x28),
        Method::ColaunchFork => RGBColor(0x94, 0x67, 0xbd),
    }
}

fn plot_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("plot: {e}"))
}

/// Draws median latency (left) and throughput (right) against the
/// parent's size, one line per method; throughput for each thread count.
///
/// The font is DejaVu Sans compiled into the bench, so drawing needs no
/// system font library.
pub(crate) fn plot(path: &Path, cells: &[Cell]) -> io::Result<()> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| plot_err("the built-in font is unreadable"))?;
    let root = BitMapBackend::new(path, (1400, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let (left, right) = root.split_horizontally(700);
    let min_threads = cells.iter().map(|c| c.threads).min().unwrap_or(1);

    let latency: Vec<_> = cells.iter().filter(|c| c.threads == min_threads).collect();
    panel(
        &left,
        &latency,
        &format!("spawn + wait latency, median ({min_threads} thread)"),
        "microseconds (log scale)",
        Cell::median_us,
        SeriesLabelPosition::UpperLeft,
    )?;
    let all: Vec<_> = cells.iter().collect();
    panel(
        &right,
        &all,
        "throughput",
        "spawns per second (log scale)",
        Cell::spawns_per_sec,
        // Clear of the lines: the fork methods fall away below it.
        SeriesLabelPosition::MiddleRight,
    )?;
    root.present().map_err(plot_err)
}

fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    cells: &[&Cell],
    title: &str,
    y_desc: &str,
    value: fn(&Cell) -> f64,
    legend: SeriesLabelPosition,
) -> io::Result<()> {
    let max_rss = cells.iter().map(|c| c.rss_mib).max().unwrap_or(0).max(1) as f64;
    let (lo, hi) = cells
        .iter()
        .map(|c| value(c))
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo <= hi {
        (lo / 2.0, hi * 2.0)
    } else {
        (1.0, 10.0)
    };

    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(-max_rss * 0.03..max_rss * 1.03, (lo..hi).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("parent resident memory touched (MiB)")
        .y_desc(y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(plot_err)?;

    let mut threads: Vec<usize> = cells.iter().map(|c| c.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    for method in Method::ALL {
        for &t in &threads {
            let mut points: Vec<(f64, f64)> = cells
                .iter()
                .filter(|c| c.method == method && c.threads == t)
                .map(|c| (c.rss_mib as f64, value(c)))
                .collect();
            if points.is_empty() {
                continue;
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let style = color(method).stroke_width(if t == threads[0] { 3 } else { 1 });
            let label = match threads.len() {
                1 => method.name().to_owned(),
                _ => format!("{} ({t} thr)", method.name()),
            };
            chart
                .draw_series(LineSeries::new(points.clone(), style))
                .map_err(plot_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 4, style.filled())))
                .map_err(plot_err)?;
        }
    }
    chart
        .configure_series_labels()
        .position(legend)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_err)
}
