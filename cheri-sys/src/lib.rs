//! Raw FreeBSD and CheriBSD declarations that the `libc` crate lacks.
//!
//! This crate is inert: constants, `#[repr(C)]` types, syscall numbers and
//! thin `unsafe fn` wrappers, with no policy of its own. It covers process
//! descriptors (`pdrfork(2)`, `pdwait(2)`, the `PD_*` and `RF*` flags,
//! `struct __wrusage`) and CheriBSD colocation (`coexecve(2)`,
//! `coexecvec(2)`, `cogetpid(2)` and the other `co*` numbers).
//!
//! # What is available where
//!
//! - **Constants and types: every target.** The flag values and syscall
//!   numbers are FreeBSD's and CheriBSD's even when this crate is built for
//!   Linux, where they name nothing. They are there so that code which only
//!   builds flag words, and its unit tests, compile and run on the Linux CI
//!   host. Never pass a `SYS_*` number from here to a Linux `syscall(2)`.
//! - **Symbols `libc` already has.** On FreeBSD, `PD_DAEMON`, `PD_CLOEXEC`,
//!   `RFSPAWN` and the other rfork flags of `libc` are re-exported from
//!   `libc`, not declared again. On other targets `libc` has no such names,
//!   so this crate declares mirrors, and a compile-time check on FreeBSD
//!   keeps each mirror equal to `libc`'s value.
//! - **Wrappers: `target_os = "freebsd"` only.** `pdrfork` and `pdwait`
//!   call `libc::syscall` with a number from this crate, so they do not
//!   need the C library to have the function (a FreeBSD 14 libc has no
//!   `pdrfork` symbol). The colocation wrappers bind CheriBSD's C stubs.
//! - **Capabilities: `cfg(cheri_purecap)` only.** A CheriBSD capability
//!   (`void * __capability`) is 16 bytes plus a tag. On a purecap target
//!   every pointer is one, so a Rust raw pointer has the right
//!   representation; on hybrid or plain targets Rust has no type for it.
//!   Upstream rustc has no purecap target at all: `build.rs` sets the cfg
//!   for the out-of-tree ports (target names containing `purecap`, or
//!   `target_abi = "purecap"`), and `--cfg cheri_purecap` forces it.
//!   CheriBSD's non-purecap (`freebsd64`) syscall table maps every `co*`
//!   number to `nosys`, so the colocation wrappers are purecap-only too.
//!
//! # Functions that return twice
//!
//! `pdrfork` creates a process and returns in both parent and child. With
//! `RFSPAWN` or `RFMEM` the child runs on the parent's stack, and returning
//! from a Rust function in the child corrupts the parent: never pass those
//! flags to it. The project's vfork-style spawn goes through the assembly
//! stubs in `asm-cheri/` instead, which switch the child to its own stack.
//!
//! # A missing syscall raises `SIGSYS`
//!
//! FreeBSD answers a number it does not implement with `nosys()`, which
//! posts `SIGSYS` to the caller before failing with `ENOSYS`. That is
//! `sys/kern/kern_sig.c` at [freebsd-src@e8efa732][nosys], an old tree; a
//! newer copy (with `kern.lognosys`) does the same, and whether current
//! kernels can switch the signal off is UNVERIFIED. `SIGSYS` kills the
//! process by default, so `ENOSYS` is only seen with `SIGSYS` ignored or
//! caught. This matters for [`SYS_pdrfork`] and [`SYS_pdwait`] on
//! kernels older than FreeBSD 15.1 and on CheriBSD, and for every `co*`
//! number on FreeBSD, or outside a purecap process on CheriBSD.
//!
//! [nosys]: https://github.com/freebsd/freebsd-src/blob/e8efa7328e487806fb77d3ec54bf5fa5f8b017ed/sys/kern/kern_sig.c
//!
//! # Sources
//!
//! Every value names the file and commit it was read from. A value that
//! could not be checked against a source says `UNVERIFIED` on its item:
//! [`PD_NOWAITPID`] is the only one. Statements about behaviour that could
//! not be checked say `UNVERIFIED` where they are made.
//!
//! # Cargo features
//!
//! None.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

/// Gates items behind one `cfg` and shows that `cfg` in the docs.
///
/// The docs part needs nightly rustdoc, so it applies under `docsrs` only.
macro_rules! cfg_items {
    (#[cfg($meta:meta)] $($item:item)*) => {
        $(
            #[cfg($meta)]
            #[cfg_attr(docsrs, doc(cfg($meta)))]
            $item
        )*
    };
}

/// Fails the build if a `mirror` copy differs from `libc`'s constant.
#[cfg(target_os = "freebsd")]
macro_rules! assert_same_as_libc {
    ($($name:ident),* $(,)?) => {
        const _: () = {
            $(
                assert!(
                    mirror::$name == libc::$name,
                    concat!(stringify!($name), " differs from libc"),
                );
            )*
        };
    };
}

mod cheribsd;
mod procdesc;
mod rfork;
mod syscalls;
mod wait;

pub use cheribsd::*;
pub use procdesc::*;
pub use rfork::*;
pub use syscalls::*;
pub use wait::*;

#[cfg(target_os = "freebsd")]
mod freebsd;

#[cfg(target_os = "freebsd")]
pub use freebsd::*;

#[cfg(test)]
mod tests;
