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
# was one; prints one summary line otherwise.
set -u
[ $# -ge 2 ] || { echo "usage: verify.sh CA.pem PACKAGE.cat..." >&2; exit 2; }
ca=$1
shift
[ -r "$ca" ] || { echo "verify: $ca: cannot read the CA certificate" >&2; exit 2; }
fails=0 files=0
fail() {
	fails=$((fails + 1))
	echo "verify: $1: $2"
}
ossl() {
	if [ -n "${SIGN_VERIFY_TSA_CA:-}" ]; then
		osslsigncode verify -CAfile "$ca" -TSA-CAfile "$SIGN_VERIFY_TSA_CA" "$@" 2>&1
	else
		osslsigncode verify -CAfile "$ca" "$@" 2>&1
	fi
}

for cat in "$@"; do
	dir=$(dirname "$cat")
	if [ ! -f "$cat" ]; then
		fail "$cat" "missing"
		continue
	fi
	files=$((files + 1))
	if ! members=$(ossl -in "$cat" -verbose); then
		fail "$cat" "catalog signature does not verify against $ca"
		continue
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
done
[ "$fails" = 0 ] || exit 1
echo "verify: $# packages, $files files ok (CA $ca)"
