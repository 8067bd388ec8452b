//! The signal policy (docs/scenarios.md S1, S13, S14, S18).
//!
//! Policy, as documented in the crate docs: every signal is blocked in the
//! spawning thread across the clone; caught signals are reset to default
//! in the child before anything is unblocked; ignored signals stay ignored
//! except SIGPIPE; the program starts with the spawning thread's mask or
//! the one given with `Command::signal_mask`.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::time::Duration;

use colaunch::{Command, SignalMask, Stdio};

use crate::common::{bit, status_mask};
use crate::inner_test;

/// The pid of the test process, a pipe that a handler writes to when it
/// finds itself running in any other process, and how many times it ran
/// in the test process.
static PARENT: AtomicI32 = AtomicI32::new(0);
static ALARM: AtomicI32 = AtomicI32::new(-1);
static CAUGHT: AtomicUsize = AtomicUsize::new(0);

extern "C" fn record_foreign_handler(_: libc::c_int) {
    // SAFETY: getpid and write are async-signal-safe; so is a lock-free
    // atomic add.
    unsafe {
        if libc::getpid() != PARENT.load(Ordering::Relaxed) {
            libc::write(ALARM.load(Ordering::Relaxed), b"!".as_ptr().cast(), 1);
        } else {
            CAUGHT.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn install_handler(signal: i32, handler: extern "C" fn(libc::c_int), restart: bool) {
    // SAFETY: a zeroed sigaction with a plain handler is valid.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        sa.sa_flags = if restart { libc::SA_RESTART } else { 0 };
        assert_eq!(libc::sigaction(signal, &sa, std::ptr::null_mut()), 0);
    }
}

fn child_status_file() -> String {
    let output = Command::new("cat")
        .arg("/proc/self/status")
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

// glibc BZ 14750: a parent's handler ran in the vfork child.
inner_test! {
    fn test_signals_flood_never_runs_a_handler_in_the_child() {
        let (read, write) = std::io::pipe().unwrap();
        use std::os::fd::AsRawFd;
        // SAFETY: getpid cannot fail; the flag makes the read end
        // non-blocking so the final check cannot hang.
        unsafe {
            PARENT.store(libc::getpid(), Ordering::Relaxed);
            libc::fcntl(read.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK);
        }
        ALARM.store(write.as_raw_fd(), Ordering::Relaxed);
        install_handler(libc::SIGUSR1, record_foreign_handler, true);

        // This copy runs in its own process group (see below), so the
        // flood reaches every child that has not yet exec'd, as a
        // terminal's ^C would.
        // SAFETY: setpgid on ourselves.
        unsafe { libc::setpgid(0, 0) };
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flood = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    // SAFETY: signalling our own process group.
                    unsafe { libc::kill(0, libc::SIGUSR1) };
                }
            })
        };
        let rounds = if crate::common::under_qemu() { 300 } else { 3_000 };
        for _ in 0..rounds {
            // A child may die of the flood after exec (SIGUSR1's default
            // action); spawning itself must never fail.
            let mut child = Command::new("true").stdout(Stdio::null()).spawn().unwrap();
            child.wait().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        flood.join().unwrap();

        let mut buf = [0u8; 1];
        let mut read = read;
        use std::io::Read;
        let foreign = matches!(read.read(&mut buf), Ok(1));
        assert!(!foreign, "a parent signal handler ran in a child");
        let caught = CAUGHT.load(Ordering::Relaxed);
        eprintln!("signals: {rounds} spawns, {caught} SIGUSR1 caught meanwhile");
        assert!(caught > 0, "the flood never reached this process");
    }
}

#[test]
fn test_signals_child_inherits_the_spawning_thread_mask() {
    // Block SIGUSR2 in a thread of our own, spawn from it.
    let status = std::thread::spawn(|| {
        // SAFETY: changes only this thread's mask.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR2);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        child_status_file()
    })
    .join()
    .unwrap();
    let blocked = status_mask(&status, "SigBlk");
    assert_eq!(
        blocked & bit(libc::SIGUSR2),
        bit(libc::SIGUSR2),
        "SigBlk {blocked:#x}"
    );
}

#[test]
fn test_signals_explicit_empty_mask_blocks_nothing() {
    let status = std::thread::spawn(|| {
        // SAFETY: changes only this thread's mask.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut set);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        let out = Command::new("cat")
            .arg("/proc/self/status")
            .signal_mask(SignalMask::empty())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(status_mask(&status, "SigBlk"), 0);
}

// rust-lang/rust#39185: inconsistent handling of ignored signals.
inner_test! {
    fn test_signals_ignored_stay_ignored_caught_are_reset_sigpipe_default() {
        // SAFETY: process-wide dispositions, in this copy of the binary.
        unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
        install_handler(libc::SIGUSR1, record_foreign_handler, true);
        let status = child_status_file();

        let ignored = status_mask(&status, "SigIgn");
        assert_ne!(ignored & bit(libc::SIGHUP), 0, "SIGHUP must stay ignored: {ignored:#x}");
        assert_eq!(ignored & bit(libc::SIGPIPE), 0, "SIGPIPE must be default: {ignored:#x}");
        assert_eq!(ignored & bit(libc::SIGUSR1), 0, "caught is not ignored: {ignored:#x}");
        assert_eq!(status_mask(&status, "SigCgt"), 0, "cat installs no handlers");
    }
}

extern "C" fn count_alarm(_: libc::c_int) {}

// rust-lang/rust PR 159855: wait surfaced EINTR.
inner_test! {
    fn test_signals_wait_retries_eintr() {
        install_handler(libc::SIGALRM, count_alarm, false);
        let every_ms = libc::timeval { tv_sec: 0, tv_usec: 1000 };
        let timer = libc::itimerval { it_interval: every_ms, it_value: every_ms };
        // SAFETY: a valid itimerval.
        unsafe { libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut()) };

        let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
        assert!(child.wait().unwrap().success());

        let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
        loop {
            match child.try_wait() {
                Ok(Some(status)) => break assert!(status.success()),
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => panic!("try_wait failed: {e}"),
            }
        }

        let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
        let status = child.wait_timeout(Duration::from_secs(60)).unwrap();
        assert!(status.expect("exited within the timeout").success());

        let output = Command::new("sh").args(["-c", "sleep 0.2; echo done"]).output().unwrap();
        assert_eq!(output.stdout, b"done\n");
    }
}

// musl's setxid race: a credential broadcast reached the vfork child.
inner_test! {
    fn test_signals_setxid_broadcast_during_spawns() {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let changer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut calls = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    // glibc makes every thread run setgid through its
                    // internal SIGSETXID, the spawning one included.
                    // SAFETY: setting our own gid again is always allowed.
                    assert_eq!(unsafe { libc::setgid(libc::getgid()) }, 0);
                    calls += 1;
                }
                calls
            })
        };
        let rounds = if crate::common::under_qemu() { 200 } else { 2_000 };
        for _ in 0..rounds {
            assert!(Command::new("true").status().unwrap().success());
        }
        stop.store(true, Ordering::Relaxed);
        assert!(changer.join().unwrap() > 0);
    }
}
