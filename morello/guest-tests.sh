#!/bin/sh
# Runs colaunch's test binaries and smoke commands inside a Morello guest.
#
# morello/run-tests copies this file into BUILD_DIR/morello-run/ next to
# settings.sh and tests.list, then runs it from BUILD_DIR in the guest:
# through cheribuild's run_simple_tests.py, which mounts BUILD_DIR, or over
# ssh, which copies it. Each item's output goes to morello-run/logs/ and one
# tab-separated line per item to morello-run/results.tsv:
#
#	kind	name	status	seconds	log	signal
#
# kind is test, smoke or info; status is the exit status, or "skip" or
# "missing"; signal names the signal when the status is above 128.
#
# The script exits 0 once results.tsv ends with "done", even when tests
# failed: the host judges the results, so a failing test is never taken for
# a broken harness, and a missing "done" means the guest run itself broke.
# It is plain POSIX sh because the guest's /bin/sh is the only shell sure
# to be on a minimal CheriBSD image.

set -u
cd "$(dirname "$0")/.." || exit 70
run=morello-run
. "./$run/settings.sh" || exit 70
results=$run/results.tsv
: > "$results" || exit 73
mkdir -p "$run/logs" || exit 73
tab=$(printf '\t')

# Integration tests find the CLI through CARGO_BIN_EXE_colaunch, an absolute
# host path compiled into them. Where the build dir sits elsewhere in the
# guest (run_simple_tests.py may mount it at /build), a symlink makes that
# path resolve.
if [ ! -e "$HOST_BUILD_DIR" ]; then
	mkdir -p "$(dirname "$HOST_BUILD_DIR")" &&
	    ln -s "$(pwd)" "$HOST_BUILD_DIR"
fi

# timeout(1) is in FreeBSD's base system; with it one hung binary fails on
# its own instead of using up the harness's timeout for the whole run.
limit=""
if command -v timeout >/dev/null 2>&1; then
	limit="timeout -k 10 $TIMEOUT"
fi

record() {	# kind name status seconds log
	sig=""
	case $3 in
	''|*[!0-9]*) ;;
	*)
		if [ "$3" -gt 128 ]; then
			sig=$(kill -l "$(($3 - 128))" 2>/dev/null || true)
		fi
		;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$sig" \
	    >> "$results"
}

run_item() {	# kind name log command [args...]
	kind=$1 name=$2 log=$3
	shift 3
	start=$(date +%s)
	# stdin is /dev/null: the caller's loop reads tests.list on stdin.
	$limit "$@" > "$run/logs/$log" 2>&1 < /dev/null
	status=$?
	record "$kind" "$name" "$status" "$(($(date +%s) - start))" "$log"
}

printf 'info\tuname\t%s\n' "$(uname -srm)" >> "$results"

# The test binaries, in the order cargo built them. TEST_ARGS is already
# quoted for the shell by run-tests, hence the eval.
while IFS="$tab" read -r name path log; do
	[ -n "$name" ] || continue
	eval "run_item test \"\$name\" \"\$log\" \"./\$path\" $TEST_ARGS"
done < "$run/tests.list"

# Smoke commands: what the kernel offers, a plain launch, and a colocated
# launch when the kernel has coexecve. That sysctl exists only on kernels
# built from CheriBSD's cocalls branch, which is where coexecve lives.
cli=./colaunch
case $COLOCATE in
always) has_coexecve=forced ;;
never) has_coexecve=no ;;
*)
	if sysctl -n kern.opportunistic_coexecve >/dev/null 2>&1; then
		has_coexecve=yes
	else
		has_coexecve=no
	fi
	;;
esac
printf 'info\tcoexecve\t%s\n' "$has_coexecve" >> "$results"

if [ -x "$cli" ]; then
	run_item smoke probe probe.log "$cli" --probe
	run_item smoke spawn spawn.log "$cli" -- /bin/echo colaunch-smoke-spawn
	if [ "$has_coexecve" = no ]; then
		record smoke colocate skip 0 -
	else
		run_item smoke colocate colocate.log "$cli" \
		    --colocate-parent -- /bin/echo colaunch-smoke-colocated
	fi
else
	for item in probe spawn colocate; do
		record smoke "$item" missing 0 -
	done
fi

echo done >> "$results"
exit 0
