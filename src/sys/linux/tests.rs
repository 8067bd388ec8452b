use super::*;
use crate::command::{Command, StdioKind};
use crate::sys::spawn;

/// Spawns `cmd` through the backend, returning what the child reported.
fn spawn_raw(cmd: &Command) -> Spawned {
    let mut plan = Plan::new(
        cmd,
        [StdioKind::Inherit, StdioKind::Inherit, StdioKind::Inherit],
    )
    .expect("plan");
    spawn(&mut plan).expect("spawn")
}

fn reap(spawned: Spawned) {
    Process::new(spawned.pid, spawned.descriptor)
        .wait()
        .expect("wait");
}

/// The address range of the calling thread's stack, from
/// `pthread_getattr_np(3)`.
fn own_stack_range() -> std::ops::Range<usize> {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    let mut addr = std::ptr::null_mut();
    let mut size = 0;
    // SAFETY: attr is initialised by pthread_getattr_np and destroyed once.
    unsafe {
        assert_eq!(
            libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()),
            0
        );
        assert_eq!(
            libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size),
            0
        );
        libc::pthread_attr_destroy(attr.as_mut_ptr());
    }
    addr as usize..addr as usize + size
}

/// Whether this runs under qemu-user, where vfork is really a fork.  The
/// runner in `.cargo/config.toml` says so; the library under test is not
/// asked, so that a spawn that regressed to a fork fails here.
fn vfork_emulated() -> bool {
    std::env::var_os("COLAUNCH_TEST_QEMU").is_some_and(|v| v == "1")
}

const NOT_SHARED: &str = "the child did not share this address space: the vfork ran as a \
                          fork (under qemu-user, set COLAUNCH_TEST_QEMU=1)";

// The child must run on its own stack (golang/go#20732): the address it
// saw on its stack lies outside this thread's stack.
#[test]
fn test_spawn_child_runs_on_its_own_stack() {
    let spawned = spawn_raw(Command::new("true").strategy(Strategy::Vfork));
    if vfork_emulated() {
        eprintln!("skipped: vfork is emulated as fork here (qemu-user), nothing to observe");
        return reap(spawned);
    }
    assert!(spawned.shared_memory, "{NOT_SHARED}");
    let sp = spawned.child_sp;
    let parent_stack = own_stack_range();
    assert!(
        !parent_stack.contains(&sp),
        "child sp {sp:#x} in parent stack {parent_stack:x?}"
    );
    let range = ChildStack::spare_range().expect("the child stack is kept for reuse");
    assert!(
        range.contains(&sp),
        "child sp {sp:#x} outside the child stack {range:x?}"
    );
    reap(spawned);
}

// Every signal, the C library's internal 32 and 33 included, is blocked
// when the child starts (musl's setxid race, glibc BZ 14750).
#[test]
fn test_spawn_child_starts_with_all_signals_blocked() {
    let spawned = spawn_raw(&Command::new("true"));
    if vfork_emulated() {
        eprintln!("skipped: vfork is emulated as fork here (qemu-user), nothing to observe");
        return reap(spawned);
    }
    assert!(spawned.shared_memory, "{NOT_SHARED}");
    // The kernel never lets SIGKILL or SIGSTOP be blocked.
    let unblockable = 1 << (libc::SIGKILL - 1) | 1 << (libc::SIGSTOP - 1);
    let mask = spawned.child_start_mask[0];
    assert_eq!(mask, !unblockable, "mask {mask:#x}");
    reap(spawned);
}

#[test]
fn test_spawn_restores_the_parent_mask() {
    let before = raw::current_mask();
    reap(spawn_raw(&Command::new("true")));
    assert_eq!(raw::current_mask(), before);
}

#[test]
fn test_tier_is_cached_after_a_spawn() {
    let spawned = spawn_raw(&Command::new("true"));
    let expected = match spawned.mechanism {
        Mechanism::Clone3 => Tier::Clone3,
        Mechanism::Clone => Tier::ClonePidfd,
        Mechanism::CloneThenPidfdOpen => Tier::CloneThenOpen,
        other => panic!("a default spawn used {other:?}"),
    };
    reap(spawned);
    assert_eq!(cached_tier(), expected);
}

// Off the clone3 path, the calls a handle needs are checked on this
// process before any child is made: on this kernel they work.
#[test]
fn test_descriptor_calls_probe_passes_here() {
    probe_descriptor_calls().expect("pidfd_open and waitid(P_PIDFD) work here");
}

#[test]
fn test_clone3_missing_errors() {
    for errno in [libc::ENOSYS, libc::EPERM, libc::EINVAL] {
        assert!(
            clone3_missing(&io::Error::from_raw_os_error(errno)),
            "errno {errno}"
        );
    }
    for errno in [libc::EAGAIN, libc::ENOMEM] {
        assert!(
            !clone3_missing(&io::Error::from_raw_os_error(errno)),
            "errno {errno}"
        );
    }
}

// musl (2024): a child spun retrying a write to an error pipe whose
// reader was gone.  Here the reader is closed before the clone; the child
// fails its exec, writes once and must exit (by status 127, or killed by
// SIGPIPE, whose default it restored).
#[test]
fn test_child_exits_when_the_error_pipe_reader_is_gone() {
    let cmd = Command::new("/nonexistent/colaunch-test");
    let plan = Plan::new(
        &cmd,
        [StdioKind::Inherit, StdioKind::Inherit, StdioKind::Inherit],
    )
    .expect("plan");
    let (read, write) = plan.error_pipe().unwrap();
    drop(read);
    let mut args = plan.child_args(write.as_raw_fd(), [0, 0]);
    let stack = ChildStack::take().unwrap();
    let old = raw::block_all();
    let result = clone_with_fallback(cached_tier(), false, &stack, &mut args);
    let _ = raw::set_mask(&old);
    drop(write);
    ChildStack::give_back(stack);
    let (pid, descriptor, _) = result.expect("clone");
    let process = Process::new(pid, descriptor);
    let (status, _) = process
        .wait_timeout(std::time::Duration::from_secs(60))
        .unwrap()
        .expect("the child did not exit: it is spinning on the dead pipe");
    let exited = status.code() == Some(127) || status.signal() == Some(libc::SIGPIPE);
    assert!(exited, "unexpected status {status}");
}
