#!/bin/bash
# programs.sh: the benchmark's programs part, run by run-bench.sh: what
# users see.  Real programs that name ports, in a private network, mount
# and PID namespace whose /etc/services is the IANA registry, each run
# with nsswitch.conf saying `services: files`, `db` (libnss-db), `portdb`
# (this build's module and a database built from the same file) and, for
# nscd, `services: files` with the benchmark's own nscd answering:
#
#   iptables -L         N rules, each naming a TCP port (iptables-restore)
#   nft -S list ruleset N rules `tcp dport P accept` (-S: service names)
#   ss -a -t -u         N sockets held open by bench-sockets (half TCP
#                       listening, half UDP bound, on ports with names)
#   busybox netstat -a -t -u, net-tools netstat -a -t -u: the same sockets
#                       (-t -u: nscd's own Unix sockets are not listed)
#   python3, perl, ruby: one process making C getservbyport calls, port
#                       1 + (i * 7919) mod 65535 (every port once per
#                       65,535 calls, hits and misses mixed), protocol tcp
#
# Every program is first run once per service, untimed, and its outputs
# must be identical (else: a diff, and exit 1).  Then ROUNDS rounds, the
# services in an order rotated each round, each run timed as a whole
# process by nss-bench run; the median, min and max go to the CSV rows and
# the table to $P_MD.  A program that is not installed, or cannot be set
# up here (no nf_tables in a container...), is skipped and the table says
# so.  With files and db the loops make fewer calls (P_LOOP_FEW: they take
# about a millisecond a call): the table gives the process's start (0
# calls, timed too) plus the per-call time scaled to P_LOOP calls.  nscd
# is measured warm: an untimed loop asks it every port first.
#
# Environment (from run-bench.sh): NSS_BENCH, BENCH_SOCKETS,
# NSS_MODULE_DIR, P_SERVICES (the services file), P_LMDB (its portdb
# database), P_DBDIR (libnss-db's directory for it, or empty), P_NSCD and
# P_NSCD_CONF (or empty), P_WORK (scratch), P_ROWS (CSV rows appended),
# P_MD (the Markdown table written), P_ENTRIES, P_SMOKE (1: tiny).
# Exit 0, 1 on an error or differing outputs, 77 without namespaces.

# shellcheck disable=SC2016
set -euo pipefail
export LC_ALL=C

if [[ $P_SMOKE == 1 ]]; then
  N_RULES=10 N_SOCKETS=10 P_LOOP=100 P_LOOP_FEW=100 ROUNDS=1 LOOP_ROUNDS=1
else
  N_RULES=500 N_SOCKETS=900 P_LOOP=100000 P_LOOP_FEW=2000 ROUNDS=11 LOOP_ROUNDS=5
fi

note() { printf '%s\n' "$*" >>"$P_WORK/notes"; echo "bench: programs: $*" >&2; }

# ------------------------------------------------------------- outside
if [[ ${1-} != --inside ]]; then
  mkdir -p "$P_WORK"
  : >"$P_WORK/notes"
  # Distinct ports of each protocol in file order, N of them spread evenly
  # over the file (early and late lines alike).
  pick() {
    awk -v proto="$1" -v n="$2" '$1 !~ /^#/ && split($2, pp, "/") == 2 && pp[2] == proto && pp[1] > 0 && !(pp[1] in seen) {
        seen[pp[1]] = 1; port[++k] = pp[1]
      }
      END { if (n > k) n = k; for (i = 0; i < n; i++) print port[1 + int(i * k / n)] }' "$P_SERVICES"
  }
  pick tcp "$N_RULES" >"$P_WORK/rule-ports"
  { pick tcp $((N_SOCKETS / 2)) | sed 's,$,/tcp,'; pick udp $((N_SOCKETS - N_SOCKETS / 2)) | sed 's,$,/udp,'; } >"$P_WORK/socket-ports"
  {
    echo '*filter'
    sed 's/.*/-A INPUT -p tcp -m tcp --dport & -j ACCEPT/' "$P_WORK/rule-ports"
    echo COMMIT
  } >"$P_WORK/iptables.rules"
  {
    echo 'table inet bench {'
    echo '  chain input {'
    echo '    type filter hook input priority 0; policy accept;'
    sed 's/.*/    tcp dport & accept/' "$P_WORK/rule-ports"
    echo '  }'
    echo '}'
  } >"$P_WORK/nft.rules"
  # nsswitch.conf as this system has it but for the services line.
  for s in files db portdb; do
    sed '/^services:/d' /etc/nsswitch.conf >"$P_WORK/nsswitch.$s"
    echo "services: $s" >>"$P_WORK/nsswitch.$s"
  done
  if ! unshare -n -m -p -f --mount-proc true 2>"$P_WORK/err.unshare"; then
    echo "bench: programs: no private network and PID namespace here: $(head -n 1 "$P_WORK/err.unshare")" >&2
    exit 77
  fi
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  env LD_LIBRARY_PATH="$NSS_MODULE_DIR" NSS_PORTDB_PATH="$P_LMDB" \
    unshare -n -m --propagation private -p -f --kill-child --mount-proc \
    bash "$0" --inside
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  # The table: a cell per service, the ratio files / service beside it.
  awk -F, -v loop="$P_LOOP" -v loopf="$P_LOOP_FEW" -v rules="$N_RULES" -v socks="$N_SOCKETS" \
    -v rounds="$ROUNDS" -v lrounds="$LOOP_ROUNDS" -v l0="$load_start" -v l1="$load_end" \
    -v notes="$P_WORK/notes" '
    function fmt_int(x,   s, r) {
      s = sprintf("%.0f", x); r = ""
      while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
      return s r
    }
    function t(ms) {
      if (ms < 1) return sprintf("%.2f ms", ms)
      if (ms < 100) return sprintf("%.1f ms", ms)
      if (ms < 1000) return sprintf("%.0f ms", ms)
      if (ms < 10000) return sprintf("%.2f s", ms / 1000)
      if (ms < 100000) return sprintf("%.1f s", ms / 1000)
      return sprintf("%.0f s", ms / 1000)
    }
    function x(r) { return r < 1 ? sprintf("%.2f×", r) : r < 10 ? sprintf("%.1f×", r) : sprintf("%.0f×", r) }
    $1 == "programs" { med[$6, $4] = $7; seen[$6] = 1; if (!($4 in has)) has[$4] = ++nh }
    END {
      split("iptables nft ss busybox-netstat loop-python3 loop-perl loop-ruby netstat", ids, " ")
      label["iptables"] = "`iptables -L`, " fmt_int(rules) " rules naming ports"
      label["nft"] = "`nft -S list ruleset`, " fmt_int(rules) " port rules"
      label["ss"] = "`ss -a -t -u`, " fmt_int(socks) " sockets"
      label["busybox-netstat"] = "busybox `netstat -a -t -u`, " fmt_int(socks) " sockets"
      label["loop-python3"] = "Python, " fmt_int(loop) " `socket.getservbyport` calls"
      label["loop-perl"] = "Perl, " fmt_int(loop) " `getservbyport` calls"
      label["loop-ruby"] = "Ruby, " fmt_int(loop) " `Socket.getservbyport` calls"
      label["netstat"] = "net-tools `netstat -a -t -u`, " fmt_int(socks) " sockets: reads the file once, gains nothing"
      split("files db nscd portdb", order, " ")
      ns = 0
      for (i = 1; i <= 4; i++) if (order[i] in has) svc[++ns] = order[i]
      print "## What programs gain\n"
      hdr = "| program |"; sep = "|---|"
      for (s = 1; s <= ns; s++) { hdr = hdr " " (svc[s] == "files" ? "files (glibc)" : svc[s] == "db" ? "db (libnss-db)" : svc[s]) " |"; sep = sep "---:|" }
      print hdr; print sep
      scaled = 0
      for (i = 1; i <= 8; i++) {
        id = ids[i]
        if (!(id in seen)) continue
        st = substr(id, 1, 5) == "loop-" ? med["start-" substr(id, 6), "files"] : ""
        for (s = 1; s <= ns; s++) {
          v[s] = med[id, svc[s]]; mark[s] = ""
          if (v[s] != "" && st != "" && loopf < loop && (svc[s] == "files" || svc[s] == "db")) {
            v[s] = st + (v[s] - st) * loop / loopf; mark[s] = " *"; scaled = 1
          }
        }
        f = v[1]
        line = "| " label[id] " | " t(f) mark[1] " |"
        for (s = 2; s <= ns; s++)
          line = line " " (v[s] == "" ? "-" : t(v[s]) mark[s] " (" x(f / v[s]) ")") " |"
        print line
      }
      print ""
      printf "Whole-process wall time, median of %d runs (the loops: %d), the services alternated; (N×): files / that service. ", rounds, lrounds
      printf "Each program ran in a private network, mount and PID namespace whose /etc/services is the IANA registry, once per service (nsswitch.conf `services: files`, `db`, `portdb`; *nscd*: `services: files` with the benchmark'"'"'s own nscd), and its outputs were identical. "
      printf "The loops: one process, port 1 + (i × 7919) mod 65535 with protocol tcp, hits and misses mixed. "
      if (scaled) printf "\\* %s calls, not %s (at a millisecond a call, minutes a run): the process'"'"'s start (timed alone, %d runs) plus the per-call time × %s. ", fmt_int(loopf), fmt_int(loop), rounds, fmt_int(loop)
      if ("nscd" in has) printf "nscd answered the loops from its cache: an untimed loop had asked it every port first. "
      print "tcpdump and lsof, like net-tools netstat, read the whole services file once (getservent) into a table of their own: a faster lookup gives them nothing (not measured).\n"
      printf "Load average (1, 5, 15 min) before this part: %s; after: %s.\n", l0, l1
      while ((getline l < notes) > 0) sk = sk (sk == "" ? "" : "; ") l
      if (sk != "") printf "\nSkipped: %s.\n", sk
    }' "$P_ROWS" >"$P_MD"
  exit 0
fi

# -------------------------------------------------------------- inside
mount --bind -- "$P_SERVICES" /etc/services
services=(files)
if [[ -n $P_DBDIR ]]; then
  mount --bind -- "$P_DBDIR" /var/lib/misc
  services+=(db)
fi
services+=(portdb)
# No nscd but ours: an empty /var/run/nscd unless nscd is measured.
if [[ -d /var/run/nscd ]]; then
  mount -t tmpfs -o mode=0755,size=1m nss-bench-nonscd /var/run/nscd
else
  mount -t tmpfs -o mode=0755,size=1m nss-bench-run /var/run
  mkdir /var/run/nscd
fi
nscd_run=$P_WORK/nscd-run
if [[ -n $P_NSCD ]]; then
  # nscd in a mount namespace of its own: services: files, its socket in
  # $nscd_run, which is bind-mounted over /var/run/nscd for nscd's rounds.
  mkdir -p "$nscd_run"
  unshare -m --propagation private bash -c '
    mount --bind -- "$1" /etc/nsswitch.conf && mount --bind -- "$2" /var/run/nscd &&
      exec "$3" -F -f "$4"' _ "$P_WORK/nsswitch.files" "$nscd_run" "$P_NSCD" "$P_NSCD_CONF" \
    </dev/null >>"$P_WORK/nscd.out" 2>&1 &
  mount --bind -- "$nscd_run" /var/run/nscd
  i=0
  until timeout 5 "$P_NSCD" -f "$P_NSCD_CONF" -g >/dev/null 2>&1; do
    i=$((i + 1))
    if ((i >= 100)); then
      note "nscd did not answer within 10 s: nscd skipped"
      break
    fi
    sleep 0.1
  done
  umount /var/run/nscd
  ((i < 100)) && services+=(nscd)
fi

# Select service S for the next command, and undo it.
use() {
  mount --bind -- "$P_WORK/nsswitch.${1/nscd/files}" /etc/nsswitch.conf
  [[ $1 != nscd ]] || mount --bind -- "$nscd_run" /var/run/nscd
}
unuse() {
  [[ $1 != nscd ]] || umount /var/run/nscd
  umount /etc/nsswitch.conf
}

# measure ID SERVICES CMD ARGS...: run CMD once per service, untimed,
# and require the same output of each; then time it ROUNDS times per
# service.  In ARGS, @N@ is the loop count (P_LOOP for portdb and nscd,
# P_LOOP_FEW for files and db, slow enough to take minutes, and for the
# untimed runs) and @SHOW@ 1 in the untimed runs, 0 in the
# timed ones.  SERVICES may be "files" alone.
measure() {
  local id=$1 s r j n rounds=$ROUNDS a
  local -a order argv
  read -r -a order <<<"$2"
  shift 2
  [[ $id != loop-* ]] || rounds=$LOOP_ROUNDS
  argv=()
  for a in "$@"; do a=${a//@N@/$P_LOOP_FEW}; argv+=("${a//@SHOW@/1}"); done
  for s in "${order[@]}"; do
    use "$s"
    if ! "${argv[@]}" >"$P_WORK/out.$id.$s" 2>"$P_WORK/err.$id.$s"; then
      unuse "$s"
      echo "bench: programs: $id failed with $s: $(head -c 2000 "$P_WORK/err.$id.$s")" >&2
      exit 1
    fi
    unuse "$s"
    [[ -s $P_WORK/out.$id.$s ]] || { echo "bench: programs: $id printed nothing with $s" >&2; exit 1; }
    if ! cmp -s "$P_WORK/out.$id.${order[0]}" "$P_WORK/out.$id.$s"; then
      echo "bench: programs: $id: the output with $s differs from that with ${order[0]}:" >&2
      diff -u "$P_WORK/out.$id.${order[0]}" "$P_WORK/out.$id.$s" | head -n 40 >&2
      exit 1
    fi
  done
  : >"$P_WORK/times"
  for ((r = 0; r < rounds; r++)); do
    for ((j = 0; j < ${#order[@]}; j++)); do
      s=${order[(j + r) % ${#order[@]}]}
      n=$P_LOOP
      [[ $s == portdb || $s == nscd ]] || n=$P_LOOP_FEW
      argv=()
      for a in "$@"; do a=${a//@N@/$n}; argv+=("${a//@SHOW@/0}"); done
      use "$s"
      "$NSS_BENCH" --section programs --rounds 1 --warmup 0 run -- "$s" "${argv[@]}" |
        awk -F, -v s="$s" -v n="$n" '$5 == "wall" { print s, n, $7 }' >>"$P_WORK/times"
      unuse "$s"
    done
  done
  # Rows: median, min, max of each service's times.
  for s in "${order[@]}"; do
    awk -v s="$s" '$1 == s { print $3 }' "$P_WORK/times" | sort -g | awk -v id="$id" -v s="$s" \
      -v e="$P_ENTRIES" -v n="$(awk -v s="$s" '$1 == s { print $2; exit }' "$P_WORK/times")" '
      { v[++k] = $1 }
      END { m = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
            printf "programs,iana,%s,%s,wall,%s,%.4f,%.4f,%.4f,ms,%d,1,%s\n", e, s, id, m, v[1], v[k], k,
              id ~ /^(loop|start)-/ ? "calls=" n : "" }' >>"$P_ROWS"
  done
  echo "bench: programs: $id measured (${order[*]}; $rounds rounds)" >&2
}

all="${services[*]}"
have() { command -v "$1" >/dev/null 2>&1; }
# Why a setup command failed: the first line of its stderr, if any.
why() { local w; w=$(head -n 1 "$1"); echo "${w:-it failed without a message}"; }

# iptables: the rules loaded at once, listed, then flushed for nft.
if ! have iptables || ! have iptables-restore; then
  note "iptables: not installed (apt-get install iptables)"
elif ! iptables-restore <"$P_WORK/iptables.rules" 2>"$P_WORK/err.iptables"; then
  note "iptables: its rules cannot be loaded here ($(why "$P_WORK/err.iptables"))"
else
  measure iptables "$all" iptables -L
  iptables -F || true
fi
if have nft; then nft flush ruleset 2>/dev/null || true; fi
if ! have nft; then
  note "nft: not installed (apt-get install nftables)"
elif ! nft -f "$P_WORK/nft.rules" 2>"$P_WORK/err.nft"; then
  note "nft: its ruleset cannot be loaded here ($(why "$P_WORK/err.nft"))"
else
  measure nft "$all" nft -S list ruleset
  nft flush ruleset || true
fi

# The sockets, held by bench-sockets until its stdin closes.
mapfile -t socket_ports <"$P_WORK/socket-ports"
coproc SOCKETS { exec "$BENCH_SOCKETS" "${socket_ports[@]}"; }
# shellcheck disable=SC2153
sockets_pid=$SOCKETS_PID
read -r ready <&"${SOCKETS[0]}" || ready=
[[ $ready == ready ]] || { echo "bench: programs: bench-sockets did not start" >&2; exit 1; }
if have ss; then
  measure ss "$all" ss -a -t -u
else
  note "ss: not installed (apt-get install iproute2)"
fi
# grep reads the whole list: with -q it would quit at the match, and
# busybox, killed by SIGPIPE, would fail the pipeline (pipefail).
if have busybox && busybox --list | grep -x netstat >/dev/null; then
  measure busybox-netstat "$all" busybox netstat -a -t -u
else
  note "busybox netstat: busybox or its netstat applet not installed (apt-get install busybox)"
fi
if have netstat && netstat --version 2>&1 | grep -q net-tools; then
  measure netstat "$all" netstat -a -t -u
else
  note "net-tools netstat: not installed (apt-get install net-tools)"
fi
kill "$sockets_pid" 2>/dev/null || true
wait "$sockets_pid" 2>/dev/null || true

# The loops: argument 1 the count, 2 whether to print each answer.
py='import socket, sys
n, show, found = int(sys.argv[1]), sys.argv[2] == "1", 0
for i in range(n):
    port = 1 + (i * 7919) % 65535
    try:
        name = socket.getservbyport(port, "tcp")
    except OSError:
        continue
    found += 1
    if show:
        print(port, name)
print("calls", n, "found", found)'
pl='my ($n, $show) = @ARGV; my $found = 0;
for my $i (0 .. $n - 1) {
  my $port = 1 + ($i * 7919) % 65535;
  my $name = getservbyport($port, "tcp");
  next unless defined $name;
  $found++;
  print "$port $name\n" if $show;
}
print "calls $n found $found\n";'
rb='require "socket"
n, show, found = ARGV[0].to_i, ARGV[1] == "1", 0
n.times do |i|
  port = 1 + (i * 7919) % 65535
  begin
    name = Socket.getservbyport(port, "tcp")
  rescue SocketError
    next
  end
  found += 1
  puts "#{port} #{name}" if show
end
puts "calls #{n} found #{found}"'
printf '%s\n' "$py" >"$P_WORK/loop.py"
printf '%s\n' "$pl" >"$P_WORK/loop.pl"
printf '%s\n' "$rb" >"$P_WORK/loop.rb"
primed=no
# Debian's interpreter first: a version manager's shim would add its own
# start to every run.
for lang in python3 perl ruby; do
  bin=/usr/bin/$lang
  [[ -x $bin ]] || bin=$(command -v "$lang" 2>/dev/null) || bin=
  case $lang in python3) f=loop.py ;; perl) f=loop.pl ;; ruby) f=loop.rb ;; esac
  if [[ -z $bin ]]; then
    note "$lang: not installed (apt-get install $lang)"
    continue
  fi
  # nscd warm, as a long-running one is: every port asked once, untimed.
  if [[ $primed == no && " $all " == *" nscd "* ]]; then
    use nscd
    "$bin" "$P_WORK/$f" "$P_LOOP" 0 >/dev/null
    unuse nscd
    primed=yes
  fi
  measure "loop-$lang" "$all" "$bin" "$P_WORK/$f" @N@ @SHOW@
  # The process's start alone: the part of files' time not to scale.
  if ((P_LOOP_FEW < P_LOOP)); then
    measure "start-$lang" files "$bin" "$P_WORK/$f" 0 @SHOW@
  fi
done
