//! Many spawns, successes and every kind of failure mixed, with the
//! descriptor, mapping and memory levels checked at the end.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use colaunch::{Command, Stdio};

use crate::common::{fd_count, map_count, under_qemu, zombie_children};
use crate::inner_test;

/// Resident memory of this process in KiB, from `/proc/self/status`.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// RSS may grow this much over a run: allocator arenas and page-cache
/// effects, not a per-spawn leak (100 000 spawns leaking even 64 bytes
/// each would exceed it).
const RSS_TOLERANCE_KIB: u64 = 4 * 1024;

/// The programs of the mix and the result each must give.
struct Mix {
    _dir: tempfile::TempDir,
    cases: Vec<(PathBuf, Option<i32>)>,
}

impl Mix {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage");
        std::fs::write(&garbage, b"\x01\x02 not a program\n").unwrap();
        std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cases = vec![
            (PathBuf::from("/bin/true"), None),
            (dir.path().join("missing"), Some(libc::ENOENT)),
            (dir.path().to_owned(), Some(libc::EACCES)),
            (garbage, Some(libc::ENOEXEC)),
        ];
        Self { _dir: dir, cases }
    }

    /// Spawns case `i % 4` and checks its result.
    fn run(&self, i: usize) {
        let (program, want) = &self.cases[i % self.cases.len()];
        run_case(program, *want);
    }
}

fn run_case(program: &Path, want: Option<i32>) {
    let result = Command::new(program).stdout(Stdio::null()).spawn();
    match (result, want) {
        (Ok(mut child), None) => {
            let status = child.wait().expect("wait");
            assert!(status.success(), "{program:?}: {status}");
        }
        (Err(e), Some(errno)) => assert_eq!(e.raw_os_error(), Some(errno), "{program:?}: {e}"),
        (Ok(_), Some(errno)) => panic!("{program:?} ran, expected errno {errno}"),
        (Err(e), None) => panic!("{program:?}: unexpected error {e}"),
    }
}

inner_test! {
    fn test_load_mixed_spawns_leave_levels_unchanged() {
        let rounds: usize = if under_qemu() { 4_000 } else { 100_000 };
        let mix = Mix::new();
        for i in 0..400 {
            mix.run(i); // warm up the allocator and the child stack
        }
        let (fds, maps, rss) = (fd_count(), map_count(), rss_kib());

        let start = Instant::now();
        for i in 0..rounds {
            mix.run(i);
        }
        let elapsed = start.elapsed();

        let (fds_after, maps_after, rss_after) = (fd_count(), map_count(), rss_kib());
        eprintln!(
            "load: {rounds} spawns (1/4 succeed) in {:.1} s, {:.0} spawns/s; \
             fds {fds} -> {fds_after}, maps {maps} -> {maps_after}, \
             rss {rss} -> {rss_after} KiB",
            elapsed.as_secs_f64(),
            rounds as f64 / elapsed.as_secs_f64(),
        );
        assert_eq!(fds_after, fds, "descriptors leaked");
        assert_eq!(maps_after, maps, "mappings leaked");
        assert!(rss_after <= rss + RSS_TOLERANCE_KIB, "RSS grew {rss} -> {rss_after} KiB");
        assert!(zombie_children().is_empty(), "zombies: {:?}", zombie_children());
    }
}

static SIGNALS_SEEN: AtomicU64 = AtomicU64::new(0);
static MAIN_PID: AtomicI32 = AtomicI32::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    // SAFETY: getpid is async-signal-safe.
    if unsafe { libc::getpid() } == MAIN_PID.load(Ordering::Relaxed) {
        SIGNALS_SEEN.fetch_add(1, Ordering::Relaxed);
    } else {
        // A handler in a child would be a broken signal policy.
        // SAFETY: _exit is async-signal-safe; the status is unmistakable.
        unsafe { libc::_exit(99) };
    }
}

/// Eight spawner threads, with allocator churn, lock contention and a
/// flood of caught signals around them; returns spawns per second.
fn stress_round(mix: &Arc<Mix>, per_thread: usize) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let lock = Arc::new(Mutex::new(Vec::<u64>::new()));
    let mut noise = Vec::new();
    for n in 0..2 {
        let stop_churn = stop.clone();
        noise.push(std::thread::spawn(move || {
            // Allocator churn: the child must never need its lock.
            let mut kept = Vec::new();
            while !stop_churn.load(Ordering::Relaxed) {
                kept.push(vec![n as u8; 1 + kept.len() % 4096]);
                if kept.len() > 512 {
                    kept.clear();
                }
            }
        }));
        let (stop, lock) = (stop.clone(), lock.clone());
        noise.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let mut held = lock.lock().unwrap();
                held.push(n);
                held.truncate(64);
            }
        }));
    }
    let signaller = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // SAFETY: signalling ourselves.
                unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
                std::thread::yield_now();
            }
        })
    };

    let start = Instant::now();
    let spawners: Vec<_> = (0..8)
        .map(|t| {
            let mix = mix.clone();
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    mix.run(i + t);
                }
            })
        })
        .collect();
    for spawner in spawners {
        spawner.join().expect("a spawner failed");
    }
    let rate = (8 * per_thread) as f64 / start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    signaller.join().unwrap();
    for thread in noise {
        thread.join().unwrap();
    }
    rate
}

inner_test! {
    fn test_load_eight_threads_under_signals_allocation_and_locks() {
        let per_thread: usize = if under_qemu() { 200 } else { 2_500 };
        // SAFETY: getpid cannot fail; a plain handler without SA_RESTART,
        // so that every blocking call of the spawners sees EINTR.
        unsafe {
            MAIN_PID.store(libc::getpid(), Ordering::Relaxed);
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = count_signal as extern "C" fn(libc::c_int) as usize;
            assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
        }
        let mix = Arc::new(Mix::new());

        // A first, short round lets the allocator set up its per-thread
        // arenas, which stay mapped after the threads end.
        stress_round(&mix, 20);
        let (fds, maps) = (fd_count(), map_count());
        let rate = stress_round(&mix, per_thread);

        eprintln!(
            "load: 8 threads, {} spawns, {rate:.0} spawns/s, {} signals caught meanwhile",
            8 * per_thread,
            SIGNALS_SEEN.load(Ordering::Relaxed),
        );
        assert!(SIGNALS_SEEN.load(Ordering::Relaxed) > 0, "the flood never arrived");
        assert_eq!(fd_count(), fds, "descriptors leaked");
        assert_eq!(map_count(), maps, "mappings leaked");
        assert!(zombie_children().is_empty());
    }
}
