#!/bin/bash
# run-bench.sh: the nss_portdb benchmark, run by `make bench` (and, as a
# seconds-long smoke run that judges nothing, by `make bench-smoke`).
#
# Services compared, all through the real libc in one process per dataset
# (tests/bench/nss-bench alternates them round by round):
#   floor   tests/bench/libnss_benchnull.so.2, a module that answers
#           NOTFOUND at once: the cost of glibc's dispatch itself
#   portdb  the module of this build tree
#   files   glibc's nss_files, with the dataset bind-mounted over
#           /etc/services in a private mount namespace
#   db      Debian's libnss-db (Berkeley DB), when installed: its database
#           is built by /var/lib/misc/Makefile into a scratch directory,
#           which is bind-mounted over /var/lib/misc in the namespace
#   nscd    glibc's nscd with its services cache, when /usr/sbin/nscd is
#           installed: the benchmark's own, in a private mount and PID
#           namespace (its own nscd.conf, nsswitch.conf `services: files`,
#           a private tmpfs over /var/run/nscd), stopped at the end; asked
#           by unpinned lookups in processes of their own
#
# Datasets: this system's /etc/services (Debian's netbase), the IANA
# registry (/usr/share/wireshark/services from libwireshark-data, protocols
# expanded to one line each), and deterministic synthetic files of 1,000,
# 10,000, 100,000 and 1,000,000 entries.
#
# Measured: ns per getservbyname_r/getservbyport_r call (hits and misses,
# protocol given and NULL) per dataset; lookups per second with 1, 2 and 4
# threads (IANA); warm lookups through nscd (IANA); the whole enumeration;
# `portdb build` against libnss-db's Makefile pipeline (time, peak RSS);
# the first lookup of a fresh process, timed inside it, and a fresh
# getent's whole-process time for an early and a late key (Debian, IANA,
# synthetic 1M); the private memory a process gains from each module.
#
# Writes $BENCH_OUT/{results.csv,targets.csv,report.md,lookup-scaling.png,
# bench.log}, prints the report with a check mark per target, and for a
# full run copies results.csv, report.md and the plot into $BENCH_PUBLISH
# (doc/bench in the source tree) when that is set.
#
# Programs (tests/bench/programs.sh): iptables -L, nft -S list ruleset,
# ss, busybox and net-tools netstat, and getservbyport loops in Python,
# Perl and Ruby, each a whole process with files, db, nscd and portdb
# (IANA), their outputs compared: the table that opens the report.
#
# Environment (set by `make bench`): PORTDB, NSS_BENCH, BENCH_SOCKETS,
# NSS_MODULE_DIR, BENCH_MODULE_DIR, BENCH_OUT, BENCH_SRCDIR; optional
# BENCH_PUBLISH, BENCH_SMOKE=1, BENCH_ONLY=programs (that part alone, on
# IANA; published as programs.md and programs.csv), BENCH_KEEP=1 (keep the
# scratch directory), TMPDIR.
#
# Exit: 0 when the benchmark ran (whatever the targets say: they are
# measured, not asserted), 1 on an error or a wrong answer, 77 when it
# cannot run here (no private mount namespace for a full run).

# Single-quoted scripts for bash -c and gnuplot escapes are meant.
# shellcheck disable=SC2016,SC2028
set -euo pipefail
export LC_ALL=C

: "${PORTDB:?run through make bench}"
: "${NSS_BENCH:?run through make bench}"
: "${BENCH_SOCKETS:?run through make bench}"
: "${NSS_MODULE_DIR:?run through make bench}"
: "${BENCH_MODULE_DIR:?run through make bench}"
: "${BENCH_SRCDIR:?run through make bench}"
: "${BENCH_OUT:=$PWD/bench-results}"
smoke=${BENCH_SMOKE:-0}
[[ $smoke == 1 ]] || smoke=0
only=${BENCH_ONLY-}
[[ -z $only || $only == programs ]] || {
  echo "bench: ERROR: BENCH_ONLY=$only: only \"programs\" can be selected" >&2
  exit 1
}

start_time=$SECONDS
say() { printf 'bench: [%3ds] %s\n' $((SECONDS - start_time)) "$*"; }
die() {
  echo "bench: ERROR: $*" >&2
  exit 1
}

for f in "$PORTDB" "$NSS_BENCH" "$BENCH_SOCKETS"; do
  [[ -x $f ]] || die "$f is missing (build first)"
done
[[ -e $NSS_MODULE_DIR/libnss_portdb.so.2 ]] || die "$NSS_MODULE_DIR/libnss_portdb.so.2 is missing"
[[ -e $BENCH_MODULE_DIR/libnss_benchnull.so.2 ]] || die "$BENCH_MODULE_DIR/libnss_benchnull.so.2 is missing"

mkdir -p "$BENCH_OUT"
log=$BENCH_OUT/bench.log
: >"$log"
rows=$BENCH_OUT/rows.csv
: >"$rows"

work=$(mktemp -d "${TMPDIR:-/tmp}/nss-portdb-bench.XXXXXX")
chmod 755 "$work"
cleanup() {
  if [[ ${BENCH_KEEP-} == 1 ]]; then
    echo "bench: kept $work"
  else
    rm -rf -- "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a step; its stderr goes to the log, and the log's end is shown if it
# fails.
step() {
  if ! "$@" 2>>"$log"; then
    echo "bench: ERROR: step failed: $*" >&2
    echo "bench: last lines of $log:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

# ----------------------------------------------------------- the machine
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
[[ -n $cpu ]] || cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
ncpu=$(nproc 2>/dev/null || echo '?')
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || echo unknown)
kernel=$(uname -r)
date_utc=$(date -u '+%Y-%m-%d %H:%M UTC')
meta() { printf 'meta,,,,%s,,,,,,,,%s\n' "$1" "${2//,/;}" >>"$rows"; }
meta date "$date_utc"
meta cpu "$cpu"
meta cpus "$ncpu"
meta libc "$glibc"
meta kernel "$kernel"
commit=unknown
if [[ -n ${BENCH_SRCDIR-} ]] && command -v git >/dev/null 2>&1 &&
  c=$(git -C "$BENCH_SRCDIR" rev-parse --short HEAD 2>/dev/null); then
  commit=$c
  [[ -z $(git -C "$BENCH_SRCDIR" status --porcelain --untracked-files=no 2>/dev/null) ]] || commit+=" (with uncommitted changes)"
fi
meta commit "$commit"
meta mode "$([[ $smoke == 1 ]] && echo smoke || echo full)${only:+; $only only}"
meta loadavg-start "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
say "$date_utc; $cpu ($ncpu CPUs); $glibc; Linux $kernel"

# --------------------------------------------- private mount namespace
have_ns=no
if command -v unshare >/dev/null 2>&1 && [[ -e /etc/services ]]; then
  printf 'probe 1/tcp\n' >"$work/probe"
  if timeout 30 unshare -m --propagation private bash -c \
    'mount --bind -- "$1" /etc/services && cmp -s -- "$1" /etc/services' _ "$work/probe" \
    >>"$log" 2>&1; then
    have_ns=yes
  fi
fi
if [[ $have_ns == no ]]; then
  if [[ $smoke == 0 ]]; then
    echo "bench: SKIP: cannot bind-mount over /etc/services in a private mount namespace (run as root)"
    exit 77
  fi
  say "no private mount namespace: smoke run on this system's /etc/services only, without db"
fi

# ------------------------------------------------------------- libnss-db
have_db=no
db_makefile=/var/lib/misc/Makefile
if [[ $have_ns == yes && -f $db_makefile ]] && command -v makedb >/dev/null 2>&1 &&
  { ldconfig -p 2>/dev/null | grep 'libnss_db\.so\.2' >/dev/null; }; then
  have_db=yes
else
  say "note: libnss-db is not installed (apt-get install libnss-db): the db column is skipped"
  meta note "libnss-db not installed: db skipped"
fi

services="floor=benchnull,portdb,files"
[[ $have_db == yes ]] && services+=",db"

# -------------------------------------------------------------- datasets

# The IANA registry as Wireshark ships it merges protocols: one line per
# protocol (tests/expand-iana.awk, shared with tests/parity.sh).
expand_iana() {
  awk -f "$BENCH_SRCDIR/tests/expand-iana.awk" "$1"
}

# N synthetic entries, deterministic (a Park-Miller generator, exact in
# any awk's doubles): names svc-<i> with 0-3 aliases svc-<i>-a<k>, ports
# spread over 1..65535 on tcp, udp and sctp (so they repeat in the large
# files, the first line winning), a comment on one line in four.  Every
# 16th port is never used, so that every file has ports to miss.
synthesize() {
  awk -v n="$1" 'BEGIN {
    x = 20240601
    split("tcp udp sctp", protos, " ")
    printf "# Synthetic services file for the nss_portdb benchmark: %d entries.\n", n
    for (i = 1; i <= n; i++) {
      do { x = (x * 16807) % 2147483647; port = 1 + x % 65535 } while (port % 16 == 0)
      x = (x * 16807) % 2147483647; proto = protos[1 + x % 3]
      x = (x * 16807) % 2147483647; na = x % 4
      line = "svc-" i "\t" port "/" proto
      for (a = 1; a <= na; a++) line = line " svc-" i "-a" a
      x = (x * 16807) % 2147483647
      if (x % 4 == 0) line = line "\t# synthetic service " i
      print line
    }
  }'
}

iana_src=/usr/share/wireshark/services
datasets=()
add_dataset() { datasets+=("$1"); mkdir -p "$work/$1/db"; }

add_dataset debian
cp -- /etc/services "$work/debian/services"
if [[ $have_ns == yes ]]; then
  if [[ -f $iana_src ]]; then
    add_dataset iana
    expand_iana "$iana_src" >"$work/iana/services"
  else
    say "note: $iana_src not found (apt-get install libwireshark-data): no IANA dataset"
    meta note "IANA registry not installed: iana skipped"
  fi
  if [[ $smoke == 1 ]]; then
    sizes="1000"
  else
    sizes="1000 10000 100000 1000000"
  fi
  for n in $sizes; do
    case $n in
      1000) d=syn-1k ;; 10000) d=syn-10k ;; 100000) d=syn-100k ;; 1000000) d=syn-1m ;;
    esac
    add_dataset "$d"
    synthesize "$n" >"$work/$d/services"
  done
fi
# A smoke run without a namespace has only the real /etc/services, as is.
[[ $have_ns == yes && $smoke == 1 ]] && datasets=(debian iana syn-1k)
[[ $have_ns == yes && $smoke == 1 && ! -f $work/iana/services ]] && datasets=(debian syn-1k)
if [[ $only == programs ]]; then
  [[ -f $work/iana/services ]] || die "BENCH_ONLY=programs needs the IANA registry ($iana_src) and a private mount namespace"
  datasets=(iana)
fi
say "datasets: ${datasets[*]}"

declare -A entries
build_db() {
  local d=$1
  make -s -B -f "$db_makefile" ETC="$work/$d" VAR_DB="$work/$d/db" DBS=services >/dev/null
}

# --------------------------------------------------------------- helpers

# The namespace's side of in_ns and with_nscd.  Arguments: the dataset's
# services file, the libnss-db directory or "", the nscd binary or "" (no
# nscd), the nscd directory, then the command.  With nscd: nsswitch.conf
# becomes $nscd_dir/nsswitch.conf, a private tmpfs covers /var/run/nscd
# (glibc's clients find nscd's socket there: the system's nscd, if any, is
# out of sight), nscd starts in the foreground, the command runs once it
# answers (10 s at the most), and nscd is stopped when the shell exits
# (5 s, then SIGKILL; the PID namespace ends whatever is left with it).
# nscd's statistics after the command go to $nscd_dir/stats.
ns_script='
  mount --bind -- "$1" /etc/services || exit 3
  if [ -n "$2" ]; then mount --bind -- "$2" /var/lib/misc || exit 3; fi
  nscd_bin=$3 nscd_dir=$4
  shift 4
  [ -n "$nscd_bin" ] || exec "$@"
  conf=$nscd_dir/nscd.conf
  mount --bind -- "$nscd_dir/nsswitch.conf" /etc/nsswitch.conf || exit 3
  if [ -d /var/run/nscd ]; then
    mount -t tmpfs -o mode=0755,size=64m nss-bench-nscd /var/run/nscd || exit 3
  else
    mount -t tmpfs -o mode=0755,size=64m nss-bench-run /var/run || exit 3
    mkdir /var/run/nscd || exit 3
  fi
  "$nscd_bin" -F -f "$conf" </dev/null >>"$nscd_dir/nscd.out" 2>&1 &
  nscd_pid=$!
  stop_nscd() {
    kill "$nscd_pid" 2>/dev/null
    i=0
    while kill -0 "$nscd_pid" 2>/dev/null && [ $i -lt 50 ]; do
      sleep 0.1
      i=$((i + 1))
    done
    kill -9 "$nscd_pid" 2>/dev/null
    wait "$nscd_pid" 2>/dev/null
  }
  trap stop_nscd EXIT
  trap "exit 143" HUP INT TERM
  i=0
  until timeout 5 "$nscd_bin" -f "$conf" -g >/dev/null 2>&1; do
    i=$((i + 1))
    if ! kill -0 "$nscd_pid" 2>/dev/null; then
      echo "nscd exited: $(cat "$nscd_dir/nscd.out")" >&2
      exit 3
    fi
    if [ $i -ge 100 ]; then
      echo "nscd did not answer within 10 s (see $nscd_dir/nscd.out)" >&2
      exit 3
    fi
    sleep 0.1
  done
  "$@"
  rc=$?
  if ! timeout 5 "$nscd_bin" -f "$conf" -g >"$nscd_dir/stats" 2>&1; then
    echo "nscd stopped answering while the command ran" >&2
    exit 3
  fi
  exit $rc'

# Run a command in a private mount namespace where /etc/services is
# dataset D and (with db) /var/lib/misc holds D's services.db; the module
# directories are on LD_LIBRARY_PATH and NSS_PORTDB_PATH names D's
# database.  Without a namespace (smoke only) run it as is.
in_ns() {
  local d=$1
  shift
  local env=(env LD_LIBRARY_PATH="$NSS_MODULE_DIR:$BENCH_MODULE_DIR"
    NSS_PORTDB_PATH="$work/$d/services.lmdb")
  if [[ $have_ns == no ]]; then
    "${env[@]}" "$@"
    return
  fi
  local dbdir=
  [[ $have_db == yes ]] && dbdir=$work/$d/db
  "${env[@]}" unshare -m --propagation private bash -c "$ns_script" _ \
    "$work/$d/services" "$dbdir" "" "" "$@"
}

# The same, with the benchmark's own nscd running in the namespace (which
# is a PID namespace too, so that nscd cannot outlive it), the whole
# session bounded by $nscd_session_seconds.  Pinned lookups
# (__nss_configure_lookup, getent -s) never ask nscd; unpinned ones do.
with_nscd() {
  local d=$1
  shift
  local dbdir=
  [[ $have_db == yes ]] && dbdir=$work/$d/db
  env LD_LIBRARY_PATH="$NSS_MODULE_DIR:$BENCH_MODULE_DIR" \
    NSS_PORTDB_PATH="$work/$d/services.lmdb" \
    timeout --foreground -k 10 "$nscd_session_seconds" \
    unshare -m --propagation private -p -f --kill-child --mount-proc \
    bash -c "$ns_script" _ "$work/$d/services" "$dbdir" "$nscd_bin" "$nscd_dir" "$@"
}

# How many values nscd's services cache held at the end of the last
# with_nscd session (0 if it said nothing).
nscd_cached() {
  awk '/^services cache:/ { s = 1 }
    s && /current number of cached values/ { print $1; found = 1; exit }
    END { if (!found) print 0 }' "$nscd_dir/stats" 2>/dev/null || echo 0
}

# ------------------------------------------------------------------ nscd
# The benchmark's own nscd (with_nscd), never the system's: its services
# cache only, in memory, from `services: files`.  Debian's nscd.conf but
# for three lines: persistent no (nothing written outside the namespace),
# negative-time-to-live 3600 instead of 20 (misses stay cached while they
# are timed) and suggested-size 16381 instead of 211 (nscd never grows its
# hash table: short chains with the benchmark's thousands of keys).
nscd_bin=/usr/sbin/nscd
nscd_dir=$work/nscd
nscd_session_seconds=900
have_nscd=no nscd_why=
if [[ $have_ns == no ]]; then
  nscd_why="it needs a private mount namespace (run as root)"
elif [[ ! -x $nscd_bin ]]; then
  nscd_why="not installed (apt-get install nscd)"
else
  mkdir -p "$nscd_dir"
  printf '%s\n' "# nscd for the nss_portdb benchmark: the services cache only." \
    "logfile $nscd_dir/nscd.log" "debug-level 0" "paranoia no" \
    "enable-cache passwd no" "enable-cache group no" "enable-cache hosts no" \
    "enable-cache netgroup no" "enable-cache services yes" \
    "positive-time-to-live services 28800" "negative-time-to-live services 3600" \
    "suggested-size services 16381" "check-files services yes" \
    "persistent services no" "shared services yes" \
    "max-db-size services 33554432" >"$nscd_dir/nscd.conf"
  printf 'services: files\n' >"$nscd_dir/nsswitch.conf"
  # It must start, answer, and be asked: a value in its cache afterwards.
  if with_nscd debian getent services ssh >>"$log" 2>&1 && (($(nscd_cached) >= 1)); then
    have_nscd=yes
    v=$("$nscd_bin" -V 2>/dev/null | head -n 1) || v=nscd
    nscd_status="the benchmark's own; $v; services cache only; shared; not persistent; negative-time-to-live 3600; suggested-size 16381"
  else
    nscd_why="the benchmark's nscd did not start or was not asked (see bench.log)"
  fi
fi
if [[ $have_nscd == no ]]; then
  nscd_status="not measured: $nscd_why"
  say "note: nscd skipped, $nscd_why"
  meta note "nscd skipped: $nscd_why"
fi
meta nscd "$nscd_status"

# Parameters: full run and smoke run.
if [[ $smoke == 1 ]]; then
  P_ROUNDS=3 P_ROUNDS_HUGE=3 P_TARGET=0.5 P_WARM=20 P_KEYS=256
  P_THREAD_ROUNDS=1 P_THREAD_MS=20 P_ENUM_ROUNDS=1 P_ENUM_MAX=1 P_MEMLAT_ROUNDS=1
  P_BUILD_ROUNDS=1 P_COLD_ROUNDS=3 P_MEM_CALLS=2000 P_MEM_SECONDS=0.2
  P_FIRST_ROUNDS=3 P_FIRST_SECONDS=2 P_NSCD_KEYS=64
else
  P_ROUNDS=21 P_ROUNDS_HUGE=7 P_TARGET=5 P_WARM=300 P_KEYS=4096
  P_THREAD_ROUNDS=11 P_THREAD_MS=150 P_ENUM_ROUNDS=9 P_ENUM_MAX=5 P_MEMLAT_ROUNDS=7
  P_BUILD_ROUNDS=11 P_COLD_ROUNDS=41 P_MEM_CALLS=100000 P_MEM_SECONDS=2
  P_FIRST_ROUNDS=41 P_FIRST_SECONDS=20 P_NSCD_KEYS=1024
fi

# ---------------------------------------------------------------- builds
for d in "${datasets[@]}"; do
  # An untimed build first: it prepares the databases the lookups use,
  # counts the entries, and warms the page cache for the timed builds.
  out=$("$PORTDB" build -o "$work/$d/services.lmdb" "$work/$d/services" 2>&1) ||
    die "portdb build $d: $out"
  n=$(sed -n 's/.*: \([0-9][0-9]*\) entries.*/\1/p' <<<"$out" | head -n 1)
  entries[$d]=${n:-0}
  [[ $have_db == yes ]] && { step build_db "$d" || die "libnss-db build of $d failed"; }
  [[ $only != programs ]] || continue
  if ((entries[$d] >= 1000000)); then
    r=1
  elif ((entries[$d] >= 100000)); then
    r=3
  else
    r=$P_BUILD_ROUNDS
  fi
  say "$d: ${entries[$d]} entries; timing the builds ($r rounds)"
  cmds=(portdb "$PORTDB" build -o "$work/$d/services.lmdb" "$work/$d/services")
  if [[ $have_db == yes ]]; then
    cmds+=(:: db make -s -B -f "$db_makefile" ETC="$work/$d" VAR_DB="$work/$d/db" DBS=services)
  fi
  step "$NSS_BENCH" --section build --dataset "$d" --entries "${entries[$d]}" \
    --rounds "$r" --warmup 0 run -- "${cmds[@]}" >>"$rows"
done

# -------------------------------------------------------------- programs
# Real programs with each service, IANA (tests/bench/programs.sh): the
# table goes to $progmd, its rows to the results.
progmd=$BENCH_OUT/programs.md
rm -f "$progmd"
run_programs() {
  local why='' rc=0
  if [[ $have_ns == no ]]; then
    why="it needs a private mount namespace (run as root)"
  elif [[ -z ${entries[iana]-} ]]; then
    why="no IANA dataset"
  else
    say "iana: programs (iptables, nft, ss, netstat, loops in Python, Perl, Ruby)"
    env P_SERVICES="$work/iana/services" P_LMDB="$work/iana/services.lmdb" \
      P_DBDIR="$([[ $have_db == yes ]] && echo "$work/iana/db")" \
      P_NSCD="$([[ $have_nscd == yes ]] && echo "$nscd_bin")" P_NSCD_CONF="$nscd_dir/nscd.conf" \
      P_WORK="$work/programs" P_ROWS="$rows" P_MD="$progmd" P_ENTRIES="${entries[iana]}" \
      P_SMOKE="$smoke" NSS_BENCH="$NSS_BENCH" BENCH_SOCKETS="$BENCH_SOCKETS" \
      NSS_MODULE_DIR="$NSS_MODULE_DIR" bash "$BENCH_SRCDIR/tests/bench/programs.sh" 2>>"$log" || rc=$?
    if ((rc == 77)); then
      why="no private network namespace here (see bench.log)"
    elif ((rc != 0)); then
      echo "bench: ERROR: the programs part failed; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      exit 1
    else
      return 0
    fi
  fi
  say "note: programs skipped: $why"
  meta note "programs skipped: $why"
}

if [[ $only == programs ]]; then
  run_programs
  meta loadavg-end "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  results=$BENCH_OUT/results.csv
  {
    echo "section,dataset,entries,service,metric,variant,median,min,max,unit,rounds,per_round,note"
    cat "$rows"
  } >"$results"
  rm -f "$rows" "$BENCH_OUT/targets.csv"
  {
    printf '# nss_portdb benchmark: programs only%s\n\n' "$([[ $smoke == 1 ]] && echo ' (smoke run)')"
    printf '%s; %s (%s CPUs); %s; Linux %s; nss_portdb commit %s. Regenerate with `make bench BENCH_ONLY=programs`.\n\n' \
      "$date_utc" "$cpu" "$ncpu" "$glibc" "$kernel" "$commit"
    [[ ! -f $progmd ]] || cat "$progmd"
  } >"$BENCH_OUT/report.md"
  echo
  cat "$BENCH_OUT/report.md"
  echo
  say "results: $results; report: $BENCH_OUT/report.md"
  if [[ $smoke == 0 && -n ${BENCH_PUBLISH-} ]]; then
    mkdir -p "$BENCH_PUBLISH"
    cp -- "$BENCH_OUT/report.md" "$BENCH_PUBLISH/programs.md"
    cp -- "$results" "$BENCH_PUBLISH/programs.csv"
    say "copied them to $BENCH_PUBLISH/programs.md and programs.csv"
  fi
  say "done in $((SECONDS - start_time)) s"
  exit 0
fi

# --------------------------------------------------------------- lookups
for d in "${datasets[@]}"; do
  r=$P_ROUNDS er=$P_ENUM_ROUNDS
  if ((entries[$d] >= 1000000)); then r=$P_ROUNDS_HUGE er=3; fi
  modes=(lookups enum)
  [[ $d == iana || ($smoke == 1 && $d == debian) ]] && modes+=(threads)
  say "$d: lookups ($r rounds), enumeration$([[ ${modes[*]} == *threads* ]] && echo ', threads')"
  step in_ns "$d" "$NSS_BENCH" --dataset "$d" --services "$services" \
    --rounds "$r" --target-ms "$P_TARGET" --warm-ms "$P_WARM" --keys "$P_KEYS" \
    --threads 1,2,4 --thread-rounds "$P_THREAD_ROUNDS" --thread-ms "$P_THREAD_MS" \
    --enum-rounds "$er" --enum-max-seconds "$P_ENUM_MAX" "${modes[@]}" >>"$rows"
done

# Warm lookups through nscd: in a process of their own (a pinned service
# would turn nscd off in it), every key asked once before the timing, so
# that nscd's cache holds them all.  Fewer keys than the others: nscd
# answers a key the first time with a files lookup of its own (about a
# millisecond each on IANA).
d=iana
[[ -n ${entries[iana]-} ]] || d=debian
if [[ $have_nscd == yes ]]; then
  say "$d: lookups through nscd ($P_ROUNDS rounds; $P_NSCD_KEYS keys per kind, each asked once first)"
  step with_nscd "$d" "$NSS_BENCH" --dataset "$d" --services nscd=nsswitch.conf \
    --prime "$P_NSCD_KEYS" --rounds "$P_ROUNDS" --target-ms "$P_TARGET" --warm-ms "$P_WARM" \
    --keys "$P_NSCD_KEYS" lookups >>"$rows"
  sed -n '/^services cache:/,/check .* for changes/p' "$nscd_dir/stats" >>"$log"
  (($(nscd_cached) >= P_NSCD_KEYS)) ||
    die "nscd holds $(nscd_cached) values after the lookups: were they asked through it?"
fi

# What memory itself costs: one dependent read of a random cache line in
# as many bytes as each dataset's database (tests/bench/bench.c, memlat).
for d in "${datasets[@]}"; do
  step "$NSS_BENCH" --dataset "$d" --entries "${entries[$d]}" --rounds "$P_MEMLAT_ROUNDS" \
    memlat "$(stat -c %s "$work/$d/services.lmdb")" >>"$rows"
done

# The module called directly, without glibc's dispatch, with 1, 2 and 4
# threads: does the module itself scale, whatever glibc does?
d=iana
[[ -n ${entries[iana]-} ]] || d=debian
say "$d: threads, the module called directly"
step in_ns "$d" "$NSS_BENCH" --dataset "$d" --services portdb-direct=direct:portdb \
  --keys "$P_KEYS" --threads 1,2,4 --thread-rounds "$P_THREAD_ROUNDS" \
  --thread-ms "$P_THREAD_MS" threads >>"$rows"

# ---------------------------------------------------------------- memory
for d in iana syn-1m; do
  [[ -n ${entries[$d]-} ]] || continue
  say "$d: private memory gained, one fresh process per service"
  IFS=, read -r -a svcs <<<"$services"
  for s in "${svcs[@]}"; do
    step in_ns "$d" "$NSS_BENCH" --dataset "$d" --services "$s" \
      --keys "$P_KEYS" --calls "$P_MEM_CALLS" --max-seconds "$P_MEM_SECONDS" memory >>"$rows"
  done
done
if [[ -z ${entries[iana]-} && $smoke == 1 ]]; then
  step in_ns debian "$NSS_BENCH" --dataset debian --services portdb \
    --keys "$P_KEYS" --calls "$P_MEM_CALLS" --max-seconds "$P_MEM_SECONDS" memory >>"$rows"
fi

# ------------------------------------------------- keys of a fresh process
# What a fresh process looks up: the early key, ssh/tcp (a synthetic file
# has no ssh: its first entry), and the late key, a port and protocol in
# the last quarter of the file that no line before has (files reads three
# quarters of the file before it answers); for IANA the issue's 48556/tcp,
# near the end, when present.
early_key() {
  awk '$1 == "ssh" && $2 ~ /^[0-9]+\/tcp$/ { print "ssh tcp"; found = 1; exit }
    first == "" && $1 !~ /^#/ && NF >= 2 { split($2, pp, "/"); first = $1 " " pp[2] }
    END { if (!found && first != "") print first }' "$1"
}
late_key() {
  if [[ $2 == iana ]] && grep -E '^[^#]*[[:space:]]48556/tcp([[:space:]]|$)' "$1" >/dev/null; then
    echo 48556/tcp
    return
  fi
  awk 'FNR == NR { if ($1 !~ /^#/ && $2 ~ /^[0-9]+\//) n++; next }
    $1 !~ /^#/ && $2 ~ /^[0-9]+\// {
      i++
      if (!($2 in seen) && i >= 0.75 * n) { print $2; exit }
      seen[$2] = 1
    }' "$1" "$1"
}

# The datasets of these measurements: Debian's, IANA and the largest
# synthetic one.
fresh_sets=()
declare -A early_name early_proto late
for d in debian iana syn-1m; do
  [[ $d == syn-1m && $smoke == 1 ]] && d=syn-1k
  [[ -n ${entries[$d]-} ]] || continue
  read -r early_name[$d] early_proto[$d] < <(early_key "$work/$d/services") || true
  late[$d]=$(late_key "$work/$d/services" "$d")
  [[ -n ${early_name[$d]} && -n ${early_proto[$d]} && -n ${late[$d]} ]] ||
    die "$d: no early or late key in the file"
  fresh_sets+=("$d")
done

# ------------------------------------------------- first lookup, fresh
for d in "${fresh_sets[@]}"; do
  say "$d: first lookup in a fresh process, ${early_name[$d]}/${early_proto[$d]} ($P_FIRST_ROUNDS processes per service)"
  step in_ns "$d" "$NSS_BENCH" --dataset "$d" --entries "${entries[$d]}" \
    --services floor=benchnull,portdb,files --rounds "$P_FIRST_ROUNDS" --warmup 1 \
    --max-seconds "$P_FIRST_SECONDS" first "${early_name[$d]}" "${early_proto[$d]}" >>"$rows"
  # The unit those lookups are counted in: a page of this database read
  # by a fresh process, through a fault or a pread (DESIGN.md, "First
  # lookup").  Small files have too few pages to take 16 far apart.
  if (($(stat -c %s "$work/$d/services.lmdb") >= 128 * 4096)); then
    step in_ns "$d" "$NSS_BENCH" --dataset "$d" --entries "${entries[$d]}" \
      --rounds "$P_FIRST_ROUNDS" --warmup 1 pagecost "$work/$d/services.lmdb" >>"$rows"
  fi
done

# ------------------------------------------------------- fresh getent
# A fresh `getent services KEY`, whole process: floor, portdb, files (and
# db) pinned with -s; nscd asked by a plain getent, in the same namespace
# (with_nscd), its cache holding KEY after the untimed warm-up run.  The
# floor finds nothing, so getent exits 2 (--ok-status); that every other
# service finds KEY is checked first, as the timed runs accept 2 as well.
if ! command -v getent >/dev/null 2>&1; then
  say "note: getent not found: no fresh getent measurement"
  meta note "getent not found: no fresh getent"
  fresh_sets=()
fi
getent_ns=in_ns
[[ $have_nscd == yes ]] && getent_ns=with_nscd
for d in "${fresh_sets[@]}"; do
  pinned=(portdb files)
  [[ $have_db == yes ]] && pinned+=(db)
  for s in "${pinned[@]}"; do
    in_ns "$d" getent -s "services:$s" services "${early_name[$d]}" "${late[$d]}" >>"$log" ||
      die "fresh getent: getent -s services:$s services ${early_name[$d]} ${late[$d]} does not find both"
  done
  if [[ $have_nscd == yes ]]; then
    with_nscd "$d" getent services "${early_name[$d]}" "${late[$d]}" >>"$log" ||
      die "fresh getent: getent services ${early_name[$d]} ${late[$d]} through nscd does not find both"
  fi
  for which in early late; do
    if [[ $which == early ]]; then k=${early_name[$d]} sec=coldstart; else k=${late[$d]} sec=coldstart-late; fi
    say "$d: fresh getent services $k ($P_COLD_ROUNDS rounds)"
    cmds=(floor getent -s services:benchnull services "$k")
    for s in "${pinned[@]}"; do cmds+=(:: "$s" getent -s "services:$s" services "$k"); done
    [[ $have_nscd == yes ]] && cmds+=(:: nscd getent services "$k")
    step "$getent_ns" "$d" "$NSS_BENCH" --section "$sec" --dataset "$d" --ok-status 2 \
      --entries "${entries[$d]}" --rounds "$P_COLD_ROUNDS" --note "key=$k" run -- "${cmds[@]}" >>"$rows"
    if [[ $have_nscd == yes ]] && (($(nscd_cached) < 1)); then
      die "fresh getent: nscd holds no value after the runs: was it asked?"
    fi
  done
done

run_programs

# --------------------------------------------------------------- results
meta loadavg-end "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
results=$BENCH_OUT/results.csv
{
  echo "section,dataset,entries,service,metric,variant,median,min,max,unit,rounds,per_round,note"
  cat "$rows"
} >"$results"
rm -f "$rows"

# The report: tables in Markdown, the targets judged on the medians of
# this one run (smoke runs judge nothing), and the data of the plot.
plotdat=$BENCH_OUT/lookup-scaling.dat
awk -F, -v smoke="$smoke" -v progmd="$progmd" -v keys="$P_KEYS" -v nscd_keys="$P_NSCD_KEYS" -v targets="$BENCH_OUT/targets.csv" -v plotdat="$plotdat" '
function fmt_ns(x) {
  if (x == "") return "-"
  if (x < 10) return sprintf("%.1f ns", x)
  if (x < 1000) return sprintf("%.0f ns", x)
  if (x < 1e4) return sprintf("%.2f µs", x / 1e3)
  if (x < 1e6) return sprintf("%.0f µs", x / 1e3)
  if (x < 1e7) return sprintf("%.2f ms", x / 1e6)
  if (x < 1e9) return sprintf("%.0f ms", x / 1e6)
  return sprintf("%.2f s", x / 1e9)
}
function fmt_ms(x) { return x == "" ? "-" : fmt_ns(x * 1e6) }
function fmt_sns(x) { return x == "" ? "-" : x < 0 ? "−" fmt_ns(-x) : fmt_ns(x) }
function fmt_ratio(x) {
  if (x == "") return "-"
  if (x < 10) return sprintf("%.2f×", x)
  if (x < 100) return sprintf("%.1f×", x)
  return sprintf("%.0f×", x)
}
function fmt_int(x,   s, r) {
  s = sprintf("%.0f", x); r = ""
  while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
  return s r
}
function fmt_kib(x) {
  if (x == "") return "-"
  if (x >= 10240 || x <= -10240) return sprintf("%.0f MiB", x / 1024)
  return sprintf("%.0f KiB", x)
}
function spread(key, f,   a) {
  # "median (min-max)" with the unit of f
  if (!(key in med)) return "-"
  if (f == "ns") return fmt_ns(med[key]) " (" fmt_ns(mn[key]) "–" fmt_ns(mx[key]) ")"
  return fmt_ms(med[key]) " (" fmt_ms(mn[key]) "–" fmt_ms(mx[key]) ")"
}
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
function judge(id, text, value, shown, ok) {
  if (value == "") { mark = "?"; verdict = "not measured" }
  else if (smoke) { mark = "·"; verdict = "not judged (smoke)" }
  else { mark = ok ? "✓" : "✗"; verdict = ok ? "pass" : "FAIL" }
  print "- " mark " " text ": " shown
  ntarget++
  printf "%s,\"%s\",%s,%s\n", id, text, value, verdict > targets
  if (!smoke && value != "" && !ok) nfail++
  if (value == "") nmissing++
}
NR == 1 { next }
{
  sec = $1; ds = $2; ent = $3; svc = $4; metric = $5; var = $6
  key = sec SUBSEP ds SUBSEP svc SUBSEP metric SUBSEP var
  med[key] = $7; mn[key] = $8; mx[key] = $9; note[key] = $13; rnds[key] = $11
  if (sec == "meta") { v = $13; if (metric in info) v = info[metric] "; " v; info[metric] = v; next }
  if (ent != "" && ent + 0 > 0) nent[ds] = ent + 0
  if (!(ds in seen_ds)) { seen_ds[ds] = 1; dsorder[++nds] = ds }
  if (!(svc in seen_svc) && svc != "") { seen_svc[svc] = 1 }
  if (sec == "lookup") {
    sum[ds, svc] += $7; cnt[ds, svc]++
    if (index($13, "bad=") == 1 && substr($13, 5) + 0 > 0) badn[ds, svc] += substr($13, 5)
    lrounds[ds] = $11
  }
  if (sec == "memory" && metric == "private_dirty_gain") calls[ds, svc] = $12
}
END {
  ns = 0
  split("floor portdb files db", order, " ")
  for (i = 1; i <= 4; i++) if (order[i] in seen_svc) svcs[++ns] = order[i]
  # datasets by size
  for (i = 1; i <= nds; i++) for (j = i + 1; j <= nds; j++)
    if (nent[dsorder[j]] < nent[dsorder[i]]) { t = dsorder[i]; dsorder[i] = dsorder[j]; dsorder[j] = t }
  dname["debian"] = "Debian /etc/services"; dname["iana"] = "IANA registry"
  dname["syn-1k"] = "synthetic 1k"; dname["syn-10k"] = "synthetic 10k"
  dname["syn-100k"] = "synthetic 100k"; dname["syn-1m"] = "synthetic 1M"
  for (i = 1; i <= nds; i++) if (!(dsorder[i] in dname)) dname[dsorder[i]] = dsorder[i]
  for (i = 1; i <= nds; i++) for (s = 1; s <= ns; s++)
    if (cnt[dsorder[i], svcs[s]] > 0) per[dsorder[i], svcs[s]] = sum[dsorder[i], svcs[s]] / cnt[dsorder[i], svcs[s]]

  printf "# nss_portdb benchmark%s\n\n", smoke ? " (smoke run: tiny data, few rounds, targets not judged)" : ""
  printf "%s; %s (%s CPUs); %s; Linux %s; nss_portdb commit %s. Regenerate with `make bench`.\n\n", info["date"], info["cpu"], info["cpus"], info["libc"], info["kernel"], info["commit"]
  printf "Load average (1, 5, 15 min) at the start: %s; at the end: %s (the machine is shared: rounds alternate the services so that drift hits all alike).\n\n", info["loadavg-start"], info["loadavg-end"]
  if ("note" in info) printf "Notes: %s.\n\n", info["note"]

  # ---- programs: what users see, first
  while ((getline l < progmd) > 0) { print l; pm = 1 }
  if (pm) print ""

  # ---- lookups on the reference dataset
  ref = ("iana" in nent) ? "iana" : dsorder[1]
  kinds = "byname hit-proto,byname hit-null,byname miss-proto,byname miss-null,byport hit-proto,byport hit-null,byport miss-proto,byport miss-null"
  nk = split(kinds, kl, ",")
  printf "## Lookups: %s (%s entries)\n\n", dname[ref], fmt_int(nent[ref])
  printf "Time per call through glibc, median (min–max) over %s rounds; ratios of medians.\n\n", lrounds[ref]
  # nscd: warm lookups through it, from a process of its own
  nl = 0
  for (s = 1; s <= ns; s++) lsvcs[++nl] = svcs[s]
  has_nscd = ("lookup" SUBSEP ref SUBSEP "nscd" SUBSEP "byname" SUBSEP "hit-proto") in med
  if (has_nscd) {
    lsvcs[++nl] = "nscd"
    print "*nscd*: warm lookups through the benchmark'"'"'s own nscd (services cache, from `services: files`), " nscd_keys " keys per kind (not " keys ": nscd answers each new key with a files lookup of its own), every key asked once before the timing, so that its cache holds them all; in a process of its own, since pinning any service turns glibc'"'"'s nscd client off in the whole process, and so not alternated with the others.\n"
  }
  hdr = "| call | key |"; sep = "|---|---|"
  for (s = 1; s <= nl; s++) { hdr = hdr " " lsvcs[s] " |"; sep = sep "---:|" }
  hdr = hdr " portdb / floor | files / portdb |"; sep = sep "---:|---:|"
  if ("db" in seen_svc) { hdr = hdr " db / portdb |"; sep = sep "---:|" }
  if (has_nscd) { hdr = hdr " nscd / portdb |"; sep = sep "---:|" }
  print hdr; print sep
  for (k = 1; k <= nk; k++) {
    split(kl[k], kk, " ")
    fn = kk[1] == "byname" ? "getservbyname_r" : "getservbyport_r"
    split(kk[2], hv, "-")
    keyd = hv[1] ", " (hv[2] == "proto" ? "protocol given" : "protocol NULL")
    line = "| " fn " | " keyd " |"
    for (s = 1; s <= nl; s++) line = line " " spread("lookup" SUBSEP ref SUBSEP lsvcs[s] SUBSEP kk[1] SUBSEP kk[2], "ns") " |"
    p = med["lookup" SUBSEP ref SUBSEP "portdb" SUBSEP kk[1] SUBSEP kk[2]]
    f = med["lookup" SUBSEP ref SUBSEP "floor" SUBSEP kk[1] SUBSEP kk[2]]
    fi = med["lookup" SUBSEP ref SUBSEP "files" SUBSEP kk[1] SUBSEP kk[2]]
    dbv = med["lookup" SUBSEP ref SUBSEP "db" SUBSEP kk[1] SUBSEP kk[2]]
    r_floor[k] = ratio(p, f); r_files[k] = ratio(fi, p); r_db[k] = ratio(dbv, p)
    line = line " " fmt_ratio(r_floor[k]) " | " fmt_ratio(r_files[k]) " |"
    if ("db" in seen_svc) line = line " " fmt_ratio(r_db[k]) " |"
    if (has_nscd) line = line " " fmt_ratio(ratio(med["lookup" SUBSEP ref SUBSEP "nscd" SUBSEP kk[1] SUBSEP kk[2]], p)) " |"
    print line
  }
  print ""

  # ---- scaling
  print "## Scaling: ns per lookup against entries\n"
  print "Mean of the eight kinds above (half hits, half misses), each the median over the rounds, with " keys " keys per kind. *portdb, first pass*: the same mean over the first pass through the keys in the process (page faults of the fresh mapping, cold caches). *portdb, first call*: the process'"'"'s first lookup (loading the module, opening and checking the database). *One memory read*: a dependent read of a random cache line in as many bytes as the database (4 KiB pages): what a lookup that touches memory at random cannot go below, once the database no longer fits in the caches.\n"
  hdr = "| dataset | entries |"; sep = "|---|---:|"
  for (s = 1; s <= ns; s++) { hdr = hdr " " svcs[s] " |"; sep = sep "---:|" }
  print hdr " portdb / floor | portdb, first pass | portdb, first call | one memory read |"; print sep "---:|---:|---:|---:|"
  for (i = 1; i <= nds; i++) {
    d = dsorder[i]
    if (cnt[d, "portdb"] == 0) continue
    line = "| " dname[d] " | " fmt_int(nent[d]) " |"
    for (s = 1; s <= ns; s++) line = line " " fmt_ns(per[d, svcs[s]]) " |"
    fp = 0; fpn = 0
    for (k = 1; k <= nk; k++) {
      split(kl[k], kk, " ")
      fk = "firstpass" SUBSEP d SUBSEP "portdb" SUBSEP kk[1] SUBSEP kk[2]
      if (fk in med) { fp += med[fk]; fpn++ }
    }
    fc = "firstcall" SUBSEP d SUBSEP "portdb" SUBSEP "byname" SUBSEP "hit-proto"
    ml = "memlat" SUBSEP d SUBSEP "memory" SUBSEP "ns_per_read" SUBSEP "database-size"
    print line " " fmt_ratio(ratio(per[d, "portdb"], per[d, "floor"])) " | " (fpn ? fmt_ns(fp / fpn) : "-") " | " ((fc in med) ? fmt_ns(med[fc]) : "-") " | " ((ml in med) ? fmt_ns(med[ml]) : "-") " |"
    # plot data: entries, then one column per service (- when absent)
    pl = nent[d]
    for (s = 1; s <= 4; s++) pl = pl " " (((d, order[s]) in per) ? per[d, order[s]] : "-")
    if (substr(d, 1, 4) == "syn-") print pl > (plotdat ".syn")
    else print pl > (plotdat ".real")
  }
  print ""

  # ---- threads
  tref = ""
  for (i = 1; i <= nds; i++) if (("threads" SUBSEP dsorder[i] SUBSEP "portdb" SUBSEP "lookups_per_s" SUBSEP "1") in med) tref = dsorder[i]
  if (tref != "") {
    printf "## Threads: lookups per second, %s\n\n", dname[tref]
    print "All eight kinds mixed; median (min–max) over the rounds. *Cores used*: the CPU time the process got per second of wall time (median), 1 / 2 / 4 threads: on a busy machine two threads may not get two cores. *Per CPU-second, 2 / 1*: lookups per CPU-second with 2 threads over that with 1 (below 1: the threads slow each other down).\n"
    print "*portdb-direct*: the lookup functions of the module called by the benchmark itself (`dlsym`), without the dispatch of glibc.\n"
    print "| service | 1 thread | 2 threads | 4 threads | 2 / 1 | 4 / 1 | cores used | per CPU-second, 2 / 1 |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|"
    nts = 0
    for (s = 1; s <= ns; s++) {
      tsvcs[++nts] = svcs[s]
      if (svcs[s] == "portdb" && ("portdb-direct" in seen_svc)) tsvcs[++nts] = "portdb-direct"
    }
    for (s = 1; s <= nts; s++) {
      line = "| " tsvcs[s] " |"; cu = ""
      for (t = 1; t <= 4; t *= 2) {
        tk = "threads" SUBSEP tref SUBSEP tsvcs[s] SUBSEP "lookups_per_s" SUBSEP t
        ck = "threads" SUBSEP tref SUBSEP tsvcs[s] SUBSEP "cores_used" SUBSEP t
        pk = "threads" SUBSEP tref SUBSEP tsvcs[s] SUBSEP "lookups_per_cpu_s" SUBSEP t
        tp[t] = (tk in med) ? med[tk] : ""
        tc[t] = (ck in med) ? med[ck] : ""
        tu[t] = (pk in med) ? med[pk] : ""
        cu = cu (t > 1 ? " / " : "") (tc[t] == "" ? "-" : sprintf("%.2f", tc[t]))
        line = line " " ((tk in med) ? fmt_rate(med[tk]) " (" fmt_rate(mn[tk]) "–" fmt_rate(mx[tk]) ")" : "-") " |"
      }
      print line " " fmt_ratio(ratio(tp[2], tp[1])) " | " fmt_ratio(ratio(tp[4], tp[1])) " | " cu " | " fmt_ratio(ratio(tu[2], tu[1])) " |"
      if (tsvcs[s] == "portdb") { thr = ratio(tp[2], tp[1]); thr_cores = tc[2]; thr_eff = ratio(tu[2], tu[1]) }
      if (tsvcs[s] == "portdb-direct") thr_direct = ratio(tp[2], tp[1])
      if (tsvcs[s] == "floor") thr_floor = ratio(tp[2], tp[1])
    }
    print ""
  }

  # ---- enumeration
  print "## Enumeration: a whole setservent/getservent_r/endservent walk\n"
  hdr = "| dataset | entries |"; sep = "|---|---:|"
  for (s = 2; s <= ns; s++) { hdr = hdr " " svcs[s] " |"; sep = sep "---:|" }
  print hdr " portdb / files |"; print sep "---:|"
  for (i = 1; i <= nds; i++) {
    d = dsorder[i]; line = "| " dname[d] " | " fmt_int(nent[d]) " |"; any = 0
    for (s = 2; s <= ns; s++) {
      ek = "enum" SUBSEP d SUBSEP svcs[s] SUBSEP "walk" SUBSEP "whole"
      ck = "enum" SUBSEP d SUBSEP svcs[s] SUBSEP "walk" SUBSEP "cut"
      if (ek in med) { line = line " " fmt_ms(med[ek]) (rnds[ek] == 1 ? " (1 run)" : "") " |"; any = 1 }
      else if (ck in med) { sub(/^entries=/, "", note[ck]); line = line " > " fmt_ms(med[ck]) " (cut after " fmt_int(note[ck]) ") |"; any = 1 }
      else line = line " - |"
    }
    pe = med["enum" SUBSEP d SUBSEP "portdb" SUBSEP "walk" SUBSEP "whole"]
    fe = med["enum" SUBSEP d SUBSEP "files" SUBSEP "walk" SUBSEP "whole"]
    if (any) print line " " fmt_ratio(ratio(pe, fe)) " |"
  }
  print ""

  # ---- builds
  print "## Building the database\n"
  print "Whole-process wall time, median over the rounds; peak RSS is the largest process of the command (for libnss-db: make, awk or makedb).\n"
  print "| dataset | entries | portdb build | libnss-db Makefile | db / portdb | portdb peak RSS | libnss-db peak RSS |"
  print "|---|---:|---:|---:|---:|---:|---:|"
  for (i = 1; i <= nds; i++) {
    d = dsorder[i]
    pb = "build" SUBSEP d SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"
    db = "build" SUBSEP d SUBSEP "db" SUBSEP "wall" SUBSEP "process"
    pr = "build" SUBSEP d SUBSEP "portdb" SUBSEP "maxrss" SUBSEP "process"
    dr = "build" SUBSEP d SUBSEP "db" SUBSEP "maxrss" SUBSEP "process"
    if (!(pb in med)) continue
    print "| " dname[d] " | " fmt_int(nent[d]) " | " fmt_ms(med[pb]) " | " ((db in med) ? fmt_ms(med[db]) : "-") " | " fmt_ratio(ratio(med[db], med[pb])) " | " fmt_kib(med[pr]) " | " ((dr in med) ? fmt_kib(med[dr]) : "-") " |"
  }
  print ""

  # ---- first lookup in a fresh process
  nf = 0
  for (i = 1; i <= nds; i++) if (("first" SUBSEP dsorder[i] SUBSEP "portdb" SUBSEP "byname" SUBSEP "first-call") in med) fds[++nf] = dsorder[i]
  split("floor portdb files", fsv, " ")
  if (nf) {
    print "## First lookup in a fresh process\n"
    print "The first `getservbyname_r` of a freshly exec'"'"'d process, timed inside it around that one call (CLOCK_MONOTONIC): loading the module and opening its files are in it, exec and exit are not; the service was pinned with `__nss_configure_lookup` just before. One fresh process per sample, the services alternated round by round; median (min–max). *floor*: the do-nothing module, what loading any module costs; *files* is built into glibc and loads nothing. *portdb − floor*: what portdb adds to that, of the medians.\n"
    print "| dataset | key | samples | floor | portdb | files | portdb − floor |"
    print "|---|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nf; i++) {
      d = fds[i]; line = ""; cnts = ""; same = 1; cut = ""
      for (s = 1; s <= 3; s++) {
        fk = "first" SUBSEP d SUBSEP fsv[s] SUBSEP "byname" SUBSEP "first-call"
        line = line " " spread(fk, "ns") " |"
        cnts = cnts (s > 1 ? " / " : "") ((fk in rnds) ? rnds[fk] : "-")
        if (rnds[fk] != rnds["first" SUBSEP d SUBSEP "portdb" SUBSEP "byname" SUBSEP "first-call"]) same = 0
        if (index(note[fk], "cut")) cut = cut " " fsv[s]
      }
      pk = "first" SUBSEP d SUBSEP "portdb" SUBSEP "byname" SUBSEP "first-call"
      fk = "first" SUBSEP d SUBSEP "floor" SUBSEP "byname" SUBSEP "first-call"
      key = note[pk]; sub(/^key=/, "", key); sub(/;.*/, "", key)
      if ((fk in med)) pf[d] = med[pk] - med[fk]
      print "| " dname[d] " | " key " | " (same ? rnds[pk] : cnts) " |" line " " ((fk in med) ? fmt_sns(pf[d]) : "-") " |"
      if (cut != "") cutnote = cutnote " " dname[d] ":" cut
    }
    print ""
    if (cutnote != "") print "Fewer samples (floor / portdb / files) where a service'"'"'s processes had taken its time budget:" cutnote ".\n"
    pmin = ""; pmax = ""
    for (i = 1; i <= nf; i++) if (fds[i] in pf) {
      if (pmin == "" || pf[fds[i]] < pmin) { pmin = pf[fds[i]]; dmin = fds[i] }
      if (pmax == "" || pf[fds[i]] > pmax) { pmax = pf[fds[i]]; dmax = fds[i] }
    }
    if (pmin != "") printf "portdb − floor across the datasets: %s (%s) to %s (%s)%s.\n\n", fmt_sns(pmin), dname[dmin], fmt_sns(pmax), dname[dmax], (pmin > 0 ? ", largest / smallest " fmt_ratio(pmax / pmin) : "")
    np = 0
    for (i = 1; i <= nf; i++) if (("pagecost" SUBSEP fds[i] SUBSEP "kernel" SUBSEP "fault" SUBSEP "fresh-process") in med) pds[++np] = fds[i]
    if (np) {
      print "What one page of the database costs a fresh process on this machine (file in the page cache; `nss-bench pagecost`: in each of as many fresh processes, 8 pages far apart faulted in through a mapping and 8 others read with `pread`, the mean of each; then the medians). A first lookup in a large file reads a few pages more than in a small one (the slot, the record, and their checksums lie apart), and each costs about this:\n"
      print "| dataset | page fault | 4 KiB pread | open | fstat |"
      print "|---|---:|---:|---:|---:|"
      split("fault pread open fstat", pcm, " ")
      for (i = 1; i <= np; i++) {
        line = "| " dname[pds[i]] " |"
        for (k = 1; k <= 4; k++) line = line " " fmt_sns(med["pagecost" SUBSEP pds[i] SUBSEP "kernel" SUBSEP pcm[k] SUBSEP "fresh-process"] + 0) " |"
        print line
      }
      print ""
    }
  }

  # ---- fresh getent
  ng = 0
  for (i = 1; i <= nds; i++) if (("coldstart" SUBSEP dsorder[i] SUBSEP "portdb" SUBSEP "wall" SUBSEP "process") in med) gds[++ng] = dsorder[i]
  if (ng) {
    ngs = 0
    split("floor portdb files db nscd", gall, " ")
    for (s = 1; s <= 5; s++) if (gall[s] in seen_svc) gsv[++ngs] = gall[s]
    print "## Fresh getent: `getent services KEY`, a whole process\n"
    print "Whole-process wall time of a fresh `getent` (exec, loading, the lookup, exit), median (min–max) over the rounds, the services alternated. floor, portdb, files, db: pinned with `getent -s services:SERVICE`. *nscd*: a plain `getent services KEY` in the same private namespace, whose nsswitch.conf says `services: files`, asking the benchmark'"'"'s own nscd, which holds KEY already (an untimed run asked first). *Early key*: ssh (a synthetic file: its first entry), found in the first lines; *late key*: a port in the last quarter of the file that no line before has, so that files reads three quarters of the file (IANA: 48556/tcp).\n"
    hdr = "| dataset | key |"; sep = "|---|---|"
    for (s = 1; s <= ngs; s++) { hdr = hdr " " gsv[s] " |"; sep = sep "---:|" }
    hdr = hdr " portdb / floor | files / portdb |"; sep = sep "---:|---:|"
    if ("nscd" in seen_svc) { hdr = hdr " nscd / portdb |"; sep = sep "---:|" }
    print hdr; print sep
    for (i = 1; i <= ng; i++) for (w = 1; w <= 2; w++) {
      d = gds[i]; sec = w == 1 ? "coldstart" : "coldstart-late"
      pk = sec SUBSEP d SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"
      if (!(pk in med)) continue
      key = note[pk]; sub(/^key=/, "", key)
      line = "| " dname[d] " | " key (w == 1 ? " (early)" : " (late)") " |"
      for (s = 1; s <= ngs; s++) line = line " " spread(sec SUBSEP d SUBSEP gsv[s] SUBSEP "wall" SUBSEP "process", "ms") " |"
      p = med[pk]
      line = line " " fmt_ratio(ratio(p, med[sec SUBSEP d SUBSEP "floor" SUBSEP "wall" SUBSEP "process"])) " | " fmt_ratio(ratio(med[sec SUBSEP d SUBSEP "files" SUBSEP "wall" SUBSEP "process"], p)) " |"
      if ("nscd" in seen_svc) line = line " " fmt_ratio(ratio(med[sec SUBSEP d SUBSEP "nscd" SUBSEP "wall" SUBSEP "process"], p)) " |"
      print line
    }
    print ""
    print "nscd: " info["nscd"] ".\n"
  }

  # ---- memory
  print "## Memory a process gains from the module\n"
  print "From /proc/self/smaps_rollup, before the first lookup and after the calls (one fresh process per service). *Private dirty*: memory the process owns (heap, the module'"'"'s data and relocations). *File-backed*: pages of the mapped files (the database, the module'"'"'s code) now resident in this process: page cache, shared with every other process.\n"
  print "| dataset | service | calls | private dirty | file-backed resident |"
  print "|---|---|---:|---:|---:|"
  for (i = 1; i <= nds; i++) for (s = 1; s <= ns; s++) {
    d = dsorder[i]
    mk = "memory" SUBSEP d SUBSEP svcs[s] SUBSEP "private_dirty_gain" SUBSEP "after-calls"
    fk = "memory" SUBSEP d SUBSEP svcs[s] SUBSEP "rss_file_gain" SUBSEP "after-calls"
    if (mk in med) print "| " dname[d] " | " svcs[s] " | " fmt_int(calls[d, svcs[s]]) " | " fmt_kib(med[mk]) " | " fmt_kib(med[fk]) " |"
  }
  print ""

  # ---- targets
  print "## Targets\n"
  if (smoke) print "Smoke run: nothing is judged.\n"
  else printf "Judged on this run'"'"'s medians, %s.\n\n", dname["iana"]
  printf "id,target,measured,verdict\n" > targets
  labels[1] = "getservbyname_r hits"; labels[2] = "getservbyname_r misses"
  labels[3] = "getservbyport_r hits"; labels[4] = "getservbyport_r misses"
  for (g = 1; g <= 4; g++) {
    a = 2 * g - 1; b = 2 * g
    w = (r_floor[a] == "" || r_floor[b] == "") ? "" : (r_floor[a] > r_floor[b] ? r_floor[a] : r_floor[b])
    judge("floor-" g, "portdb ≤ 5× floor, " labels[g], w, "protocol given " fmt_ratio(r_floor[a]) ", NULL " fmt_ratio(r_floor[b]), w != "" && w <= 5)
  }
  # Issue 9 (one reader), no regression: every kind within 3.5x.
  w = ""; wk = ""
  for (k = 1; k <= nk; k++) if (r_floor[k] != "" && (w == "" || r_floor[k] > w)) { w = r_floor[k]; wk = kl[k] }
  judge("floor-all", "portdb ≤ 3.5× floor, every kind", w, "slowest kind " fmt_ratio(w) " (" wk ")", w != "" && w <= 3.5)
  w = ""; wk = ""
  for (k = 1; k <= nk; k++) if (r_files[k] != "" && (w == "" || r_files[k] < w)) { w = r_files[k]; wk = kl[k] }
  judge("files", "portdb ≥ 3000× faster than files, every kind", w, "slowest kind " fmt_ratio(w) " (" wk ")", w != "" && w >= 3000)
  w = ""; wk = ""
  for (k = 1; k <= nk; k++) if (r_db[k] != "" && (w == "" || r_db[k] < w)) { w = r_db[k]; wk = kl[k] }
  judge("db", "portdb ≥ 800× faster than libnss-db, every kind", w, w == "" ? "libnss-db not measured" : "slowest kind " fmt_ratio(w) " (" wk ")", w != "" && w >= 800)
  sc = ratio(per["syn-1m", "portdb"], per["syn-1k", "portdb"])
  ml1m = med["memlat" SUBSEP "syn-1m" SUBSEP "memory" SUBSEP "ns_per_read" SUBSEP "database-size"]
  judge("scaling", "portdb: 1,000,000 entries cost ≤ 2× what 1,000 cost (ns per lookup)", sc, fmt_ns(per["syn-1m", "portdb"]) " / " fmt_ns(per["syn-1k", "portdb"]) " = " fmt_ratio(sc) (ml1m == "" ? "" : "; one random memory read in the 1M database'"'"'s size alone takes " fmt_ns(ml1m)), sc != "" && sc <= 2)
  judge("threads", "portdb: 2 threads ≥ 1.8× the lookups per second of 1", thr, fmt_ratio(thr) (thr_cores == "" ? "" : sprintf(" (the 2 threads got %.2f cores; per CPU-second %s)", thr_cores, fmt_ratio(thr_eff))) (thr_direct == "" ? "" : "; through glibc the do-nothing module gets " fmt_ratio(thr_floor) ", the module called directly " fmt_ratio(thr_direct)), thr != "" && thr >= 1.8)
  pe = med["enum" SUBSEP "iana" SUBSEP "portdb" SUBSEP "walk" SUBSEP "whole"]
  fe = med["enum" SUBSEP "iana" SUBSEP "files" SUBSEP "walk" SUBSEP "whole"]
  judge("enum", "portdb enumeration no slower than files", ratio(pe, fe), fmt_ms(pe) " vs " fmt_ms(fe), pe != "" && fe != "" && pe <= fe)
  pb = med["build" SUBSEP "iana" SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"]
  db = med["build" SUBSEP "iana" SUBSEP "db" SUBSEP "wall" SUBSEP "process"]
  br = ratio(db, pb)
  judge("build", "portdb build ≥ 3× faster than libnss-db'"'"'s Makefile", br, fmt_ms(pb) " vs " fmt_ms(db) " = " fmt_ratio(br), br != "" && br >= 3)
  bt = med["build" SUBSEP "syn-1m" SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"]
  judge("build-1m-time", "portdb build of 1,000,000 entries ≤ 15 s", bt == "" ? "" : bt / 1000, fmt_ms(bt), bt != "" && bt <= 15000)
  bm = med["build" SUBSEP "syn-1m" SUBSEP "portdb" SUBSEP "maxrss" SUBSEP "process"]
  judge("build-1m-memory", "portdb build of 1,000,000 entries within 512 MiB", bm == "" ? "" : bm / 1024, fmt_kib(bm), bm != "" && bm <= 512 * 1024)
  pc = med["coldstart" SUBSEP "iana" SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"]
  fc = med["coldstart" SUBSEP "iana" SUBSEP "files" SUBSEP "wall" SUBSEP "process"]
  judge("coldstart", "cold first lookup (getent ... ssh) no slower than files", ratio(pc, fc), fmt_ms(pc) " vs " fmt_ms(fc), pc != "" && fc != "" && pc <= fc)
  for (i = 1; i <= nf; i++) {
    d = fds[i]
    pk = "first" SUBSEP d SUBSEP "portdb" SUBSEP "byname" SUBSEP "first-call"
    fk = "first" SUBSEP d SUBSEP "floor" SUBSEP "byname" SUBSEP "first-call"
    judge("first-" d, "portdb first lookup in a fresh process ≤ floor + 50 µs, " dname[d], (d in pf) ? pf[d] / 1000 : "", fmt_ns(med[pk]) " − " fmt_ns(med[fk]) " = " fmt_sns(pf[d]), pf[d] <= 50000)
  }
  judge("first-spread", "portdb − floor of the first lookup within 25% across the datasets (largest ≤ 1.25× smallest)", pmin > 0 ? pmax / pmin : "", pmin == "" ? "not measured" : pmin > 0 ? fmt_sns(pmax) " / " fmt_sns(pmin) " = " fmt_ratio(pmax / pmin) : "the smallest, " fmt_sns(pmin) ", is not above 0: no ratio", pmin > 0 && pmax <= 1.25 * pmin)
  gp = med["coldstart-late" SUBSEP "iana" SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"]
  gf = med["coldstart-late" SUBSEP "iana" SUBSEP "files" SUBSEP "wall" SUBSEP "process"]
  gn = med["coldstart-late" SUBSEP "iana" SUBSEP "nscd" SUBSEP "wall" SUBSEP "process"]
  gk = note["coldstart-late" SUBSEP "iana" SUBSEP "portdb" SUBSEP "wall" SUBSEP "process"]; sub(/^key=/, "", gk)
  judge("getent-late-files", "fresh getent of a late key (" (gk == "" ? "-" : gk) ", " dname["iana"] "): portdb faster than files", ratio(gf, gp), fmt_ms(gp) " vs " fmt_ms(gf), gp != "" && gf != "" && gp < gf)
  judge("getent-late-nscd", "fresh getent of a late key (" (gk == "" ? "-" : gk) ", " dname["iana"] "): portdb faster than nscd", ratio(gn, gp), gn == "" ? "nscd not measured" : fmt_ms(gp) " vs " fmt_ms(gn), gp != "" && gn != "" && gp < gn)
  fl = med["coldstart" SUBSEP "iana" SUBSEP "floor" SUBSEP "wall" SUBSEP "process"]
  judge("getent-ssh-floor", "fresh getent services ssh (" dname["iana"] "): portdb within 5% of floor", ratio(pc, fl), fmt_ms(pc) " vs " fmt_ms(fl) " = " fmt_ratio(ratio(pc, fl)), pc != "" && fl != "" && pc <= 1.05 * fl)
  print ""
  if (!smoke) printf "%d of %d targets missed%s.\n", nfail, ntarget, nmissing ? sprintf(", %d not measured", nmissing) : ""
  for (i = 1; i <= nds; i++) for (s = 1; s <= nl; s++)
    if (badn[dsorder[i], lsvcs[s]] > 0) printf "\nWARNING: %s on %s gave %d wrong answers (see bench.log).\n", lsvcs[s], dname[dsorder[i]], badn[dsorder[i], lsvcs[s]]
}
function fmt_rate(x) {
  if (x >= 1e6) return sprintf("%.2f M", x / 1e6)
  if (x >= 1e3) return sprintf("%.1f k", x / 1e3)
  return sprintf("%.0f", x)
}
' "$results" >"$BENCH_OUT/report.md"

# ------------------------------------------------------------------ plot
png=$BENCH_OUT/lookup-scaling.png
rm -f "$png"
if ! command -v gnuplot >/dev/null 2>&1; then
  say "note: gnuplot not installed (apt-get install gnuplot-nox): no plot"
elif [[ ! -s $plotdat.syn ]]; then
  say "note: no synthetic dataset: no plot"
else
  touch "$plotdat.real"
  {
    echo "set terminal pngcairo size 960,640 font 'sans,11'"
    echo "set output '$png'"
    echo "set logscale xy"
    echo "set grid xtics ytics mxtics mytics lc rgb '#dddddd'"
    echo "set format y '10^{%T}'"
    echo "set format x '10^{%T}'"
    echo "set xrange [100:3000000]"
    echo "set xlabel 'entries in the services file'"
    echo "set ylabel 'ns per lookup through glibc (log scale)'"
    echo "set title \"nss\\\\_portdb benchmark: ns per lookup against entries\\n{/*0.8 mean of getservbyname\\\\_r/getservbyport\\\\_r, hits and misses, protocol given and NULL; $cpu, $date_utc}\""
    echo "set key top left box opaque"
    echo "set datafile missing '-'"
    echo "set label 1 'open symbols: Debian /etc/services, IANA registry' at graph 0.98, graph 0.04 right font ',9'"
    cols=([3]=floor [4]=portdb [5]=files [6]=db)
    colors=([3]='#888888' [4]='#d62728' [5]='#1f77b4' [6]='#2ca02c')
    plot="plot"
    for c in 3 4 5 6; do
      [[ $c == 6 && $have_db == no ]] && continue
      plot+=" '$plotdat.syn' using 1:$((c - 1)) with linespoints lw 2 pt 7 lc rgb '${colors[$c]}' title '${cols[$c]}',"
      plot+=" '$plotdat.real' using 1:$((c - 1)) with points pt 6 ps 1.5 lc rgb '${colors[$c]}' notitle,"
    done
    echo "${plot%,}"
  } >"$BENCH_OUT/lookup-scaling.gp"
  if gnuplot "$BENCH_OUT/lookup-scaling.gp" 2>>"$log"; then
    :
  else
    say "note: gnuplot failed (see $log): no plot"
  fi
fi

# ---------------------------------------------------------------- report
echo
cat "$BENCH_OUT/report.md"
echo
say "results: $results"
say "report:  $BENCH_OUT/report.md; targets: $BENCH_OUT/targets.csv"
[[ -f $png ]] && say "plot:    $png"
if [[ $smoke == 0 && -n ${BENCH_PUBLISH-} ]]; then
  mkdir -p "$BENCH_PUBLISH"
  cp -- "$results" "$BENCH_OUT/report.md" "$BENCH_PUBLISH/"
  [[ -f $png ]] && cp -- "$png" "$BENCH_PUBLISH/"
  say "copied results.csv, report.md and the plot to $BENCH_PUBLISH"
fi
if grep -q '^WARNING' "$BENCH_OUT/report.md"; then
  die "wrong answers: see the warnings above"
fi
say "done in $((SECONDS - start_time)) s"
