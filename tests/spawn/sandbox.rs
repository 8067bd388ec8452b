//! Spawning under seccomp filters (docs/scenarios.md S4, S9, S11).
//!
//! Each test installs a real filter in a fresh copy of the test binary.
//! qemu-user refuses filters (they would apply to its own host calls), so
//! there, and only there (`COLAUNCH_TEST_QEMU=1`), these tests say
//! `skipped:`; elsewhere a refused filter fails the test.  The fallback
//! chain itself is still exercised under qemu, whose missing clone3 walks
//! it for real.

use colaunch::{Command, Mechanism};
use seccompiler::{SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompRule};

use crate::common::{install_filter, under_qemu};
use crate::{inner_test, skip};

const CLONE_PIDFD: u64 = 0x1000;

/// Installs "answer `syscall` with `action`"; skips the test if qemu-user
/// refuses the filter, and fails it if anything else does.
macro_rules! filter_or_skip {
    ($rules:expr, $action:expr) => {
        match install_filter($rules, $action) {
            Ok(()) => {}
            Err(e) if under_qemu() => skip!("qemu-user refuses seccomp filters: {e}"),
            Err(e) => panic!("cannot install a seccomp filter outside qemu-user: {e}"),
        }
    };
}

fn spawn_true() -> Mechanism {
    let mut child = Command::new("true")
        .spawn()
        .expect("spawn under the filter");
    assert!(child.wait().unwrap().success());
    child.mechanism()
}

/// A sandbox answers clone3 with `errno`: spawning goes on through clone
/// with CLONE_PIDFD, and the choice is cached: once made, a filter that
/// kills the process on clone3 is never triggered.
fn clone3_answered_with(errno: i32) {
    filter_or_skip!(
        vec![(libc::SYS_clone3, vec![])],
        SeccompAction::Errno(errno as u32)
    );
    assert_eq!(spawn_true(), Mechanism::Clone);

    filter_or_skip!(vec![(libc::SYS_clone3, vec![])], SeccompAction::KillProcess);
    for _ in 0..100 {
        assert_eq!(spawn_true(), Mechanism::Clone);
    }
}

// moby/moby#42680: clone3 answered with EPERM broke glibc.
inner_test! {
    fn test_sandbox_clone3_eperm_falls_back_and_caches() {
        clone3_answered_with(libc::EPERM);
    }
}

inner_test! {
    fn test_sandbox_clone3_enosys_falls_back_and_caches() {
        clone3_answered_with(libc::ENOSYS);
    }
}

inner_test! {
    fn test_sandbox_clone3_einval_falls_back_and_caches() {
        clone3_answered_with(libc::EINVAL);
    }
}

inner_test! {
    fn test_sandbox_clone_pidfd_einval_falls_back_to_pidfd_open() {
        let pidfd_bit = SeccompCondition::new(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(CLONE_PIDFD),
            CLONE_PIDFD,
        )
        .unwrap();
        let rules = vec![
            (libc::SYS_clone3, vec![]),
            (libc::SYS_clone, vec![SeccompRule::new(vec![pidfd_bit]).unwrap()]),
        ];
        filter_or_skip!(rules, SeccompAction::Errno(libc::EINVAL as u32));
        for _ in 0..10 {
            assert_eq!(spawn_true(), Mechanism::CloneThenPidfdOpen);
        }
    }
}

// golang/go#69065: probing a new syscall at start-up killed the process.
inner_test! {
    fn test_sandbox_no_probe_before_spawn_and_descriptor_switch() {
        let pidfd_bit = SeccompCondition::new(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(CLONE_PIDFD),
            CLONE_PIDFD,
        )
        .unwrap();
        let rules = vec![
            (libc::SYS_clone3, vec![]),
            (libc::SYS_pidfd_open, vec![]),
            (libc::SYS_pidfd_send_signal, vec![]),
            (libc::SYS_clone, vec![SeccompRule::new(vec![pidfd_bit]).unwrap()]),
        ];
        filter_or_skip!(rules, SeccompAction::KillProcess);

        // Building commands probes nothing.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "exit 7"]).env("K", "V").descriptor(false);
        assert_eq!(cmd.get_args().count(), 2);

        // With the descriptor switched off, no descriptor syscall is made.
        let mut child = cmd.spawn().expect("spawn without descriptor");
        assert_eq!(child.mechanism(), Mechanism::CloneNoDescriptor);
        assert_eq!(child.wait().unwrap().code(), Some(7));
        let mut sleeper = Command::new("sleep").arg("30").descriptor(false).spawn().unwrap();
        sleeper.kill().unwrap();
        assert_eq!(sleeper.wait().unwrap().signal(), Some(libc::SIGKILL));
    }
}

// glibc BZ 22273: the child dies between clone and exec.
inner_test! {
    fn test_sandbox_child_killed_before_exec_is_reported_not_hung() {
        // The filter is inherited by the child, which dies of SIGSYS in
        // execve; this process never calls execve again.
        filter_or_skip!(vec![(libc::SYS_execve, vec![])], SeccompAction::KillProcess);
        for _ in 0..20 {
            match Command::new("true").spawn() {
                Ok(mut child) => {
                    let status = child.wait().unwrap();
                    assert_eq!(status.signal(), Some(libc::SIGSYS), "{status}");
                }
                Err(e) => assert!(e.raw_os_error().is_some(), "unexpected error {e}"),
            }
        }
        assert!(crate::common::zombie_children().is_empty());
    }
}
