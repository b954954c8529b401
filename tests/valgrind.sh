#!/bin/bash
# valgrind over the libc-level programs: memcheck (no invalid access, no
# leak) on lookups, enumeration, replacement and the tool; helgrind (no
# data race) on the threaded stress test.
. "${top_srcdir:-.}/tests/lib.sh"

command -v valgrind > /dev/null || skip "valgrind not installed"
[ "${PORTDB_SANITIZERS:-no}" = no ] || skip "sanitizer build: valgrind cannot run ASan binaries"

# --fair-sched=yes: valgrind runs one thread at a time, and its default
# lock lets a thread that loops through system calls starve the others
# for minutes (seen: a version took 43 s to reach every thread, and a CI
# run never finished).  timeout: a hang fails the test instead of CI.
vg() {
	timeout 900 valgrind -q --fair-sched=yes --error-exitcode=99 "$@"
}
memcheck() {
	# --run-libc-freeres=no: glibc would dlclose the module at exit and
	# everything its statics hold would look lost.
	vg --run-libc-freeres=no --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect "$@"
}
export LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$tmp/db.lmdb

# Under valgrind every lookup is slow: `make check` asks every 4th name and
# port of the edge cases (nss-dump queries STEP) and makes fewer
# replacements; `make check-full` (PORTDB_CHECK_FULL=1) all of them.
step=4 memcheck_n=6 helgrind_n=3
[ "${PORTDB_CHECK_FULL:-}" != 1 ] || step=1 memcheck_n=30 helgrind_n=20

memcheck "$PORTDB" build -q -o "$tmp/db.lmdb" "$top_srcdir/data/edge-services"
memcheck "$PORTDB" get --db "$tmp/db.lmdb" edge-basic 1001/tcp nosuch > /dev/null || [ $? -eq 2 ]
"$TESTS_BIN/nss-dump" portdb queries "$tmp/queries" "$step"
memcheck "$TESTS_BIN/nss-dump" portdb answer "$tmp/queries" > "$tmp/answers"
memcheck "$TESTS_BIN/nss-dump" portdb enumerate > "$tmp/enum"
echo "ok: memcheck: $(wc -l < "$tmp/queries") lookups, $(wc -l < "$tmp/enum") enumeration lines"

# nsswitch on a line glibc rejects: each action refuses it and frees
# what the parse of the line had allocated.
printf 'passwd: files\nservices: db files [NOTFOUND=return\n' > "$tmp/bad.conf"
for action in enable disable status; do
	cp "$tmp/bad.conf" "$tmp/ns.conf"
	rc=0; memcheck "$PORTDB" nsswitch -q --file "$tmp/ns.conf" "$action" 2> "$tmp/vg.err" || rc=$?
	[ "$rc" -ne 99 ] || fail "memcheck: nsswitch $action on a bad line: $(cat "$tmp/vg.err")"
done
echo "ok: memcheck: nsswitch enable, disable and status on a bad line"

mkdir "$tmp/stress"
NSS_PORTDB_RECHECK_MS=0 NSS_PORTDB_PATH=$tmp/stress/db.lmdb \
	memcheck "$TESTS_BIN/stress" "$tmp/stress" "$memcheck_n" "${memcheck_n}000" races-only
echo "ok: memcheck: $memcheck_n replacements under 4 threads"

rm -rf "$tmp/stress" && mkdir "$tmp/stress"
NSS_PORTDB_RECHECK_MS=0 NSS_PORTDB_PATH=$tmp/stress/db.lmdb \
	vg --tool=helgrind "$TESTS_BIN/stress" "$tmp/stress" "$helgrind_n" "${helgrind_n}000" races-only
echo "ok: helgrind: $helgrind_n replacements under 4 threads"
