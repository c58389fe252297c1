#!/bin/sh
# Usage: arch/deps.sh ensure|install PACKAGE...
#   ensure:  do nothing when every package is installed; otherwise install the
#            missing ones when running as root, or print the one apt-get
#            command to run and fail.
#   install: the same, but always refresh the package lists first.
set -eu
mode=$1
shift
missing=
for p in "$@"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $status in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && [ "$mode" = ensure ] && exit 0
[ -z "$missing" ] && { echo "deps: all build dependencies are installed"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	case $missing in
	*:i386*) echo "deps: run as root:  dpkg --add-architecture i386 && apt-get update" >&2 ;;
	esac
	echo "deps: run as root:  apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Packages of a foreign architecture (NAME:ARCH) need it enabled first.
for p in $missing; do
	case $p in
	*:*)
		a=${p##*:}
		dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
		;;
	esac
done
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
