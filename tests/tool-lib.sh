# Helpers of the tests of the portdb command (tests/tool-*.sh); sourced
# after tests/lib.sh, not run.

# run STATUS CMD...: run CMD, which must exit with STATUS; its standard
# output is left in $tmp/out and its standard error in $tmp/err.
run() {
	local want=$1 rc=0
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] ||
		fail "$*: exit $rc, expected $want
stdout: $(head -c 2000 "$tmp/out")
stderr: $(head -c 2000 "$tmp/err")"
}

# same_text EXPECTED-FILE GOT-FILE WHAT: fail with a diff if they differ.
same_text() {
	diff -u --label expected --label got "$1" "$2" >"$tmp/diff" ||
		fail "$3 differs:
$(head -n 60 "$tmp/diff")"
}

# nss_dump DB ARGS...: tests/nss-dump through the real libc, pinned to
# the portdb service, answering from DB.
nss_dump() {
	local db=$1
	shift
	LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$db "$TESTS_BIN/nss-dump" portdb "$@"
}

# same_answers DB1 DB2 WHAT: every query that an entry of either
# database suggests (each name and alias with every protocol and none,
# each port likewise, through getservbyname_r, getservbyport_r,
# getaddrinfo and getnameinfo) and the whole enumeration give the same
# answers from both, through libc.
same_answers() {
	local a=$1 b=$2 what=$3 d=$tmp/answers
	mkdir -p "$d"
	nss_dump "$a" queries "$d/q1" 2>"$d/err" || fail "$what: nss-dump queries: $(cat "$d/err")"
	nss_dump "$b" queries "$d/q2" 2>"$d/err" || fail "$what: nss-dump queries: $(cat "$d/err")"
	cat "$d/q1" "$d/q2" | grep -v '^#' | sort -u >"$d/q"
	[ -s "$d/q" ] || fail "$what: no query to ask"
	local i=0 db
	for db in "$a" "$b"; do
		i=$((i + 1))
		nss_dump "$db" answer "$d/q" >"$d/answer.$i" 2>"$d/err" ||
			fail "$what: nss-dump answer: $(cat "$d/err")"
		nss_dump "$db" enumerate >"$d/enum.$i" 2>"$d/err" ||
			fail "$what: nss-dump enumerate: $(cat "$d/err")"
	done
	same_text "$d/answer.1" "$d/answer.2" "$what: the answers"
	same_text "$d/enum.1" "$d/enum.2" "$what: the enumeration"
	echo "ok: $what: $(wc -l <"$d/q") queries and $(grep -c '^E ' "$d/enum.1" || true) entries answer the same"
	rm -rf "$d"
}

# The parse rule this build uses for ports above 4294967295: drop or clamp.
parse_rule() {
	printf 'rule 1/tcp\n' >"$tmp/rule-src"
	"$PORTDB" build -q -o "$tmp/rule.lmdb" "$tmp/rule-src"
	"$PORTDB" info --db "$tmp/rule.lmdb" --json | sed -n 's/.*"parse_rule": "\([a-z]*\)".*/\1/p'
	rm -f "$tmp/rule-src" "$tmp/rule.lmdb"
}

# A small protocols(5) file, so that results do not depend on the system's.
write_protocols() {
	printf '# protocols for the tests\ntcp\t6\tTCP\nudp\t17\tUDP\nsctp\t132\tSCTP\ndccp\t33\tDCCP\n' >"$1"
}
