//! Raw FreeBSD and CheriBSD declarations that the `libc` crate lacks.
//!
//! This crate is inert: constants, `#[repr(C)]` types, syscall numbers and
//! thin `unsafe fn` wrappers, with no policy of its own.
#![no_std]
