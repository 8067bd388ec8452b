use super::*;
use crate::command::Stdio;

const INHERIT: [StdioKind; 3] = [StdioKind::Inherit, StdioKind::Inherit, StdioKind::Inherit];

fn strings(array: &CStringArray) -> Vec<String> {
    array
        .strings
        .iter()
        .map(|s| s.to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn test_plan_candidates_follow_path_order() {
    let program = CString::new("prog").unwrap();
    let list = program_candidates(program, Some(OsStr::new("/a::/b/"))).unwrap();
    assert_eq!(strings(&list), ["/a/prog", "./prog", "/b//prog"]);
}

#[test]
fn test_plan_candidates_default_path_and_slash() {
    let list = program_candidates(CString::new("prog").unwrap(), None).unwrap();
    assert_eq!(strings(&list), ["/bin/prog", "/usr/bin/prog"]);
    let list = program_candidates(CString::new("./prog").unwrap(), None).unwrap();
    assert_eq!(strings(&list), ["./prog"]);
    let err = program_candidates(CString::new("").unwrap(), None)
        .err()
        .unwrap();
    assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
}

#[test]
fn test_plan_argv_and_arrays_are_null_terminated() {
    let mut cmd = Command::new("prog");
    cmd.arg0("zero").args(["one", "two"]);
    let plan = Plan::new(&cmd, INHERIT).unwrap();
    assert_eq!(strings(&plan.argv), ["zero", "one", "two"]);
    assert_eq!(plan.argv.ptrs.len(), 4);
    assert!(plan.argv.ptrs[3].is_null());
    assert!(plan.envp.ptrs.last().unwrap().is_null());
    assert!(plan.candidates.ptrs.last().unwrap().is_null());
}

#[test]
fn test_plan_env_changes_override_and_remove() {
    let mut cmd = Command::new("prog");
    cmd.env_clear()
        .env("B", "2")
        .env("A", "1")
        .env("PATH", "/only")
        .env_remove("B");
    let plan = Plan::new(&cmd, INHERIT).unwrap();
    assert_eq!(strings(&plan.envp), ["A=1", "PATH=/only"]);
    assert_eq!(strings(&plan.candidates), ["/only/prog"]);
}

#[test]
fn test_plan_env_name_with_equals_is_invalid() {
    let err = Plan::new(Command::new("prog").env("A=B", "1"), INHERIT)
        .err()
        .unwrap();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn test_plan_sources_that_are_targets_are_moved_above_all_targets() {
    let (a, b) = pipe().unwrap();
    let (na, nb) = (a.as_raw_fd(), b.as_raw_fd());
    let mut cmd = Command::new("prog");
    cmd.fd(nb, a).fd(na, b);
    let plan = Plan::new(&cmd, INHERIT).unwrap();
    let targets: Vec<RawFd> = plan.actions.iter().map(|x| x.dst).collect();
    assert_eq!(targets, [nb, na]);
    for action in &plan.actions {
        assert!(action.src > plan.max_target, "{action:?} not moved");
    }
    assert_eq!(plan.max_target, na.max(nb));
}

#[test]
fn test_plan_stdio_actions() {
    let mut cmd = Command::new("prog");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    let plan = Plan::new(&cmd, INHERIT).unwrap();
    let targets: Vec<RawFd> = plan.actions.iter().map(|x| x.dst).collect();
    assert_eq!(targets, [0, 1]);
    assert!(plan.parent_pipes[0].is_none());
    assert!(plan.parent_pipes[1].is_some());
    assert_eq!(
        plan.temporary.len(),
        2,
        "/dev/null and the child's pipe end"
    );
}

#[test]
fn test_plan_error_pipe_is_above_every_target() {
    let (_, w) = pipe().unwrap();
    let mut cmd = Command::new("prog");
    cmd.fd(200, w);
    let plan = Plan::new(&cmd, INHERIT).unwrap();
    let (_, write) = plan.error_pipe().unwrap();
    assert!(write.as_raw_fd() > 200);
    // SAFETY: F_GETFD only reads the flags of a descriptor we own.
    let flags = unsafe { libc::fcntl(write.as_raw_fd(), libc::F_GETFD) };
    assert_ne!(flags & libc::FD_CLOEXEC, 0);
}

#[test]
fn test_plan_fd_onto_a_defaulted_stream_replaces_the_default() {
    // output() defaults stdin to /dev/null; an explicit fd 0 wins.
    let (read, _write) = pipe().unwrap();
    let src = read.as_raw_fd();
    let mut cmd = Command::new("prog");
    cmd.fd(0, read);
    let plan = Plan::new(&cmd, [StdioKind::Null, StdioKind::Piped, StdioKind::Piped]).unwrap();
    let onto_stdin: Vec<_> = plan.actions.iter().filter(|a| a.dst == 0).collect();
    assert_eq!(onto_stdin.len(), 1, "{:?}", plan.actions);
    assert!(onto_stdin[0].src == src || onto_stdin[0].src > plan.max_target);

    // Set explicitly as well, it is still a conflict, inherit included
    // (which makes no move of its own).
    for stdin in [Stdio::null(), Stdio::inherit()] {
        let (read, _write) = pipe().unwrap();
        let mut cmd = Command::new("prog");
        cmd.stdin(stdin).fd(0, read);
        let err = Plan::new(&cmd, INHERIT).err().expect("a conflict");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("child descriptor 0"), "{err}");
    }
}
