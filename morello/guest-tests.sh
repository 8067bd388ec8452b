#!/bin/sh
# Runs colaunch's test binaries and smoke commands inside a Morello guest.
#
# morello/run-tests copies this file into BUILD_DIR/morello-run/ next to
# settings.sh and tests.list, then runs it from BUILD_DIR in the guest:
# through cheribuild's run_simple_tests.py, which mounts BUILD_DIR, or over
# ssh, which copies it. Each item's output goes to morello-run/logs/ and one
# tab-separated line per item to morello-run/results.tsv:
#
#	kind	name	status	seconds	log	signal	stop
#
# kind is test, smoke or info; status is the exit status, or "skip" or
# "missing"; signal names the signal when the status is above 128; stop is
# "timeout" when the time limit ended the item, else empty.
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
# its own instead of using up the harness's timeout for the whole run. It
# sends TERM at the limit and KILL KILL_AFTER seconds later.
limit=""
if command -v timeout >/dev/null 2>&1; then
	limit="timeout -k $KILL_AFTER $TIMEOUT"
fi

record() {	# kind name status seconds log [stop]
	sig=""
	case $3 in
	''|*[!0-9]*) ;;
	*)
		if [ "$3" -gt 128 ]; then
			sig=$(kill -l "$(($3 - 128))" 2>/dev/null || true)
		fi
		;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$sig" "${6:-}" >> "$results"
}

# Whether timeout(1) ended an item. Its status alone cannot say: it exits
# 124 after TERM, but after KILL GNU's exits 137 (128 + KILL), and a
# program may exit 124 itself. So a 124 or 137 counts as a timeout only
# when the limit has passed. Whole seconds from date(1) never undercount,
# so a real timeout is always seen; a program that exits 124 or 137 by
# itself within the last second before the limit is counted as one too.
stopped_by_limit() {	# status seconds
	[ -n "$limit" ] || return 1
	case $1 in 124|137) ;; *) return 1 ;; esac
	[ "$2" -ge "$TIMEOUT" ]
}

run_item() {	# kind name log command [args...]
	kind=$1 name=$2 log=$3
	shift 3
	start=$(date +%s)
	# stdin is /dev/null: the caller's loop reads tests.list on stdin.
	$limit "$@" > "$run/logs/$log" 2>&1 < /dev/null
	status=$?
	seconds=$(($(date +%s) - start))
	stop=""
	if stopped_by_limit "$status" "$seconds"; then
		stop=timeout
	fi
	record "$kind" "$name" "$status" "$seconds" "$log" "$stop"
}

printf 'info\tuname\t%s\n' "$(uname -srm)" >> "$results"

# The test binaries, in the order cargo built them. TEST_ARGS is already
# quoted for the shell by run-tests, hence the eval.
while IFS="$tab" read -r name path log; do
	[ -n "$name" ] || continue
	eval "run_item test \"\$name\" \"\$log\" \"./\$path\" $TEST_ARGS"
done < "$run/tests.list"

# Smoke commands: what the kernel offers, a plain launch, and a colocated
# launch when colaunch can colocate here.
cli=./colaunch
if [ -x "$cli" ]; then
	run_item smoke probe probe.log "$cli" --probe
	run_item smoke spawn spawn.log "$cli" -- /bin/echo colaunch-smoke-spawn
fi

# Whether to try the colocated launch. colaunch --probe answers best: it
# prints one line per feature, a name then yes or no ("coexecve  yes
# works"; src/cli/probe.rs), and says no for a hybrid build, which cannot
# colocate. Only when it printed no such line (it crashed, or predates the
# line) is the kernel asked instead, through the sysctl that kernels of
# CheriBSD's cocalls branch have had. Newer ones may lack it: CheriBSD's
# manual points to procctl(2) for opportunistic colocation instead (which
# command, unverified).
case $COLOCATE in
always) has_coexecve=forced by="--colocate always" ;;
never) has_coexecve=no by="--colocate never" ;;
*)
	has_coexecve=$(awk '$1 == "coexecve" { print $2; exit }' \
	    "$run/logs/probe.log" 2>/dev/null)
	by="colaunch --probe"
	case $has_coexecve in
	yes|no) ;;
	*)
		by="sysctl kern.opportunistic_coexecve (colaunch --probe"
		by="$by printed no coexecve line)"
		if sysctl -n kern.opportunistic_coexecve >/dev/null 2>&1; then
			has_coexecve=yes
		else
			has_coexecve=no
		fi
		;;
	esac
	;;
esac
printf 'info\tcoexecve\t%s\n' "$has_coexecve" >> "$results"
printf 'info\tcoexecve_by\t%s\n' "$by" >> "$results"

if [ ! -x "$cli" ]; then
	for item in probe spawn colocate; do
		record smoke "$item" missing 0 -
	done
elif [ "$has_coexecve" = no ]; then
	record smoke colocate skip 0 -
else
	run_item smoke colocate colocate.log "$cli" \
	    --colocate-parent -- /bin/echo colaunch-smoke-colocated
fi

echo done >> "$results"
exit 0
