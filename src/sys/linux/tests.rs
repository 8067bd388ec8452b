use super::*;
use crate::command::Command;
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

// The child must run on its own stack (golang/go#20732): the address it
// saw on its stack lies outside this thread's stack.
#[test]
fn test_spawn_child_runs_on_its_own_stack() {
    let spawned = spawn_raw(Command::new("true").strategy(Strategy::Vfork));
    if !spawned.shared_memory {
        eprintln!("skipped: vfork is emulated as fork here (qemu-user), nothing to observe");
        return reap(spawned);
    }
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
    if !spawned.shared_memory {
        eprintln!("skipped: vfork is emulated as fork here (qemu-user), nothing to observe");
        return reap(spawned);
    }
    // The kernel never lets SIGKILL or SIGSTOP be blocked.
    let unblockable = 1 << (libc::SIGKILL - 1) | 1 << (libc::SIGSTOP - 1);
    let mask = spawned.child_start_mask[0];
    assert_eq!(mask, !unblockable, "mask {mask:#x}");
    reap(spawned);
}

#[test]
fn test_spawn_restores_the_parent_mask() {
    let before = block_all_signals();
    restore_mask(before);
    reap(spawn_raw(&Command::new("true")));
    let after = block_all_signals();
    restore_mask(after);
    assert_eq!(before, after);
}

#[test]
fn test_tier_is_cached_after_a_spawn() {
    reap(spawn_raw(&Command::new("true")));
    assert_ne!(cached_tier(), Tier::Unknown);
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
    let old = block_all_signals();
    let result = clone_with_fallback(cached_tier(), false, &stack, &mut args);
    restore_mask(old);
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
