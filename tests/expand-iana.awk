# expand-iana.awk: the IANA registry as Wireshark ships it
# (/usr/share/wireshark/services) merges protocols ("tcpmux 1/tcp/udp
# # ..."), which services(5) would read as one protocol "tcp/udp".  Write
# such a line once per protocol, keeping the rest of the line; keep
# comments and every other line as they are.  Ranges ("x11
# 6000-6063/tcp/udp") are expanded too; glibc drops them.
# Used by tests/parity.sh and tests/bench/run-bench.sh.
/^[ \t]*#/ || NF == 0 { print; next }
{
  if (match($0, /^[ \t]*[^ \t]+[ \t]+/)) {
    pre = substr($0, 1, RLENGTH); tail = substr($0, RLENGTH + 1)
    if (match(tail, /^[^ \t#]+/)) {
      tok = substr(tail, 1, RLENGTH); rest = substr(tail, RLENGTH + 1)
      n = split(tok, a, "/")
      if (n > 2 && a[1] != "") {
        for (i = 2; i <= n; i++) print pre a[1] "/" a[i] rest
        next
      }
    }
  }
  print
}
