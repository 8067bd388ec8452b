//! Out of descriptors, address space or argument room: a clear errno every
//! time, and nothing left behind however often it happens.  (Out of
//! processes, RLIMIT_NPROC, is in tests/spawn/resources.rs.)

use colaunch::{Command, Stdio};

use crate::common::{assert_shared, fd_count, map_count, under_qemu, zombie_children};
use crate::{inner_test, skip};

fn set_soft_limit(resource: libc::__rlimit_resource_t, soft: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain limit calls on this process with a live struct.
    unsafe {
        assert_eq!(libc::getrlimit(resource, &mut limit), 0);
        limit.rlim_cur = soft.min(limit.rlim_max);
        assert_eq!(libc::setrlimit(resource, &limit), 0);
    }
}

/// The limit below which exactly `free` descriptor numbers are unused:
/// what the kernel hands out next is the lowest free number, so with this
/// limit the `free + 1`-th new descriptor fails with EMFILE.  (Open
/// descriptors above it, such as an inherited jobserver, do not matter.)
fn limit_with_free_slots(free: u64) -> u64 {
    let open: std::collections::HashSet<u64> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .collect();
    let mut holes = 0;
    (0..)
        .find(|n| {
            let done = holes == free;
            if !open.contains(n) {
                holes += 1;
            }
            done
        })
        .unwrap()
}

inner_test! {
    fn test_exhaustion_descriptors_give_emfile_and_leak_nothing() {
        // A spawn with piped stdout needs five new descriptors at once (the
        // stdout pipe, the error pipe, the pidfd), so limits leaving 0 to 5
        // free make it fail at each of those steps in turn.
        let mut cmd = Command::new("/bin/true");
        cmd.stdout(Stdio::piped());
        assert!(cmd.status().unwrap().success()); // warm up
        let (fds, maps) = (fd_count(), map_count());
        // Reading /proc/self/fd needs a descriptor too: compute them all
        // before lowering the limit.
        let limits: Vec<u64> = (0..6).map(limit_with_free_slots).collect();
        let (mut failed, mut ran) = (0, 0);
        for (extra, &limit) in limits.iter().enumerate() {
            set_soft_limit(libc::RLIMIT_NOFILE, limit);
            for _ in 0..500 {
                match cmd.spawn() {
                    Ok(mut child) => {
                        assert!(child.wait().unwrap().success());
                        ran += 1;
                    }
                    Err(e) => {
                        assert_eq!(e.raw_os_error(), Some(libc::EMFILE), "limit +{extra}: {e}");
                        failed += 1;
                    }
                }
            }
        }
        eprintln!("exhaustion: EMFILE {failed} times, ran {ran} times");
        assert!(failed >= 500, "the limit never bit");
        assert!(ran > 0, "no limit was high enough to spawn");
        set_soft_limit(libc::RLIMIT_NOFILE, 1024);
        assert_eq!(fd_count(), fds, "descriptors leaked");
        assert_eq!(map_count(), maps, "mappings leaked");
        assert!(zombie_children().is_empty());
    }
}

/// This process's address-space size in bytes, from `/proc/self/status`.
fn vm_size() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmSize:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

inner_test! {
    fn test_exhaustion_address_space_for_the_child_stack_is_enomem() {
        if under_qemu() {
            skip!("qemu-user does not apply RLIMIT_AS to the guest");
        }
        // A thread that has never spawned owns no child stack yet; start
        // it before the limit, since its own stack needs room too.
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let (ready, started) = std::sync::mpsc::channel::<()>();
        let spawner = std::thread::spawn(move || {
            // Running here means the thread's own set-up (its signal stack
            // among it) is done before the limit.
            ready.send(()).unwrap();
            wait.recv().unwrap();
            let (fds, maps) = (fd_count(), map_count());
            for i in 0..2_000 {
                // A child that got through fails the test, and says so
                // if it was forked instead.
                let err = match Command::new("/bin/true").spawn() {
                    Ok(child) => {
                        assert_shared(&child, "spawn under RLIMIT_AS");
                        panic!("spawn {i}: the child stack fit under RLIMIT_AS");
                    }
                    Err(err) => err,
                };
                assert_eq!(err.raw_os_error(), Some(libc::ENOMEM), "spawn {i}: {err}");
            }
            assert_eq!(fd_count(), fds, "descriptors leaked");
            assert_eq!(map_count(), maps, "mappings leaked");
        });
        started.recv().unwrap();
        set_soft_limit(libc::RLIMIT_AS, vm_size());
        go.send(()).unwrap();
        spawner.join().expect("the spawner failed");
        set_soft_limit(libc::RLIMIT_AS, u64::MAX);
        assert!(Command::new("/bin/true").status().unwrap().success());
    }
}

#[test]
fn test_exhaustion_oversize_lists_are_e2big() {
    // Linux allows a quarter of the stack limit for arguments and
    // environment together (ARG_MAX); 64 MiB is far beyond any default.
    let many: Vec<String> = (0..65_536).map(|i| format!("{i:01023}")).collect();
    let err = Command::new("/bin/true").args(&many).spawn().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::E2BIG), "{err}");
    let env = many
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("COLAUNCH_BIG_{i}"), v));
    let err = Command::new("/bin/true")
        .env_clear()
        .envs(env)
        .spawn()
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::E2BIG), "{err}");
}
