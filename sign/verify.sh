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

# check CAT COUNTFILE: the failure lines of one package; the number of
# files it checked into COUNTFILE.
check() {
	cat=$1
	files=0
	dir=$(dirname "$cat")
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
	digests=$(printf '%s\n' "$members" | sed -n 's/^[[:space:]]*Message digest: \([0-9A-F]*\) *$/\1/p')
	for f in "$dir"/*; do
		[ -f "$f" ] && [ "$f" != "$cat" ] || continue
		files=$((files + 1))
		case $f in
		*.sys | *.dll | *.exe)
			v=$(ossl -in "$f")
			if [ $? != 0 ]; then
				fail "$f" "embedded signature does not verify against $ca"
			elif [ "${SIGN_VERIFY_PH:-1}" != 0 ] && ! printf '%s\n' "$v" | grep -q '^Page hash algorithm *: SHA256'; then
				fail "$f" "embedded signature has no SHA-256 page hashes"
			fi
			ossl -catalog "$cat" -in "$f" >/dev/null || fail "$f" "not listed in $cat (or its hash differs)"
			;;
		*)
			h=$(sha256sum "$f" | cut -d' ' -f1 | tr a-f A-F)
			printf '%s\n' "$digests" | grep -qx "$h" || fail "$f" "SHA-256 $h is not a member of $cat"
			;;
		esac
	done
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
fails=0 files=0 j=0
while [ $j -lt $i ]; do
	j=$((j + 1))
	cat "$tmp/$j.out"
	fails=$((fails + $(grep -c '^verify: ' "$tmp/$j.out")))
	files=$((files + $(cat "$tmp/$j.n")))
done
[ "$fails" = 0 ] || exit 1
echo "verify: $# packages, $files files ok (CA $ca)"
