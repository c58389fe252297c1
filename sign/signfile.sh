#!/bin/sh
# Usage: sign/signfile.sh [--ph] IN OUT DESCRIPTION
# Authenticode-signs IN (a .sys or .cat) into OUT with SHA-256, deterministic:
# the signing time is SOURCE_DATE_EPOCH and no timestamp server is used.
# --ph adds page hashes (for .sys images; Code Integrity checks them page by
# page when HVCI is on).
#
# Which key signs (the first that is set):
#   SIGN_PKCS12=file SIGN_PASSFILE=file   production key in a PKCS#12 file
#   SIGN_PKCS11_MODULE=lib SIGN_PKCS11_KEY=uri SIGN_CERTS=chain.pem
#                                         production key on a token (untested
#                                         here: no token on the build machine)
#   SIGN_KEYDIR=dir                       the test CA made by sign/testca.sh
# OUT is written through a temporary file: on any error it is left as it was
# and the one error line says why.
set -u
ph=
if [ "${1:-}" = --ph ]; then
	ph=-ph
	shift
fi
[ $# = 3 ] || { echo "usage: signfile.sh [--ph] IN OUT DESCRIPTION" >&2; exit 2; }
in=$1 out=$2 desc=$3
: "${SOURCE_DATE_EPOCH:?signfile: SOURCE_DATE_EPOCH is not set}"

die() {
	rm -f "$tmp" "$tmp.log"
	echo "sign: $out: $*" >&2
	exit 1
}

tmp=$(dirname "$out")/.$(basename "$out").tmp$$
rm -f "$tmp"
if [ -n "${SIGN_PKCS12:-}" ]; then
	[ -r "$SIGN_PKCS12" ] || die "cannot read PKCS#12 file $SIGN_PKCS12"
	[ -r "${SIGN_PASSFILE:-}" ] || die "SIGN_PKCS12 needs a readable SIGN_PASSFILE"
	# Check the password first so that a wrong one is reported as such and
	# not as one of osslsigncode's generic failures.
	openssl pkcs12 -in "$SIGN_PKCS12" -passin "file:$SIGN_PASSFILE" -noout >/dev/null 2>&1 ||
		die "cannot open PKCS#12 file $SIGN_PKCS12: wrong password (SIGN_PASSFILE) or damaged file"
	set -- -pkcs12 "$SIGN_PKCS12" -readpass "$SIGN_PASSFILE"
elif [ -n "${SIGN_PKCS11_MODULE:-}" ]; then
	[ -n "${SIGN_PKCS11_KEY:-}" ] && [ -r "${SIGN_CERTS:-}" ] ||
		die "SIGN_PKCS11_MODULE needs SIGN_PKCS11_KEY (a pkcs11: URI) and SIGN_CERTS (chain PEM)"
	set -- -pkcs11module "$SIGN_PKCS11_MODULE" -key "$SIGN_PKCS11_KEY" -certs "$SIGN_CERTS"
else
	[ -n "${SIGN_KEYDIR:-}" ] || die "no signing key: set SIGN_KEYDIR, SIGN_PKCS12 or SIGN_PKCS11_MODULE"
	[ -r "$SIGN_KEYDIR/signer.key" ] || die "no test signer in $SIGN_KEYDIR (run sign/testca.sh)"
	set -- -certs "$SIGN_KEYDIR/chain.pem" -key "$SIGN_KEYDIR/signer.key"
fi

# shellcheck disable=SC2086
osslsigncode sign "$@" -h sha256 $ph -n "$desc" -time "$SOURCE_DATE_EPOCH" \
	-in "$in" -out "$tmp" >"$tmp.log" 2>&1 ||
	die "osslsigncode failed: $(grep -v '^$' "$tmp.log" | tail -n 1)"
rm -f "$tmp.log"
chmod 644 "$tmp"
mv -f "$tmp" "$out" || die "cannot rename into place"
