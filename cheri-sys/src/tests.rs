//! Unit tests: flag arithmetic, struct layout and syscall-number tables.
//!
//! Everything here is plain arithmetic on constants, so it runs on the
//! Linux CI host; the few `libc` comparisons that need FreeBSD's `libc`
//! are gated on it (and the same checks run at compile time there).

use core::mem::{offset_of, size_of};

use libc::{c_int, rusage};

use crate::*;

/// FreeBSD's `SIGUSR1`, written out: Linux's value differs.
const FREEBSD_SIGUSR1: c_int = 30;

/// Every syscall number this crate exports, FreeBSD's and CheriBSD's.
const ALL_SYSCALLS: [c_int; 19] = [
    SYS_exit,
    SYS_execve,
    SYS_vfork,
    SYS_rfork,
    SYS_pdfork,
    SYS_pdkill,
    SYS_pdgetpid,
    SYS_wait6,
    SYS_pdrfork,
    SYS_pdwait,
    SYS_coexecve,
    SYS_coexecvec,
    SYS__cosetup,
    SYS_coregister,
    SYS_colookup,
    SYS_copark,
    SYS_cogetpid,
    SYS_cocall_slow,
    SYS_coaccept_slow,
];

#[test]
fn test_rftsigflags_places_signal_in_bits_20_to_27() {
    assert_eq!(RFTSIGFLAGS(FREEBSD_SIGUSR1), 0x01E0_0000);
    assert_eq!(RFTSIGFLAGS(1), 1 << 20);
    assert_eq!(RFTSIGFLAGS(RFTSIGMASK), 0x0FF0_0000);
}

#[test]
fn test_rftsigflags_round_trips_through_rftsignum() {
    let flags = RFPROC | RFPROCDESC | RFTSIGZMB | RFTSIGFLAGS(FREEBSD_SIGUSR1);

    assert_eq!(RFTSIGNUM(flags), FREEBSD_SIGUSR1);
    for signum in 0..=RFTSIGMASK {
        assert_eq!(RFTSIGNUM(RFTSIGFLAGS(signum)), signum, "signal {signum}");
    }
}

#[test]
fn test_rftsignum_ignores_the_sign_bit() {
    // RFSPAWN is bit 31, so the word is negative and `>>` copies the sign.
    const { assert!(RFSPAWN < 0) };
    assert_eq!(RFTSIGNUM(RFSPAWN), 0);
    assert_eq!(RFTSIGNUM(RFSPAWN | RFTSIGFLAGS(7)), 7);
}

#[test]
fn test_rftsig_field_lies_outside_every_flag() {
    let field = RFTSIGFLAGS(RFTSIGMASK);

    assert_eq!(field & RFFLAGS, 0);
    assert_eq!(field & RFTSIGZMB, 0);
    assert_eq!(field & RFPROCDESC, 0);
}

#[test]
fn test_rfppwait_is_the_rfspawn_bit() {
    assert_eq!(RFPPWAIT, RFSPAWN);
    assert_eq!(RFPPWAIT as u32, 0x8000_0000);
    assert_eq!(RFPPWAIT, c_int::MIN);
}

#[cfg(target_os = "freebsd")]
#[test]
fn test_rfppwait_equals_libc_rfspawn() {
    assert_eq!(RFPPWAIT, libc::RFSPAWN);
    assert_eq!(PD_ALLOWED_AT_FORK, libc::PD_DAEMON | libc::PD_CLOEXEC);
}

#[test]
fn test_rfork_flag_values() {
    assert_eq!(RFFDG, 0x4);
    assert_eq!(RFPROC, 0x10);
    assert_eq!(RFMEM, 0x20);
    assert_eq!(RFNOWAIT, 0x40);
    assert_eq!(RFCFDG, 0x1000);
    assert_eq!(RFTHREAD, 0x2000);
    assert_eq!(RFSIGSHARE, 0x4000);
    assert_eq!(RFLINUXTHPN, 0x1_0000);
    assert_eq!(RFSTOPPED, 0x2_0000);
    assert_eq!(RFHIGHPID, 0x4_0000);
    assert_eq!(RFTSIGZMB, 0x8_0000);
    assert_eq!(RFTSIGSHIFT, 20);
    assert_eq!(RFTSIGMASK, 0xFF);
    assert_eq!(RFPROCDESC, 0x1000_0000);
}

#[test]
fn test_rfork_flags_are_distinct_single_bits() {
    // RFPPWAIT is left out: it is RFSPAWN's bit under its kernel name.
    let flags = [
        RFFDG,
        RFPROC,
        RFMEM,
        RFNOWAIT,
        RFCFDG,
        RFTHREAD,
        RFSIGSHARE,
        RFLINUXTHPN,
        RFSTOPPED,
        RFHIGHPID,
        RFTSIGZMB,
        RFPROCDESC,
        RFSPAWN,
    ];
    let mut union = 0;

    for flag in flags {
        assert_eq!(flag.count_ones(), 1, "{flag:#x} is not one bit");
        assert_eq!(union & flag, 0, "{flag:#x} overlaps another flag");
        union |= flag;
    }
    assert_eq!(union, RFFLAGS);
}

#[test]
fn test_rfkernelonly_is_stopped_highpid_procdesc() {
    assert_eq!(RFKERNELONLY, RFSTOPPED | RFHIGHPID | RFPROCDESC);
    assert_eq!(RFKERNELONLY & !RFFLAGS, 0);
}

#[test]
fn test_pdrfork_flag_words_fit_rfflags() {
    // The two shapes sys_pdrfork() accepts, and vfork's kernel word.
    let pd_fork = RFFDG | RFPROC | RFPROCDESC;
    let vfork = RFFDG | RFPROC | RFPPWAIT | RFMEM;

    assert_eq!(pd_fork & !RFFLAGS, 0);
    assert_eq!(RFSPAWN & !RFFLAGS, 0);
    assert_eq!(vfork & !RFFLAGS, 0);
    assert_eq!(pd_fork & (RFSTOPPED | RFHIGHPID), 0);
}

#[test]
fn test_pd_flag_values() {
    assert_eq!(PD_DAEMON, 0x1);
    assert_eq!(PD_CLOEXEC, 0x2);
    assert_eq!(PD_ALLOWED_AT_FORK, 0x3);
    assert_eq!(PD_NOWAITPID, 0x4);
}

#[test]
fn test_pd_nowaitpid_is_outside_the_old_mask() {
    assert_eq!(PD_NOWAITPID.count_ones(), 1);
    assert_eq!(PD_NOWAITPID & PD_ALLOWED_AT_FORK, 0);
}

#[test]
fn test_wrusage_is_two_rusages() {
    assert_eq!(size_of::<__wrusage>(), 2 * size_of::<rusage>());
    assert_eq!(offset_of!(__wrusage, wru_self), 0);
    assert_eq!(offset_of!(__wrusage, wru_children), size_of::<rusage>());
}

#[test]
fn test_syscall_numbers_values() {
    assert_eq!(SYS_exit, 1);
    assert_eq!(SYS_execve, 59);
    assert_eq!(SYS_vfork, 66);
    assert_eq!(SYS_rfork, 251);
    assert_eq!((SYS_pdfork, SYS_pdkill, SYS_pdgetpid), (518, 519, 520));
    assert_eq!(SYS_wait6, 532);
    assert_eq!((SYS_pdrfork, SYS_pdwait), (600, 601));
    assert_eq!((SYS_coexecve, SYS_coexecvec), (151, 152));
    assert_eq!(SYS__cosetup, 177);
    assert_eq!((SYS_coregister, SYS_colookup, SYS_copark), (178, 179, 180));
    assert_eq!(SYS_cogetpid, 193);
    assert_eq!((SYS_cocall_slow, SYS_coaccept_slow), (548, 549));
}

#[test]
fn test_syscall_numbers_are_distinct() {
    let mut all = ALL_SYSCALLS;
    all.sort_unstable();

    for pair in all.windows(2) {
        assert_ne!(pair[0], pair[1], "syscall number {} appears twice", pair[0]);
    }
}

#[test]
fn test_cosetup_selectors() {
    assert_eq!(
        [
            COSETUP_COCALL,
            COSETUP_COACCEPT,
            COSETUP_COGETPID,
            COSETUP_COGETTID
        ],
        [0, 1, 2, 3]
    );
}
