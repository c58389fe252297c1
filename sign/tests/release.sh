# Sourced by sign/tests/run.sh after the second build into $r (uses $r, $b,
# $keep, $jobs, $work, $ca, $out, $first, $drv0, $pki, ok, bad and the packages in
# "$@").  make verify with planted bad packages, a bad key stopping make
# before anything is signed, the attestation CABs, and import-signed with a
# second CA playing Microsoft.  All of it works on $r, never on $out.
rcats=
for cat in "$@"; do rcats="$rcats $r/${cat#"$out"/}"; done
rfirst=$r/${first#"$out"/}
npkg=$#
# shellcheck disable=SC2086
mk_r() { make --no-print-directory $jobs OUT="$r" B="$b" $keep "$@"; }
# Checksums of every file of the second tree, to prove nothing changed.
snapshot() { (cd "$r" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# --- make verify, and verify.sh on planted bad packages: each failure
# gives its own line naming the file, and the exit status is 1.
# shellcheck disable=SC2086
if msg=$(mk_r verify 2>&1); then ok "make verify: $(printf '%s\n' "$msg" | tail -n 1)"; else bad "make verify: $msg"; fi
plant() {
	p=$work/planted-$1/${first#"$out"/}
	mkdir -p "$(dirname "$p")"
	cp "$(dirname "$first")"/* "$(dirname "$p")/"
	echo "$(dirname "$p")"
}
# rejects WHAT N EXPECT CA CAT...: exactly N failure lines, all matching EXPECT.
rejects() {
	what=$1 n=$2 expect=$3 vca=$4
	shift 4
	msg=$(sign/verify.sh "$vca" "$@" 2>/dev/null)
	rc=$?
	got=$(printf '%s\n' "$msg" | grep -c '^verify: ')
	if [ $rc = 1 ] && [ "$got" = "$n" ] && [ -z "$(printf '%s\n' "$msg" | grep -v -- "$expect")" ]; then
		ok "verify rejects $what: $(printf '%s\n' "$msg" | head -n 1)"
	else bad "verify $what: rc=$rc lines=$got msg='$msg'"; fi
}
p=$(plant inf)
printf '; changed\r\n' >>"$p/$drv0.inf"
# shellcheck disable=SC2086
rejects "a changed .inf among all good packages" 1 "$p/$drv0.inf: SHA-256 .* is not a member" "$ca" $rcats "$p/$drv0.cat"
p=$(plant sys)
printf 'X' | dd of="$p/$drv0.sys" bs=1 seek=1200 conv=notrunc 2>/dev/null
rejects "a tampered .sys (signature and catalog)" 2 "$p/$drv0.sys: \(embedded signature does not verify\|not listed\)" "$ca" "$p/$drv0.cat"
p=$(plant noph)
sign/signfile.sh "$src" "$p/$drv0.sys" test
rejects "a .sys signed without page hashes" 1 "$p/$drv0.sys: embedded signature has no SHA-256 page hashes" "$ca" "$p/$drv0.cat"
p=$(plant cat)
$b/host/mkcat -o "$work/other.cat" --os 2:10.0 --time "$SOURCE_DATE_EPOCH" "$p/$drv0.sys" "$p/$drv0.inf"
SIGN_KEYDIR=$pki/kd-good sign/signfile.sh "$work/other.cat" "$p/$drv0.cat" test
rejects "a catalog signed by another CA" 1 "$p/$drv0.cat: catalog signature does not verify" "$ca" "$p/$drv0.cat"
p=$(plant extra)
echo stray >"$p/readme.txt"
rejects "a file the catalog does not list" 1 "$p/readme.txt: SHA-256 .* is not a member" "$ca" "$p/$drv0.cat"
p=$(plant missing)
rm "$p/$drv0.cat"
rejects "a missing catalog" 1 "$p/$drv0.cat: missing" "$ca" "$p/$drv0.cat"
# shellcheck disable=SC2086
rejects "every package under a wrong CA" "$npkg" "catalog signature does not verify" "$work/wrong-ca.pem" $rcats

step "release.sh: verify"

# --- A bad key stops make before it signs anything: one error line (make
# adds its own "Error" line), the tree unchanged although a package was due.
unsigned0=$(dirname "$(dirname "$rfirst")")/$drv0.sys
before=$(snapshot)
# shellcheck disable=SC2086
msg=$(make --no-print-directory -j2 OUT="$r" B="$b" $keep -W "$unsigned0" packages \
	SIGN_PKCS12="$work/prod.p12" SIGN_PASSFILE="$work/wrong" 2>&1)
rc=$?
if [ $rc != 0 ] && [ "$(printf '%s\n' "$msg" | grep -c '^sign: ')" = 1 ] &&
	printf '%s\n' "$msg" | grep -q '^sign: signing key: .*wrong password' && [ "$before" = "$(snapshot)" ]; then
	ok "make with a bad key stops before signing: $(printf '%s\n' "$msg" | grep '^sign: ')"
else bad "make with a bad key: rc=$rc '$msg'"; fi

step "release.sh: bad key"

# --- Attestation CABs: one per package, signed, folder-only layout, the
# package files and the .pdb inside, identical when made twice.
for i in 1 2; do
	# shellcheck disable=SC2086
	mk_r DIST="$work/att$i" attestation-cab >"$work/att$i.log" 2>&1 || bad "make attestation-cab (log $work/att$i.log)"
done
# Packages that ship only in server folders get no CAB, and a note says so.
server_only=$(${PYTHON:-/usr/bin/python3} packaging/layout.py server-only packaging/drivers.json)
for f in $server_only; do
	if [ ! -e "$work/att1/attestation/$f.cab" ] &&
		grep -q "^note: no CAB for $f: it ships only in server folders" "$work/att1.log"; then
		ok "no attestation CAB for server-only $f, with a note"
	else bad "server-only $f: CAB made or no note (log $work/att1.log)"; fi
done
if grep -q "^note: attestation signatures load on Windows 10 and 11 only" "$work/att1.log"; then
	ok "make attestation-cab says which folders attestation covers"
else bad "make attestation-cab: no note on server folders"; fi
# A planted layout where pvpanic's w10 amd64 package ships only in 2k16.
${PYTHON:-/usr/bin/python3} - "$work/server-meta.json" <<'PY'
import json, sys
meta = json.load(open("packaging/drivers.json"))
for drv in meta["drivers"]:
    if drv["package"] == "pvpanic":
        for os_dir in ("w10", "2k19", "2k22"):
            drv["os"][os_dir] = [a for a in drv["os"][os_dir] if a != "amd64"]
        drv["os"] = {k: v for k, v in drv["os"].items() if v}
json.dump(meta, open(sys.argv[1], "w"))
PY
# The CABs the planted layout does not touch are taken from the first run
# (times kept, so make does not make them again); pvpanic's amd64 ones are
# left out, so make must decide about both.
mkdir -p "$work/att3"
cp -a "$work/att1/attestation" "$work/att3/"
rm -f "$work/att3/attestation/pvpanic_w10_amd64.cab" "$work/att3/attestation/pvpanic_w11_amd64.cab"
mk_r DIST="$work/att3" ATTEST_META="$work/server-meta.json" attestation-cab >"$work/att3.log" 2>&1 ||
	bad "make attestation-cab with a planted layout (log $work/att3.log)"
if [ ! -e "$work/att3/attestation/pvpanic_w10_amd64.cab" ] && [ -e "$work/att3/attestation/pvpanic_w11_amd64.cab" ] &&
	grep -q "^note: no CAB for pvpanic_w10_amd64: " "$work/att3.log"; then
	ok "planted server-only pvpanic_w10_amd64 left out, with a note"
else bad "planted server-only pvpanic_w10_amd64 (log $work/att3.log)"; fi
# split_cat CAT: pkg, drv, set_ and arch of OUT/<arch>/<driver>/<set>/<driver>.cat
# (parameter expansion: a dirname or basename per name was a third of this
# group's processes).
split_cat() {
	pkg=${1%/*}
	drv=${1##*/}
	drv=${drv%.cat}
	set_=${pkg##*/}
	arch=${pkg%/*/*}
	arch=${arch##*/}
}
# same A B [A B]...: each pair of files is identical (one sha256sum for all
# of them, instead of a cmp per pair).
same_files() {
	sums=$(sha256sum -- "$@" 2>/dev/null) || return 1
	k=0
	while read -r h _; do
		k=$((k + 1))
		if [ $((k % 2)) = 1 ]; then h1=$h; elif [ "$h" != "$h1" ]; then return 1; fi
	done <<EOF
$sums
EOF
	[ "$k" = $# ]
}
server_only_=" $(echo $server_only) "
ncab=0
for cat in $rcats; do
	split_cat "$cat"
	f=${drv}_${set_}_$arch
	case $server_only_ in *" $f "*) continue ;; esac
	cab=$work/att1/attestation/$f.cab
	# The INF, the images, the catalog, then the symbols of each image.
	pes=$(pkg_pes "$pkg")
	pdbsrcs=
	for pe in $pes; do
		# An image built as another driver (SIGN_IMAGES) brings that driver's symbols
		src=${pkg%/*}/${pe%.*}.pdb
		for im in ${SIGN_IMAGES:-}; do
			if [ "${im%%=*}" = "$drv.$set_" ] && [ "$pe" = "$drv.sys" ]; then
				src=${pkg%/*/*}/${im#*=}/${im#*=}.pdb
			fi
		done
		[ ! -f "$src" ] || pdbsrcs="$pdbsrcs $src"
	done
	pdbs=$(for p in $pdbsrcs; do echo "${p##*/}"; done)
	want=$(for n in "$drv.inf" $pes "$drv.cat" $pdbs; do printf '%s\\%s\n' "$f" "$n"; done)
	# A fresh directory per CAB (removed with the others below).
	ncab=$((ncab + 1))
	x=$work/x/$ncab
	mkdir -p "$x"
	same=1
	gcab -x -C "$x" "$cab" >/dev/null 2>&1 || same=
	pairs=
	for n in "$drv.inf" $pes "$drv.cat"; do pairs="$pairs $x/$f/$n $pkg/$n"; done
	for p in $pdbsrcs; do pairs="$pairs $x/$f/${p##*/} $p"; done
	# shellcheck disable=SC2086
	same_files $pairs || same=
	if osslsigncode verify -in "$cab" -CAfile "$ca" >/dev/null 2>&1 && [ "$(gcab -t "$cab")" = "$want" ] &&
		[ -n "$same" ]; then
		ok "$f.cab: signed, $f\\ with $(echo "$drv.inf" $pes "$drv.cat" $pdbs)"
	else bad "$f.cab: $(gcab -t "$cab" 2>&1 | tr '\n' ' ')"; fi
	if cmp -s "$cab" "$work/att2/attestation/$f.cab"; then ok "$f.cab reproducible"; else bad "$f.cab differs when made again"; fi
done
rm -rf "$work/x"

step "release.sh: attestation"

# --- import-signed: a simulated portal result, re-signed by a second CA
# that plays Microsoft (its own signature on the .sys, its own catalog).
sign/tests/mkcert.sh "$pki" msca self $always "basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign" &&
	sign/tests/mkcert.sh "$pki" mssigner msca $always "$cs;extendedKeyUsage=codeSigning" || bad "making the Microsoft stand-in"
mkdir -p "$pki/kd-ms"
cp "$pki/mssigner.key" "$pki/kd-ms/signer.key"
cat "$pki/mssigner.pem" "$pki/msca.pem" >"$pki/kd-ms/chain.pem"
portal=$work/portal
# The stand-in's key is checked once (SIGN_CHECKED, as make does), and the
# packages are signed two at a time; a package that fails leaves its name in
# $work/portal-failed.
msck=$work/ms-checked
SIGN_KEYDIR=$pki/kd-ms SIGN_CHECKED=$msck sign/signfile.sh --check || bad "the Microsoft stand-in's key"
rm -f "$work/portal-failed"
for cat in $rcats; do
	split_cat "$cat"
	# shellcheck disable=SC2046
	echo "$pkg" "$drv" "$portal/Signed_1234/drivers/${drv}_${set_}_$arch" $(pkg_pes "$pkg")
done | work=$work pki=$pki msck=$msck b=$b xargs -P 2 -L 1 sh -c '
	pkg=$1 drv=$2 f=$3
	shift 3
	mkdir -p "$f" "$work/mscat" && cp "$pkg/$drv.inf" "$f/" || { echo "$f" >>"$work/portal-failed"; exit 0; }
	for pe in "$@"; do
		src=${pkg%/*}/$pe
		# A package image built as another driver (SIGN_IMAGES: netkvm.w11=netkvm683)
		for im in ${SIGN_IMAGES:-}; do
			if [ "${im%%=*}" = "$drv.${pkg##*/}" ] && [ "$pe" = "$drv.sys" ]; then
				src=${pkg%/*/*}/${im#*=}/${im#*=}.sys
			fi
		done
		SIGN_KEYDIR=$pki/kd-ms SIGN_CHECKED=$msck sign/signfile.sh --ph "$src" "$f/$pe" "MS" ||
			{ echo "$f" >>"$work/portal-failed"; exit 0; }
	done
	cat=$work/mscat/${f##*/}.cat
	$b/host/mkcat -o "$cat" --os 2:10.0 --time "$SOURCE_DATE_EPOCH" $(for pe in "$@"; do echo "$f/$pe"; done) "$f/$drv.inf" &&
		SIGN_KEYDIR=$pki/kd-ms SIGN_CHECKED=$msck sign/signfile.sh "$cat" "$f/$drv.cat" "MS" ||
		echo "$f" >>"$work/portal-failed"
' sh
[ ! -e "$work/portal-failed" ] || while read -r f; do bad "simulating the portal for $f"; done <"$work/portal-failed"
step "release.sh: portal"
f0=$(basename "$(find "$portal" -type d -name "${drv0}_*" | LC_ALL=C sort | head -n 1)")
# An unsigned catalog of the stand-in, for the refused case below.
cp "$work/mscat/$f0.cat" "$work/ms.cat"
# refused_import WHAT EXPECT MUTATION: on a copy of the portal result, one
# problem line matching EXPECT plus "nothing was replaced"; $r unchanged.
refused_import() {
	rm -rf "$work/pneg"
	cp -r "$portal" "$work/pneg"
	(cd "$work/pneg/Signed_1234/drivers" && eval "$3")
	before=$(snapshot)
	# shellcheck disable=SC2086
	msg=$(sign/import-signed.sh "$work/pneg" "$pki/msca.pem" "$b/sign/import-test" "$b/host/authhash" $rcats 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 2 ] &&
		printf '%s\n' "$msg" | head -n 1 | grep -q -- "$2" &&
		printf '%s\n' "$msg" | tail -n 1 | grep -q "nothing was replaced" && [ "$before" = "$(snapshot)" ]; then
		ok "import-signed refuses $1: $(printf '%s\n' "$msg" | head -n 1)"
	else bad "import-signed $1: rc=$rc '$msg'"; fi
}
other=$(basename "$(find "$portal" -type d -name "${drv0}_*" | LC_ALL=C sort | sed -n 2p)")
refused_import "a changed INF" "$f0/$drv0.inf: differs from our" "printf '; x\r\n' >>$f0/$drv0.inf"
refused_import "another image" "$f0/$drv0.sys: not our image" "cp $other/$drv0.sys $f0/"
refused_import "a missing file" "$f0: missing $drv0.cat" "rm $f0/$drv0.cat"
refused_import "a missing package" "no folder $f0" "rm -r $f0"
refused_import "two results for one package" "more than one folder $f0" "mkdir ../again && cp -r $f0 ../again/"
refused_import "a catalog not signed by IMPORT_CA" "$drv0.cat: catalog signature does not verify" \
	"SIGN_KEYDIR=$keydir $PWD/sign/signfile.sh $PWD/$work/ms.cat $f0/$drv0.cat test"

step "release.sh: refused imports"

# shellcheck disable=SC2086
if mk_r import-signed DIR="$portal" IMPORT_CA="$pki/msca.pem" >"$work/import.log" 2>&1; then
	same=1
	for cat in $rcats; do
		split_cat "$cat"
		f=$portal/Signed_1234/drivers/${drv}_${set_}_$arch
		pairs=
		for x in "$drv.inf" $(pkg_pes "$f") "$drv.cat"; do pairs="$pairs $f/$x $pkg/$x"; done
		# shellcheck disable=SC2086
		same_files $pairs || same=0
		[ -f "$pkg/.imported" ] || same=0
	done
	if [ $same = 1 ]; then ok "import-signed placed all $npkg packages"; else bad "import-signed: packages not in place"; fi
else bad "make import-signed (log $work/import.log)"; fi
# shellcheck disable=SC2086
if msg=$(mk_r verify SIGN_VERIFY_CA="$pki/msca.pem" 2>&1); then
	ok "imported packages pass make verify against the Microsoft stand-in"
else bad "verify after import: $msg"; fi
after=$(snapshot)
# shellcheck disable=SC2086
if mk_r packages >"$work/after-import.log" 2>&1 && [ "$after" = "$(snapshot)" ]; then
	ok "make keeps the imported packages"
else bad "make after import changed or failed (log $work/after-import.log)"; fi
msg=$(mk_r -W "$unsigned0" packages 2>&1)
if [ $? != 0 ] && printf '%s\n' "$msg" | grep -q "holds Microsoft-signed files" && [ "$after" = "$(snapshot)" ]; then
	ok "make refuses to sign over imported packages"
else bad "re-sign over imported: '$msg'"; fi
