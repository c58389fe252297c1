#!/bin/sh
# Usage: sign/tests/run.sh BUILD OUT DIST KEYDIR PACKAGE.cat...
# Tests of the driver packages (sign/): the INF linter rules, the template
# stamper, the catalogs (osslsigncode membership, .inf digests, tampered /
# unlisted / wrong-CA cases), the signatures, that no private key reached
# any output, production PKCS#12 signing, bad keys and certificates and an
# RFC 3161 timestamp (keys.sh), a bit-identical rebuild of one package, then make verify,
# attestation CABs and import-signed on the rebuilt tree (release.sh).
set -u
b=$1 out=$2 dist=$3 keydir=$4
shift 4
work=$b/sign-test
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
# step NAME: the wall and CPU seconds since the last step, into
# $work/steps (where this group's time goes; the output is unchanged).
step_t=$(date +%s.%N)
step_cpu=0
step() {
	t=$(date +%s.%N)
	# times, not in a subshell (one would see only its own children).
	times >"$work/.times"
	c=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$work/.times")
	awk -v t="$t" -v t0="$step_t" -v c="$c" -v c0="$step_cpu" -v n="$1" \
		'BEGIN { printf "%7.1f s wall %7.1f s cpu  %s\n", t - t0, c - c0, n }' >>"$work/steps"
	step_t=$t step_cpu=$c
}
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
ca=$keydir/ca.pem

# --- INF linter: each malformed INF gives exactly its one error.  The
# package directory the INFs are checked against holds the one file they
# copy (only its presence matters); @PKG@ in an expectation names it.
lintpkg=$work/lintpkg
mkdir -p "$lintpkg"
echo "not a real image: inflint only checks that the file is there" >"$lintpkg/lintdrv.sys"
# The leading "; expect: " lines list every finding, in order.
for inf in sign/tests/lint/*.inf; do
	want=$(sed -n '/^; expect: /!q; s/^; expect: //p' "$inf" | sed "s|@PKG@|$lintpkg|")
	case $want in nothing*) want= ;; *) want=$(printf '%s\n' "$want" | sed "s|^|$inf:|") ;; esac
	got=$($b/host/inflint --arch amd64 --dir "$lintpkg" "$inf")
	if [ "$got" = "$want" ]; then ok "inflint $inf"; else bad "inflint $inf: got '$got', want '$want'"; fi
done

step "lint"

# --- Ties between packages: each directory under sign/tests/rank/ is one
# ISO folder's packages; expect.txt lists the findings (empty: none).
for d in sign/tests/rank/*/; do
	got=$($b/host/inflint --ranks --arch amd64 "$d"*.inf)
	want=$(cat "$d/expect.txt")
	if [ "$got" = "$want" ]; then ok "inflint --ranks $d"; else bad "inflint --ranks $d: got '$got', want '$want'"; fi
done
# The packages every ISO folder offers, per arch (packaging/drivers.json):
# no two match one hardware ID with equal rank.
if groups=$(${PYTHON:-/usr/bin/python3} packaging/layout.py rank-groups packaging/drivers.json); then
	echo "$groups" | {
		n=0 f=0
		while read -r osdir arch infs; do
			n=$((n + 1))
			# shellcheck disable=SC2086
			$b/host/inflint --ranks --arch "$arch" $(for i in $infs; do echo "$out/$i"; done) || f=$((f + 1))
		done
		echo "$n $f" >"$work/rank-groups"
	}
	read -r n f <"$work/rank-groups"
	if [ "$f" = 0 ] && [ "$n" -gt 0 ]; then ok "no equal-rank matches in the $n ISO folders x arches"; else bad "$f of $n ISO folders x arches have equal-rank matches"; fi
else
	bad "layout.py rank-groups failed"
fi

step "ranks"

# --- Template stamper: malformed templates give one file:line error and
# write nothing.
gen() { $b/host/infgen -o "$1" --set "$2" --arch "$3" --version-file "$4" --epoch "$5" \
	--catalog t.cat --provider P --manufacturer M "$6"; }
while read -r line; do
	tpl=sign/tests/gen/${line%%:*}
	got=$(gen "$work/gen.inf" w10 amd64 VERSION 0 "$tpl" 2>&1)
	if [ "$got" = "sign/tests/gen/$line" ] && [ ! -e "$work/gen.inf" ]; then
		ok "infgen rejects $tpl"
	else
		bad "infgen $tpl: got '$got'"
	fi
done <sign/tests/gen/expected.txt

# Version mapping: 1-4 parts, padded with zeros, order kept; bad ones refused.
driverver() {
	printf '%s\n' "$1" >"$work/VERSION"
	gen "$work/v.inf" "$2" "$3" "$work/VERSION" 1767225600 drivers/pvpanic/pvpanic.inx 2>/dev/null &&
		sed -n 's/^DriverVer *= *//p' "$work/v.inf" | tr -d '\r'
}
prev=
for v in 0.1.285 0.2 0.2.0 0.2.1 1.0.0.7 1.10 65534.65534.65534.65534; do
	got=$(driverver "$v" w10 x86)
	want=01/01/2026,$(echo "$v.0.0.0" | cut -d. -f1-4)
	if [ "$got" = "$want" ]; then ok "DriverVer for VERSION $v is $got"; else bad "VERSION $v: got '$got', want '$want'"; fi
	if [ -n "$prev" ]; then
		# Windows compares the four parts numerically, left to right.
		if [ "$(printf '%s\n%s\n' "$prev" "${got#*,}" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n | tail -n 1)" = "${got#*,}" ]; then
			ok "DriverVer ${got#*,} >= $prev"
		else
			bad "DriverVer ${got#*,} sorts below $prev"
		fi
	fi
	prev=${got#*,}
done
for v in 1.2.3.4.5 1.x 65536 65535 1.65535 0 0.0.0.0 "" -1; do
	if driverver "$v" w10 x86 >/dev/null; then bad "VERSION '$v' accepted"; else ok "VERSION '$v' refused"; fi
done
if gen "$work/x.inf" w11 x86 VERSION 0 drivers/pvpanic/pvpanic.inx 2>/dev/null; then
	bad "w11 x86 accepted"
else ok "w11 has no x86"; fi

step "infgen"

# --- Every package: its INF, its catalog and each of its PE images (the
# driver .sys and any .dll; an INF-only package has none).
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%m/%d/%Y)
# pkg_pes DIR: the images in DIR, one per line, in C order (a glob: dash
# sorts it bytewise; an ls and a sort per package cost two processes).
pkg_pes() {
	for f in "$1"/*; do
		case $f in *.sys | *.dll) [ ! -f "$f" ] || echo "${f##*/}" ;; esac
	done
}
# The paths are OUT/<arch>/<driver>/<set>/<driver>.cat: split by parameter
# expansion (a dirname per call, times packages times images, was most of
# this group's time).
[ -f "$work/wrong-ca.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/wrong-ca.key" \
	-subj "/CN=wrong CA" -days 1 -out "$work/wrong-ca.pem" 2>/dev/null
cr=$(printf '\r')
# has_ph TEXT: a line of TEXT (osslsigncode's report) matches
# "Page hash algorithm *: SHA256" (in the shell, not a grep per image).
has_ph() {
	while IFS= read -r l; do
		case $l in *"Page hash algorithm"*) ;; *) continue ;; esac
		l=${l#*Page hash algorithm}
		l=${l#"${l%%[! ]*}"}
		case $l in ": SHA256"*) return 0 ;; esac
	done <<EOF
$1
EOF
	return 1
}
# check_package N CAT PACKAGE.cat...: the checks of one package (ok/FAIL
# lines); scratch files carry N, as two packages are checked at once.
check_package() {
	n=$1 cat=$2
	shift 2
	dir=${cat%/*}
	drv=${cat##*/}
	drv=${drv%.cat}
	set_=${dir##*/}
	arch=${dir%/*/*}
	arch=${arch##*/}
	archdir=${dir%/*/*}
	inf=$dir/$drv.inf
	# INF content: set and arch specific values (dirids where the INF
	# copies files or names a service binary).
	case $set_ in w10) deco=NT$arch.10.0 dirid=12 ;; *) deco=NT$arch.10.0...16299 dirid=13 ;; esac
	# A package whose INF targets a later build than its set (SIGN_MIN_BUILDS)
	for mb in ${SIGN_MIN_BUILDS:-}; do
		if [ "${mb%%=*}" = "$drv.$set_" ]; then deco=NT$arch.10.0...${mb#*=}; fi
	done
	tr -d '\r' <"$inf" >"$work/lf.$n.inf"
	if grep -q "^DriverVer *= *$date," "$work/lf.$n.inf" && grep -q "= Models, $deco\$" "$work/lf.$n.inf" &&
		{ ! grep -q "^ServiceBinary" "$work/lf.$n.inf" || grep -q "^ServiceBinary = %$dirid%" "$work/lf.$n.inf"; } &&
		{ ! grep -q "^DefaultDestDir" "$work/lf.$n.inf" || grep -q "^DefaultDestDir = $dirid" "$work/lf.$n.inf"; } &&
		grep -q "^CatalogFile *= *$drv.cat" "$work/lf.$n.inf" && [ "$(grep -c "$cr\$" "$inf")" = "$(wc -l <"$inf")" ]; then
		ok "$inf: DriverVer date, decoration $deco, dirid $dirid"
	else
		bad "$inf: stamped values"
	fi
	if msg=$($b/host/inflint --arch "$arch" --dir "$dir" "$inf"); then ok "$inf lints clean"; else bad "$inf: $msg"; fi
	# One verbose verification gives the verdict and the member list.
	if v=$(osslsigncode verify -in "$cat" -CAfile "$ca" -verbose 2>/dev/null); then
		ok "$cat signature"
	else bad "$cat signature"; fi
	# osslsigncode cannot check .inf membership: compare the digest.
	h=$(sha256sum "$inf")
	h=$(echo "${h%% *}" | tr a-f A-F)
	if printf '%s\n' "$v" | grep -A2 "File name: $drv.inf" | grep -q "Message digest: $h"; then
		ok "$inf digest in $cat"
	else bad "$inf digest not in $cat"; fi
	# The catalog lists exactly the INF and the images of the package.
	pes=$(pkg_pes "$dir")
	members=$(printf '%s\n' "$v" | sed -n 's/^.*File name: *//p' | tr -d '\r' | LC_ALL=C sort | tr '\n' ' ')
	want=$( { echo "$drv.inf"; echo "$pes"; } | grep . | LC_ALL=C sort | tr '\n' ' ')
	if [ "$members" = "$want" ]; then ok "$cat members: $members"; else bad "$cat members '$members', want '$want'"; fi
	for pe in $pes; do
		sys=$dir/$pe
		# The embedded signature with page hashes, and the catalog entry.
		v=$(osslsigncode verify -in "$sys" -CAfile "$ca" 2>&1)
		if [ $? = 0 ] && has_ph "$v"; then
			ok "$sys signed with page hashes"
		else bad "$sys embedded signature"; fi
		if osslsigncode verify -catalog "$cat" -in "$sys" -CAfile "$ca" >/dev/null 2>&1; then
			ok "$sys is in $cat"
		else bad "$sys not verified through $cat"; fi
		# Negative cases: a tampered image, an image the catalog does not
		# list (the same image name of another arch), a CA that did not
		# issue the signer.
		cp "$sys" "$work/tampered.$n.bin"
		printf 'X' | dd of="$work/tampered.$n.bin" bs=1 seek=1200 conv=notrunc 2>/dev/null
		if osslsigncode verify -catalog "$cat" -in "$work/tampered.$n.bin" -CAfile "$ca" >/dev/null 2>&1; then
			bad "tampered $sys accepted"
		else ok "tampered $sys refused"; fi
		other=
		for c in "$@"; do
			if [ "${c%/*/*/*}" != "$archdir" ] && [ -f "${c%/*}/$pe" ]; then
				other=${c%/*}/$pe
				break
			fi
		done
		if [ -n "$other" ]; then
			if osslsigncode verify -catalog "$cat" -in "$other" -CAfile "$ca" >/dev/null 2>&1; then
				bad "$other (not listed) accepted by $cat"
			else ok "$other (not listed) refused by $cat"; fi
		fi
		if osslsigncode verify -catalog "$cat" -in "$sys" -CAfile "$work/wrong-ca.pem" >/dev/null 2>&1; then
			bad "$cat accepted with a wrong CA"
		else ok "$cat refused with a wrong CA"; fi
	done
}
# Two packages at a time (both cores), each into its own file, printed and
# counted in package order.
i=0
for cat in "$@"; do
	i=$((i + 1))
	check_package "$i" "$cat" "$@" >"$work/package.$i" 2>&1 &
	[ $((i % 2)) != 0 ] || wait
done
wait
j=0
while [ $j -lt $i ]; do
	j=$((j + 1))
	cat "$work/package.$j"
	passed=$((passed + $(grep -c '^ok ' "$work/package.$j")))
	failed=$((failed + $(grep -c '^FAIL ' "$work/package.$j")))
done

step "packages"

# --- Version resources: every image's VERSIONINFO matches its INF
# (sign/tests/versioninfo.py); a copy whose fixed FileVersion is one off
# must fail.
pkgdirs=$(for cat in "$@"; do echo "${cat%/*}"; done)
# shellcheck disable=SC2086
if msg=$(${PYTHON:-/usr/bin/python3} sign/tests/versioninfo.py sign/versioninfo.txt $pkgdirs); then
	ok "$msg"
else bad "version resources: $msg"; fi
vdir=$(for d in $pkgdirs; do ls "$d"/*.sys >/dev/null 2>&1 && { echo "$d"; break; }; done)
rm -rf "$work/vplant" && mkdir -p "$work/vplant" && cp "$vdir"/* "$work/vplant/"
vimg=$(ls "$work/vplant"/*.sys | head -n 1)
${PYTHON:-/usr/bin/python3} - "$vimg" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.find(struct.pack("<I", 0xFEEF04BD))  # VS_FIXEDFILEINFO signature
ls = struct.unpack_from("<I", data, at + 12)[0]  # dwFileVersionLS
struct.pack_into("<I", data, at + 12, ls + 1)
open(sys.argv[1], "wb").write(bytes(data))
PY
msg=$(${PYTHON:-/usr/bin/python3} sign/tests/versioninfo.py sign/versioninfo.txt "$work/vplant")
if [ $? = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && echo "$msg" | grep -q "fixed FileVersion"; then
	ok "planted version resource refused: $msg"
else bad "planted version resource: '$msg'"; fi

step "versioninfo"

# --- No private key in any output (the published CA certificate included).
# What the build writes under BUILD, not the test groups' scratch (*-test,
# check, second, the Wine prefixes, the vhost-user sockets): that is no
# output, and under make check other groups write it while this one runs.
builddirs=$(for d in "$b"/*; do case ${d##*/} in *-test | check | second | wine | vhost) ;; *) echo "$d" ;; esac; done)
for key in "$keydir/signer.key" "$keydir/ca.key"; do
	# shellcheck disable=SC2086
	if r=$($b/host/keyscan "$key" "$out" $( [ -d "$dist" ] && echo "$dist") $builddirs); then
		ok "$(basename "$key") in no output: $r"
	else bad "key leaked: $r"; fi
done
mkdir -p "$work/planted"
openssl rsa -in "$keydir/signer.key" -outform DER -out "$work/planted/key.der" 2>/dev/null
if $b/host/keyscan "$keydir/signer.key" "$work/planted" >/dev/null; then bad "planted DER key missed"; else ok "planted DER key caught"; fi
rm -f "$work/planted/key.der"
{ echo junk; sed -n 5p "$keydir/signer.key"; } >"$work/planted/log.txt"
if $b/host/keyscan "$keydir/signer.key" "$work/planted" >/dev/null; then bad "planted PEM line missed"; else ok "planted PEM line caught"; fi
rm -rf "$work/planted"

step "keyscan"

# --- Production signing from PKCS#12: right password signs, a wrong one
# gives one clear error and leaves the output alone.
first=$1
sys=$(dirname "$first")/$(basename "$first" .cat).sys
src=$(dirname "$(dirname "$sys")")/$(basename "$sys")
p12=$work/prod.p12
echo right-password >"$work/pass"
echo wrong-password >"$work/wrong"
openssl pkcs12 -export -inkey "$keydir/signer.key" -in "$keydir/signer.pem" -certfile "$keydir/ca.pem" \
	-passout "file:$work/pass" -out "$p12" 2>/dev/null
if SIGN_PKCS12=$p12 SIGN_PASSFILE=$work/pass sign/signfile.sh --ph "$src" "$work/p12.sys" test &&
	osslsigncode verify -in "$work/p12.sys" -CAfile "$ca" >/dev/null 2>&1; then
	ok "PKCS#12 signing"
else bad "PKCS#12 signing"; fi
echo old >"$work/keep.sys"
msg=$(SIGN_PKCS12=$p12 SIGN_PASSFILE=$work/wrong sign/signfile.sh --ph "$src" "$work/keep.sys" test 2>&1)
rc=$?
left=$(ls -A "$work" | grep -c '\.tmp')
if [ $rc = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && echo "$msg" | grep -q "wrong password" &&
	[ "$(cat "$work/keep.sys")" = old ] && [ "$left" = 0 ]; then
	ok "wrong PKCS#12 password: $msg"
else bad "wrong password: rc=$rc msg='$msg' leftovers=$left"; fi
drv0=$(basename "$first" .cat)

step "pkcs12"

# --- Bad keys and certificates, and an RFC 3161 timestamp (keys.sh).
. sign/tests/keys.sh

step "keys.sh"

# --- Production signing from a PKCS#11 token (SoftHSM; pkcs11.sh).
. sign/tests/pkcs11.sh

step "pkcs11.sh"

# The makes below run in parallel: in make check's pool when there is one
# (the recipe is recursive), else one job per core.
jobs=
case " ${MAKEFLAGS:-} " in *jobserver*) ;; *) jobs=-j$(nproc 2>/dev/null || echo 2) ;; esac

# --- Reproducible: a package made again into another OUT with the same key
# directory and SOURCE_DATE_EPOCH is bit-identical.  The other tree $r
# (release.sh works on it) holds copies of every package, times kept, so
# that make finds them up to date, except the first, which make signs, lists
# and catalogs again here.  Every package's reproducibility is check-repro's
# (its second build, from the source tarball with the same key directory and
# SOURCE_DATE_EPOCH, is compared with this tree file by file): signing all
# 58 again here too made this step 28.6 CPU-s, with one it is 8.6.
# The unsigned images are copied and marked not-to-remake (-o): they are the
# input here, and check-repro covers their own reproducibility.
r=$work/repro-out
keep=
made=
# The paths are OUT/<arch>/<driver>/<set>/<driver>.cat (split by parameter
# expansion: a dirname or basename per name made this step 1100 processes).
for cat in "$@"; do
	pkg=${cat%/*}
	drvdir=${pkg%/*}
	pkgset=${drvdir##*/}.${pkg##*/}
	for pe in $(pkg_pes "$pkg"); do
		unsigned=$drvdir/$pe
		# A package image built as another driver (SIGN_IMAGES: netkvm.w11=netkvm683)
		for im in ${SIGN_IMAGES:-}; do
			if [ "${im%%=*}" = "$pkgset" ] && [ "$pe" = "${pkgset%.*}.sys" ]; then
				unsigned=${drvdir%/*}/${im#*=}/${im#*=}.sys
			fi
		done
		rel=${unsigned#"$out"/}
		case " $made " in *" $r/${rel%/*} "*) ;; *) mkdir -p "$r/${rel%/*}" && made="$made $r/${rel%/*}" ;; esac
		# The symbols too, for the attestation CABs (release.sh).
		if [ -f "${unsigned%.*}.pdb" ]; then
			cp -p "$unsigned" "${unsigned%.*}.pdb" "$r/${rel%/*}/"
		else
			cp -p "$unsigned" "$r/$rel"
		fi
		case " $keep " in *" -o $r/$rel "*) ;; *) keep="$keep -o $r/$rel" ;; esac
	done
	mkdir -p "$r/${pkg#"$out"/}"
	cp -p "$pkg"/* "$r/${pkg#"$out"/}/"
done
redo=$(dirname "$1")
rm -f "$r/${redo#"$out"/}"/*
# shellcheck disable=SC2086
if make --no-print-directory $jobs OUT="$r" B="$b" $keep packages >"$work/repro.log" 2>&1; then
	made=$(grep -c '^  \(SIGN\|INF\|CAT\) ' "$work/repro.log")
	want=$(($(pkg_pes "$redo" | wc -l) + 2))
	if [ "$made" = "$want" ]; then
		ok "make remade only the removed package ($made files), the copies are up to date"
	else bad "make remade $made files, want the removed package's $want (log $work/repro.log)"; fi
	for f in "$redo"/*; do
		if cmp -s "$f" "$r/${f#"$out"/}"; then ok "reproducible $f"; else bad "$f differs in a rebuild"; fi
	done
else
	bad "rebuild into $r failed (log $work/repro.log)"
fi

step "repro make"

# --- make verify, a bad key in make, attestation CABs, import-signed
# (release.sh, on the second tree).
. sign/tests/release.sh
step "release.sh: import-signed"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
