#!/bin/sh
# Usage: tests/rpm/run.sh RPM SRPM TREE SPEC SCRATCH
# The binary RPM installs exactly the staged tree (files, symlinks, modes,
# hardlinks between by-os and by-driver), is bit-identical when built again,
# and its payload equals that of the RPM rebuilt from the SRPM, which compiles
# everything from the source tarball.
set -u
rpm=$(realpath "$1")
srpm=$(realpath "$2")
tree=$(realpath "$3")
spec=$(realpath "$4")
scratch=$(realpath -m "$5")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

payload() { # rpm dir: extract the payload
	mkdir -p "$2"
	(cd "$2" && rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames)
}
manifest() { # dir: path, type, mode, size, link target and content hash of everything
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
		if [ -L "$p" ]; then
			echo "$p link $(readlink "$p")"
		elif [ -d "$p" ]; then
			echo "$p dir $(stat -c %a "$p")"
		else
			echo "$p file $(stat -c '%a %s' "$p") $(sha256sum <"$p" | cut -c1-64)"
		fi
	done)
}

rpm -qlp "$rpm" 2>/dev/null | LC_ALL=C sort >"$scratch/rpm-list"
(cd "$tree" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort) >"$scratch/tree-list"
if grep -v -x -F -f "$scratch/rpm-list" "$scratch/tree-list" >"$scratch/missing"; then
	fail "files of the staged tree missing from rpm -qlp:"
	head "$scratch/missing"
else
	ok "rpm -qlp lists every staged file ($(wc -l <"$scratch/tree-list"))"
fi

payload "$rpm" "$scratch/direct"
manifest "$tree" >"$scratch/tree.manifest"
manifest "$scratch/direct" >"$scratch/direct.manifest"
if diff -u "$scratch/tree.manifest" "$scratch/direct.manifest" >"$scratch/direct.diff"; then
	ok "payload equals the staged tree (content, modes, symlinks)"
else
	fail "payload differs from the staged tree"
	head -n 20 "$scratch/direct.diff"
fi

share=$scratch/direct/usr/share/virtio-win
for link in virtio-win.iso; do
	target=$(readlink "$share/$link")
	case $target in
	/*) fail "$link is an absolute symlink" ;;
	*) [ -f "$share/$target" ] && ok "$link -> $target" || fail "$link -> $target dangles" ;;
	esac
done
byos=$(find "$share/drivers/by-os" -type f | head -n 1)
if [ -n "$byos" ] && [ "$(stat -c %h "$byos")" -gt 1 ]; then
	ok "by-os files are hardlinks ($(basename "$byos"): $(stat -c %h "$byos") links)"
else
	fail "by-os files are not hardlinked into by-driver"
fi
if find "$share/drivers/by-os" -name '*.pdb' | grep -q .; then fail "symbols in by-os"; else ok "no symbols in by-os"; fi

topdir=$scratch/top
rpmbuild --define "_topdir $topdir" --quiet --nodeps -bb --define "vw_tree $tree" "$spec" >/dev/null 2>&1
again=$(find "$topdir/RPMS" -name '*.rpm' | head -n 1)
if [ -n "$again" ] && cmp -s "$rpm" "$again"; then
	ok "RPM is bit-identical when built again"
else
	fail "RPM differs when built again"
fi

if rpmbuild --define "_topdir $scratch/rebuild" --quiet --rebuild --nodeps "$srpm" \
	>"$scratch/rebuild.log" 2>&1; then
	rebuilt=$(find "$scratch/rebuild/RPMS" -name '*.rpm' | head -n 1)
	payload "$rebuilt" "$scratch/from-srpm"
	manifest "$scratch/from-srpm" >"$scratch/srpm.manifest"
	if diff -u "$scratch/direct.manifest" "$scratch/srpm.manifest" >"$scratch/srpm.diff"; then
		ok "the SRPM rebuilds from source to the same payload"
	else
		fail "payload rebuilt from the SRPM differs"
		head -n 20 "$scratch/srpm.diff"
	fi
else
	fail "rpmbuild --rebuild of the SRPM (log: $scratch/rebuild.log)"
	tail -n 20 "$scratch/rebuild.log"
fi

# Planted: an RPM built from a tree with one changed file must not compare
# equal to the staged tree.
cp -a "$tree" "$scratch/planted-tree"
victim=$(find "$scratch/planted-tree" -name '*.inf' | LC_ALL=C sort | head -n 1)
echo "; planted" >>"$victim"
rpmbuild --define "_topdir $scratch/planted-top" --quiet --nodeps -bb --define "vw_tree $scratch/planted-tree" \
	"$spec" >/dev/null 2>&1
payload "$(find "$scratch/planted-top/RPMS" -name '*.rpm' | head -n 1)" "$scratch/planted"
manifest "$scratch/planted" >"$scratch/planted.manifest"
if diff -q "$scratch/tree.manifest" "$scratch/planted.manifest" >/dev/null; then
	fail "planted: an RPM with a changed file passed the payload comparison"
else
	ok "planted: an RPM with a changed file is caught"
fi
finish
