//! Nothing leaks across failed spawns (docs/scenarios.md S7, S8).

use colaunch::Command;

use crate::common::{fd_count, map_count, under_qemu, zombie_children};
use crate::{inner_test, skip};

fn failures(n: usize, cmd: &mut Command, errno: i32) {
    for i in 0..n {
        let err = cmd.spawn().expect_err("spawn should fail");
        assert_eq!(err.raw_os_error(), Some(errno), "spawn {i}: {err}");
    }
}

// glibc BZ 31695: a descriptor leaked on each failed exec.
inner_test! {
    fn test_spawn_failed_exec_leaks_nothing() {
        // qemu-user turns each spawn into a fork of the emulator, which is
        // slow; fewer rounds there still show a per-spawn leak.
        let rounds = if under_qemu() { 1_000 } else { 10_000 };
        let mut cmd = Command::new("/nonexistent/colaunch-test");
        failures(1, &mut cmd, libc::ENOENT); // the per-thread child stack
        let (fds, maps) = (fd_count(), map_count());
        failures(rounds, &mut cmd, libc::ENOENT);
        assert_eq!(fd_count(), fds, "descriptors leaked over {rounds} failures");
        assert_eq!(map_count(), maps, "mappings leaked over {rounds} failures");
        assert!(zombie_children().is_empty());
    }
}

// glibc BZ 29109: the wrong errno when process creation fails.
inner_test! {
    fn test_spawn_process_limit_gives_eagain_and_leaks_nothing() {
        // Root ignores RLIMIT_NPROC, so become nobody first.
        // SAFETY: plain credential and limit calls on this process.
        unsafe {
            if libc::geteuid() == 0 && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                skip!("cannot drop root privileges here");
            }
            let limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            assert_eq!(libc::setrlimit(libc::RLIMIT_NPROC, &limit), 0);
        }
        let mut cmd = Command::new("true");
        failures(1, &mut cmd, libc::EAGAIN);
        let (fds, maps) = (fd_count(), map_count());
        failures(1_000, &mut cmd, libc::EAGAIN);
        assert_eq!(fd_count(), fds, "descriptors leaked");
        assert_eq!(map_count(), maps, "mappings leaked");
    }
}
