//! FreeBSD and CheriBSD backend: `pdrfork(RFSPAWN)` or `pdfork`, held by a
//! process descriptor, with CheriBSD colocation through `coexecve`.
//!
//! # Choosing the fork
//!
//! The first spawn asks the kernel what it has, and the answer is kept for
//! the whole process (nothing is probed at load time; see `probe.rs` for
//! how a missing call is asked about without dying of `SIGSYS`):
//!
//! - `pdrfork(fdp, pdflags, RFSPAWN)` ([FreeBSD 15.1]) is a vfork that
//!   returns a process descriptor: the child shares this address space
//!   until it calls `execve`, and the kernel resets its caught signals.
//!   [`Strategy::Auto`] and [`Strategy::Vfork`] use it where it exists.
//! - `pdfork(fdp, pdflags)` ([FreeBSD 9.0]) copies the address space
//!   (copy-on-write): [`Strategy::Fork`] always, and `Auto` on kernels
//!   without `pdrfork` (FreeBSD before 15.1, CheriBSD releases to date);
//!   [`Child::mechanism`] then says `pdfork`.  `Vfork` there fails with
//!   `Unsupported`, naming `pdrfork`.
//!
//! Both go through one assembly stub (`asm-cheri/freebsd-*.S`,
//! `cheribsd-morello-purecap.S`) that puts the child on its own stack at
//! once; see the docs of the crate's `arch` module.  `pdflags` is always
//! `PD_CLOEXEC`, plus `PD_DAEMON` for [`Command::daemon`].  All choices are
//! made in `decide`, which has no system calls and is unit-tested on Linux.
//!
//! # Colocation (CheriBSD)
//!
//! With [`Command::colocate`] the child calls `coexecve(pid, ...)` instead
//! of `execve`, so the program runs in the address space of `pid` (the
//! spawning process for [`Colocation::Parent`]).  That needs a purecap
//! build and a CheriBSD kernel with colocation; elsewhere spawning fails
//! with `Unsupported`.  A capability vector (purecap builds only) is
//! handed over with `coexecvec`, which works only while the child shares
//! this address space: it needs `pdrfork`, and without it the spawn fails
//! with `Unsupported` rather than drop the vector or the descriptor.  No
//! kernel offers colocation by process descriptor, so there is no such
//! form.
//!
//! # Lifetime
//!
//! Waiting uses `pdwait` where present, else `wait4` on the pid while the
//! descriptor is open; signals go through `pdkill`; dropping the handle
//! closes the descriptor (see `process.rs` for the 2026 zombie-reference
//! change and for daemons).
//!
//! [FreeBSD 15.1]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
//! [FreeBSD 9.0]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
//! [`Strategy::Auto`]: crate::Strategy::Auto
//! [`Strategy::Vfork`]: crate::Strategy::Vfork
//! [`Strategy::Fork`]: crate::Strategy::Fork
//! [`Child::mechanism`]: crate::Child::mechanism
//! [`Command::daemon`]: crate::Command::daemon
//! [`Command::colocate`]: crate::Command::colocate
//! [`Colocation::Parent`]: crate::Colocation::Parent

mod decide;
mod probe;
mod process;
pub(crate) mod raw;

use std::ffi::c_void;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::arch;
use crate::child_side::{self, ChildArgs};
use crate::plan::Plan;
use crate::sys::Spawned;
use crate::sys::shared::{ChildStack, Wait, read_error};
use decide::{Decision, Fork, Kernel, Request};

pub(crate) use probe::probe;
pub(crate) use process::Process;

/// Signals 1 to 128 (`_SIG_MAXSIG` in `sys/sys/signal.h`).
pub(crate) const MAX_SIGNAL: i32 = 128;

/// What the kernel has, once asked: bit 0 says it was asked, the others
/// are the fields of [`Kernel`].
static KERNEL: AtomicU8 = AtomicU8::new(0);

const KNOWN: u8 = 1;
const PDRFORK: u8 = 2;
const PDWAIT: u8 = 4;
const COEXECVE: u8 = 8;

/// What the kernel has, probed on first use and then cached.
fn kernel() -> Kernel {
    let mut bits = KERNEL.load(Ordering::Relaxed);
    if bits & KNOWN == 0 {
        let found = probe::kernel();
        bits = KNOWN
            | if found.pdrfork { PDRFORK } else { 0 }
            | if found.pdwait { PDWAIT } else { 0 }
            | if found.coexecve { COEXECVE } else { 0 };
        KERNEL.store(bits, Ordering::Relaxed);
    }
    Kernel {
        pdrfork: bits & PDRFORK != 0,
        pdwait: bits & PDWAIT != 0,
        coexecve: bits & COEXECVE != 0,
    }
}

/// The decision inputs of `plan`.
fn request(plan: &Plan) -> Request {
    Request {
        strategy: plan.strategy,
        descriptor: plan.descriptor,
        daemon: plan.daemon,
        colocation: plan.colocation,
        capability_vector: capability_vector(plan).is_some(),
        purecap: cfg!(cheri_purecap),
        parent_pid: plan.parent_pid,
    }
}

#[cfg(cheri_purecap)]
fn capability_vector(plan: &Plan) -> Option<&[*mut c_void]> {
    plan.capability_vector.as_ref().map(|v| v.0.as_slice())
}

#[cfg(not(cheri_purecap))]
fn capability_vector(_: &Plan) -> Option<&[*mut c_void]> {
    None
}

/// Creates the child and reads its report; a child that could not run its
/// program is returned unreaped with the errno it sent.
pub(crate) fn start(plan: &mut Plan) -> io::Result<(Spawned, Option<i32>)> {
    let decision = decide::decide(&request(plan), kernel())?;

    let stack = ChildStack::take()?;
    let (err_read, err_write) = plan.error_pipe()?;

    // Block every signal with the raw syscall (libthr's sigprocmask keeps
    // its own SIGCANCEL open), so that no handler runs in the child on
    // shared memory.
    let old_mask = raw::block_all();
    let mask = plan.signal_mask.unwrap_or(old_mask);
    let mut args = plan.child_args(err_write.as_raw_fd(), mask);
    args.reset_handlers = decision.reset_handlers;
    let result =
        set_coexec(&mut args, plan, &decision).and_then(|()| fork(&decision, &stack, &mut args));
    let _ = raw::set_mask(&old_mask);

    // Only the child's copy of the write end may remain, so that its exec
    // (close-on-exec) or exit ends the read below.
    drop(err_write);
    ChildStack::give_back(stack);
    let (pid, descriptor) = result?;

    // Where FreeBSD releases an RFPPWAIT parent during execve, relative to
    // closing close-on-exec descriptors, was not checked here, so this
    // backend waits for the record or end-of-file in every case.
    let failure = match read_error(&err_read, Wait::ForExec) {
        Ok(failure) => failure,
        Err(e) => {
            Process::new(pid, Some(descriptor)).kill_and_reap();
            return Err(e);
        }
    };
    let spawned = Spawned {
        pid,
        descriptor: Some(descriptor),
        mechanism: decision.mechanism,
        shared_memory: args.observed_sp != 0,
        child_sp: args.observed_sp,
        child_start_mask: args.observed_mask,
    };
    Ok((spawned, failure))
}

/// Tells the child to call `coexecve`/`coexecvec`, as decided.
#[cfg(cheri_purecap)]
fn set_coexec(args: &mut ChildArgs, plan: &Plan, decision: &Decision) -> io::Result<()> {
    use decide::Exec;

    let vector = capability_vector(plan).unwrap_or(&[]);
    let (pid, capv) = match decision.exec {
        Exec::Execve => return Ok(()),
        Exec::Coexecve { pid } => (pid, std::ptr::null()),
        Exec::Coexecvec { pid } => (pid, vector.as_ptr()),
    };
    let capc = libc::c_int::try_from(vector.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the capability vector is too long",
        )
    })?;
    args.coexec = Some(child_side::Coexec { pid, capv, capc });
    Ok(())
}

/// Without a purecap build `decide` never picks a colocated exec.
#[cfg(not(cheri_purecap))]
fn set_coexec(_: &mut ChildArgs, _: &Plan, decision: &Decision) -> io::Result<()> {
    assert_eq!(
        decision.exec,
        decide::Exec::Execve,
        "colocation outside purecap"
    );
    Ok(())
}

/// Makes the fork through the assembly stub.
fn fork(decision: &Decision, stack: &ChildStack, args: &mut ChildArgs) -> io::Result<Forked> {
    let mut fd: libc::c_int = -1;
    let (stub, rfflags) = match decision.fork {
        Fork::Pdrfork { rfflags } => (arch::colaunch_freebsd_pdrfork as Stub, rfflags),
        Fork::Pdfork => (arch::colaunch_freebsd_pdfork as Stub, 0),
    };
    // SAFETY: `stack.top()` is the page-aligned end of a stack nothing
    // else uses (see ChildStack), `child_main` never returns, `fd` is a
    // live local the kernel writes in the parent only, and `args` outlives
    // the child's use of it (RFSPAWN: we are suspended until exec or exit;
    // pdfork: the child has a copy).  See the `arch` module docs.
    let ret = unsafe {
        stub(
            &raw mut fd,
            decision.pdflags,
            rfflags,
            stack.top(),
            child_side::child_main,
            (args as *mut ChildArgs).cast::<c_void>(),
        )
    };
    let pid = decide::pid_or_errno(ret)?;
    // SAFETY: the fork succeeded, so the kernel stored a new process
    // descriptor in `fd` that we own.
    Ok((pid, unsafe { OwnedFd::from_raw_fd(fd) }))
}

type Stub = unsafe extern "C" fn(
    *mut libc::c_int,
    libc::c_int,
    libc::c_int,
    *mut c_void,
    arch::ChildEntry,
    *mut c_void,
) -> isize;

type Forked = (libc::pid_t, OwnedFd);

#[cfg(test)]
mod tests;
