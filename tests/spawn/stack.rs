//! Vfork semantics really in force, and never silently given up
//! (docs/scenarios.md S6, S12, S20).

use std::hint::black_box;
use std::os::fd::OwnedFd;

use colaunch::{Command, Mechanism, Stdio, Strategy, probe};

use crate::common::{assert_shared, under_qemu};
use crate::skip;

// A smoke test around S6 (golang/go#20732: the child clobbered the
// parent's stack), not its proof.  A child running on this stack would
// write below the spawn call, where the canary in this frame cannot see
// it; the proof is the unit test that checks the child's stack pointer
// (src/sys/linux/tests.rs `test_spawn_child_runs_on_its_own_stack`).
// What this catches: a spawn with many options that crashes the parent
// or writes into its caller's frame, over 200 rounds.
#[test]
fn test_stack_smoke_caller_frame_intact_after_many_spawns() {
    let mut canary = [0u8; 16 * 1024];
    for (i, b) in canary.iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    let canary = black_box(canary);
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..200 {
        let (_, write) = std::io::pipe().unwrap();
        let status = Command::new("true")
            .args(["a"; 64])
            .env("COLAUNCH_CANARY", "x".repeat(4096))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .fd(9, OwnedFd::from(write))
            .status()
            .unwrap();
        assert!(status.success());
    }
    for (i, b) in black_box(&canary).iter().enumerate() {
        assert_eq!(*b, (i * 31 % 251) as u8, "canary byte {i} changed");
    }
}

// Natively a child that got its own address space fails these two: only
// the runner's COLAUNCH_TEST_QEMU=1 lets them skip, never the library.
#[test]
fn test_stack_vfork_is_real_with_every_option() {
    if under_qemu() {
        skip!("qemu-user emulates vfork with fork; see test_stack_qemu_chain");
    }
    let (_, write) = std::io::pipe().unwrap();
    let mut child = Command::new("true")
        .strategy(Strategy::Vfork)
        .current_dir("/")
        .env("K", "V")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .fd(5, OwnedFd::from(write))
        .process_group(0)
        .signal_mask(colaunch::SignalMask::empty())
        .parent_death_signal(Some(libc::SIGTERM))
        .spawn()
        .unwrap();
    // No option forced a fork: the child ran in our address space.
    assert_shared(&child, "Strategy::Vfork with every option");
    assert_ne!(child.mechanism(), Mechanism::Pdfork);
    assert!(child.wait().unwrap().success());
}

#[test]
fn test_stack_auto_never_forks_natively() {
    if under_qemu() {
        skip!("qemu-user emulates vfork with fork");
    }
    let mut child = Command::new("true").spawn().unwrap();
    assert_shared(&child, "the default strategy");
    assert!(child.wait().unwrap().success());
    assert_eq!(
        probe().shared_address_space,
        Some(true),
        "the probe says vfork is a fork here"
    );
}

// qemu-user: vfork is a fork, so exec errors must travel through a pipe,
// and the clone3 -> clone -> pidfd_open chain is walked for real.
#[test]
fn test_stack_qemu_chain() {
    let report = probe();
    let clone3 = report.features.iter().find(|f| f.name == "clone3").unwrap();
    let mut child = Command::new("true").spawn().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        Ok(child.mechanism()),
        report.auto_mechanism,
        "probe and spawn disagree"
    );
    if clone3.available {
        assert_eq!(child.mechanism(), Mechanism::Clone3);
    } else {
        assert_ne!(child.mechanism(), Mechanism::Clone3);
    }
    // This also fails if COLAUNCH_TEST_QEMU=1 is set natively, where the
    // chain stops at clone3 and the tests above would skip for nothing.
    if under_qemu() {
        eprintln!("qemu-user: the chain chose {}", child.mechanism());
        assert_eq!(child.mechanism(), Mechanism::CloneThenPidfdOpen);
    }
    let err = Command::new("/nonexistent/colaunch").spawn().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
}

// Each thread keeps a spare child stack in a thread-local.  A spawn from
// another thread-local's destructor, run after that slot is gone, must
// map a stack of its own, not abort the process (std spawns there too).
#[test]
fn test_stack_spawn_from_a_thread_local_destructor() {
    use std::sync::mpsc;

    struct SpawnOnDrop(mpsc::Sender<std::io::Result<bool>>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let status = Command::new("true").status().map(|s| s.success());
            let _ = self.0.send(status);
        }
    }
    thread_local! {
        static LATE: std::cell::RefCell<Option<SpawnOnDrop>> =
            const { std::cell::RefCell::new(None) };
    }

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Registered before the spare stack's slot, so destroyed after it.
        LATE.with(|late| *late.borrow_mut() = Some(SpawnOnDrop(tx)));
        assert!(Command::new("true").status().unwrap().success());
    })
    .join()
    .expect("the spawning thread panicked");
    assert!(
        rx.recv().unwrap().unwrap(),
        "`true` failed from a destructor"
    );
}
