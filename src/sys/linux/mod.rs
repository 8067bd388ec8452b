//! Linux backend: `clone3`/`clone` with vfork semantics, held by a pidfd.
//!
//! # The fallback chain
//!
//! The first spawn probes, and the answer is kept for the whole process
//! (nothing is probed at load time):
//!
//! 1. `clone3(CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_CLEAR_SIGHAND)`
//!    ([Linux 5.3], `CLONE_CLEAR_SIGHAND` [Linux 5.5]).  `ENOSYS` (old
//!    kernel, qemu-user), `EPERM` (container seccomp profiles) or `EINVAL`
//!    (no `CLONE_CLEAR_SIGHAND`) move on.
//!
//!    Before any child is made on the steps below, the descriptor calls
//!    the handle needs are tried on this process itself: `pidfd_open`
//!    ([Linux 5.3]) and `waitid(P_PIDFD)` ([Linux 5.4]).  If either is
//!    missing, spawning fails with `Unsupported` before any child exists,
//!    rather than after the program has already started.
//! 2. `clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)` ([Linux 5.2]); the
//!    child resets caught handlers itself.  `EINVAL` (qemu-user) moves on.
//!    A pidfd slot left at -1 (a kernel that ignores the bit) is filled by
//!    `pidfd_open` as in step 3.
//! 3. `clone(CLONE_VM | CLONE_VFORK)` and then `pidfd_open(2)` on the
//!    still unreaped child, whose pid therefore cannot have been reused.
//!
//! [`Command::descriptor(false)`](crate::Command::descriptor) skips the
//! chain and makes no descriptor syscall at all.
//!
//! [Linux 5.2]: https://man7.org/linux/man-pages/man2/clone.2.html
//! [Linux 5.3]: https://man7.org/linux/man-pages/man2/pidfd_open.2.html
//! [Linux 5.4]: https://man7.org/linux/man-pages/man2/waitid.2.html
//! [Linux 5.5]: https://man7.org/linux/man-pages/man2/clone3.2.html

mod probe;
mod process;
pub(crate) mod raw;

use std::ffi::c_void;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::arch;
use crate::child::Mechanism;
use crate::child_side::{self, ChildArgs};
use crate::command::Strategy;
use crate::plan::Plan;
use crate::sys::Spawned;
use crate::sys::shared::{ChildStack, Wait, read_error};

pub(crate) use probe::probe;
pub(crate) use process::Process;

/// Signals 1 to 64 (`_NSIG` on x86_64 and aarch64).
pub(crate) const MAX_SIGNAL: i32 = 64;

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_CLEAR_SIGHAND: u64 = 1 << 32;
const CLONE_VM: u64 = libc::CLONE_VM as u64;
const CLONE_VFORK: u64 = libc::CLONE_VFORK as u64;

/// `struct clone_args` as of `CLONE_ARGS_SIZE_VER0` (64 bytes).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
}

/// The step of the fallback chain in use; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Tier {
    /// Also the starting point, before any spawn has succeeded.
    Clone3 = 1,
    ClonePidfd = 2,
    CloneThenOpen = 3,
    /// No descriptor syscalls at all; chosen per command, never cached.
    NoDescriptor = 4,
}

/// The tier that worked for this process, once one has.
static TIER: AtomicU8 = AtomicU8::new(Tier::Clone3 as u8);

fn cached_tier() -> Tier {
    match TIER.load(Ordering::Relaxed) {
        2 => Tier::ClonePidfd,
        3 => Tier::CloneThenOpen,
        _ => Tier::Clone3,
    }
}

/// Creates the child and reads its report; a child that could not run its
/// program is returned unreaped with the errno it sent.
pub(crate) fn start(plan: &mut Plan) -> io::Result<(Spawned, Option<i32>)> {
    if plan.colocation.is_some() {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "colocation needs a CheriBSD kernel with coexecve(2); this is Linux",
        ));
    }
    let fork = match plan.strategy {
        Strategy::Auto | Strategy::Vfork => false,
        Strategy::Fork => true,
    };

    let stack = ChildStack::take()?;
    let (err_read, err_write) = plan.error_pipe()?;

    // Block every signal, the C library's internal ones included (a raw
    // syscall, since libc wrappers filter those), so that no handler runs
    // in the child on shared memory and no set*id broadcast reaches it.
    let old_mask = raw::block_all();
    let mask = plan.signal_mask.unwrap_or(old_mask);
    let mut args = plan.child_args(err_write.as_raw_fd(), mask);
    let first = if plan.descriptor {
        cached_tier()
    } else {
        Tier::NoDescriptor
    };
    let result = clone_with_fallback(first, fork, &stack, &mut args);
    let _ = raw::set_mask(&old_mask);

    // Only the child's copy of the write end may remain, so that its exec
    // (close-on-exec) or exit ends the read below.
    drop(err_write);
    ChildStack::give_back(stack);
    let (pid, descriptor, mechanism) = result?;

    // A child seen sharing our memory has, now that the kernel let us
    // run, either exited after writing its record or passed the point of
    // no return of execve: do not wait for its close-on-exec.
    let wait = if args.observed_sp != 0 {
        Wait::Released
    } else {
        Wait::ForExec
    };
    let failure = match read_error(&err_read, wait) {
        Ok(failure) => failure,
        Err(e) => {
            Process::new(pid, descriptor).kill_and_reap();
            return Err(e);
        }
    };
    let spawned = Spawned {
        pid,
        descriptor,
        mechanism,
        shared_memory: args.observed_sp != 0,
        child_sp: args.observed_sp,
        child_start_mask: args.observed_mask,
    };
    Ok((spawned, failure))
}

type Cloned = (libc::pid_t, Option<OwnedFd>, Mechanism);

/// Walks the fallback chain from `tier`, caching the first that works.
fn clone_with_fallback(
    mut tier: Tier,
    fork: bool,
    stack: &ChildStack,
    args: &mut ChildArgs,
) -> io::Result<Cloned> {
    let vm = if fork { 0 } else { CLONE_VM | CLONE_VFORK };
    loop {
        let result = match tier {
            Tier::Clone3 => clone3(vm, stack, args),
            Tier::ClonePidfd => clone_pidfd(vm, stack, args),
            Tier::CloneThenOpen => clone_then_open(vm, stack, args),
            Tier::NoDescriptor => {
                clone_plain(vm, stack, args).map(|pid| (pid, None, Mechanism::CloneNoDescriptor))
            }
        };
        let next = match (tier, &result) {
            (Tier::NoDescriptor, _) => return result,
            (_, Ok((_, _, Mechanism::CloneThenPidfdOpen))) => Tier::CloneThenOpen,
            (_, Ok(_)) => tier,
            (Tier::Clone3, Err(e)) if clone3_missing(e) => {
                probe_descriptor_calls()?;
                Tier::ClonePidfd
            }
            (Tier::ClonePidfd, Err(e)) if e.raw_os_error() == Some(libc::EINVAL) => {
                Tier::CloneThenOpen
            }
            (_, Err(_)) => return result,
        };
        if result.is_ok() {
            if next != cached_tier() {
                TIER.store(next as u8, Ordering::Relaxed);
            }
            return result;
        }
        tier = next;
    }
}

/// The errors after which `clone3` is taken as unusable here.
fn clone3_missing(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOSYS | libc::EPERM | libc::EINVAL)
    )
}

fn child_entry() -> arch::ChildEntry {
    child_side::child_main
}

fn clone3(vm: u64, stack: &ChildStack, args: &mut ChildArgs) -> io::Result<Cloned> {
    let mut pidfd: libc::c_int = -1;
    let mut cl = CloneArgs {
        flags: vm | CLONE_PIDFD | CLONE_CLEAR_SIGHAND,
        pidfd: &raw mut pidfd as u64,
        exit_signal: libc::SIGCHLD as u64,
        stack: stack.base as u64,
        stack_size: stack.size as u64,
        ..CloneArgs::default()
    };
    args.reset_handlers = false;
    // SAFETY: `cl` describes a valid stack that nothing else uses (see
    // ChildStack), `child_main` never returns, and `args` outlives the
    // child's use of it (vfork: we are suspended until exec or exit; fork:
    // the child has a copy).  See the `arch` module docs.
    let ret = unsafe {
        arch::colaunch_linux_clone3(
            (&raw mut cl).cast(),
            size_of::<CloneArgs>(),
            child_entry(),
            (args as *mut ChildArgs).cast::<c_void>(),
        )
    };
    let pid = check(ret)?;
    // SAFETY: clone3 succeeded with CLONE_PIDFD, so the kernel stored a
    // new descriptor that we own.
    let fd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    Ok((pid, Some(fd), Mechanism::Clone3))
}

fn clone_pidfd(vm: u64, stack: &ChildStack, args: &mut ChildArgs) -> io::Result<Cloned> {
    let mut pidfd: libc::c_int = -1;
    let flags = vm | CLONE_PIDFD | libc::SIGCHLD as u64;
    let pid = clone_raw(flags, stack, &raw mut pidfd, args)?;
    if pidfd < 0 {
        // The kernel ignored the bit: the child exists, without a
        // descriptor; it is still unreaped, so pidfd_open is exact.
        let fd = pidfd_open(pid).inspect_err(|_| Process::new(pid, None).kill_and_reap())?;
        return Ok((pid, Some(fd), Mechanism::CloneThenPidfdOpen));
    }
    // SAFETY: clone succeeded with CLONE_PIDFD and stored a new descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    Ok((pid, Some(fd), Mechanism::Clone))
}

fn clone_then_open(vm: u64, stack: &ChildStack, args: &mut ChildArgs) -> io::Result<Cloned> {
    let pid = clone_plain(vm, stack, args)?;
    let fd = pidfd_open(pid).inspect_err(|_| Process::new(pid, None).kill_and_reap())?;
    Ok((pid, Some(fd), Mechanism::CloneThenPidfdOpen))
}

fn clone_plain(vm: u64, stack: &ChildStack, args: &mut ChildArgs) -> io::Result<libc::pid_t> {
    clone_raw(vm | libc::SIGCHLD as u64, stack, std::ptr::null_mut(), args)
}

/// The legacy `clone(2)`: the child resets handlers itself.
fn clone_raw(
    flags: u64,
    stack: &ChildStack,
    pidfd: *mut libc::c_int,
    args: &mut ChildArgs,
) -> io::Result<libc::pid_t> {
    args.reset_handlers = true;
    // SAFETY: as in `clone3`; `stack.top()` is the 16-byte aligned end of
    // the child stack, and `pidfd` is null or a live local.
    let ret = unsafe {
        arch::colaunch_linux_clone(
            flags as libc::c_ulong,
            stack.top(),
            pidfd,
            child_entry(),
            (args as *mut ChildArgs).cast::<c_void>(),
        )
    };
    check(ret)
}

fn check(ret: isize) -> io::Result<libc::pid_t> {
    if ret < 0 {
        return Err(io::Error::from_raw_os_error(-ret as i32));
    }
    Ok(ret as libc::pid_t)
}

/// Makes sure the descriptor calls a handle needs off the `clone3` path
/// work, before a child is created that would need them: `pidfd_open` on
/// this process, and `waitid(P_PIDFD)` on that descriptor, which is not a
/// child of ours and so must answer `ECHILD`.
fn probe_descriptor_calls() -> io::Result<()> {
    let unsupported = |call: &str, e: io::Error, version: &str| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "this kernel gives no usable process descriptors ({call}: {e}; Linux \
                 {version} or later needed); spawn with descriptor(false) to go without"
            ),
        )
    };

    // SAFETY: getpid(2) cannot fail.
    let own =
        pidfd_open(unsafe { libc::getpid() }).map_err(|e| unsupported("pidfd_open", e, "5.3"))?;

    let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
    // SAFETY: a live descriptor and a zeroed buffer the kernel may fill.
    let ret = unsafe {
        libc::waitid(
            libc::P_PIDFD,
            own.as_raw_fd() as libc::id_t,
            info.as_mut_ptr(),
            libc::WEXITED | libc::WNOHANG,
        )
    };
    let e = io::Error::last_os_error();
    if ret == 0 || e.raw_os_error() == Some(libc::ECHILD) {
        return Ok(());
    }
    Err(unsupported("waitid(P_PIDFD)", e, "5.4"))
}

/// `pidfd_open(pid, 0)`.
pub(crate) fn pidfd_open(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes two integers and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

#[cfg(test)]
mod tests;
