# shellcheck shell=bash
# elf_arch FILE: the kind of machine code FILE holds, e.g. "32-bit i386"
# or "64-bit x86-64"; nothing when FILE is no ELF file (a script).  A
# process loads only libraries of its own kind: the dynamic linker passes
# over the others.  Sourced by tests/lib.sh and tests/cross-arch.sh.
elf_arch() {
	local bits machine
	[ "$(head -c 4 -- "$1" 2>/dev/null)" = $'\177ELF' ] || return 0
	bits=$(($(od -An -tu1 -j4 -N1 -- "$1") * 32))   # EI_CLASS: 1 or 2
	machine=$(($(od -An -tu2 -j18 -N2 -- "$1")))     # e_machine
	case $machine in
	3) echo "$bits-bit i386" ;;
	62) echo "$bits-bit x86-64" ;;
	*) echo "$bits-bit ELF machine $machine" ;;
	esac
}
