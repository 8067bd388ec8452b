//! The `Child` handle: waiting, signalling, output and the descriptor.

use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use colaunch::{Command, Stdio};

#[test]
fn test_child_id_is_the_process() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    // spawn returns once execve is past its point of no return; the
    // kernel renames the process a moment later.
    let comm = || std::fs::read_to_string(format!("/proc/{}/comm", child.id())).unwrap();
    let renamed = crate::common::eventually(std::time::Duration::from_secs(30), || {
        comm().trim() == "sleep"
    });
    assert!(renamed, "the child is {:?}", comm());
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
}

#[test]
fn test_child_exit_code() {
    let status = Command::new("sh").args(["-c", "exit 3"]).status().unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(status.to_string(), "exit status: 3");
    assert!(!status.success());
}

#[test]
fn test_child_try_wait_before_and_after_exit() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    assert_eq!(child.try_wait().unwrap(), None);
    child.signal(libc::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    assert_eq!(
        child.try_wait().unwrap(),
        Some(status),
        "the status is kept"
    );
}

#[test]
fn test_child_wait_timeout_expires_then_succeeds() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    assert_eq!(child.wait_timeout(Duration::from_millis(50)).unwrap(), None);
    child.kill().unwrap();
    let status = child.wait_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(status.and_then(|s| s.signal()), Some(libc::SIGKILL));
}

#[test]
fn test_child_wait_timeout_zero_polls() {
    let mut child = Command::new("true").spawn().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(child.wait_timeout(Duration::ZERO).unwrap(), Some(status));
}

#[test]
fn test_child_signal_after_reaping_is_harmless() {
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.kill().unwrap();
    child.signal(libc::SIGTERM).unwrap();
}

#[test]
fn test_child_signal_rejects_a_bad_number() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let err = child.signal(1000).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn test_child_wait_with_output_reads_both_streams_fully() {
    // Both streams far beyond a pipe's buffer: reading one after the other
    // would deadlock.
    let script = "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2";
    let output = Command::new("sh").args(["-c", script]).output().unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout.len(), 300_000);
    assert_eq!(output.stderr.len(), 200_000);
}

#[test]
fn test_child_descriptor_is_readable_when_the_child_exits() {
    let mut child = Command::new("sleep")
        .arg("30")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let poll = |child: &colaunch::Child, timeout_ms| {
        let mut pfd = libc::pollfd {
            fd: child.as_fd().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        (n, pfd.revents)
    };
    assert_eq!(poll(&child, 0), (0, 0), "not readable while running");
    child.kill().unwrap();
    let (n, revents) = poll(&child, 30_000);
    assert_eq!(n, 1);
    assert_ne!(revents & libc::POLLIN, 0);
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
}

#[test]
fn test_child_descriptor_names_the_child() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let fd = child.pidfd().expect("a pidfd by default").as_raw_fd();
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
    let pid_line = info
        .lines()
        .find(|l| l.starts_with("Pid:"))
        .expect("Pid: in fdinfo");
    assert_eq!(
        pid_line.split_whitespace().nth(1),
        Some(child.id().to_string().as_str())
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn test_child_resource_usage_after_wait() {
    let mut child = Command::new("sh")
        .args(["-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"])
        .spawn()
        .unwrap();
    assert_eq!(child.resource_usage(), None);
    assert!(child.wait().unwrap().success());
    let usage = child.resource_usage().expect("usage once reaped");
    assert!(usage.max_rss_kib > 0, "{usage:?}");
    assert!(
        !(usage.user_time + usage.system_time).is_zero(),
        "{usage:?}"
    );
}

#[test]
fn test_child_without_descriptor() {
    let mut child = Command::new("sleep")
        .arg("30")
        .descriptor(false)
        .spawn()
        .unwrap();
    assert!(child.pidfd().is_none());
    assert_eq!(child.mechanism(), colaunch::Mechanism::CloneNoDescriptor);
    assert_eq!(child.wait_timeout(Duration::from_millis(20)).unwrap(), None);
    child.signal(libc::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
}
