#!/bin/sh
# Usage: tests/rpm/run.sh RPM SRPM TREE SPEC SCRATCH SECOND_DIR
# The binary RPM installs exactly the staged tree (files, symlinks, modes,
# hardlinks between by-os and by-driver), its libosinfo drop-ins pass
# osinfo-db-validate, the RPM and SRPM are bit-identical when built again
# with header times from SOURCE_DATE_EPOCH, rpmlint finds nothing the spec
# does not list with its reason, and the SRPM rebuilt with a fresh home
# directory (a new test CA) gives the same payload but for signatures, which
# differ only by key.  Each check has a planted defect that must fail.
set -u
rpm=$(realpath "$1")
srpm=$(realpath "$2")
tree=$(realpath "$3")
spec=$(realpath "$4")
scratch=$(realpath -m "$5")
second=$6
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

payload() { # rpm dir: extract the payload
	mkdir -p "$2"
	(cd "$2" && rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames)
}
manifest() { # dir: path, type, mode, size, link target and content hash of everything
	${PYTHON:-/usr/bin/python3} tests/rpm/manifest.py "$1"
}

# The manifest itself, on a tree made here: each thing it must see (a
# changed byte, a mode, a link target, an added directory) changes it.
m=$scratch/manifest-self
mkdir -p "$m/a/d" && printf 'x' >"$m/a/f" && : >"$m/a/B" && chmod 644 "$m/a/f" "$m/a/B" && ln -s f "$m/a/l"
manifest "$m/a" >"$m/one"
if [ "$(cat "$m/one")" = "./B file 644 0 $(sha256sum </dev/null | cut -d' ' -f1)
./d dir $(stat -c %a "$m/a/d")
./f file 644 1 $(printf x | sha256sum | cut -d' ' -f1)
./l link f" ]; then
	ok "manifest lines: directory mode, file mode/size/hash, link target, byte order (B before d)"
else
	fail "manifest of a known tree: $(cat "$m/one")"
fi
changed() { # what: the manifest after the change made by the caller differs
	manifest "$m/a" >"$m/two"
	cmp -s "$m/one" "$m/two" && fail "planted: manifest blind to $1" || ok "planted: manifest sees $1"
}
printf 'y' >"$m/a/f" && changed "one changed byte" && printf 'x' >"$m/a/f"
chmod 755 "$m/a/f" && changed "a mode" && chmod 644 "$m/a/f"
ln -sfn d "$m/a/l" && changed "a link target" && ln -sfn f "$m/a/l"
mkdir "$m/a/e" && changed "an added empty directory" && rmdir "$m/a/e"

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

# libosinfo drop-ins: osinfo-db-validate (the schema of the installed
# osinfo-db-tools) accepts them, each extends an OS the installed osinfo-db
# has, and signed= is what the build's key allows (OSINFO_SIGNED).
osinfo=$scratch/direct/usr/share/osinfo
system_db=$(osinfo-db-path --system 2>/dev/null || echo /usr/share/osinfo)
n=$(find "$osinfo" -name '*.xml' 2>/dev/null | wc -l)
if [ "$n" -gt 0 ] && osinfo-db-validate --dir "$osinfo" >"$scratch/osinfo.log" 2>&1; then
	ok "osinfo-db-validate accepts the $n drop-ins"
else
	fail "osinfo-db-validate ($n drop-ins): $(head -n 3 "$scratch/osinfo.log" 2>/dev/null)"
fi
unknown=
for xml in $(find "$osinfo" -name '*.xml' | LC_ALL=C sort); do
	id=$(sed -n 's/.*<os id="\([^"]*\)".*/\1/p' "$xml")
	grep -q -r -l -F "<os id=\"$id\">" "$system_db/os" --include='*.xml' --exclude-dir='*.d' ||
		unknown="$unknown $id"
done
[ -z "$unknown" ] && ok "every drop-in extends an OS the installed osinfo-db knows" ||
	fail "drop-ins for OSes osinfo-db does not know:$unknown"
want_signed=${OSINFO_SIGNED:-false}
signed=$(grep -h -o 'signed="[a-z]*"' $(find "$osinfo" -name '*.xml') | sort -u | tr '\n' ' ')
[ "$signed" = "signed=\"$want_signed\" " ] && ok "drop-ins say $signed(OSINFO_SIGNED=$want_signed)" ||
	fail "drop-ins say '$signed', want signed=\"$want_signed\""
# Planted: a drop-in whose <os> lacks <short-id> must be refused.
mkdir -p "$scratch/osinfo-planted"
cp -a "$osinfo/." "$scratch/osinfo-planted/"
victim=$(find "$scratch/osinfo-planted" -name '*.xml' | LC_ALL=C sort | head -n 1)
sed -i '/<short-id>/d' "$victim"
if osinfo-db-validate --dir "$scratch/osinfo-planted" >/dev/null 2>&1; then
	fail "planted: osinfo-db-validate accepted a drop-in without <short-id>"
else
	ok "planted: a drop-in without <short-id> is refused by osinfo-db-validate"
fi

topdir=$scratch/top
rpmbuild --define "_topdir $topdir" --quiet --nodeps -bb --define "vw_tree $tree" "$spec" >/dev/null 2>&1
again=$(find "$topdir/RPMS" -name '*.rpm' | head -n 1)
if [ -n "$again" ] && cmp -s "$rpm" "$again"; then
	ok "RPM is bit-identical when built again"
else
	fail "RPM differs when built again"
fi

# Header times: BUILDTIME is SOURCE_DATE_EPOCH, the build host is fixed.
for f in "$rpm" "$srpm"; do
	got=$(rpm -qp --qf '%{BUILDTIME} %{BUILDHOST}' "$f" 2>/dev/null)
	[ "$got" = "$SOURCE_DATE_EPOCH reproducible" ] && ok "$(basename "$f"): header time $got" ||
		fail "$(basename "$f"): header time/host '$got', want '$SOURCE_DATE_EPOCH reproducible'"
done
# Again in another directory: the SRPM's scripts name the source and build
# directories, relative ones as in spec/build.mk, so no path of this machine
# gets in; the same relative names are used here.
again=$scratch/srpm-again
mkdir -p "$again/build/rpm/stop/src"
cp "$spec" "$again/build/rpm/stop/src/"
(cd "$again/build/rpm/stop/src" && rpm2cpio "$srpm" | cpio -idm --quiet '*.tar.xz')
touch -d "@$SOURCE_DATE_EPOCH" "$again/build/rpm/stop/src"/*
(cd "$again" && rpmbuild --define '_topdir build/rpm/stop' --define '_builddir build/rpm/stop/BUILD' \
	--define '_sourcedir build/rpm/stop/src' --quiet --nodeps \
	-bs "build/rpm/stop/src/$(basename "$spec")" >/dev/null 2>&1)
if cmp -s "$srpm" "$again/build/rpm/stop/SRPMS/$(basename "$srpm")"; then
	ok "SRPM is bit-identical when built again"
else
	fail "SRPM differs when built again"
fi

# rpmlint on both packages, with the filters (and their reasons) the spec
# lists: no error, no warning left.
if rpmlint -r "$spec" "$rpm" "$srpm" >"$scratch/rpmlint.log" 2>&1; then
	summary=$(tail -n 1 "$scratch/rpmlint.log")
	case $summary in
	*" 0 errors, 0 warnings"*) ok "rpmlint: $summary" ;;
	*) fail "rpmlint: $summary" && grep -E ': [EW]: ' "$scratch/rpmlint.log" | head ;;
	esac
else
	fail "rpmlint reports errors:"
	grep -E ': [EW]: ' "$scratch/rpmlint.log" | head
fi

# The SRPM rebuilt as a stranger would: its spec's %build and %install with
# a fresh home directory (so a new test CA is made) and none of this
# build's settings in the environment, not even SOURCE_DATE_EPOCH (the spec
# sets it).  Every unsigned image must be bit-identical and every signature
# differ only by key.
# The compilation is not done a third time: the stranger's tree is a copy of
# check-repro's second build (SECOND_DIR: this SRPM's tarball unpacked
# outside git and built, its outputs bit-identical to this tree's) without
# its outputs (out/, dist/), so the stranger's make links, signs, makes the
# catalogs, ISO and staged tree again and reuses the objects (and what
# make finds up to date beside them: host tools, import libraries).  That is
# the stranger's compilation only if (1) the SRPM carries the tarball the
# second build compiled and (2) the stranger's environment gives the same
# commands for every object reused (make imports the environment): both
# are checked below, and (2) has a planted environment that must change
# them.  A stale file that should have been made again with the new key
# would show: every signature must verify against the new CA.
stranger() { # runs "$@" in the stranger's environment
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SOURCE_DATE_EPOCH -u SIGN_KEYDIR -u SIGN_PKCS12 \
		-u SIGN_PASSFILE -u SIGN_PKCS11_MODULE -u SIGN_PKCS11_KEY -u SIGN_CERTS -u SIGN_TSA_URL \
		-u OSINFO_SIGNED HOME="$home" "$@"
}
home=$scratch/home
mkdir -p "$home" "$scratch/srpm-src"
(cd "$scratch/srpm-src" && rpm2cpio "$srpm" | cpio -idm --quiet)
src2=$(cat "$second/tree" 2>/dev/null)
tarball2=$(cat "$second/tarball" 2>/dev/null)
name=$(basename "$src2")
if [ "$(cat "$second/make.status" 2>/dev/null)" != 0 ] || [ ! -d "$src2" ]; then
	fail "no second build to rebuild from (log: $second/make.log)"
elif ! cmp -s "$scratch/srpm-src/$name.tar.xz" "$tarball2"; then
	fail "the SRPM's $name.tar.xz is not the tarball the second build compiled ($tarball2)"
elif ! cmp -s "$scratch/srpm-src/$(basename "$spec")" "$spec"; then
	fail "the SRPM's spec differs from $spec"
else
	ok "the SRPM carries the spec and the tarball the second build compiled"
	build=$scratch/rebuild/BUILD
	tree2=$build/$name
	mkdir -p "$build"
	cp -a "$src2" "$tree2" && rm -rf "$tree2/out" "$tree2/dist"
	# Every object the stranger reuses: the commands that make it, as the
	# second build ran them (make check's environment) and as the stranger
	# would.
	objs=$(cd "$tree2" && find build -name '*.o' | LC_ALL=C sort)
	# shellcheck disable=SC2086
	make -n -B -C "$tree2" --no-print-directory $objs >"$scratch/commands.ours" 2>&1
	status=$?
	# shellcheck disable=SC2086
	stranger make -n -B -C "$tree2" --no-print-directory $objs >"$scratch/commands.stranger" 2>&1
	# shellcheck disable=SC2086
	stranger env LLVM_SUFFIX=-planted make -n -B -C "$tree2" --no-print-directory $objs \
		>"$scratch/commands.planted" 2>&1
	# make's own notes are not commands: inside make check's job pool the
	# first make says the jobserver is not passed on ("jobserver
	# unavailable"), the stranger's make, outside any pool, says nothing.
	for f in ours stranger planted; do
		grep -v '^make\(\[[0-9]*\]\)\{0,1\}: warning: ' "$scratch/commands.$f" >"$scratch/commands.$f.tmp"
		mv "$scratch/commands.$f.tmp" "$scratch/commands.$f"
	done
	if [ "$status" = 0 ] && [ -n "$objs" ] && grep -q -- '-o ' "$scratch/commands.ours" &&
		cmp -s "$scratch/commands.ours" "$scratch/commands.stranger"; then
		ok "the stranger's environment gives the same commands for the $(echo "$objs" | wc -l) objects it reuses"
	else
		fail "the stranger's compile commands differ from the second build's (make -n status $status):"
		diff "$scratch/commands.ours" "$scratch/commands.stranger" | head -n 10
	fi
	if cmp -s "$scratch/commands.ours" "$scratch/commands.planted"; then
		fail "planted: LLVM_SUFFIX in the environment did not change the compile commands"
	else
		ok "planted: a stranger's LLVM_SUFFIX changes the compile commands, and is seen"
	fi
	# --noprep: %prep only unpacks the tarball, which is the copy's source.
	if stranger rpmbuild --define "_topdir $scratch/rebuild" --define "_builddir $build" \
		--define "_sourcedir $scratch/srpm-src" --quiet --nodeps --noprep \
		-bb "$scratch/srpm-src/$(basename "$spec")" >"$scratch/rebuild.log" 2>&1; then
		rebuilt=$(find "$scratch/rebuild/RPMS" -name '*.rpm' | head -n 1)
		got=$(rpm -qp --qf '%{BUILDTIME} %{BUILDHOST}' "$rebuilt" 2>/dev/null)
		[ "$got" = "$SOURCE_DATE_EPOCH reproducible" ] && ok "rebuilt RPM: header time $got" ||
			fail "rebuilt RPM: header time/host '$got'"
		newca=$home/.local/share/virtio-win/test-ca/ca.pem
		if [ -f "$newca" ] && ! cmp -s "$newca" "${SIGN_KEYDIR:-$HOME/.local/share/virtio-win/test-ca}/ca.pem"; then
			ok "the rebuild made its own test CA in the fresh home"
		else
			fail "the rebuild did not make a new test CA ($newca)"
		fi
		payload "$rebuilt" "$scratch/from-srpm"
		if msg=$(tests/rpm/same-but-key.sh "$scratch/direct" "$scratch/from-srpm" "$newca" \
			"$scratch/compare" "$scratch/memo" 2>&1); then
			ok "SRPM rebuilt with a fresh home: identical but for signatures, which differ only by key ($(echo "$msg" | tail -n 1))"
		else
			fail "payload rebuilt from the SRPM differs:"
			echo "$msg" | head -n 20
		fi
	else
		fail "rpmbuild of the SRPM's spec in the stranger's environment (log: $scratch/rebuild.log)"
		tail -n 20 "$scratch/rebuild.log"
	fi
fi

# The planted packages below are built from a copy of the spec whose
# payload is not compressed: what they test (the payload's files, rpmlint's
# file checks) does not depend on the compression, which was 8.5 of the 9.4
# CPU-s of each such rpmbuild (xz level 6 over the 29 MB tree).
plainspec=$scratch/plain/$(basename "$spec")
mkdir -p "$scratch/plain"
sed 's/^%global _binary_payload .*/%global _binary_payload w0.ufdio/' "$spec" >"$plainspec"
grep -q '^%global _binary_payload w0.ufdio$' "$plainspec" ||
	fail "the spec names no _binary_payload to replace for the planted packages"

# Planted: an RPM built from a tree with one changed file must not compare
# equal to the staged tree.
cp -a "$tree" "$scratch/planted-tree"
victim=$(find "$scratch/planted-tree" -name '*.inf' | LC_ALL=C sort | head -n 1)
echo "; planted" >>"$victim"
rpmbuild --define "_topdir $scratch/planted-top" --quiet --nodeps -bb --define "vw_tree $scratch/planted-tree" \
	"$plainspec" >/dev/null 2>&1
planted=$(find "$scratch/planted-top/RPMS" -name '*.rpm' | head -n 1)
# Not built at all would differ too: that is no catch.
[ -n "$planted" ] && [ "$(rpm -qp --qf '%{PAYLOADCOMPRESSOR}' "$planted" 2>/dev/null)" = '(none)' ] ||
	fail "planted: the RPM with a changed file was not built uncompressed (${planted:-none})"
payload "$planted" "$scratch/planted"
manifest "$scratch/planted" >"$scratch/planted.manifest"
if diff -q "$scratch/tree.manifest" "$scratch/planted.manifest" >/dev/null; then
	fail "planted: an RPM with a changed file passed the payload comparison"
else
	ok "planted: an RPM with a changed file is caught"
fi

# Planted for rpmlint: a world-writable file.
cp -a "$tree" "$scratch/lint-tree"
chmod o+w "$(find "$scratch/lint-tree" -name '*.inf' | LC_ALL=C sort | head -n 1)"
rpmbuild --define "_topdir $scratch/lint-top" --quiet --nodeps -bb --define "vw_tree $scratch/lint-tree" \
	"$plainspec" >/dev/null 2>&1
if rpmlint -r "$spec" "$(find "$scratch/lint-top/RPMS" -name '*.rpm' | head -n 1)" \
	>"$scratch/lint-planted.log" 2>&1; then
	fail "planted: rpmlint accepted an RPM with a world-writable file"
elif grep -q 'E: world-writable' "$scratch/lint-planted.log"; then
	ok "planted: rpmlint refuses an RPM with a world-writable file"
else
	fail "planted: rpmlint failed for another reason: $(grep -E ': E: ' "$scratch/lint-planted.log" | head -n 2)"
fi

# Planted for the rebuild comparison: a catalog over different content.
if [ -d "$scratch/from-srpm" ]; then
	cp -a "$scratch/from-srpm" "$scratch/planted-rebuild"
	a=$(find "$scratch/planted-rebuild" -name '*.cat' | LC_ALL=C sort | head -n 1)
	b=$(find "$scratch/planted-rebuild" -name '*.cat' | LC_ALL=C sort | grep -v "/$(basename "$a")\$" | head -n 1)
	cp "$b" "$a"
	# The verdicts of the comparison above are reused (same CA; they are
	# kept by content, so the swapped catalog is judged anew).
	if tests/rpm/same-but-key.sh "$scratch/direct" "$scratch/planted-rebuild" \
		"$home/.local/share/virtio-win/test-ca/ca.pem" "$scratch/compare-planted" "$scratch/memo" \
		>/dev/null 2>&1; then
		fail "planted: a catalog over other files passed the rebuild comparison"
	else
		ok "planted: a catalog over other files fails the rebuild comparison"
	fi
fi
finish
