//! Launch programs as coprocesses: vfork cost, process-descriptor safety.
//!
//! `colaunch` starts a program the way `posix_spawn(3)` does, sharing the
//! parent's address space with the parent suspended until the child calls
//! `execve`, so the cost does not grow with the parent's memory, and hands
//! back a [`Child`] held by a *process descriptor*: a Linux pidfd or a
//! FreeBSD procdesc.  The API mirrors `std::process`:
//!
//! ```
//! use colaunch::Command;
//!
//! let output = Command::new("echo").arg("hello").output()?;
//! assert!(output.status.success());
//! assert_eq!(output.stdout, b"hello\n");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # How a child is started
//!
//! Everything is prepared in the parent (argument and environment arrays,
//! `PATH` candidates, descriptor moves, an error pipe).  An assembly stub
//! (`asm-cheri/`) makes the clone, and the child switches at once to a
//! stack of its own and runs code that allocates nothing, takes no lock and
//! makes only raw system calls, until `execve`.  Why that is sound is
//! explained in the docs of the crate's `arch` module and in
//! `docs/design.md`.  An `execve` failure reaches `spawn` as the child's
//! exact errno through a close-on-exec pipe.
//!
//! On Linux the kernel interface is chosen once per process, lazily, from
//! `clone3`, `clone` with `CLONE_PIDFD`, and `clone` plus `pidfd_open`;
//! [`Child::mechanism`] tells which was used and [`probe`] reports what the
//! kernel has.
//!
//! # Signals
//!
//! - All signals, the C library's internal ones included, are blocked in
//!   the spawning thread across the clone, so no signal handler of the
//!   parent can run in the child while it shares the parent's memory, and
//!   a concurrent `setuid` broadcast cannot reach it.
//! - In the child every *caught* signal is reset to its default action
//!   before anything is unblocked (by the kernel with
//!   `CLONE_CLEAR_SIGHAND`, or by the child itself).
//! - *Ignored* signals stay ignored across `execve`, as POSIX specifies,
//!   except `SIGPIPE`, which is reset to its default as std does, since the
//!   Rust runtime ignores it on its own behalf.
//! - The child's program starts with the signal mask of the thread that
//!   called `spawn`, or with [`Command::signal_mask`] if set.
//!
//! # Lifetime
//!
//! Dropping the [`Child`] of a running child kills and reaps it, unless it
//! was spawned with [`Command::daemon`]; see [`Child`].
//!
//! # Cargo features
//!
//! - `cli` (default): the `colaunch` command and the crates only it needs
//!   (clap, anyhow, log, env_logger, serde).  The library itself depends
//!   on `libc` and `cheri-sys` alone; turn `cli` off with
//!   `default-features = false`.

#![deny(missing_docs)]

mod arch;
mod child;
mod child_side;
mod command;
mod plan;
mod probe;
mod status;
mod sys;

pub use child::{Child, ChildStderr, ChildStdin, ChildStdout, Mechanism};
pub use command::{Colocation, Command, SignalMask, Stdio, Strategy};
pub use probe::{Feature, Probe, probe};
pub use status::{ExitStatus, Output, ResourceUsage, signal_name};

/// The README's library example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
