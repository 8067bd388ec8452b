//! The single place that picks an OS backend.
//!
//! Each backend exports the same `pub(crate)` items: `start`, `Process`,
//! `probe`, `MAX_SIGNAL`, and a `raw` module of child-safe syscalls used
//! by `child_side`.  A missing item fails to compile on that OS instead
//! of falling back silently.

use std::io;
use std::os::fd::OwnedFd;

use crate::child::Mechanism;
use crate::command::StdioKind;
use crate::plan::Plan;

// Declared outside `cfg_select!` so that rustfmt, which cannot see into a
// macro, formats the backends.
#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(target_os = "linux")]
mod linux;

cfg_select! {
    target_os = "linux" => {
        use linux as imp;
    }
    target_os = "freebsd" => {
        use freebsd as imp;
    }
    _ => {
        compile_error!("colaunch supports Linux and FreeBSD; see docs/platforms.md");
    }
}

pub(crate) use imp::{MAX_SIGNAL, Process, probe, raw};

// The child stack and the error-record reader, the same for both backends.
pub(crate) mod shared;

// The FreeBSD backend's choice of fork, flags and exec (no system calls),
// compiled here too so that its unit tests run on the Linux CI host.
#[cfg(all(test, not(target_os = "freebsd")))]
#[path = "freebsd/decide/mod.rs"]
mod freebsd_decide;

/// Spawns the child described by `plan`: the backend creates it, and a
/// child that reported an error before its program ran is reaped here and
/// its errno returned.
pub(crate) fn spawn(plan: &mut Plan) -> io::Result<Spawned> {
    let (spawned, failure) = imp::start(plan)?;
    if let Some(errno) = failure {
        Process::new(spawned.pid, spawned.descriptor).reap_failed();
        return Err(io::Error::from_raw_os_error(errno));
    }
    Ok(spawned)
}

/// Spawns a throw-away child through the real path, for `probe`: it tries
/// to execute `/`, which always fails, so nothing runs.  Returns the
/// mechanism used and whether the child shared this address space.
pub(crate) fn probe_spawn() -> io::Result<(Mechanism, bool)> {
    let cmd = crate::Command::new("/");
    let mut plan = Plan::new(&cmd, [StdioKind::Null, StdioKind::Null, StdioKind::Null])?;
    let (spawned, _) = imp::start(&mut plan)?;
    let result = (spawned.mechanism, spawned.shared_memory);
    Process::new(spawned.pid, spawned.descriptor).reap_failed();
    Ok(result)
}

/// What a backend's `start` hands back to the portable layer.
pub(crate) struct Spawned {
    pub(crate) pid: libc::pid_t,
    /// The process descriptor, unless the caller switched it off.
    pub(crate) descriptor: Option<OwnedFd>,
    pub(crate) mechanism: Mechanism,
    /// Whether the child ran in the parent's address space (observed, not
    /// assumed: qemu-user turns a vfork into a fork).
    pub(crate) shared_memory: bool,
    /// An address on the stack the child ran on, when memory was shared;
    /// read by the unit tests that check which stack the child used.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) child_sp: usize,
    /// The signal mask the child started with, when memory was shared;
    /// read by the unit tests of the signal policy.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) child_start_mask: [u64; 2],
}
