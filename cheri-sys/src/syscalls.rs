//! FreeBSD syscall numbers for process creation, descriptors and waiting.
//!
//! `libc` has no `SYS_*` numbers for FreeBSD at all. Each number below was
//! read from `sys/kern/syscalls.master` at
//! [kostikbel/freebsd-src@7fbdafd4][kib], the development tree of the
//! author of `pdrfork(2)` and `pdwait(2)`. CheriBSD uses the same numbers
//! for the calls it shares with FreeBSD ([`sys/sys/syscall.h`][cheri] at
//! cheribsd@a61e250a agrees for 251, 518–520 and 532).
//!
//! These are FreeBSD numbers on every target. On Linux they name other
//! system calls or none, see the crate docs.
//!
//! [kib]: https://github.com/kostikbel/freebsd-src/blob/7fbdafd437f758b9bdd7a3b2fd7bbcb521b51907/sys/kern/syscalls.master
//! [cheri]: https://github.com/CTSRD-CHERI/cheribsd/blob/a61e250a9983217233f91b6b0642d142818d3397/sys/sys/syscall.h
#![allow(non_upper_case_globals)] // Names follow <sys/syscall.h>.

use libc::c_int;

/// Syscall number of `_exit(2)`: 1.
#[doc(alias = "_exit")]
pub const SYS_exit: c_int = 1;

/// Syscall number of `execve(2)`: 59.
#[doc(alias = "execve")]
pub const SYS_execve: c_int = 59;

/// Syscall number of `vfork(2)`: 66.
///
/// The kernel runs it as `RFFDG | RFPROC | RFPPWAIT | RFMEM`. It returns
/// twice on one stack; only an assembly stub may issue it.
#[doc(alias = "vfork")]
pub const SYS_vfork: c_int = 66;

/// Syscall number of `rfork(2)`: 251.
#[doc(alias = "rfork")]
pub const SYS_rfork: c_int = 251;

/// Syscall number of `pdfork(2)`: 518, since FreeBSD 9.0.
///
/// `libc::pdfork` already binds the C function.
#[doc(alias = "pdfork")]
pub const SYS_pdfork: c_int = 518;

/// Syscall number of `pdkill(2)`: 519, since FreeBSD 9.0.
///
/// `libc::pdkill` already binds the C function.
#[doc(alias = "pdkill")]
pub const SYS_pdkill: c_int = 519;

/// Syscall number of `pdgetpid(2)`: 520, since FreeBSD 9.0.
///
/// `libc::pdgetpid` already binds the C function. Number 521 was meant for
/// `pdwait4()`, which was documented but never implemented; it is now
/// `RESERVED`.
#[doc(alias = "pdgetpid")]
pub const SYS_pdgetpid: c_int = 520;

/// Syscall number of `wait6(2)`: 532.
///
/// It fills a [`__wrusage`](crate::__wrusage), like `pdwait(2)`.
#[doc(alias = "wait6")]
pub const SYS_wait6: c_int = 532;

/// Syscall number of `pdrfork(2)`: 600.
///
/// New in FreeBSD 15.1 ([pdfork(2)][man], HISTORY); on main since
/// January 2026. Not in CheriBSD's table at cheribsd@06dbbf28, which ends
/// at 589. A kernel without it raises `SIGSYS`, see
/// [the crate docs](crate#a-missing-syscall-raises-sigsys).
///
/// [man]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
#[doc(alias = "pdrfork")]
pub const SYS_pdrfork: c_int = 600;

/// Syscall number of `pdwait(2)`: 601.
///
/// New in FreeBSD 15.1, together with `pdrfork(2)` ([pdfork(2)][man]).
/// Not in CheriBSD's table at cheribsd@06dbbf28.
///
/// [man]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
#[doc(alias = "pdwait")]
pub const SYS_pdwait: c_int = 601;
