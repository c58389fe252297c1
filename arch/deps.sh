#!/bin/sh
# Usage: arch/deps.sh ensure|install PACKAGE...
#   ensure:  do nothing when every package is installed; otherwise install the
#            missing ones when running as root, or print the one apt-get
#            command to run and fail.
#   install: the same, but always refresh the package lists first.
set -eu
mode=$1
shift
# Packages of a foreign architecture (NAME:ARCH: wine32:i386) are optional:
# what needs them (the x86 Wine runs) reports a skip without them, and they
# are the first to break when a mirror is caught mid-sync (a foreign index
# out of step with the native one leaves no installable set). A failed
# foreign install is recorded in $stamp; `ensure` then leaves them alone and
# `install` (make deps) tries again.
stamp=/var/lib/virtio-win-deps.foreign-unavailable
missing=
foreign=
# One dpkg-query for the native packages when all of them are installed (the
# common case; every pattern matched and all it matched is "ii"): `ensure`
# runs in every make, and a dpkg-query per package (45) cost 1.8 CPU-s each
# time.  Otherwise, and for NAME:ARCH packages, one query per package as
# before, which tells which are missing.
native=
check=
for p in "$@"; do
	case $p in *:*) check="$check $p" ;; *) native="$native $p" ;; esac
done
# shellcheck disable=SC2086
if [ -z "$native" ] || ! out=$(dpkg-query -W -f='${db:Status-Abbrev}\n' $native 2>/dev/null) ||
	[ -z "$out" ] || printf '%s\n' "$out" | grep -qv '^ii'; then
	check="$native$check"
fi
for p in $check; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $status in
	ii*) ;;
	*)
		case $p in
		*:*) foreign="$foreign $p" ;;
		*) missing="$missing $p" ;;
		esac
		;;
	esac
done
if [ "$mode" = ensure ] && [ -e $stamp ]; then
	[ -n "$foreign" ] && [ -z "$missing" ] && exit 0
	foreign=
fi
[ -z "$missing$foreign" ] && [ "$mode" = ensure ] && exit 0
[ -z "$missing$foreign" ] && { echo "deps: all build dependencies are installed"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing$foreign" >&2
	[ -n "$foreign" ] && echo "deps: run as root:  dpkg --add-architecture i386 && apt-get update" >&2
	echo "deps: run as root:  apt-get install -y --no-install-recommends$missing$foreign" >&2
	exit 1
fi
echo "deps: installing$missing$foreign"
export DEBIAN_FRONTEND=noninteractive
for p in $foreign; do
	a=${p##*:}
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
# A mirror caught mid-sync fails an index download ("File has unexpected
# size"). The refresh is retried; if an index still fails, the install goes
# on with the lists that did arrive, and only a failed install is an error.
retry() {
	tries=$1
	shift
	n=1
	until "$@"; do
		[ $n -ge $tries ] && return 1
		echo "deps: attempt $n failed, retrying in $((n * 15)) s: $*" >&2
		sleep $((n * 15))
		n=$((n + 1))
	done
}
retry 3 apt-get update -q ||
	echo "deps: some package lists could not be refreshed; installing from those that were" >&2
[ -z "$missing" ] || retry 3 apt-get install -y -q --no-install-recommends $missing
[ -z "$foreign" ] && exit 0
if apt-get install -y -q --no-install-recommends $foreign; then
	rm -f $stamp
else
	date -u >$stamp
	echo "deps: optional packages$foreign could not be installed (recorded in $stamp; 'make deps' tries again); the tests that need them report a skip" >&2
fi
