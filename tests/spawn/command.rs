//! Each `Command` option, observed from inside the child.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;

use colaunch::{Command, SignalMask, Stdio, Strategy};

use crate::common::{bit, status_mask};

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().expect("spawn");
    assert!(
        output.status.success(),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn test_command_args_reach_the_child_in_order() {
    let out = stdout_of(Command::new("printf").arg("%s|").args(["a b", "", "c"]));
    assert_eq!(out, "a b||c|");
}

#[test]
fn test_command_arg0_replaces_argv0() {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg0("custom-name")
        .args(["-c", "tr '\\0' '\\n' < /proc/$$/cmdline | head -n 1"]);
    assert_eq!(stdout_of(&mut cmd), "custom-name\n");
}

#[test]
fn test_command_env_set_and_remove() {
    // SAFETY: no other thread of this test binary reads this variable.
    unsafe { std::env::set_var("COLAUNCH_TEST_REMOVED", "parent") };
    let mut cmd = Command::new("env");
    cmd.env("COLAUNCH_TEST_SET", "one")
        .envs([("COLAUNCH_TEST_B", "two")]);
    cmd.env_remove("COLAUNCH_TEST_REMOVED");
    let out = stdout_of(&mut cmd);
    assert!(out.lines().any(|l| l == "COLAUNCH_TEST_SET=one"), "{out}");
    assert!(out.lines().any(|l| l == "COLAUNCH_TEST_B=two"), "{out}");
    assert!(!out.contains("COLAUNCH_TEST_REMOVED"), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("PATH=")),
        "inherited PATH missing: {out}"
    );
}

#[test]
fn test_command_env_clear_leaves_only_what_is_set() {
    let out = stdout_of(Command::new("/usr/bin/env").env_clear().env("ONLY", "this"));
    assert_eq!(out, "ONLY=this\n");
}

/// Writes an executable `#!/bin/sh` script `name` in `dir` that prints
/// `line`.
fn write_script(dir: &std::path::Path, name: &str, line: &str) -> std::path::PathBuf {
    let script = dir.join(name);
    std::fs::write(&script, format!("#!/bin/sh\necho {line}\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn test_command_current_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout_of(Command::new("pwd").current_dir(dir.path()));
    let expected = dir.path().canonicalize().unwrap();
    assert_eq!(out.trim_end(), expected.to_str().unwrap());
}

#[test]
fn test_command_relative_program_resolves_against_current_dir() {
    let dir = tempfile::tempdir().unwrap();
    write_script(dir.path(), "hello.sh", "from-script");
    let out = stdout_of(Command::new("./hello.sh").current_dir(dir.path()));
    assert_eq!(out, "from-script\n");
}

#[test]
fn test_command_path_lookup_uses_the_child_path() {
    let dir = tempfile::tempdir().unwrap();
    write_script(dir.path(), "colaunch-only-here", "found-in-child-path");
    let path = format!("{}:/usr/bin:/bin", dir.path().display());
    let out = stdout_of(Command::new("colaunch-only-here").env("PATH", path));
    assert_eq!(out, "found-in-child-path\n");
}

#[test]
fn test_command_path_lookup_skips_entries_longer_than_path_max() {
    // glibc's execvp passes over such an entry rather than fail with
    // ENAMETOOLONG; so must the search, one long name or many parts.
    let dir = tempfile::tempdir().unwrap();
    write_script(dir.path(), "colaunch-after-long", "after-long");
    let long_name = format!("/{}", "x".repeat(5000));
    let many_parts = "/y".repeat(2100);
    for long in [long_name, many_parts] {
        let path = format!("{long}:{}", dir.path().display());
        let out = stdout_of(Command::new("colaunch-after-long").env("PATH", path));
        assert_eq!(out, "after-long\n");
    }
}

#[test]
fn test_command_path_lookup_skips_a_non_executable_match() {
    // execvp(3) goes on past EACCES and runs a later match.
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    std::fs::write(first.path().join("prog"), "#!/bin/sh\necho wrong\n").unwrap();
    write_script(second.path(), "prog", "right");
    let path = format!("{}:{}", first.path().display(), second.path().display());
    assert_eq!(stdout_of(Command::new("prog").env("PATH", path)), "right\n");
}

#[test]
fn test_command_stdin_piped() {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"through the pipe")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.stdout, b"through the pipe");
}

#[test]
fn test_command_stdio_null() {
    let output = Command::new("cat").output().unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty(), "stdin of output() is /dev/null");
    let status = Command::new("sh")
        .args(["-c", "echo x"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn test_command_stdout_to_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    let file = std::fs::File::create(&path).unwrap();
    let status = Command::new("echo")
        .arg("into a file")
        .stdout(file)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(path).unwrap(), "into a file\n");
}

#[test]
fn test_command_stdout_of_one_child_feeds_another() {
    let mut first = Command::new("echo")
        .arg("piped along")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = first.stdout.take().unwrap();
    let second = Command::new("cat").stdin(out).output().unwrap();
    assert!(first.wait().unwrap().success());
    assert_eq!(second.stdout, b"piped along\n");
}

fn pipe() -> (std::fs::File, OwnedFd) {
    let (read, write) = std::io::pipe().unwrap();
    (
        std::fs::File::from(OwnedFd::from(read)),
        OwnedFd::from(write),
    )
}

#[test]
fn test_command_fd_hands_a_descriptor_to_the_child() {
    let (mut read, write) = pipe();
    let status = Command::new("sh")
        .args(["-c", "echo on-fd-7 >&7"])
        .fd(7, write)
        .status()
        .unwrap();
    assert!(status.success());
    let mut got = String::new();
    read.read_to_string(&mut got).unwrap();
    assert_eq!(got, "on-fd-7\n");
}

#[test]
fn test_command_fd_at_the_largest_number_is_an_error_not_a_panic() {
    // No descriptor lies above i32::MAX to move the pipe's source to.
    for child_fd in [i32::MAX, i32::MAX - 1] {
        let (_read, write) = pipe();
        let err = Command::new("true")
            .fd(child_fd, write)
            .spawn()
            .unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(libc::EINVAL),
            "fd {child_fd}: {err}"
        );
    }
}

#[test]
fn test_command_fd_swapped_numbers_do_not_clobber_each_other() {
    // Map A onto B's number and B onto A's: a naive dup2 sequence would
    // overwrite one source before reading it.
    let (mut read_a, write_a) = pipe();
    let (mut read_b, write_b) = pipe();
    let (num_a, num_b) = (write_a.as_raw_fd(), write_b.as_raw_fd());
    // Through /proc: dash's `>&N` takes only one digit, and under a busy
    // test runner the numbers are often larger.
    let script = format!("echo to-a >/proc/self/fd/{num_b}; echo to-b >/proc/self/fd/{num_a}");
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script])
        .fd(num_b, write_a)
        .fd(num_a, write_b);
    assert!(cmd.status().unwrap().success());
    drop(cmd);
    let (mut a, mut b) = (String::new(), String::new());
    read_a.read_to_string(&mut a).unwrap();
    read_b.read_to_string(&mut b).unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("to-a\n", "to-b\n"));
}

#[test]
fn test_command_process_group_zero_makes_a_new_group() {
    let mut child = Command::new("sleep")
        .arg("30")
        .process_group(0)
        .spawn()
        .unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    assert_eq!(fields[2], child.id().to_string(), "pgrp field of {stat}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn test_command_signal_mask_is_installed_in_the_child() {
    let mask: SignalMask = [libc::SIGINT, libc::SIGUSR2].into_iter().collect();
    let out = stdout_of(
        Command::new("cat")
            .arg("/proc/self/status")
            .signal_mask(mask),
    );
    assert_eq!(
        status_mask(&out, "SigBlk"),
        bit(libc::SIGINT) | bit(libc::SIGUSR2)
    );
}

#[test]
fn test_command_fork_strategy_works_without_sharing_memory() {
    let mut child = Command::new("true")
        .strategy(Strategy::Fork)
        .spawn()
        .unwrap();
    assert!(!child.shared_address_space());
    assert!(child.wait().unwrap().success());
}

#[test]
fn test_command_fd_zero_replaces_the_output_default_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.txt");
    std::fs::write(&path, "from the file\n").unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let output = Command::new("cat")
        .fd(0, OwnedFd::from(file))
        .output()
        .unwrap();
    assert_eq!(output.stdout, b"from the file\n");
}
