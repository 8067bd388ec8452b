//! Tests of the FreeBSD backend that need a FreeBSD kernel; they compile
//! in `.ci/freebsd-check` but have not been run (docs/platforms.md).  The
//! platform-independent decisions are tested on every host in
//! `decide/tests.rs`.

use super::*;
use crate::command::{Command, StdioKind, Strategy};
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
/// `pthread_attr_get_np(3)`.
fn own_stack_range() -> std::ops::Range<usize> {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    let mut addr = std::ptr::null_mut();
    let mut size = 0;
    // SAFETY: attr is initialised, filled, read and destroyed once.
    unsafe {
        assert_eq!(libc::pthread_attr_init(attr.as_mut_ptr()), 0);
        assert_eq!(
            libc::pthread_attr_get_np(libc::pthread_self(), attr.as_mut_ptr()),
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

// The RFSPAWN child must run on its own stack, never the parent's: the
// return-address hazard of amd64 (posix_spawn.c's comment).
#[test]
fn test_spawn_child_runs_on_its_own_stack() {
    if !kernel().pdrfork {
        eprintln!("skipped: no pdrfork(2) here (FreeBSD 15.1), so no shared stack to check");
        return;
    }
    let spawned = spawn_raw(Command::new("true").strategy(Strategy::Vfork));
    assert!(spawned.shared_memory, "RFSPAWN shares the address space");
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

#[test]
fn test_spawn_child_starts_with_all_signals_blocked() {
    if !kernel().pdrfork {
        eprintln!("skipped: a pdfork child's writes are not visible to the parent");
        return;
    }
    let spawned = spawn_raw(&Command::new("true"));
    // The kernel never lets SIGKILL or SIGSTOP be blocked.
    let unblockable = 1 << (libc::SIGKILL - 1) | 1 << (libc::SIGSTOP - 1);
    assert_eq!(spawned.child_start_mask, [!unblockable, u64::MAX]);
    reap(spawned);
}

#[test]
fn test_spawn_restores_the_parent_mask() {
    let before = raw::current_mask();
    reap(spawn_raw(&Command::new("true")));
    assert_eq!(raw::current_mask(), before);
}

#[test]
fn test_spawn_pdfork_strategy_copies_memory() {
    let spawned = spawn_raw(Command::new("true").strategy(Strategy::Fork));
    assert_eq!(spawned.mechanism, crate::Mechanism::Pdfork);
    assert!(!spawned.shared_memory);
    assert!(spawned.descriptor.is_some());
    reap(spawned);
}

#[test]
fn test_kernel_probe_is_cached_and_survives_sigsys() {
    // Probing twice must not kill the process, whatever the kernel has.
    let first = probe::kernel();
    assert_eq!(probe::kernel(), first);
    let _ = kernel();
    assert_ne!(KERNEL.load(Ordering::Relaxed) & KNOWN, 0);
}
