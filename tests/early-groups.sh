#!/bin/sh
# Usage: tests/early-groups.sh 'CHECK_EARLY' 'CHECK_EARLY_PLANTED'
# check-early-groups: make check starts the longest groups, check-harness
# and check-harness-cpus64, early (CHECK_EARLY, tests/build.mk).  The list
# is made from CHECKS, which tests/harness/build.mk appends to after
# tests/build.mk is read: expanded at once (:=) there it came out empty and
# both groups started late (CI at db93281).  Planted: the same expansion
# done the old way (CHECK_EARLY_PLANTED) must come out empty and be
# reported by the same check.
set -u
. tests/lib.sh

# Whether LIST names both harness groups; the reason on stdout if not.
names_both() { # list
	for g in check-harness check-harness-cpus64; do
		case " $1 " in
		*" $g "*) ;;
		*)
			echo "it does not name $g (it is '$1'): make check would start it late"
			return 1
			;;
		esac
	done
}

if why=$(names_both "$1"); then
	ok "CHECK_EARLY names check-harness and check-harness-cpus64 ($1)"
else
	fail "CHECK_EARLY: $why"
fi
if why=$(names_both "$2"); then
	fail "planted: CHECK_EARLY expanded with := before tests/harness/build.mk names both groups" \
		"('$2'): the twin no longer shows the hazard it plants"
else
	ok "planted: CHECK_EARLY expanded with := before tests/harness/build.mk is caught: $why"
fi
finish
