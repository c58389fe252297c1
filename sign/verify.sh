#!/bin/sh
# Usage: sign/verify.sh CA.pem PACKAGE.cat...
# Checks every driver package against the CA in use (make verify): the
# catalog's signature; for each PE file in the package (.sys, .dll, .exe)
# its embedded signature with page hashes and its listing in the catalog
# (osslsigncode verify -catalog); for every other file (the .inf) that its
# SHA-256 is one of the catalog's member digests, which osslsigncode cannot
# check itself.  SIGN_VERIFY_PH=0 accepts .sys signatures without page
# hashes (whether Microsoft's attestation signature has them is not known
# here).  SIGN_VERIFY_TSA_CA names the CA of a timestamp server, for
# packages signed with SIGN_TSA_URL.
# Prints one "verify: FILE: reason" line per failure and exits 1 if there
# was one; prints one summary line otherwise.  Packages are checked
# SIGN_VERIFY_JOBS at a time (default: one per core), their lines printed in
# the order given.
set -u
[ $# -ge 2 ] || { echo "usage: verify.sh CA.pem PACKAGE.cat..." >&2; exit 2; }
ca=$1
shift
[ -r "$ca" ] || { echo "verify: $ca: cannot read the CA certificate" >&2; exit 2; }
# fail FILE REASON: one failure line.
fail() { echo "verify: $1: $2"; }
ossl() {
	if [ -n "${SIGN_VERIFY_TSA_CA:-}" ]; then
		osslsigncode verify -CAfile "$ca" -TSA-CAfile "$SIGN_VERIFY_TSA_CA" "$@" 2>&1
	else
		osslsigncode verify -CAfile "$ca" "$@" 2>&1
	fi
}

# has_ph TEXT: TEXT (osslsigncode's report) has a line "Page hash algorithm",
# spaces, ": SHA256".  In the shell: a grep per image, in every make verify
# and import-signed, was a good part of their process starts.
has_ph() {
	while IFS= read -r l; do
		case $l in "Page hash algorithm"*) ;; *) continue ;; esac
		l=${l#Page hash algorithm}
		l=${l#"${l%%[! ]*}"}
		case $l in ": SHA256"*) return 0 ;; esac
	done <<EOF
$1
EOF
	return 1
}

# check CAT COUNTFILE: the failure lines of one package; the number of
# files it checked into COUNTFILE.
check() {
	cat=$1
	files=0
	case $cat in */*) dir=${cat%/*} ;; *) dir=. ;; esac
	if [ ! -f "$cat" ]; then
		fail "$cat" "missing"
		echo 0 >"$2"
		return
	fi
	files=$((files + 1))
	if ! members=$(ossl -in "$cat" -verbose); then
		fail "$cat" "catalog signature does not verify against $ca"
		echo "$files" >"$2"
		return
	fi
	# The member digests, one per line between newlines (for case below).
	digests=$(printf '%s\n' "$members" | sed -n 's/^[[:space:]]*Message digest: \([0-9A-F]*\) *$/\1/p')
	digests="
$digests
"
	# The SHA-256 of every file but the PE images, from one sha256sum in
	# the order of the loop below, upper case as osslsigncode prints the
	# members (a sha256sum, cut and tr per file were most of the processes
	# of make verify).
	for f in "$dir"/*; do
		[ -f "$f" ] && [ "$f" != "$cat" ] || continue
		case $f in *.sys | *.dll | *.exe) ;; *) printf '%s\0' "$f" ;; esac
	done | xargs -0 -r sha256sum | awk '{ print toupper(substr($0, 1, 64)) }' >"$2.sums"
	exec 3<"$2.sums"
	for f in "$dir"/*; do
		[ -f "$f" ] && [ "$f" != "$cat" ] || continue
		files=$((files + 1))
		case $f in
		*.sys | *.dll | *.exe)
			v=$(ossl -in "$f")
			if [ $? != 0 ]; then
				fail "$f" "embedded signature does not verify against $ca"
			elif [ "${SIGN_VERIFY_PH:-1}" != 0 ] && ! has_ph "$v"; then
				fail "$f" "embedded signature has no SHA-256 page hashes"
			fi
			ossl -catalog "$cat" -in "$f" >/dev/null || fail "$f" "not listed in $cat (or its hash differs)"
			;;
		*)
			IFS= read -r h <&3 || h=
			case $digests in *"
$h
"*) [ -n "$h" ] ;; *) false ;; esac || fail "$f" "SHA-256 $h is not a member of $cat"
			;;
		esac
	done
	exec 3<&-
	echo "$files" >"$2"
}

jobs=${SIGN_VERIFY_JOBS:-$(nproc 2>/dev/null || echo 2)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify.XXXXXX") || { echo "verify: cannot make a temporary directory" >&2; exit 2; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
i=0
for cat in "$@"; do
	i=$((i + 1))
	check "$cat" "$tmp/$i.n" >"$tmp/$i.out" &
	[ $((i % jobs)) != 0 ] || wait
done
wait
# The packages' lines in the order given, from one cat; the counts read in
# the shell (three processes per package were a fifth of make verify's).
npkg=$# files=0 j=0
set --
while [ $j -lt $i ]; do
	j=$((j + 1))
	set -- "$@" "$tmp/$j.out"
	read -r n <"$tmp/$j.n"
	files=$((files + n))
done
[ $# = 0 ] || cat "$@" >"$tmp/all"
fails=0
[ $# = 0 ] || while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in "verify: "*) fails=$((fails + 1)) ;; esac
done <"$tmp/all"
[ "$fails" = 0 ] || exit 1
echo "verify: $npkg packages, $files files ok (CA $ca)"
