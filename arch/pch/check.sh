#!/bin/sh
# Usage: arch/pch/check.sh 'USES...' PLANTED_DEFINE OBJECT...
# check-pch: the precompiled headers change no object.  Each OBJECT, as
# make built it (with its PCH, when it takes one), is compiled again by the
# command make gives with PCH=0 (into a scratch directory, under the same
# object name) and the two must be the same bytes.  Then the planted twin:
# the first OBJECT of each arch that takes a PCH is compiled with a PCH
# built with one -D more (PLANTED_DEFINE, which the headers read and clang
# does not check against the compile), and that must differ: the PCH of
# the first OBJECT that takes one (one is enough: every PCH is compared the
# same way).
# USES are make's generated lists of the sources that take a PCH (never
# remade here: -W on a source would make them out of date).  Run by make
# (tests/run-check) after the objects are built.
set -u
. tests/lib.sh
olds=
for f in $1; do olds="$olds -o $f"; done
planted=$2
shift 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vw-pch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
MAKE=${MAKE:-make}

# The compile commands make would run for the objects $2..., with the
# variables $1 (e.g. PCH=0), as if their sources had changed (-W).
commands() {
	vars=$1
	shift
	srcs=
	for o in "$@"; do
		# $(B)/<arch>/<object dir>/<source>.o
		srcs="$srcs -W $(echo "$o" | sed 's|^[^/]*/[^/]*/[^/]*/||; s|\.o$|.c|')"
	done
	# shellcheck disable=SC2086
	$MAKE -s -n --no-print-directory $olds V=1 $vars $srcs "$@" 2>"$tmp/make.err" | grep -- ' -c '
	# Inside make check's job pool make -n says it has no jobserver: not news.
	grep -v 'jobserver unavailable' "$tmp/make.err" >&2
}

# Where the PCH=0 build of object $1 goes (the scratch directory).
scratch_of() {
	echo "$tmp/$1"
}

commands PCH=0 "$@" >"$tmp/pch0.cmds"
[ -s "$tmp/pch0.cmds" ] || { fail "make -n PCH=0 gave no commands"; finish; }
for o in "$@"; do
	if [ ! -f "$o" ]; then
		fail "$o was not built"
		continue
	fi
	cmd=$(grep -F -- "-o $o" "$tmp/pch0.cmds" | head -n 1)
	if [ -z "$cmd" ]; then
		fail "$o: no PCH=0 compile command"
		continue
	fi
	case $cmd in *-include-pch*)
		fail "$o: PCH=0 still compiles with a PCH"
		continue
		;;
	esac
	s=$(scratch_of "$o")
	mkdir -p "$(dirname "$s")"
	if ! sh -c "$(echo "$cmd" | sed "s|-o $o\$|-o $s|; s|-o $o |-o $s |")" >"$s.log" 2>&1; then
		fail "$o: the PCH=0 compile failed: $(head -n 3 "$s.log")"
	elif cmp -s "$o" "$s"; then
		ok "$o: the same bytes with and without the PCH"
	else
		fail "$o differs with and without the PCH"
	fi
done

# The planted twin: the PCH of the first object that takes one, built with
# $planted; that object compiled with it must differ from its PCH=0 build.
commands "" "$@" >"$tmp/pch1.cmds"
[ -s "$tmp/pch1.cmds" ] || { fail "make -n gave no commands"; finish; }
first=$(grep -o -- '-include-pch [^ ]*' "$tmp/pch1.cmds" | head -n 1 | sed 's|.*-include-pch ||')
[ -n "$first" ] || fail "no object takes a PCH (PCH=0?): nothing to plant"
for pch in $first; do
	# shellcheck disable=SC2086
	pcmd=$($MAKE -s -n --no-print-directory $olds V=1 -W "arch/pch/$(basename "$pch" .pch)" "$pch" \
		2>"$tmp/make.err" | grep -- '-x c-header' | head -n 1)
	grep -v 'jobserver unavailable' "$tmp/make.err" >&2
	cmd=$(grep -F -- "-include-pch $pch " "$tmp/pch1.cmds" | head -n 1)
	o=$(echo "$cmd" | sed 's|.* -o \([^ ]*\).*|\1|')
	bad=$tmp/planted/$pch
	mkdir -p "$(dirname "$bad")"
	if [ -z "$pcmd" ] || ! sh -c "$(echo "$pcmd" | sed "s| -MMD -MP -MF [^ ]* -MT [^ ]*||; s|-o $pch|$planted -o $bad|")" >"$bad.log" 2>&1; then
		fail "planted: the PCH $pch with $planted was not built: $(head -n 3 "$bad.log" 2>/dev/null)"
		continue
	fi
	s=$tmp/planted/$o
	mkdir -p "$(dirname "$s")"
	sh -c "$(echo "$cmd" | sed "s|-include-pch $pch |-include-pch $bad |; s|-o $o\$|-o $s|; s|-o $o |-o $s |")" >"$s.log" 2>&1
	if [ ! -f "$s" ]; then
		# clang refusing the PCH is a failure the check would report too.
		ok "planted: $o with a PCH built with $planted fails to compile"
	elif cmp -s "$s" "$(scratch_of "$o")"; then
		fail "planted: $o with a PCH built with $planted is not told apart"
	else
		ok "planted: $o with a PCH built with $planted differs from its PCH=0 build"
	fi
done
finish
