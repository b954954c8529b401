#!/bin/bash
# parity.sh: nss_portdb must answer exactly as glibc's `files` service does.
#
# For each fixture services file: build a database from it with
# `$PORTDB build FIXTURE`, then, in a private mount namespace with the
# fixture bind-mounted over /etc/services, build a second one from the
# default source (`$PORTDB build --no-dropins`, which reads /etc/services),
# run tests/nss-dump pinned to `files` and pinned to `portdb` with each
# database (through the real libc) and diff each against files:
#   - `queries`   : a query list derived from the files enumeration
#   - `answer`    : getservbyname_r/getservbyport_r for every query, plus
#                   samples through getservbyname/getservbyport,
#                   getaddrinfo and getnameinfo
#   - `enumerate` : the whole enumeration and the E2/E3/E4 checks
# Any difference fails the test (exit 1) with the first 20 differing lines.
#
# Fixtures: the system's /etc/services (a copy), $top_srcdir/data/edge-services,
# the IANA registry from /usr/share/wireshark/services (Debian package
# libwireshark-data; skipped, saying so, if absent) expanded to one line per
# protocol, and three services files that look like other formats, which
# must be read as glibc reads them: data/nmap-sample (nmap-services: the
# frequency is an alias), data/merged-lookalike-services (80/tcp/udp is
# one protocol) and data/csv-header-services (a bare IANA CSV header line).
#
# Environment (set by the automake harness; defaults for a manual run from
# the build tree): top_srcdir, top_builddir, PORTDB, NSS_MODULE_DIR, TESTS_BIN.
# Optional: PARITY_TIMEOUT (seconds per nss-dump run, default 1200),
# PARITY_KEEP=1 (keep the temp dir), PARITY_JOBS (parallel answer jobs),
# PARITY_FIXTURES (space-separated subset of: system edge iana nmap merged
# csvhead), PARITY_IANA_STEP (default 20: the IANA fixture asks about every
# 20th name and port, the first and last 64 of each, every unusual name and
# all the made-up questions, and interleaves lookups with its enumeration 20
# times less often; nss_files scans 11k lines per query, so all of them take
# minutes), PORTDB_CHECK_FULL=1 (`make check-full`: every query).
#
# Exit: 0 pass, 1 difference or error, 77 skip (no private mount namespace).

# Single-quoted scripts for bash -c are meant; cleanup runs from a trap.
# shellcheck disable=SC2016,SC2317
set -euo pipefail

self=$(readlink -f -- "${BASH_SOURCE[0]}")

# ------------------------------------------------------------------ inner
# Runs inside the private mount namespace, after the fixture has been
# bind-mounted over /etc/services.  Arguments: FIXTURE DIR.  Writes its
# results into DIR; the outer part reports.
if [[ ${1-} == --inner ]]; then
  fixture=$2 dir=$3
  trap 'echo "parity: (namespace) failed at line $LINENO: $BASH_COMMAND" >&2' ERR
  t=${PARITY_TIMEOUT:-1200}
  jobs=${PARITY_JOBS:-2}

  if ! cmp -s -- "$fixture" /etc/services; then
    echo "parity: /etc/services is not the fixture inside the namespace" >&2
    exit 1
  fi

  # The same fixture as the default source: a database built from
  # /etc/services itself (no drop-ins, which files does not read).
  if ! timeout -k 10 "$t" "$PORTDB" build --no-dropins -o "$dir/portdb-etc.lmdb" \
    >"$dir/build-etc.out" 2>&1; then
    echo "parity: '$PORTDB build --no-dropins' of /etc/services failed:" >&2
    head -c 2000 "$dir/build-etc.out" >&2 || true
    exit 1
  fi

  # run SERVICE ARGS... : nss-dump pinned to files, or to portdb answering
  # from the database SERVICE.lmdb (portdb: built from the fixture's path;
  # portdb-etc: from /etc/services), with a time limit.  The portdb runs
  # see the module and the database; the files runs do not.
  run() {
    local service=$1
    shift
    if [[ $service == portdb* ]]; then
      env LD_LIBRARY_PATH="$NSS_MODULE_DIR" NSS_PORTDB_PATH="$dir/$service.lmdb" \
        timeout -k 10 "$t" "$NSS_DUMP" portdb "$@"
    else
      env -u NSS_PORTDB_PATH timeout -k 10 "$t" "$NSS_DUMP" "$service" "$@"
    fi
  }

  # answer SERVICE : answer the query list in $jobs parallel chunks (each
  # query is independent), concatenated in order.
  answer() {
    local service=$1 i pids=() status=0
    for ((i = 0; i < jobs; i++)); do
      run "$service" answer "$dir/q.part.$i" >"$dir/$service.answer.$i" \
        2>"$dir/$service.answer.$i.err" &
      pids+=($!)
    done
    for i in "${!pids[@]}"; do
      if ! wait "${pids[$i]}"; then
        echo "parity: nss-dump $service answer (chunk $i) failed:" >&2
        head -c 2000 "$dir/$service.answer.$i.err" >&2 || true
        status=1
      fi
    done
    [[ $status == 0 ]] || return 1
    for ((i = 0; i < jobs; i++)); do
      cat "$dir/$service.answer.$i"
    done >"$dir/$service.answer"
  }

  if ! run files queries "$dir/q.txt" "${PARITY_STEP:-1}" 2>"$dir/q.err"; then
    echo "parity: nss-dump files queries failed:" >&2
    cat "$dir/q.err" >&2
    exit 1
  fi
  # Split the query lines (not the comments) into $jobs chunks, in order.
  grep -v '^#' "$dir/q.txt" >"$dir/q.lines" || true
  nq=$(wc -l <"$dir/q.lines")
  per=$(((nq + jobs - 1) / jobs))
  for ((i = 0; i < jobs; i++)); do
    : >"$dir/q.part.$i"
  done
  awk -v per="$per" -v out="$dir/q.part." \
    '{ print > (out int((NR - 1) / per)) }' "$dir/q.lines"
  echo "$nq" >"$dir/nqueries"

  answer files
  answer portdb
  answer portdb-etc
  for s in files portdb portdb-etc; do
    if ! run "$s" enumerate "${PARITY_STEP:-1}" >"$dir/$s.enum" 2>"$dir/$s.enum.err"; then
      echo "parity: nss-dump $s enumerate failed:" >&2
      head -c 2000 "$dir/$s.enum.err" >&2 || true
      exit 1
    fi
  done
  grep -c '^E ' "$dir/files.enum" >"$dir/nentries" || true
  exit 0
fi

# ------------------------------------------------------------------ outer

srcdir_guess=$(dirname -- "$(dirname -- "$self")")
: "${top_srcdir:=$srcdir_guess}"
: "${top_builddir:=$PWD}"
: "${PORTDB:=$top_builddir/portdb}"
: "${NSS_MODULE_DIR:=$top_builddir/.libs}"
: "${TESTS_BIN:=$top_builddir/tests}"
NSS_DUMP=$TESTS_BIN/nss-dump
export top_srcdir top_builddir PORTDB NSS_MODULE_DIR TESTS_BIN NSS_DUMP

for f in "$PORTDB" "$NSS_DUMP"; do
  if [[ ! -x $f ]]; then
    echo "parity: FAIL: $f is missing or not executable (build first)"
    exit 1
  fi
done
if [[ ! -e $NSS_MODULE_DIR/libnss_portdb.so.2 ]]; then
  echo "parity: FAIL: $NSS_MODULE_DIR/libnss_portdb.so.2 is missing (build first)"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/parity.XXXXXX")
cleanup() {
  if [[ ${PARITY_KEEP-} == 1 ]]; then
    echo "parity: kept $tmp"
  else
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A private mount namespace where /etc/services can be bind-mounted: as root
# directly, else through a user namespace.  Probe with a real bind mount.
if ! command -v unshare >/dev/null 2>&1; then
  echo "parity: SKIP: unshare(1) is not installed"
  exit 77
fi
if [[ ! -e /etc/services ]]; then
  echo "parity: SKIP: /etc/services does not exist, so there is nothing to bind-mount over"
  exit 77
fi
printf 'probe 1/tcp\n' >"$tmp/probe"
UNSHARE=()
why=""
for cand in "unshare -m --propagation private" "unshare -r -m --propagation private"; do
  # shellcheck disable=SC2086
  if out=$(timeout 30 $cand bash -c 'mount --bind -- "$1" /etc/services && cmp -s -- "$1" /etc/services' _ "$tmp/probe" 2>&1); then
    read -r -a UNSHARE <<<"$cand"
    break
  fi
  why+="  '$cand': ${out:-failed}"$'\n'
done
if [[ ${#UNSHARE[@]} == 0 ]]; then
  echo "parity: SKIP: cannot bind-mount a fixture over /etc/services in a private mount namespace"
  echo "parity: (needs root, or unprivileged user namespaces):"
  printf '%s' "$why"
  exit 77
fi

echo "parity: private mount namespace with: ${UNSHARE[*]}"

jobs=${PARITY_JOBS:-$(nproc 2>/dev/null || echo 2)}
((jobs < 1)) && jobs=1
((jobs > 4)) && jobs=4
export PARITY_JOBS=$jobs

# ------------------------------------------------------------- fixtures

# The system's services file, copied now.
mkdir -p "$tmp/system"
cp -- /etc/services "$tmp/system/fixture"

# The hand-made edge cases.
edge=$top_srcdir/data/edge-services
if [[ ! -f $edge ]]; then
  echo "parity: FAIL: $edge is missing"
  exit 1
fi
mkdir -p "$tmp/edge"
cp -- "$edge" "$tmp/edge/fixture"

# Services files that look like nmap-services, Wireshark's merged form and
# IANA's CSV: to glibc they are services text like any other.
for pair in nmap:nmap-sample merged:merged-lookalike-services csvhead:csv-header-services; do
  name=${pair%%:*} src=$top_srcdir/data/${pair#*:}
  if [[ ! -f $src ]]; then
    echo "parity: FAIL: $src is missing"
    exit 1
  fi
  mkdir -p "$tmp/$name"
  cp -- "$src" "$tmp/$name/fixture"
done

# The IANA registry as Wireshark ships it, one line per protocol
# (tests/expand-iana.awk).
iana_src=/usr/share/wireshark/services
have_iana=no
if [[ -f $iana_src ]]; then
  have_iana=yes
  mkdir -p "$tmp/iana"
  LC_ALL=C awk -f "$top_srcdir/tests/expand-iana.awk" "$iana_src" >"$tmp/iana/fixture"
fi

# glibc bug P11: a last line without a newline that starts with whitespace
# is mangled by nss_files.  That one case is left out: end such a file with
# a newline.
fix_p11() {
  local f=$1 last first
  [[ -s $f ]] || return 0
  last=$(tail -c 1 -- "$f" | od -An -tx1 | tr -d ' \n')
  [[ $last == 0a ]] && return 0
  first=$(tail -n 1 -- "$f" | head -c 1 | od -An -tx1 | tr -d ' \n')
  case $first in
    20 | 09 | 0b | 0c | 0d)
      echo "parity: note: $2: last line has no newline and starts with whitespace (glibc bug P11); adding the newline"
      printf '\n' >>"$f"
      ;;
  esac
}

fixtures=${PARITY_FIXTURES:-system edge iana nmap merged csvhead}
failed=0
ran=0
for name in $fixtures; do
  dir=$tmp/$name
  case $name in
    system) label="system /etc/services" ;;
    edge) label="$edge" ;;
    nmap) label="$top_srcdir/data/nmap-sample (looks like nmap-services)" ;;
    merged) label="$top_srcdir/data/merged-lookalike-services (looks like Wireshark's form)" ;;
    csvhead) label="$top_srcdir/data/csv-header-services (looks like IANA's CSV)" ;;
    iana)
      label="IANA registry ($iana_src, protocols expanded)"
      if [[ $have_iana != yes ]]; then
        echo "parity: SKIP fixture iana: $iana_src not found (Debian package libwireshark-data)"
        continue
      fi
      ;;
    *)
      echo "parity: FAIL: unknown fixture '$name'"
      exit 1
      ;;
  esac
  fix_p11 "$dir/fixture" "$name"
  start=$SECONDS
  # Only the IANA fixture is large enough to sample (nss-dump queries STEP).
  step=1
  if [[ $name == iana && ${PORTDB_CHECK_FULL-} != 1 ]]; then
    step=${PARITY_IANA_STEP:-20}
  fi

  if ! timeout -k 10 "${PARITY_TIMEOUT:-1200}" "$PORTDB" build -o "$dir/portdb.lmdb" "$dir/fixture" \
    >"$dir/build.out" 2>&1; then
    echo "parity: FAIL: fixture $name: '$PORTDB build -o portdb.lmdb $label' failed:"
    head -c 2000 "$dir/build.out" || true
    failed=1
    continue
  fi

  if ! PARITY_STEP=$step timeout -k 10 7200 "${UNSHARE[@]}" bash -c \
    'mount --bind -- "$1" /etc/services && exec bash "$2" --inner "$1" "$3"' \
    _ "$dir/fixture" "$self" "$dir"; then
    echo "parity: FAIL: fixture $name ($label): the comparison did not run to the end"
    failed=1
    continue
  fi

  nq=$(cat "$dir/nqueries")
  ne=$(cat "$dir/nentries")
  if [[ $ne -eq 0 ]]; then
    echo "parity: FAIL: fixture $name: files enumerated no entry (is the bind mount working?)"
    failed=1
    continue
  fi

  ok=yes
  for db in portdb portdb-etc; do
    case $db in
      portdb) how="built from the fixture's path" ;;
      portdb-etc) how="built from /etc/services" ;;
    esac
    for what in answer enum; do
      a=$dir/files.$what b=$dir/$db.$what
      if ! cmp -s -- "$a" "$b"; then
        ok=no
        nd=$( (diff -- "$a" "$b" || true) | grep -c '^[<>]' || true)
        echo "parity: FAIL: fixture $name ($label): files and portdb ($how) differ in '$what' ($nd lines differ)"
        echo "parity: first 20 differing lines (- files, + portdb; lines cut at 1000 bytes):"
        { diff -U0 --label files --label portdb -- "$a" "$b" || true; } |
          tail -n +3 | grep -v '^@@' | head -n 20 | cut -c 1-1000 || true
      fi
    done
  done
  elapsed=$((SECONDS - start))
  if [[ $ok == yes ]]; then
    sampled=
    [[ $step == 1 ]] || sampled=" (a sample: every ${step}th name and port; PORTDB_CHECK_FULL=1 asks all)"
    echo "parity: ok: fixture $name: $nq queries compared$sampled, $ne entries enumerated, both as a source and as /etc/services (${elapsed}s)"
    ran=$((ran + 1))
  else
    echo "parity: fixture $name: $nq queries, $ne entries (${elapsed}s); PARITY_KEEP=1 keeps the outputs"
    failed=1
  fi
done

if [[ $failed != 0 ]]; then
  exit 1
fi
if [[ $ran == 0 ]]; then
  echo "parity: SKIP: no fixture was compared"
  exit 77
fi
exit 0
