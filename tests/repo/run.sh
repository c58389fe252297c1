#!/bin/sh
# Usage: tests/repo/run.sh REPO BASEURL ISO RPM SRPM SCRATCH
# The repository is reproducible and well-formed, and dnf (Debian's, in an
# installroot) installs virtio-win from it and upgrades to it from an older
# upstream-style build (0.1.285), leaving exactly the files rpm -qlp lists
# and working symlinks.  The published tree, its virtio-win.repo and the
# install lines of README.md agree: served over HTTP (python3 http.server
# on a free local port) and made for that URL, dnf installs through the
# downloaded virtio-win.repo and the direct-download ISO is the ISO.
# Planted: a missing installed file, and a .repo pointing at a wrong
# directory, must each be caught.
set -u
repo=$(realpath "$1")
baseurl=$2
iso=$(realpath "$3")
rpm=$(realpath "$4")
srpm=$(realpath "$5")
scratch=$(realpath -m "$6")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

tree_sums() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
	if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; elif [ -f "$p" ]; then sha256sum "$p"; else echo "$p/"; fi
done); }
packaging/mkrepo "$scratch/again" "$baseurl" "$iso" "$rpm" "$srpm"
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

# The install lines: the .repo's own comment and README.md name
# <BASEURL>/virtio-win.repo and the direct-download ISO; both exist.
grep -q -F "dnf config-manager --add-repo $baseurl/virtio-win.repo" "$repo/virtio-win.repo" &&
	ok "virtio-win.repo names its own URL: $baseurl/virtio-win.repo" ||
	fail "virtio-win.repo's install line does not name $baseurl/virtio-win.repo"
readme_ok=yes
for path in virtio-win.repo direct-downloads/latest-virtio/virtio-win.iso; do
	grep -q -F "\$REPO_BASEURL/$path" README.md || readme_ok="no ($path not in README.md)"
	[ -e "$repo/$path" ] || readme_ok="no ($path not published)"
done
[ "$readme_ok" = yes ] && ok "README.md's install lines name paths the published tree has" ||
	fail "README.md and the published tree disagree: $readme_ok"
cmp -s "$repo/direct-downloads/latest-virtio/virtio-win.iso" "$iso" &&
	cmp -s "$repo/direct-downloads/stable-virtio/$(basename "$rpm")" "$rpm" &&
	ok "direct-downloads: latest-virtio/virtio-win.iso is the ISO, stable-virtio has the RPM" ||
	fail "direct-downloads do not hold this build's ISO and RPM"

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
		[ -e "$l" ] || [ "$l" = "$share/virtio-win_*.vfd" ] || { echo "dangling $l"; return 1; }
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

# Over HTTP, as a user would: a local web server publishes a tree made for
# its URL; dnf reads the downloaded virtio-win.repo (nothing else) and
# installs; the direct-download ISO arrives intact.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
packaging/mkrepo "$scratch/web" "$url" "$iso" "$rpm" "$srpm"
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 -d "$scratch/web" >"$scratch/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT INT TERM
fetch() { # url file
	/usr/bin/python3 -c 'import sys, time, urllib.request
for i in range(50):
    try:
        data = urllib.request.urlopen(sys.argv[1], timeout=10).read(); break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit(1)
open(sys.argv[2], "wb").write(data)' "$1" "$2"
}
http_install() { # reposdir root: dnf install through the .repo files in reposdir
	timeout 300 dnf -q -y --installroot="$2" --releasever=12 --setopt=reposdir="$1" \
		--setopt=cachedir="$scratch/cache-http" --setopt=install_weak_deps=False --nogpgcheck \
		install virtio-win >"$scratch/dnf-http.log" 2>&1
}
mkdir -p "$scratch/reposd"
if fetch "$url/virtio-win.repo" "$scratch/reposd/virtio-win.repo" &&
	http_install "$scratch/reposd" "$scratch/http-root" && msg=$(installed_ok "$scratch/http-root"); then
	ok "over HTTP: dnf installs virtio-win through the downloaded virtio-win.repo"
else
	fail "over HTTP: install through $url/virtio-win.repo failed: ${msg:-$(tail -n 3 "$scratch/dnf-http.log")}"
fi
if fetch "$url/direct-downloads/latest-virtio/virtio-win.iso" "$scratch/download.iso" &&
	cmp -s "$scratch/download.iso" "$iso"; then
	ok "over HTTP: direct-downloads/latest-virtio/virtio-win.iso is the ISO"
else
	fail "over HTTP: the direct-download ISO is missing or differs"
fi
# Planted: a .repo whose stable baseurl points at a directory that is not there.
mkdir -p "$scratch/reposd-planted"
sed 's|/stable$|/stabel|' "$scratch/reposd/virtio-win.repo" >"$scratch/reposd-planted/virtio-win.repo"
if http_install "$scratch/reposd-planted" "$scratch/http-planted"; then
	fail "planted: dnf installed through a .repo pointing at a wrong directory"
else
	ok "planted: a .repo pointing at a wrong directory fails to install"
fi
kill $server 2>/dev/null
trap - EXIT INT TERM

# Planted: a file missing after installation must be reported.
victim=$(rpm -qlp "$rpm" 2>/dev/null | grep '\.inf$' | head -n 1)
rm -f "$root$victim"
if installed_ok "$root" >/dev/null; then
	fail "planted: a missing $victim was not noticed"
else
	ok "planted: a missing installed file is caught"
fi
finish
