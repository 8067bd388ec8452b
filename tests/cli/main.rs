//! Tests of the `colaunch` command: the built binary, run in a temporary
//! directory, judged by its exit status, stdout and stderr.
//!
//! Every wait is bounded by [`LIMIT`], which is generous: a test asserts
//! what happened, never how long it took.  Each run of colaunch starts
//! with the forwarded signals at their default disposition, so the tests
//! do not depend on a harness that ignores `SIGINT` (a background job).
//!
//! Built for another architecture and run under qemu-user (as
//! `scripts/test` does for aarch64), the binary is started through the
//! emulator; see [`launcher`].  There colaunch rightly warns that vfork
//! and `CLONE_PIDFD` are emulated away, and the tests set those warnings
//! aside (see [`stderr`]).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{self, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

use assert_cmd::assert::Assert;
use serde_json::Value;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_colaunch");

/// The bound on any wait; reaching it fails the test.
const LIMIT: Duration = Duration::from_secs(30);

/// The signals colaunch forwards, with the names sh's `trap` takes.
const FORWARDED: [(i32, &str); 7] = [
    (libc::SIGINT, "INT"),
    (libc::SIGTERM, "TERM"),
    (libc::SIGHUP, "HUP"),
    (libc::SIGQUIT, "QUIT"),
    (libc::SIGUSR1, "USR1"),
    (libc::SIGUSR2, "USR2"),
    (libc::SIGWINCH, "WINCH"),
];

/// A temporary directory to run colaunch in.
struct TestEnv {
    dir: TempDir,
}

impl TestEnv {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// colaunch with `args`, in the temporary directory.
    fn std_command<I, S>(&self, args: I) -> process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let (program, runner_args) = launcher().split_first().unwrap();
        let mut cmd = process::Command::new(program);
        cmd.args(runner_args)
            .args(args)
            .current_dir(self.dir.path());
        set_signals(&mut cmd, FORWARDED.map(|(signal, _)| signal), libc::SIG_DFL);
        cmd
    }

    /// Runs colaunch with `args` to completion (bounded by [`LIMIT`]).
    fn run<I, S>(&self, args: I) -> Assert
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_with(self.std_command(args))
    }

    fn run_with(&self, cmd: process::Command) -> Assert {
        let mut cmd = assert_cmd::Command::from_std(cmd);
        cmd.timeout(LIMIT).write_stdin("");
        cmd.assert()
    }

    /// Starts colaunch with `args` in the background.
    fn spawn<I, S>(&self, args: I) -> process::Child
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std_command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("colaunch starts")
    }

    /// Writes an executable (or not) file.
    fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, text).expect("write a test file");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    /// Waits for a file that ends with a newline, and returns its text
    /// without it.
    fn wait_for_line(&self, name: &str) -> String {
        let path = self.path(name);
        let start = Instant::now();
        loop {
            if let Ok(text) = fs::read_to_string(&path)
                && let Some(line) = text.strip_suffix('\n')
            {
                return line.to_owned();
            }
            assert!(start.elapsed() < LIMIT, "{name} never appeared");
            sleep(Duration::from_millis(10));
        }
    }

    fn read_json(&self, name: &str) -> Value {
        let text = fs::read_to_string(self.path(name)).expect("the report exists");
        serde_json::from_str(&text).expect("the report is JSON")
    }
}

/// How to start the binary: itself, or through the emulator the cross
/// runner uses, since qemu-user cannot exec a guest binary by itself
/// (without binfmt_misc the kernel hands it to sh).  `COLAUNCH_CLI_RUNNER`
/// (a command and its arguments, split at spaces) overrides the guess.
fn launcher() -> &'static [OsString] {
    static LAUNCHER: OnceLock<Vec<OsString>> = OnceLock::new();
    LAUNCHER.get_or_init(|| {
        let with = |runner: &str| -> Vec<OsString> {
            let words = runner.split_whitespace().map(OsString::from);
            words.chain([OsString::from(BIN)]).collect()
        };
        if let Ok(runner) = std::env::var("COLAUNCH_CLI_RUNNER") {
            return with(&runner);
        }
        // The same emulator and sysroot as `.cargo/config.toml`'s runner.
        let arch = std::env::consts::ARCH;
        let qemu = format!("qemu-{arch} -L /usr/{arch}-linux-gnu");
        for candidate in [with(""), with(&qemu)] {
            let version = process::Command::new(&candidate[0])
                .args(&candidate[1..])
                .arg("--version")
                .stdin(Stdio::null())
                .output();
            if version.is_ok_and(|out| out.stdout.starts_with(b"colaunch ")) {
                return candidate;
            }
        }
        panic!("cannot run {BIN}: set COLAUNCH_CLI_RUNNER to the emulator that can");
    })
}

/// Whether these tests run under qemu-user, where vfork and `CLONE_PIDFD`
/// are emulated away, so that colaunch warns on every run.  The runner in
/// `.cargo/config.toml` says so with `COLAUNCH_TEST_QEMU=1`; colaunch is
/// not asked, so that natively a spawn degraded to a fork shows up as an
/// unexpected warning instead of being set aside.
fn under_qemu() -> bool {
    std::env::var_os("COLAUNCH_TEST_QEMU").is_some_and(|v| v == "1")
}

fn stdout(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// What colaunch wrote on stderr, less its warnings about a degraded
/// spawn and the emulator's own notes (qemu-user announces a guest killed
/// by `SIGQUIT`) when [`under_qemu`] says to expect them.
fn stderr(assert: &Assert) -> String {
    filter_stderr(&assert.get_output().stderr)
}

fn filter_stderr(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if !under_qemu() {
        return text.into_owned();
    }
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with("colaunch: warning: "))
        .filter(|line| !line.starts_with("qemu: uncaught target signal "))
        .collect()
}

/// `Assert::stderr` on what [`stderr`] returns.
trait StderrIs {
    fn stderr_is(self, expected: &str) -> Self;
}

impl StderrIs for Assert {
    #[track_caller]
    fn stderr_is(self, expected: &str) -> Self {
        assert_eq!(
            stderr(&self),
            expected,
            "stderr of {:?}",
            self.get_output().status
        );
        self
    }
}

/// Asserts a usage-style failure: status 125, nothing on stdout, and one
/// error on stderr behind the `colaunch: ` prefix.
fn assert_failure(assert: Assert, needle: &str) {
    let err = stderr(&assert);
    let assert = assert.code(125).stdout("");
    assert!(err.starts_with("colaunch: "), "stderr: {err:?}");
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert_eq!(
        err.matches("colaunch: ").count(),
        1,
        "printed once: {err:?}"
    );
    drop(assert);
}

/// Sets each of `signals` to `action` in the process `cmd` starts, before
/// it runs anything: a run never depends on the harness's dispositions.
fn set_signals<const N: usize>(
    cmd: &mut process::Command,
    signals: [i32; N],
    action: libc::sighandler_t,
) {
    // SAFETY: signal(2) is async-signal-safe and touches no memory of the
    // parent; the closure owns a copied array and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            for signal in signals {
                libc::signal(signal, action);
            }
            Ok(())
        });
    }
}

/// Sends `signal` to `pid`.
fn kill(pid: u32, signal: i32) {
    // SAFETY: kill(2) takes two integers; the pid is our unreaped child.
    let ret = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(ret, 0, "kill({pid}, {signal})");
}

/// Waits for a background colaunch, bounded by [`LIMIT`].
fn wait_bounded(child: &mut process::Child) -> process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("colaunch did not exit within {LIMIT:?}");
        }
        sleep(Duration::from_millis(10));
    }
}

/// Whether `pid` is a live process (not gone, not a zombie).
#[cfg(target_os = "linux")]
fn is_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => !stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Whether `pid` is stopped (state `T` in `/proc/PID/stat`).
#[cfg(target_os = "linux")]
fn is_stopped(pid: u32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(") ")
        .is_some_and(|(_, rest)| rest.starts_with('T'))
}

/// Waits until `done` holds, checking every 10 ms; reaching [`LIMIT`]
/// fails the test, saying what never happened.
#[cfg(target_os = "linux")]
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < LIMIT, "{what}");
        sleep(Duration::from_millis(10));
    }
}

/// Waits until `pid` is stopped, bounded by [`LIMIT`].
#[cfg(target_os = "linux")]
fn wait_stopped(pid: u32) {
    wait_until(&format!("pid {pid} never stopped"), || is_stopped(pid));
}

/// Waits until `pid` is gone after colaunch died; init may take a moment
/// to reap it, so a zombie counts as gone.
#[cfg(target_os = "linux")]
fn wait_gone(pid: u32) {
    wait_until(&format!("pid {pid} outlived colaunch"), || !is_alive(pid));
}

// ---- help, version, usage errors ------------------------------------------

#[test]
fn test_help_lists_every_option() {
    let env = TestEnv::new();
    let assert = env.run(["--help"]).code(0).stderr_is("");
    let out = stdout(&assert);
    for option in [
        "--chdir",
        "--env",
        "--unset",
        "--ignore-environment",
        "--timeout",
        "--signal",
        "--kill-after",
        "--colocate",
        "--colocate-parent",
        "--daemon",
        "--strategy",
        "--report",
        "--probe",
        "--verbose",
        "--quiet",
    ] {
        assert!(out.contains(option), "--help lacks {option}");
    }
    assert!(out.contains("Usage: colaunch [OPTIONS] [--] PROGRAM [ARGS]..."));
    assert!(out.contains("124      --timeout expired"));
}

#[test]
fn test_help_lists_report_failure_under_125() {
    let env = TestEnv::new();
    let help = stdout(&env.run(["--help"]).code(0));
    let causes = help
        .split("  125")
        .nth(1)
        .unwrap()
        .split("  126")
        .next()
        .unwrap();
    let causes = causes.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(causes.contains("the report cannot be written"), "{causes}");
}

#[test]
fn test_version() {
    let env = TestEnv::new();
    let version = format!("colaunch {}\n", env!("CARGO_PKG_VERSION"));
    env.run(["--version"]).code(0).stdout(version).stderr_is("");
}

#[test]
fn test_version_and_help_unprintable_say_which() {
    let env = TestEnv::new();
    for (option, what) in [("--version", "the version"), ("--help", "the help")] {
        let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipped: no /dev/full to make a write fail");
            return;
        };
        let mut cmd = env.std_command([option]);
        cmd.stdout(full);
        let output = cmd.stdin(Stdio::null()).output().unwrap();
        assert_eq!(output.status.code(), Some(125), "{option}");
        assert_eq!(
            filter_stderr(&output.stderr),
            format!("colaunch: cannot print {what}: No space left on device\n")
        );
    }
}

#[test]
fn test_usage_missing_program() {
    assert_failure(TestEnv::new().run::<_, &str>([]), "<PROGRAM>");
}

#[test]
fn test_usage_unknown_option() {
    assert_failure(
        TestEnv::new().run(["--no-such-option", "true"]),
        "'--no-such-option'",
    );
}

#[test]
fn test_usage_quiet_conflicts_with_verbose() {
    assert_failure(
        TestEnv::new().run(["-q", "-v", "true"]),
        "cannot be used with",
    );
}

// ---- running a program -----------------------------------------------------

#[test]
fn test_run_passes_arguments_unchanged() {
    let env = TestEnv::new();
    env.run(["echo", "hello", "-v", "--timeout", "x"])
        .code(0)
        .stdout("hello -v --timeout x\n")
        .stderr_is("");
}

// Found by fuzz/fuzz_targets/cli_args.rs: options after the program were
// read as colaunch's own, so `colaunch ls --version` printed our version.
#[test]
fn test_run_options_after_the_program_belong_to_it() {
    let env = TestEnv::new();
    env.run([
        "printf",
        "%s|",
        "--help",
        "--version",
        "-i",
        "-v",
        "--",
        "-q",
    ])
    .code(0)
    .stdout("--help|--version|-i|-v|--|-q|")
    .stderr_is("");
    // colaunch's own options before the program still count.
    let assert = env.run(["-v", "printf", "%s|", "-v"]).code(0).stdout("-v|");
    assert!(
        stderr(&assert).contains("colaunch: debug: "),
        "-v was not colaunch's"
    );
}

#[test]
fn test_run_after_double_dash() {
    let env = TestEnv::new();
    env.write("-dash", "#!/bin/sh\necho dash \"$@\"\n", 0o755);
    env.run(["--", "./-dash", "-q"])
        .code(0)
        .stdout("dash -q\n")
        .stderr_is("");
}

#[test]
fn test_run_stdin_is_inherited() {
    let env = TestEnv::new();
    let mut cmd = assert_cmd::Command::from_std(env.std_command(["cat"]));
    cmd.timeout(LIMIT)
        .write_stdin("fed\n")
        .assert()
        .code(0)
        .stdout("fed\n");
}

// ---- exit statuses ---------------------------------------------------------

#[test]
fn test_exit_child_code() {
    let env = TestEnv::new();
    env.run(["sh", "-c", "exit 7"])
        .code(7)
        .stdout("")
        .stderr_is("");
    env.run(["false"]).code(1).stderr_is("");
}

#[test]
fn test_exit_child_signal_is_128_plus_n() {
    let env = TestEnv::new();
    env.run(["sh", "-c", "kill -USR1 $$"])
        .code(128 + libc::SIGUSR1)
        .stderr_is("");
    env.run(["sh", "-c", "kill -KILL $$"])
        .code(137)
        .stderr_is("");
}

#[test]
fn test_exit_child_sigint_and_sigquit_kill_colaunch_too() {
    // A shell stops a loop only when its child dies of SIGINT or SIGQUIT,
    // not when it exits 130, so colaunch dies by the same signal; the
    // report, written first, still says 128 + N.
    for (signal, name) in [(libc::SIGINT, "INT"), (libc::SIGQUIT, "QUIT")] {
        let env = TestEnv::new();
        let script = format!("kill -{name} $$");
        let assert = env
            .run(["--report", "r.json", "sh", "-c", &script])
            .stdout("")
            .stderr_is("");
        let status = assert.get_output().status;
        assert_eq!(status.signal(), Some(signal), "{name}: {status:?}");
        assert!(!status.core_dumped(), "{name}: colaunch dumped core");
        let report = env.read_json("r.json");
        assert_eq!(report["signal"], signal);
        assert_eq!(report["status"], 128 + signal);
    }
}

#[test]
fn test_exit_shell_sees_130_and_143() {
    // However colaunch ends, a shell shows the usual 128 + N.
    let env = TestEnv::new();
    let colaunch = launcher()
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "{colaunch} sh -c 'kill -TERM $$'; echo term $?; \
         {colaunch} sh -c 'kill -INT $$'; echo int $?"
    );
    let mut cmd = process::Command::new("sh");
    cmd.args(["-c", &script]).current_dir(env.path(""));
    set_signals(&mut cmd, [libc::SIGINT], libc::SIG_DFL);
    env.run_with(cmd)
        .code(0)
        .stdout("term 143\nint 130\n")
        .stderr_is("");
}

#[test]
fn test_exit_status_survives_ignored_sigchld() {
    // With SIGCHLD ignored the kernel reaps children by itself; colaunch
    // must undo that, as timeout(1) does, or the status is lost.
    let env = TestEnv::new();
    let mut cmd = env.std_command(["sh", "-c", "exit 3"]);
    set_signals(&mut cmd, [libc::SIGCHLD], libc::SIG_IGN);
    env.run_with(cmd).code(3).stdout("").stderr_is("");
}

#[test]
fn test_exit_not_found_127() {
    let env = TestEnv::new();
    env.run(["no-such-program-colaunch"])
        .code(127)
        .stdout("")
        .stderr_is("colaunch: no-such-program-colaunch: No such file or directory\n");
    env.run(["./missing"])
        .code(127)
        .stderr_is("colaunch: ./missing: No such file or directory\n");
}

#[test]
fn test_exit_not_executable_126() {
    let env = TestEnv::new();
    env.write("plain", "#!/bin/sh\necho ran\n", 0o644);
    env.run(["./plain"])
        .code(126)
        .stdout("")
        .stderr_is("colaunch: ./plain: Permission denied\n");
}

#[test]
fn test_exit_exec_format_error_126() {
    let env = TestEnv::new();
    env.write("garbage", "\u{1}\u{2}not a program\n", 0o755);
    env.run(["./garbage"])
        .code(126)
        .stdout("")
        .stderr_is("colaunch: ./garbage: Exec format error\n");
}

#[test]
fn test_exit_resources_exhausted_125() {
    let env = TestEnv::new();
    if launcher().len() > 1 {
        eprintln!("skipped: the emulator itself needs more descriptors");
        return;
    }
    // Five descriptors: stdio and the signal pipe leave none for the
    // spawn's error pipe, so the spawn itself fails with EMFILE.
    let mut cmd = env.std_command(["true"]);
    // SAFETY: setrlimit(2) is async-signal-safe; `limit` is a local.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 5,
                rlim_max: 5,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    env.run_with(cmd)
        .code(125)
        .stdout("")
        .stderr_is("colaunch: true: Too many open files\n");
}

// ---- -C, -e, -u, -i, PATH -------------------------------------------------

#[test]
fn test_chdir_runs_program_there() {
    let env = TestEnv::new();
    fs::create_dir(env.path("sub")).unwrap();
    let sub = fs::canonicalize(env.path("sub")).unwrap();
    env.run(["-C", "sub", "pwd", "-P"])
        .code(0)
        .stdout(format!("{}\n", sub.display()))
        .stderr_is("");
    env.run(["--chdir", "sub", "pwd", "-P"])
        .code(0)
        .stdout(format!("{}\n", sub.display()));
}

#[test]
fn test_chdir_relative_program_resolves_there() {
    let env = TestEnv::new();
    fs::create_dir(env.path("sub")).unwrap();
    env.write("sub/hello", "#!/bin/sh\necho hello from sub\n", 0o755);
    env.run(["-C", "sub", "./hello"])
        .code(0)
        .stdout("hello from sub\n")
        .stderr_is("");
}

#[test]
fn test_chdir_missing_is_125() {
    let env = TestEnv::new();
    env.run(["-C", "nope", "true"])
        .code(125)
        .stdout("")
        .stderr_is("colaunch: cannot change directory to 'nope': No such file or directory\n");
}

#[test]
fn test_env_sets_variables() {
    let env = TestEnv::new();
    env.run([
        "-e",
        "FOO=bar",
        "--env",
        "EQ=a=b",
        "-e",
        "EMPTY=",
        "sh",
        "-c",
        "echo \"$FOO|$EQ|${EMPTY-unset}\"",
    ])
    .code(0)
    .stdout("bar|a=b|\n")
    .stderr_is("");
}

#[test]
fn test_env_rejects_bad_assignment() {
    let env = TestEnv::new();
    assert_failure(env.run(["-e", "FOO", "true"]), "'FOO' is not KEY=VALUE");
    assert_failure(env.run(["-e", "=x", "true"]), "'=x' is not KEY=VALUE");
}

#[test]
fn test_unset_rejects_bad_name() {
    // A usage error, caught before -C runs, with no program prefix.
    let env = TestEnv::new();
    for bad in ["", "A=B"] {
        let assert = env.run(["-C", "no-such-dir", "-u", bad, "true"]);
        let err = stderr(&assert);
        assert!(
            err.starts_with(&format!("colaunch: invalid value '{bad}' for")),
            "{err}"
        );
        assert_failure(assert, &format!("'{bad}' is not a variable name"));
    }
}

#[test]
fn test_unset_removes_variable() {
    let env = TestEnv::new();
    let mut cmd = env.std_command(["-u", "FOO", "--unset", "BAR", "sh", "-c"]);
    cmd.arg("echo \"${FOO-unset} ${BAR-unset} $KEEP\"")
        .env("FOO", "1")
        .env("BAR", "2")
        .env("KEEP", "3");
    env.run_with(cmd)
        .code(0)
        .stdout("unset unset 3\n")
        .stderr_is("");
}

#[test]
fn test_ignore_environment() {
    let env = TestEnv::new();
    let mut cmd = env.std_command(["-i", "-e", "A=1", "env"]);
    cmd.env("FOO", "1");
    env.run_with(cmd).code(0).stdout("A=1\n").stderr_is("");

    // Set after clearing wins over unset, as with env(1).
    let cmd = env.std_command(["--ignore-environment", "-u", "A", "-e", "A=2", "env"]);
    env.run_with(cmd).code(0).stdout("A=2\n");
}

#[test]
fn test_path_lookup() {
    let env = TestEnv::new();
    fs::create_dir(env.path("bin")).unwrap();
    env.write("bin/mytool", "#!/bin/sh\necho mytool \"$@\"\n", 0o755);
    let bin = env.path("bin");

    // colaunch's own PATH.
    let mut cmd = env.std_command(["mytool", "x"]);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
    env.run_with(cmd).code(0).stdout("mytool x\n").stderr_is("");

    // The child's PATH, when -e sets one.
    let path = format!("PATH={}:/usr/bin:/bin", bin.display());
    env.run(["-e", &path, "mytool", "y"])
        .code(0)
        .stdout("mytool y\n");

    // Not found along PATH.
    let mut cmd = env.std_command(["mytool"]);
    cmd.env("PATH", "/usr/bin:/bin");
    env.run_with(cmd)
        .code(127)
        .stderr_is("colaunch: mytool: No such file or directory\n");
}

// ---- --timeout, --signal, --kill-after ------------------------------------

#[test]
fn test_timeout_expires_124() {
    let env = TestEnv::new();
    env.run(["--timeout", "200ms", "sleep", "60"])
        .code(124)
        .stdout("")
        .stderr_is("");
}

#[test]
fn test_timeout_plain_seconds() {
    let env = TestEnv::new();
    env.run(["--timeout", "0.2", "--report", "r.json", "sleep", "60"])
        .code(124);
    let report = env.read_json("r.json");
    assert_eq!(report["timed_out"], true);
    assert_eq!(report["signal_name"], "SIGTERM");
    assert_eq!(report["status"], 124);
}

#[test]
fn test_timeout_not_reached_keeps_status() {
    let env = TestEnv::new();
    env.run(["--timeout", "1m", "sh", "-c", "exit 4"])
        .code(4)
        .stderr_is("");
    env.run(["--timeout", "0", "sh", "-c", "sleep 0.2; exit 5"])
        .code(5)
        .stderr_is("");
}

#[test]
fn test_timeout_sends_chosen_signal() {
    // The timeout must outlast sh's start-up, or INT would come before the
    // trap; 2 s is far more than that takes even on a loaded machine.
    let env = TestEnv::new();
    let script = "trap 'echo got INT; exit 3' INT; echo ready; while :; do sleep 0.05; done";
    env.run([
        "--timeout",
        "2s",
        "--signal",
        "INT",
        "--report",
        "r.json",
        "sh",
        "-c",
        script,
    ])
    .code(124)
    .stdout("ready\ngot INT\n")
    .stderr_is("");
    let report = env.read_json("r.json");
    assert_eq!(report["exit_code"], 3);
    assert_eq!(report["timed_out"], true);
}

#[test]
fn test_timeout_kill_after() {
    // sh ignores TERM from its first line, so only the KILL that
    // --kill-after sends can end it; 2 s is far more than sh's start-up.
    let env = TestEnv::new();
    let script = "trap '' TERM; echo ready; while :; do sleep 0.05; done";
    let options = [
        "--timeout",
        "2s",
        "--kill-after",
        "200ms",
        "--report",
        "r.json",
    ];
    env.run(options.into_iter().chain(["sh", "-c", script]))
        .code(124)
        .stdout("ready\n")
        .stderr_is("");
    let report = env.read_json("r.json");
    assert_eq!(report["signal"], libc::SIGKILL);
    assert_eq!(report["signal_name"], "SIGKILL");
    assert_eq!(report["timed_out"], true);
    assert_eq!(report["status"], 124);
}

#[test]
fn test_timeout_below_a_nanosecond_still_expires() {
    // Only 0 means no timeout; a tiny one used to round down to it.
    let env = TestEnv::new();
    env.run(["--timeout", "0.0000000001", "sleep", "1"])
        .code(124)
        .stdout("")
        .stderr_is("");

    // sh ignores TERM (and exec passes that on), so only KILL ends it.
    let script = "trap '' TERM; echo ready; exec sleep 3";
    let options = ["--timeout", "1", "--kill-after", "0.0000000001ms"];
    let options = options.into_iter().chain(["--report", "r.json"]);
    env.run(options.chain(["sh", "-c", script]))
        .code(124)
        .stdout("ready\n")
        .stderr_is("");
    assert_eq!(env.read_json("r.json")["signal"], libc::SIGKILL);
}

#[test]
fn test_timeout_ends_a_stopped_child() {
    // A stopped child acts on the timeout's signal only once continued.
    let env = TestEnv::new();
    env.run(["--timeout", "0.5", "sh", "-c", "kill -STOP $$"])
        .code(124)
        .stdout("")
        .stderr_is("");
}

#[test]
fn test_timeout_rejects_bad_values() {
    let env = TestEnv::new();
    let huge = "99999999999999999999";
    let too_large = format!("'{huge}' is too large");
    let cases: [(&[&str], &str); 8] = [
        (&["--timeout", "5x"], "'5x' is not a duration"),
        (&["--timeout=-1"], "'-1' is not a duration"),
        // Spelt apart too: a negative number is a value, not an option.
        (&["--timeout", "-1"], "'-1' is not a duration"),
        (
            &["--timeout", "1", "--kill-after", "-2"],
            "'-2' is not a duration",
        ),
        (
            &["--timeout", "1", "--signal", "-9"],
            "-9 is not a signal number",
        ),
        (&["--timeout", "1", "--signal", "NOPE"], "'NOPE'"),
        (&["--timeout", "1", "--kill-after", "x"], "'x'"),
        (&["--timeout", huge], &too_large),
    ];
    for (options, needle) in cases {
        let mut args = options.to_vec();
        args.push("true");
        assert_failure(env.run(&args), needle);
    }
}

#[test]
fn test_signal_and_kill_after_need_timeout() {
    let env = TestEnv::new();
    assert_failure(env.run(["--signal", "INT", "true"]), "--timeout");
    assert_failure(env.run(["--kill-after", "1s", "true"]), "--timeout");
}

// ---- --colocate, --colocate-parent ----------------------------------------

#[cfg(target_os = "linux")] // colocation exists on CheriBSD only
#[test]
fn test_colocate_unsupported_125() {
    let env = TestEnv::new();
    let prefix = "colaunch: true: colocation needs a CheriBSD kernel with coexecve";
    let err = stderr(&env.run(["--colocate", "1", "true"]).code(125).stdout(""));
    assert!(err.starts_with(prefix), "stderr: {err:?}");
    let err = stderr(&env.run(["--colocate-parent", "true"]).code(125).stdout(""));
    assert!(err.starts_with(prefix), "stderr: {err:?}");
}

#[test]
fn test_colocate_rejects_bad_values() {
    let env = TestEnv::new();
    assert_failure(env.run(["--colocate", "0", "true"]), "'0'");
    assert_failure(env.run(["--colocate", "x", "true"]), "'x'");
    assert_failure(env.run(["--colocate", "-5", "true"]), "'-5'");
    // A pid is a positive pid_t.
    assert_failure(
        env.run(["--colocate", "2147483648", "true"]),
        "'2147483648'",
    );
    assert_failure(
        env.run(["--colocate", "1", "--colocate-parent", "true"]),
        "cannot be used",
    );
}

// ---- --daemon --------------------------------------------------------------

#[cfg(target_os = "linux")] // checks liveness through /proc
#[test]
fn test_daemon_prints_pid_and_leaves_it_running() {
    let env = TestEnv::new();
    let assert = env
        .run(["--daemon", "sh", "-c", "echo $$ > pid; exec sleep 60"])
        .code(0)
        .stderr_is("");
    let printed = stdout(&assert);
    let pid: u32 = printed.trim_end().parse().expect("a pid on stdout");
    assert_eq!(printed, format!("{pid}\n"));

    // The daemon is the process that wrote the file, still running after
    // colaunch has exited, in a process group of its own.
    assert_eq!(env.wait_for_line("pid"), pid.to_string());
    assert!(is_alive(pid), "the daemon died with colaunch");
    // SAFETY: getpgid(2) only reads; a stale pid is ESRCH, not UB.
    let group = unsafe { libc::getpgid(pid as libc::pid_t) };
    assert_eq!(group, pid as libc::pid_t);
    kill(pid, libc::SIGKILL);
}

#[test]
fn test_daemon_report_status_is_0() {
    // status is what colaunch exits with; how the child ends is unknown.
    let env = TestEnv::new();
    let assert = env.run(["--daemon", "--report", "r.json", "true"]).code(0);
    let report = env.read_json("r.json");
    assert_eq!(report["daemon"], true);
    assert_eq!(report["pid"].to_string() + "\n", stdout(&assert));
    assert_eq!(report["status"], 0);
    assert_eq!(report["exit_code"], Value::Null);
}

#[test]
fn test_daemon_pid_unprintable_leaves_nothing_running() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full to make a write fail");
        return;
    };
    expect_daemon_killed(full.into(), "No space left on device");

    // A reader that is gone is a failure here too, unlike for --probe:
    // nobody learns the pid.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    expect_daemon_killed(writer.into(), "Broken pipe");
}

/// Runs `colaunch --daemon` with `stdout` where the pid cannot be
/// written; it must fail with `reason` and leave nothing running.
fn expect_daemon_killed(stdout: Stdio, reason: &str) {
    let env = TestEnv::new();
    let script = "sleep 1; echo alive > alive";
    let mut colaunch = env
        .std_command(["--daemon", "sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert_eq!(wait_bounded(&mut colaunch).code(), Some(125), "{reason}");
    let output = colaunch.wait_with_output().unwrap();
    assert_eq!(
        filter_stderr(&output.stderr),
        format!("colaunch: cannot print the pid: {reason}\n")
    );

    // Its caller never learnt the pid, so the daemon must be gone.
    sleep(Duration::from_secs(3));
    assert!(
        !env.path("alive").exists(),
        "the daemon outlived the failure ({reason})"
    );
}

#[test]
fn test_daemon_conflicts_with_timeout() {
    let env = TestEnv::new();
    assert_failure(
        env.run(["--daemon", "--timeout", "1", "true"]),
        "cannot be used with",
    );
}

// ---- --strategy ------------------------------------------------------------

#[test]
fn test_strategy_fork_copies() {
    let env = TestEnv::new();
    env.run(["--strategy", "fork", "--report", "r.json", "echo", "forked"])
        .code(0)
        .stdout("forked\n");
    assert_eq!(env.read_json("r.json")["shared_address_space"], false);
}

#[test]
fn test_strategy_vfork_and_auto_match_probe() {
    let env = TestEnv::new();
    env.run(["--probe", "--report", "probe.json"]).code(0);
    let probe = env.read_json("probe.json");

    // Under an emulator that turns vfork into fork both say false;
    // natively both must say true.
    if !under_qemu() {
        assert_eq!(
            probe["shared_address_space"], true,
            "vfork was emulated as a fork (under qemu-user, set COLAUNCH_TEST_QEMU=1)"
        );
    }
    for strategy in ["vfork", "auto"] {
        env.run(["--strategy", strategy, "--report", "r.json", "true"])
            .code(0)
            .stderr_is("");
        let report = env.read_json("r.json");
        assert_eq!(
            report["shared_address_space"],
            probe["shared_address_space"]
        );
        assert_eq!(report["mechanism"], probe["auto_mechanism"]);
    }
}

#[test]
fn test_strategy_rejects_unknown() {
    assert_failure(
        TestEnv::new().run(["--strategy", "spawn", "true"]),
        "'spawn'",
    );
}

// ---- --report --------------------------------------------------------------

#[test]
fn test_report_fields() {
    let env = TestEnv::new();
    let assert = env
        .run(["--report", "r.json", "sh", "-c", "echo $$; exit 3"])
        .code(3);
    let pid: u64 = stdout(&assert).trim_end().parse().unwrap();
    let r = env.read_json("r.json");

    assert_eq!(r["program"], "sh");
    assert_eq!(
        r["argv"],
        serde_json::json!(["sh", "-c", "echo $$; exit 3"])
    );
    assert_eq!(r["pid"], pid);
    let mechanisms = [
        "clone3",
        "clone",
        "pidfd_open fallback",
        "pdrfork",
        "pdfork",
    ];
    assert!(
        mechanisms.contains(&r["mechanism"].as_str().unwrap()),
        "{}",
        r["mechanism"]
    );
    assert_eq!(r["daemon"], false);
    assert_eq!(r["exit_code"], 3);
    assert_eq!(r["signal"], Value::Null);
    assert_eq!(r["signal_name"], Value::Null);
    assert_eq!(r["core_dumped"], false);
    assert_eq!(r["timed_out"], false);
    assert_eq!(r["status"], 3);

    // Times are in microseconds; the spawn is part of the wall time.
    let latency = r["spawn_latency_us"].as_u64().unwrap();
    assert!(latency <= r["wall_time_us"].as_u64().unwrap());
    assert!(r["user_time_us"].is_u64() && r["system_time_us"].is_u64());
    assert!(r["max_rss_kib"].as_u64().unwrap() > 0, "sh used no memory?");
}

#[test]
fn test_report_to_stderr_on_signal() {
    let env = TestEnv::new();
    let assert = env
        .run(["--report", "-", "sh", "-c", "kill -KILL $$"])
        .code(137)
        .stdout("");
    let r: Value = serde_json::from_str(&stderr(&assert)).expect("one JSON object on stderr");
    assert_eq!(r["signal"], 9);
    assert_eq!(r["signal_name"], "SIGKILL");
    assert_eq!(r["exit_code"], Value::Null);
    assert_eq!(r["status"], 137);
}

#[cfg(target_os = "linux")] // 40 is a real-time signal there
#[test]
fn test_report_signal_without_a_name_is_null() {
    // qemu-user renumbers real-time signals on their way to the guest, so
    // the number is read from the report rather than assumed.
    let env = TestEnv::new();
    let assert = env
        .run(["--report", "r.json", "sh", "-c", "kill -40 $$"])
        .stderr_is("");
    let r = env.read_json("r.json");
    let signal = r["signal"].as_i64().expect("a signal ended sh");
    assert!(signal > i64::from(libc::SIGSYS), "not real-time: {signal}");
    assert_eq!(assert.get_output().status.code(), Some(128 + signal as i32));
    assert_eq!(r["signal_name"], Value::Null);
}

#[test]
fn test_report_path_is_relative_to_start_dir() {
    let env = TestEnv::new();
    fs::create_dir(env.path("sub")).unwrap();
    env.run(["-C", "sub", "--report", "r.json", "true"]).code(0);
    assert_eq!(env.read_json("r.json")["exit_code"], 0);
    assert!(!env.path("sub/r.json").exists());
}

#[test]
fn test_report_on_failure_says_why() {
    let env = TestEnv::new();
    env.run(["--report", "r.json", "no-such-program-colaunch", "x"])
        .code(127);
    let r = env.read_json("r.json");
    assert_eq!(r["program"], "no-such-program-colaunch");
    assert_eq!(
        r["argv"],
        serde_json::json!(["no-such-program-colaunch", "x"])
    );
    assert_eq!(
        r["error"],
        "no-such-program-colaunch: No such file or directory"
    );
    assert_eq!(r["status"], 127);

    env.run(["--report", "r.json", "-C", "nope", "true"])
        .code(125);
    let r = env.read_json("r.json");
    assert_eq!(
        r["error"],
        "cannot change directory to 'nope': No such file or directory"
    );
    assert_eq!(r["status"], 125);
}

#[test]
fn test_report_unwritable_fails_before_running() {
    let env = TestEnv::new();
    env.run(["--report", "no-dir/r.json", "touch", "ran"])
        .code(125)
        .stdout("")
        .stderr_is(
            "colaunch: cannot create report file 'no-dir/r.json': No such file or directory\n",
        );
    assert!(!env.path("ran").exists(), "the program ran");
}

// ---- --probe ---------------------------------------------------------------

#[test]
fn test_probe_text() {
    let env = TestEnv::new();
    let assert = env.run(["--probe"]).code(0).stderr_is("");
    let out = stdout(&assert);
    let labels: Vec<&str> = out.lines().map(|l| l.split("  ").next().unwrap()).collect();
    assert_eq!(&labels[..3], ["os", "arch", "purecap"]);
    assert!(labels.contains(&"auto mechanism"), "{out}");
    assert!(labels.contains(&"shared address space"), "{out}");
    #[cfg(target_os = "linux")]
    for feature in ["clone3", "CLONE_PIDFD", "CLONE_CLEAR_SIGHAND", "pidfd_open"] {
        assert!(labels.contains(&feature), "no {feature} in {out}");
    }

    // Aligned: every value starts in the column after the longest label.
    let column = labels.iter().map(|l| l.len()).max().unwrap() + 2;
    for line in out.lines() {
        let (label, value) = line.split_at(column);
        assert!(
            label.ends_with("  ") && !value.starts_with(' '),
            "misaligned: {line:?}"
        );
    }
}

#[test]
fn test_probe_json() {
    let env = TestEnv::new();
    env.run(["--probe", "--report", "p.json"])
        .code(0)
        .stdout("")
        .stderr_is("");
    let p = env.read_json("p.json");
    assert_eq!(p["os"], std::env::consts::OS);
    assert_eq!(p["arch"], std::env::consts::ARCH);
    assert!(p["purecap"].is_boolean());
    let features = p["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert!(f["name"].is_string() && f["available"].is_boolean() && f["detail"].is_string());
    }
    assert!(p["auto_mechanism"].is_string() != p["auto_mechanism_error"].is_string());
}

#[test]
fn test_probe_rejects_a_program() {
    assert_failure(
        TestEnv::new().run(["--probe", "true"]),
        "cannot be used with",
    );
    // Nor the options of a run, --signal and --kill-after included.
    for option in [["--signal", "INT"], ["--kill-after", "1"], ["-C", "/"]] {
        let mut args = vec!["--probe"];
        args.extend(option);
        assert_failure(TestEnv::new().run(&args), "cannot be used with");
    }
}

#[test]
fn test_probe_broken_pipe_is_success() {
    let env = TestEnv::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = env.std_command(["--probe"]);
    cmd.stdout(writer);
    env.run_with(cmd).code(0).stderr_is("");
}

// ---- -v, -q ----------------------------------------------------------------

#[test]
fn test_verbose_logs_decisions() {
    let env = TestEnv::new();
    let assert = env.run(["-v", "true"]).code(0).stdout("");
    let err = stderr(&assert);
    assert!(
        err.lines().all(|l| l.starts_with("colaunch: debug: ")),
        "{err}"
    );
    assert!(err.contains(" started by "), "{err}");
    assert!(err.contains("environment: "), "{err}");
}

#[test]
fn test_verbose_warns_of_each_degradation_once() {
    // Not filtered: under qemu-user both warnings are expected, once each.
    let env = TestEnv::new();
    let assert = env.run(["-v", "--report", "r.json", "true"]).code(0);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let r = env.read_json("r.json");
    let pidfd = "gave no descriptor at clone time";
    let copied = "the child did not share colaunch's memory";
    let mechanism = r["mechanism"].as_str().unwrap();
    let expected = [
        (pidfd, mechanism == "pidfd_open fallback"),
        (
            copied,
            mechanism != "pdfork" && r["shared_address_space"] == false,
        ),
    ];
    for (needle, wanted) in expected {
        assert_eq!(
            err.matches(needle).count(),
            usize::from(wanted),
            "{needle:?} in {err}"
        );
    }
}

#[test]
fn test_quiet_prints_only_errors() {
    let env = TestEnv::new();
    env.run(["-q", "true"]).code(0).stdout("").stderr_is("");
    env.run(["--quiet", "no-such-program-colaunch"])
        .code(127)
        .stderr_is("colaunch: no-such-program-colaunch: No such file or directory\n");
}

// ---- signals and lifetime --------------------------------------------------

#[test]
fn test_forward_each_signal() {
    for (signal, name) in FORWARDED {
        let env = TestEnv::new();
        let script = format!(
            "trap 'echo {name} > got; exit 0' {name}; echo ready > ready; \
             while :; do sleep 0.05; done"
        );
        let mut colaunch = env.spawn(["sh", "-c", &script]);
        env.wait_for_line("ready");
        kill(colaunch.id(), signal);
        let status = wait_bounded(&mut colaunch);
        assert_eq!(status.code(), Some(0), "after {name}");
        assert_eq!(env.wait_for_line("got"), name);
    }
}

#[test]
fn test_forward_sigterm_exits_143() {
    let env = TestEnv::new();
    let mut colaunch = env.spawn(["sh", "-c", "echo ready > ready; exec sleep 60"]);
    env.wait_for_line("ready");
    kill(colaunch.id(), libc::SIGTERM);
    assert_eq!(wait_bounded(&mut colaunch).code(), Some(143));
    let output = colaunch.wait_with_output().unwrap();
    assert_eq!(output.stdout, b"");
    assert_eq!(filter_stderr(&output.stderr), "");
}

#[cfg(target_os = "linux")] // waits for the stop through /proc
#[test]
fn test_forward_reaches_a_stopped_child() {
    // Only a SIGCONT after the SIGTERM lets a stopped child act on it.
    let env = TestEnv::new();
    let script = "trap 'exit 7' TERM; echo $$ > ready; kill -STOP $$; exec sleep 60";
    let mut colaunch = env.spawn(["sh", "-c", script]);
    let pid: u32 = env.wait_for_line("ready").parse().unwrap();
    wait_stopped(pid);
    kill(colaunch.id(), libc::SIGTERM);
    assert_eq!(wait_bounded(&mut colaunch).code(), Some(7));
}

#[cfg(target_os = "linux")] // waits for the stop through /proc
#[test]
fn test_forward_informing_signal_leaves_a_stopped_child_stopped() {
    let env = TestEnv::new();
    let script = "echo $$ > ready; kill -STOP $$; echo > resumed; exec sleep 60";
    let mut colaunch = env.spawn(["sh", "-c", script]);
    let pid: u32 = env.wait_for_line("ready").parse().unwrap();
    wait_stopped(pid);

    // A window-size change must not wake a child stopped on purpose.
    kill(colaunch.id(), libc::SIGWINCH);
    sleep(Duration::from_millis(300));
    assert!(is_stopped(pid), "SIGWINCH woke the stopped child");
    assert!(
        !env.path("resumed").exists(),
        "SIGWINCH woke the stopped child"
    );

    kill(colaunch.id(), libc::SIGTERM);
    assert_eq!(wait_bounded(&mut colaunch).code(), Some(143));
}

#[test]
fn test_forward_leaves_ignored_signal_alone() {
    let env = TestEnv::new();
    let mut cmd = env.std_command(["-v", "sh", "-c", "echo ready > ready; exec sleep 60"]);
    set_signals(&mut cmd, [libc::SIGUSR1], libc::SIG_IGN);
    let mut colaunch = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    env.wait_for_line("ready");

    // Ignored by colaunch and, inherited, by the child: both live on.
    kill(colaunch.id(), libc::SIGUSR1);
    kill(colaunch.id(), libc::SIGTERM);
    assert_eq!(wait_bounded(&mut colaunch).code(), Some(143));
    let output = colaunch.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("SIGUSR1 is ignored, so it is not forwarded"),
        "{err}"
    );
    assert!(!err.contains("forwarding SIGUSR1"), "{err}");
    assert!(err.contains("forwarding SIGTERM"), "{err}");
}

/// Blocks each of `signals` in the process `cmd` starts, before it runs
/// anything, as a harness that spawns with signals blocked would.
#[cfg(target_os = "linux")] // only the /proc tests below use it
fn block_signals<const N: usize>(cmd: &mut process::Command, signals: [i32; N]) {
    // SAFETY: sigprocmask(2) and the sigset calls are async-signal-safe
    // and touch only a local set; the closure allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
            libc::sigemptyset(set.as_mut_ptr());
            for signal in signals {
                libc::sigaddset(set.as_mut_ptr(), signal);
            }
            libc::sigprocmask(libc::SIG_BLOCK, set.as_ptr(), std::ptr::null_mut());
            Ok(())
        });
    }
}

/// The hexadecimal signal set `field` (`SigBlk:`, ...) of `pid`.
#[cfg(target_os = "linux")]
fn proc_signal_set(pid: u32, field: &str) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .map_or(0, |hex| u64::from_str_radix(hex.trim(), 16).unwrap())
}

/// The pids of `parent`'s children, from every thread's list.
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{parent}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .map(|pid| pid.parse().unwrap())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[cfg(target_os = "linux")] // reads the mask in /proc
#[test]
fn test_forward_program_keeps_the_mask_colaunch_was_given() {
    let env = TestEnv::new();
    let mut cmd = env.std_command(["grep", "SigBlk", "/proc/self/status"]);
    block_signals(&mut cmd, [libc::SIGTERM, libc::SIGUSR1]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let hex = text.trim().strip_prefix("SigBlk:").unwrap().trim();
    let mask = u64::from_str_radix(hex, 16).unwrap();
    for signal in [libc::SIGTERM, libc::SIGUSR1] {
        assert_ne!(
            mask & (1 << (signal - 1)),
            0,
            "{signal} not blocked: {text}"
        );
    }
}

// A harness may start colaunch with signals blocked; a forwarded signal
// must still reach the program, not stay pending in colaunch.  The
// program keeps the TERM blocked (the test above), so the forwarded
// TERM shows as pending there.
#[cfg(target_os = "linux")] // reads children and pending sets in /proc
#[test]
fn test_forward_a_signal_blocked_when_colaunch_started() {
    let env = TestEnv::new();
    let mut cmd = env.std_command(["sleep", "60"]);
    block_signals(&mut cmd, [libc::SIGTERM]);
    let mut colaunch = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // The child, once it runs sleep (before execve it has every signal
    // blocked, so its mask says nothing yet).
    let mut pid = 0;
    wait_until("colaunch never ran sleep", || {
        let sleeping = children_of(colaunch.id()).into_iter().find(|pid| {
            fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(b"sleep\0"))
        });
        pid = sleeping.unwrap_or(0);
        sleeping.is_some()
    });

    kill(colaunch.id(), libc::SIGTERM);
    let term = 1 << (libc::SIGTERM - 1);
    wait_until(&format!("SIGTERM never reached pid {pid}"), || {
        (proc_signal_set(pid, "ShdPnd:") | proc_signal_set(pid, "SigPnd:")) & term != 0
    });

    kill(colaunch.id(), libc::SIGKILL);
    assert_eq!(wait_bounded(&mut colaunch).code(), None);
    wait_gone(pid);
}

#[cfg(target_os = "linux")] // checks liveness through /proc
#[test]
fn test_no_orphan_when_colaunch_is_killed() {
    let env = TestEnv::new();
    let mut colaunch = env.spawn(["sh", "-c", "echo $$ > pid; exec sleep 60"]);
    let pid: u32 = env.wait_for_line("pid").parse().unwrap();
    assert!(is_alive(pid));

    kill(colaunch.id(), libc::SIGKILL);
    assert_eq!(wait_bounded(&mut colaunch).code(), None);

    // The parent-death signal kills the child.
    wait_gone(pid);
}

#[test]
fn test_report_write_failure_is_125() {
    let env = TestEnv::new();
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full to make a write fail");
        return;
    }
    env.run(["--report", "/dev/full", "echo", "ran"])
        .code(125)
        .stdout("ran\n")
        .stderr_is("colaunch: cannot write the report to /dev/full: No space left on device\n");
}

// ---- the manual page -------------------------------------------------------

/// The long options a text names: `--chdir`, `--kill-after`, ...
#[cfg(target_os = "linux")] // only the Linux-only test below uses it
fn long_options(text: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| &text[at + prefix.len()..])
        .map(|rest| {
            rest.split(|c: char| !c.is_ascii_lowercase() && c != '-')
                .next()
                .unwrap()
        })
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

// Reads the page from the source tree (not there in a guest without the
// repository) and needs man-db and groff, which scripts/test checks for.
#[cfg(target_os = "linux")]
#[test]
fn test_manual_page_matches_help() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/colaunch.1");
    let source =
        fs::read_to_string(&page).unwrap_or_else(|e| panic!("cannot read {}: {e}", page.display()));
    let env = TestEnv::new();
    let help = stdout(&env.run(["--help"]).code(0));

    // The same options in both: `Fl -name` in mdoc, `--name` in --help.
    let documented = long_options(&source, "Fl -");
    let offered = long_options(&help, "--");
    assert_eq!(
        documented, offered,
        "options in docs/colaunch.1 and --help differ"
    );
    for status in ["124", "125", "126", "127", "128 + "] {
        assert!(
            source.contains(&format!(".It {status}")),
            "page lacks exit status {status}"
        );
        assert!(help.contains(&format!("  {}", status.trim_end_matches(" + "))));
    }

    // It renders, without a warning, as `man -l` shows it.
    let man = process::Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .output()
        .expect("man(1) runs (apt: man-db groff-base; scripts/test checks for it)");
    assert!(
        man.status.success(),
        "man -l: {}",
        String::from_utf8_lossy(&man.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&man.stderr), "");
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(text.starts_with("COLAUNCH(1)"), "{text}");
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "EXIT STATUS",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(text.lines().any(|l| l == section), "no {section} section");
    }
    let lint = process::Command::new("groff")
        .args(["-mdoc", "-ww", "-z"])
        .arg(&page)
        .output()
        .expect("groff(1) runs (apt: groff-base; scripts/test checks for it)");
    assert_eq!(String::from_utf8_lossy(&lint.stderr), "", "groff warnings");
}
