#!/bin/sh
# Usage: tests/repo/run.sh REPO BASEURL RPM SRPM SCRATCH
# The repository is reproducible and well-formed, and dnf (Debian's, in an
# installroot) installs virtio-win from it and upgrades to it from an older
# upstream-style build (0.1.285), leaving exactly the files rpm -qlp lists
# and working symlinks.  A planted missing file must be caught by the
# installed-files check.
set -u
repo=$(realpath "$1")
baseurl=$2
rpm=$(realpath "$3")
srpm=$(realpath "$4")
scratch=$(realpath -m "$5")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

tree_sums() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
	if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; elif [ -f "$p" ]; then sha256sum "$p"; else echo "$p/"; fi
done); }
packaging/mkrepo "$scratch/again" "$baseurl" "$rpm" "$srpm"
if [ "$(tree_sums "$repo")" = "$(tree_sums "$scratch/again")" ]; then
	ok "repository is bit-identical when made again"
else
	fail "repository differs when made again"
fi
for section in stable:stable:1 latest:latest:0 source:srpms:0; do
	name=${section%%:*}
	rest=${section#*:}
	url=$baseurl/${rest%%:*}
	enabled=${rest#*:}
	if awk -v s="[virtio-win-$name]" -v u="baseurl=$url" -v e="enabled=$enabled" '
		$0 == s { in_s = 1; next } /^\[/ { in_s = 0 }
		in_s && $0 == u { url = 1 } in_s && $0 == e { en = 1 }
		END { exit !(url && en) }' "$repo/virtio-win.repo"; then
		ok "virtio-win.repo: [virtio-win-$name] $url enabled=$enabled"
	else
		fail "virtio-win.repo: [virtio-win-$name] lacks baseurl $url or enabled=$enabled"
	fi
done
for d in latest stable srpms; do
	[ -f "$repo/$d/repodata/repomd.xml" ] && ok "$d/ has metadata" || fail "$d/ has no repodata"
done

# An older build in upstream's version series, to upgrade from.
old=$scratch/old
mkdir -p "$old/tree/usr/share/virtio-win" "$old/repo"
echo old >"$old/tree/usr/share/virtio-win/virtio-win-0.1.285.iso"
ln -s virtio-win-0.1.285.iso "$old/tree/usr/share/virtio-win/virtio-win.iso"
cat >"$old/old.spec" <<'SPEC'
Name: virtio-win
Version: 0.1.285
Release: 1
Summary: older build
License: BSD-3-Clause
BuildArch: noarch
%description
An older build to upgrade from.
%install
cp -a %{vw_tree}/. %{buildroot}/
%files
/usr/share/virtio-win
SPEC
rpmbuild --quiet --nodeps --define "_topdir $old/top" --define "vw_tree $old/tree" -bb "$old/old.spec" \
	>/dev/null 2>&1 && cp "$old"/top/RPMS/noarch/*.rpm "$old/repo/" &&
	createrepo_c --quiet --no-database "$old/repo" >/dev/null || fail "could not build the older RPM"

dnf_in() { # root repo-path args...
	root=$1
	path=$2
	shift 2
	dnf -q -y --installroot="$root" --releasever=12 --setopt=reposdir=/dev/null \
		--setopt=cachedir="$scratch/cache" --setopt=install_weak_deps=False --nogpgcheck \
		--repofrompath="vw,file://$path" --repo=vw "$@"
}
installed_ok() { # root: every file of the RPM present, symlinks resolve, old ISO gone
	rpm -qlp "$rpm" 2>/dev/null | while read -r f; do
		[ -e "$1$f" ] || [ -L "$1$f" ] || { echo "missing $f"; return 1; }
	done || return 1
	share=$1/usr/share/virtio-win
	[ "$(readlink "$share/virtio-win.iso")" = "$(basename "$(rpm -qlp "$rpm" | grep -E '/virtio-win-[0-9.]+\.iso$')")" ] ||
		{ echo "virtio-win.iso -> $(readlink "$share/virtio-win.iso")"; return 1; }
	for l in "$share"/virtio-win.iso "$share"/virtio-win_*.vfd; do
		[ -e "$l" ] || { echo "dangling $l"; return 1; }
	done
	[ ! -e "$share/virtio-win-0.1.285.iso" ] || { echo "old ISO left behind"; return 1; }
}

root=$scratch/root
if dnf_in "$root" "$repo/stable" install virtio-win >"$scratch/dnf.log" 2>&1; then
	msg=$(installed_ok "$root") && ok "dnf installs virtio-win from stable/" || fail "fresh install: $msg"
else
	fail "dnf install from stable/ (log: $scratch/dnf.log)"
fi

root=$scratch/upgrade
if dnf_in "$root" "$old/repo" install virtio-win >"$scratch/dnf-old.log" 2>&1 &&
	dnf_in "$root" "$repo/latest" upgrade virtio-win >"$scratch/dnf-up.log" 2>&1; then
	version=$(rpm --root "$root" -q --qf '%{VERSION}' virtio-win)
	msg=$(installed_ok "$root") && ok "dnf upgrades 0.1.285 to $version from latest/" ||
		fail "upgrade: $msg"
else
	fail "dnf upgrade from 0.1.285 (logs: $scratch/dnf-old.log, dnf-up.log)"
fi

# Planted: a file missing after installation must be reported.
victim=$(rpm -qlp "$rpm" 2>/dev/null | grep '\.inf$' | head -n 1)
rm -f "$root$victim"
if installed_ok "$root" >/dev/null; then
	fail "planted: a missing $victim was not noticed"
else
	ok "planted: a missing installed file is caught"
fi
finish
