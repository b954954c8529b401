#!/bin/bash
# The same sources (the same files: their identities are recorded) with
# SOURCE_DATE_EPOCH give a byte-identical database, whatever malloc left
# in memory (MALLOC_PERTURB_ fills it with different bytes); portdb info
# prints the same digest for both and another one for other content.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "svc-%d %d/%s alias-%d\n", i, 1 + i % 65535, i % 2 ? "tcp" : "udp", i }' >"$tmp/src"
mkdir "$tmp/d"
printf 'dropin-one 4711/tcp\n' >"$tmp/d/one.conf"
cp "$top_srcdir/data/edge-services" "$tmp/edge"

build() { # OUT PERTURB: build the sources into OUT
	SOURCE_DATE_EPOCH=1700000000 MALLOC_PERTURB_=$2 \
		"$PORTDB" build -q -o "$1" --dropin-dir "$tmp/d" "$tmp/src" "$tmp/edge"
}
digest() {
	"$PORTDB" info -d "$1" | sed -n 's/^digest: *//p'
}
build "$tmp/a.lmdb" 0
build "$tmp/b.lmdb" 165
build "$tmp/c.lmdb" 90
cmp "$tmp/a.lmdb" "$tmp/b.lmdb" || fail "two builds of the same sources differ"
cmp "$tmp/a.lmdb" "$tmp/c.lmdb" || fail "two builds of the same sources differ"
echo "ok: three builds of the same sources are byte-identical ($(stat -c %s "$tmp/a.lmdb") bytes)"

"$PORTDB" info -d "$tmp/a.lmdb" >"$tmp/info"
grep -qx "built:       2023-11-14 22:13:20 UTC" "$tmp/info" || fail "SOURCE_DATE_EPOCH: $(cat "$tmp/info")"
da=$(digest "$tmp/a.lmdb")
[[ $da =~ ^[0-9a-f]{16}$ ]] || fail "digest '$da'"
[ "$(digest "$tmp/b.lmdb")" = "$da" ] || fail "the same content, two digests"
"$PORTDB" info -j -d "$tmp/a.lmdb" | grep -qx "  \"digest\": \"$da\"," || fail "info --json has no digest $da"

# Other content: one port changed (same size, same file otherwise).
sed 's|^svc-7 8/tcp|svc-7 9/tcp|' "$tmp/src" >"$tmp/src2" && cat "$tmp/src2" >"$tmp/src"
build "$tmp/e.lmdb" 0
dc=$(digest "$tmp/e.lmdb")
[ "$dc" != "$da" ] || fail "other content, the same digest $da"
echo "ok: info's digest is $da for both, $dc after one port changed"

# Damage: a flipped byte in the index makes the digest say so.
cp "$tmp/a.lmdb" "$tmp/f.lmdb"
off=$(($(stat -c %s "$tmp/f.lmdb") / 2))
printf '\377' | LD_PRELOAD= dd of="$tmp/f.lmdb" bs=1 seek="$off" conv=notrunc status=none
if "$PORTDB" info -d "$tmp/f.lmdb" >"$tmp/info" 2>&1; then
	grep -qx "digest:      damaged" "$tmp/info" || fail "a damaged index: $(cat "$tmp/info")"
fi
echo "ok: a damaged file has no digest"
