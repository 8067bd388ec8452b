//! Helpers shared by the spawn tests: resource counts and tests that run in
//! a fresh copy of this test binary.

use std::ffi::OsStr;
use std::io;
use std::time::{Duration, Instant};

use colaunch::Stdio;

/// The number of open descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// The number of mappings of this process.
pub fn map_count() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .expect("/proc/self/maps")
        .lines()
        .count()
}

/// The pids of this process's children that are zombies.
pub fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
    let mut zombies = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name may hold spaces; the fields after it do not.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        if fields.first() == Some(&"Z") && fields.get(1) == Some(&me.to_string().as_str()) {
            zombies.push(pid);
        }
    }
    zombies
}

/// Whether a process with this pid exists (zombies included).
pub fn process_exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Waits up to `limit` for `cond`, checking every few milliseconds.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

/// A field of `/proc/PID/status` (`SigBlk`, `SigIgn`, ...) as a bit set.
pub fn status_mask(status: &str, field: &str) -> u64 {
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in status:\n{status}"));
    u64::from_str_radix(line[field.len() + 1..].trim(), 16).expect("hex mask")
}

/// The bit of `signal` in a `/proc` signal mask.
pub fn bit(signal: i32) -> u64 {
    1 << (signal - 1)
}

/// The variable that says this binary runs under qemu-user: the runner in
/// `.cargo/config.toml` sets it, and [`copy_command`] passes it on.
const QEMU: &str = "COLAUNCH_TEST_QEMU";

/// Whether this process runs under qemu-user, which turns vfork into fork
/// and does not implement clone3.  The runner says so, not the library
/// under test: a spawn that regressed to a fork must fail, not skip.
pub fn under_qemu() -> bool {
    std::env::var_os(QEMU).as_deref() == Some(OsStr::new("1"))
}

/// Asserts that `child` ran in this process's address space, as a vfork
/// child does; call it only where [`under_qemu`] is false.
#[track_caller]
pub fn assert_shared(child: &colaunch::Child, what: &str) {
    assert!(
        child.shared_address_space(),
        "{what}: the child did not share this address space, so vfork was \
         emulated as a fork (under qemu-user, set {QEMU}=1)"
    );
}

/// The variable that tells a copy of this binary which test body to run.
const INNER: &str = "COLAUNCH_INNER_TEST";

/// Whether this process is the copy started to run test `name` alone.
pub fn is_inner(name: &str) -> bool {
    std::env::var_os(INNER).as_deref() == Some(OsStr::new(name))
}

/// A command that starts a fresh copy of this test binary running test
/// `name` alone.  With `qemu`, the copy is started through qemu-user, the
/// way the runner in `.cargo/config.toml` starts this binary.
fn copy_command(name: &str, qemu: bool) -> colaunch::Command {
    let exe = std::env::current_exe().expect("current_exe");
    let args = [name, "--exact", "--nocapture", "--test-threads=1"];
    let mut cmd = if qemu {
        let arch = std::env::consts::ARCH;
        let mut cmd = colaunch::Command::new(format!("qemu-{arch}"));
        cmd.arg("-L")
            .arg(format!("/usr/{arch}-linux-gnu"))
            .arg(&exe);
        cmd.env(QEMU, "1");
        cmd
    } else {
        colaunch::Command::new(&exe)
    };
    cmd.args(args).env(INNER, name);
    cmd
}

/// Starts a fresh copy of this test binary running test `name` alone,
/// with `stdio` set up by the caller.  Under qemu-user the kernel cannot
/// execute this foreign binary by itself (`ENOEXEC`), so the copy is
/// started through qemu again.
pub fn spawn_copy(name: &str, stdio: impl Fn(&mut colaunch::Command)) -> colaunch::Child {
    // colaunch itself starts the copy: under qemu-user, std's posix_spawn
    // reports a failed exec as success (scenarios.md S12); ours: ENOEXEC.
    let mut cmd = copy_command(name, false);
    stdio(&mut cmd);
    let spawned = match cmd.spawn() {
        Err(e) if e.raw_os_error() == Some(libc::ENOEXEC) => {
            let mut cmd = copy_command(name, true);
            stdio(&mut cmd);
            cmd.spawn()
        }
        other => other,
    };
    spawned.unwrap_or_else(|e| panic!("cannot start a copy of this binary for {name}: {e}"))
}

/// Runs test `name` in a fresh copy of this test binary and fails if that
/// copy fails.  Tests that install seccomp filters, change credentials,
/// limits or process-wide signal handling run this way, so nothing leaks
/// into the other tests.
pub fn run_inner(name: &str) -> String {
    let copy = spawn_copy(name, |cmd| {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
    });
    let output = copy.wait_with_output().expect("wait for the inner test");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprint!("{stderr}");
    assert!(
        output.status.success(),
        "inner test {name} failed: {:?}\n{stdout}",
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "inner test {name} did not run:\n{stdout}"
    );
    stderr
}

/// Declares a test whose body runs in a fresh copy of the test binary.
#[macro_export]
macro_rules! inner_test {
    ($(#[$attr:meta])* fn $name:ident() $body:block) => {
        $(#[$attr])*
        #[test]
        fn $name() {
            let path = module_path!();
            let module = path.split_once("::").map_or("", |(_, m)| m);
            let full = format!("{module}::{}", stringify!($name));
            if $crate::common::is_inner(&full) {
                $body
            } else {
                $crate::common::run_inner(&full);
            }
        }
    };
}

/// Installs a seccomp filter; `Err` when this environment refuses filters
/// (qemu-user answers `seccomp(2)` with `ENOSYS`).
#[cfg(target_os = "linux")]
pub fn install_filter(
    rules: Vec<(i64, Vec<seccompiler::SeccompRule>)>,
    action: seccompiler::SeccompAction,
) -> io::Result<()> {
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

    let arch = match std::env::consts::ARCH {
        "x86_64" => TargetArch::x86_64,
        "aarch64" => TargetArch::aarch64,
        other => panic!("no seccomp test support for {other}"),
    };
    let filter = SeccompFilter::new(
        rules.into_iter().collect(),
        SeccompAction::Allow,
        action,
        arch,
    )
    .expect("filter");
    let program: BpfProgram = filter.try_into().expect("compile filter");
    seccompiler::apply_filter(&program).map_err(|e| io::Error::other(e.to_string()))
}

/// Prints the conventional skip line and returns from the test.
#[macro_export]
macro_rules! skip {
    ($($why:tt)*) => {{
        eprintln!("skipped: {}", format_args!($($why)*));
        return;
    }};
}
