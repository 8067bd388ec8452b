use super::*;

/// Every kernel the probe can report.
fn kernels() -> impl Iterator<Item = Kernel> {
    (0..8u8).map(|bits| Kernel {
        pdrfork: bits & 1 != 0,
        pdwait: bits & 2 != 0,
        coexecve: bits & 4 != 0,
    })
}

fn request() -> Request {
    Request {
        strategy: Strategy::Auto,
        descriptor: true,
        daemon: false,
        colocation: None,
        capability_vector: false,
        purecap: false,
        parent_pid: 4242,
    }
}

fn colocated(colocation: Colocation, vector: bool) -> Request {
    Request {
        colocation: Some(colocation),
        capability_vector: vector,
        purecap: true,
        ..request()
    }
}

const FULL: Kernel = Kernel {
    pdrfork: true,
    pdwait: true,
    coexecve: true,
};
const OLD: Kernel = Kernel {
    pdrfork: false,
    pdwait: false,
    coexecve: false,
};
/// Today's CheriBSD colocation kernels: coexecve, but no pdrfork.
const CHERIBSD: Kernel = Kernel {
    pdrfork: false,
    pdwait: false,
    coexecve: true,
};

fn refusal(request: &Request, kernel: Kernel) -> Refusal {
    decide(request, kernel).expect_err("the request should be refused")
}

#[test]
fn test_decide_auto_prefers_pdrfork_rfspawn() {
    let d = decide(&request(), FULL).unwrap();
    assert_eq!(d.fork, Fork::Pdrfork { rfflags: RFSPAWN });
    assert_eq!(d.mechanism, Mechanism::Pdrfork);
    assert!(d.shares_memory);
    // RFSPAWN has the kernel drop caught handlers (FR2_DROPSIG_CAUGHT).
    assert!(!d.reset_handlers);
    assert_eq!(d.exec, Exec::Execve);
}

#[test]
fn test_decide_auto_falls_back_to_pdfork() {
    let d = decide(&request(), OLD).unwrap();
    assert_eq!(d.fork, Fork::Pdfork);
    assert_eq!(d.mechanism, Mechanism::Pdfork);
    assert!(!d.shares_memory);
    assert!(
        d.reset_handlers,
        "a pdfork child resets caught handlers itself"
    );
}

#[test]
fn test_decide_vfork_without_pdrfork_is_unsupported() {
    let r = refusal(
        &Request {
            strategy: Strategy::Vfork,
            ..request()
        },
        OLD,
    );
    assert_eq!(r.kind, io::ErrorKind::Unsupported);
    assert!(r.message.contains("pdrfork(2)"), "{}", r.message);
    assert!(r.message.contains("15.1"), "{}", r.message);
}

#[test]
fn test_decide_fork_strategy_always_pdfork() {
    for kernel in kernels() {
        let d = decide(
            &Request {
                strategy: Strategy::Fork,
                ..request()
            },
            kernel,
        )
        .unwrap();
        assert_eq!(d.fork, Fork::Pdfork, "{kernel:?}");
    }
}

#[test]
fn test_decide_no_descriptor_is_unsupported() {
    for kernel in kernels() {
        let r = refusal(
            &Request {
                descriptor: false,
                ..request()
            },
            kernel,
        );
        assert_eq!(r.kind, io::ErrorKind::Unsupported);
        assert!(r.message.contains("descriptor"), "{}", r.message);
    }
}

#[test]
fn test_decide_colocation_needs_purecap() {
    let r = refusal(
        &Request {
            purecap: false,
            ..colocated(Colocation::Parent, false)
        },
        FULL,
    );
    assert_eq!(r.kind, io::ErrorKind::Unsupported);
    assert!(r.message.contains("purecap"), "{}", r.message);
    assert!(r.message.contains("coexecve(2)"), "{}", r.message);
}

#[test]
fn test_decide_colocation_needs_coexecve() {
    let kernel = Kernel {
        coexecve: false,
        ..FULL
    };
    let r = refusal(&colocated(Colocation::Parent, false), kernel);
    assert_eq!(r.kind, io::ErrorKind::Unsupported);
    assert!(r.message.contains("coexecve(2)"), "{}", r.message);
}

// The fallback: without pdrfork, pdfork plus coexecve still gives
// a descriptor and colocates.
#[test]
fn test_decide_cheribsd_colocation_uses_pdfork() {
    let d = decide(&colocated(Colocation::Pid(77), false), CHERIBSD).unwrap();
    assert_eq!(d.fork, Fork::Pdfork);
    assert_eq!(d.exec, Exec::Coexecve { pid: 77 });
    assert_eq!(d.mechanism, Mechanism::Pdfork);
}

// ... but a capability vector needs the shared address space: refused,
// naming pdrfork, rather than dropping the vector or the descriptor.
#[test]
fn test_decide_cheribsd_vector_needs_pdrfork() {
    for strategy in [Strategy::Auto, Strategy::Vfork] {
        let r = refusal(
            &Request {
                strategy,
                ..colocated(Colocation::Parent, true)
            },
            CHERIBSD,
        );
        assert_eq!(r.kind, io::ErrorKind::Unsupported, "{strategy:?}");
        assert!(r.message.contains("pdrfork(2)"), "{}", r.message);
    }
}

#[test]
fn test_decide_vector_with_pdrfork_uses_coexecvec() {
    let d = decide(&colocated(Colocation::Parent, true), FULL).unwrap();
    assert_eq!(d.fork, Fork::Pdrfork { rfflags: RFSPAWN });
    assert_eq!(d.exec, Exec::Coexecvec { pid: 4242 });
}

#[test]
fn test_decide_vector_with_fork_strategy_is_invalid() {
    let r = refusal(
        &Request {
            strategy: Strategy::Fork,
            ..colocated(Colocation::Parent, true)
        },
        FULL,
    );
    assert_eq!(r.kind, io::ErrorKind::InvalidInput);
    assert!(r.message.contains("EPROT"), "{}", r.message);
}

#[test]
fn test_decide_vector_without_colocation_is_invalid() {
    let r = refusal(
        &Request {
            capability_vector: true,
            purecap: true,
            ..request()
        },
        FULL,
    );
    assert_eq!(r.kind, io::ErrorKind::InvalidInput);
    assert!(r.message.contains("colocate"), "{}", r.message);
}

#[test]
fn test_decide_colocation_parent_is_the_spawner() {
    let d = decide(&colocated(Colocation::Parent, false), FULL).unwrap();
    assert_eq!(d.exec, Exec::Coexecve { pid: 4242 });
}

#[test]
fn test_decide_colocation_pid_out_of_range() {
    for pid in [0, 1 << 31, u32::MAX] {
        let r = refusal(&colocated(Colocation::Pid(pid), false), FULL);
        assert_eq!(r.kind, io::ErrorKind::InvalidInput, "pid {pid}");
        assert!(r.message.contains(&pid.to_string()), "{}", r.message);
    }
    let d = decide(&colocated(Colocation::Pid(i32::MAX as u32), false), FULL).unwrap();
    assert_eq!(d.exec, Exec::Coexecve { pid: i32::MAX });
}

#[test]
fn test_pdflags_daemon_and_cloexec() {
    assert_eq!(pdflags(false), PD_CLOEXEC);
    assert_eq!(pdflags(true), PD_CLOEXEC | PD_DAEMON);
    for daemon in [false, true] {
        assert_eq!(pdflags(daemon) & !PD_ALLOWED_AT_FORK, 0, "daemon {daemon}");
    }
    let d = decide(
        &Request {
            daemon: true,
            ..request()
        },
        FULL,
    )
    .unwrap();
    assert_eq!(d.pdflags, PD_CLOEXEC | PD_DAEMON);
}

#[test]
fn test_spawn_flags_pass_the_kernel_checks() {
    for daemon in [false, true] {
        assert_eq!(pdrfork_check(SPAWN_RFFLAGS, pdflags(daemon)), Ok(()));
    }
    // RFSPAWN is bit 31: the word is negative as a c_int, and alone.
    assert_eq!(SPAWN_RFFLAGS, i32::MIN);
}

// The probe must never create a process: its flags fail the very first
// check of sys_pdrfork(), before fork1() is reached.
#[test]
fn test_probe_flags_fail_the_first_kernel_check() {
    assert_eq!(pdrfork_check(PROBE_RFFLAGS, 0), Err("Kernel-only flags"));
    assert_eq!(
        pdrfork_check(PROBE_RFFLAGS, pdflags(true)),
        Err("Kernel-only flags")
    );
}

#[test]
fn test_pdrfork_check_mirrors_the_kernel_rules() {
    assert_eq!(
        pdrfork_check(RFSPAWN | RFPROC, 0),
        Err("RFSPAWN must be the only flag")
    );
    assert_eq!(pdrfork_check(RFPROC, 0), Err("RFPROC|RFPROCDESC required"));
    assert_eq!(
        pdrfork_check(RFPROCDESC, 0),
        Err("RFPROC|RFPROCDESC required")
    );
    assert_eq!(pdrfork_check(0, 0), Err("RFPROC|RFPROCDESC required"));
    assert_eq!(pdrfork_check(RFPROC | RFPROCDESC, 0), Ok(()));
    assert_eq!(pdrfork_check(RFSPAWN, -1), Err("Invalid pdflags at fork"));
    assert_eq!(
        pdrfork_check(RFHIGHPID | RFSPAWN, 0),
        Err("Kernel-only flags")
    );
}

// Every combination of probe results, strategy, colocation, vector, build
// and daemon flag: the invariants the issue asks for hold in each.
#[test]
fn test_decide_invariants_for_every_combination() {
    let strategies = [Strategy::Auto, Strategy::Vfork, Strategy::Fork];
    let colocations = [None, Some(Colocation::Parent), Some(Colocation::Pid(9))];
    let mut decided = 0;
    for kernel in kernels() {
        for strategy in strategies {
            for colocation in colocations {
                for bits in 0..8u8 {
                    let request = Request {
                        strategy,
                        colocation,
                        capability_vector: bits & 1 != 0,
                        purecap: bits & 2 != 0,
                        daemon: bits & 4 != 0,
                        ..request()
                    };
                    let case = format!("{kernel:?} {request:?}");
                    match decide(&request, kernel) {
                        Ok(d) => {
                            decided += 1;
                            check_decision(&request, kernel, &d, &case);
                        }
                        Err(r) => check_refusal(&request, kernel, &r, &case),
                    }
                }
            }
        }
    }
    assert!(decided > 0);
}

fn check_decision(request: &Request, kernel: Kernel, d: &Decision, case: &str) {
    // Never a call the kernel lacks.
    if let Fork::Pdrfork { rfflags } = d.fork {
        assert!(kernel.pdrfork, "{case}");
        assert_eq!(pdrfork_check(rfflags, d.pdflags), Ok(()), "{case}");
    }
    if d.exec != Exec::Execve {
        assert!(kernel.coexecve && request.purecap, "{case}");
    }
    // Strategies are honoured: vfork never copies, fork never shares.
    match request.strategy {
        Strategy::Vfork => assert!(d.shares_memory, "{case}"),
        Strategy::Fork => assert_eq!(d.fork, Fork::Pdfork, "{case}"),
        _ => assert_eq!(d.shares_memory, kernel.pdrfork, "{case}"),
    }
    // A vector is never dropped, and only ever sent from shared memory.
    let vector = matches!(d.exec, Exec::Coexecvec { .. });
    assert_eq!(vector, request.capability_vector, "{case}");
    if vector {
        assert!(d.shares_memory, "{case}");
    }
    assert_eq!(
        request.colocation.is_some(),
        d.exec != Exec::Execve,
        "{case}"
    );
    // Flags and bookkeeping agree with the fork.
    assert_eq!(d.pdflags, pdflags(request.daemon), "{case}");
    assert_eq!(d.reset_handlers, !d.shares_memory, "{case}");
    let mechanism = if d.shares_memory {
        Mechanism::Pdrfork
    } else {
        Mechanism::Pdfork
    };
    assert_eq!(d.mechanism, mechanism, "{case}");
}

fn check_refusal(request: &Request, kernel: Kernel, r: &Refusal, case: &str) {
    let colocation_blocked = request.colocation.is_some() && !(request.purecap && kernel.coexecve);
    let expected = if request.colocation.is_none() && request.capability_vector {
        io::ErrorKind::InvalidInput
    } else if colocation_blocked {
        io::ErrorKind::Unsupported
    } else if request.capability_vector && request.strategy == Strategy::Fork {
        io::ErrorKind::InvalidInput
    } else {
        // Only a shared address space can be missing now.
        assert!(!kernel.pdrfork, "{case}");
        assert!(
            request.strategy == Strategy::Vfork || request.capability_vector,
            "refused without cause: {case}"
        );
        assert!(r.message.contains("pdrfork(2)"), "{case}: {}", r.message);
        io::ErrorKind::Unsupported
    };
    assert_eq!(r.kind, expected, "{case}: {}", r.message);
    if colocation_blocked && r.kind == io::ErrorKind::Unsupported {
        assert!(r.message.contains("coexecve(2)"), "{case}: {}", r.message);
    }
}

#[test]
fn test_refusal_into_io_error() {
    let err = io::Error::from(refusal(
        &Request {
            strategy: Strategy::Vfork,
            ..request()
        },
        OLD,
    ));
    assert_eq!(err.kind(), io::ErrorKind::Unsupported);
    assert!(err.to_string().contains("pdrfork(2)"));
}

#[test]
fn test_presence_only_enosys_is_absent() {
    assert_eq!(presence(-(libc::ENOSYS as isize)), Presence::Absent);
    for errno in [
        libc::EINVAL,
        libc::EBADF,
        libc::EFAULT,
        libc::EPERM,
        libc::ESRCH,
    ] {
        assert_eq!(
            presence(-(errno as isize)),
            Presence::Present,
            "errno {errno}"
        );
    }
    assert_eq!(presence(0), Presence::Present);
}

#[test]
fn test_pid_or_errno_keeps_the_exact_errno() {
    assert_eq!(pid_or_errno(1234).unwrap(), 1234);
    for errno in [libc::EAGAIN, libc::ENOMEM, libc::EINVAL, libc::EFAULT] {
        let err = pid_or_errno(-(errno as isize)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(errno));
    }
    let err = pid_or_errno(1 << 40).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn test_wait_outcome_for_pdwait_and_wait4() {
    // Status words: exit 3, and stopped by SIGTRAP (the trace stop that
    // wait4 reports unasked), in the encoding Linux and FreeBSD share.
    let exited = 3 << 8;
    let trapped = (libc::SIGTRAP << 8) | 0x7f;

    // pdwait: 0 is a reaped child, EWOULDBLOCK one still running.
    assert_eq!(wait_outcome(0, true, exited).unwrap(), WaitOutcome::Reaped);
    let busy = -(libc::EWOULDBLOCK as isize);
    assert_eq!(wait_outcome(busy, true, 0).unwrap(), WaitOutcome::Running);
    // wait4: the pid is a reaped child, 0 one still running (WNOHANG),
    // and a trace stop is neither.
    assert_eq!(
        wait_outcome(321, false, exited).unwrap(),
        WaitOutcome::Reaped
    );
    assert_eq!(wait_outcome(0, false, 0).unwrap(), WaitOutcome::Running);
    assert_eq!(
        wait_outcome(321, false, trapped).unwrap(),
        WaitOutcome::Stopped
    );
    for by_descriptor in [false, true] {
        let intr = -(libc::EINTR as isize);
        assert_eq!(
            wait_outcome(intr, by_descriptor, 0).unwrap(),
            WaitOutcome::Retry
        );
        let err = wait_outcome(-(libc::ECHILD as isize), by_descriptor, 0).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ECHILD));
    }
}
