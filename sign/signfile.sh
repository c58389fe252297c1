#!/bin/sh
# Usage: sign/signfile.sh [--ph] IN OUT DESCRIPTION
#        sign/signfile.sh --check
# Authenticode-signs IN (a .sys, .cat or .cab) into OUT with SHA-256.
# --ph adds page hashes (for .sys images; Code Integrity checks them page by
# page when HVCI is on).  --check only checks the key (make runs it once
# before any signing, so that a bad key stops the build before the first
# file and gives its error once, not once per parallel job).
#
# Which key signs (the first that is set):
#   SIGN_PKCS12=file SIGN_PASSFILE=file   production key in a PKCS#12 file
#   SIGN_PKCS11_MODULE=lib SIGN_PKCS11_KEY=uri SIGN_CERTS=chain.pem
#                                         production key on a token (tested
#                                         with SoftHSM: sign/tests/pkcs11.sh)
#   SIGN_KEYDIR=dir                       the test CA made by sign/testca.sh
#
# Timestamps: without SIGN_TSA_URL the signing time is SOURCE_DATE_EPOCH and
# the output is reproducible.  With SIGN_TSA_URL=http://... an RFC 3161
# timestamp from that server is added and the signing time is the real time:
# the timestamp proves the signature existed while the certificate was
# valid, and it differs on every run, so such outputs are not reproducible.
#
# Before anything is written the key is checked, each failure giving one
# line: password (PKCS#12), key missing or unreadable, certificate
# unreadable, no code-signing EKU, outside its validity period, key not the
# certificate's.  Validity is checked at the build time (a CA or portal
# refuses an expired certificate, and a signature must not outlive its
# certificate from the start) and, without a timestamp, also at
# SOURCE_DATE_EPOCH, because that is the signing time written into the
# signature and verifiers that honour it would refuse it otherwise.
# OUT is written through a temporary file: on any error it is left as it was
# and no temporary file stays behind.
#
# SIGN_CHECKED=FILE (make sets it for its signing rules): --check writes
# FILE after the checks passed, a digest of the key settings and of the key
# and certificate files' names, sizes, times and inodes (no key material);
# a signing call whose settings and files still give that digest skips the
# checks --check just made (about ten openssl runs per file).  --check
# removes FILE first, and make runs it before any signing; the digest also
# holds the hour of the check, so a FILE older than that is not honoured.
set -u
ph=
check_only=
case ${1:-} in
--ph)
	ph=-ph
	shift
	;;
--check)
	check_only=1
	shift
	;;
esac
if [ -n "$check_only" ]; then
	[ $# = 0 ] || { echo "usage: signfile.sh --check" >&2; exit 2; }
	out="signing key"
else
	[ $# = 3 ] || { echo "usage: signfile.sh [--ph] IN OUT DESCRIPTION" >&2; exit 2; }
	in=$1 out=$2 desc=$3
fi
: "${SOURCE_DATE_EPOCH:?signfile: SOURCE_DATE_EPOCH is not set}"
tsa=${SIGN_TSA_URL:-}
tmp=

# The digest SIGN_CHECKED holds: every setting that selects or checks the
# key, and the identity of every file it names.  One stat for all of them
# (make signs hundreds of files, and each process costs several ms).
key_id() {
	set --
	for f in "${SIGN_PKCS12:-}" "${SIGN_PASSFILE:-}" "${SIGN_PKCS11_MODULE:-}" "${SIGN_CERTS:-}" \
		"${SIGN_KEYDIR:-}/signer.key" "${SIGN_KEYDIR:-}/chain.pem"; do
		[ ! -e "$f" ] || set -- "$@" "$f"
	done
	{
		printf '%s\n' "${SIGN_PKCS12:-}" "${SIGN_PASSFILE:-}" "${SIGN_PKCS11_MODULE:-}" \
			"${SIGN_PKCS11_KEY:-}" "${SIGN_CERTS:-}" "${SIGN_KEYDIR:-}" "$tsa" "$SOURCE_DATE_EPOCH" "$(date -u +%Y%m%d%H)"
		[ $# = 0 ] || stat -L -c '%n %s %Y %Z %i' -- "$@"
	} | sha256sum
}
checked=
if [ -n "${SIGN_CHECKED:-}" ]; then
	if [ -n "$check_only" ]; then
		rm -f "$SIGN_CHECKED"
	elif [ -f "$SIGN_CHECKED" ] && IFS= read -r saved <"$SIGN_CHECKED" && [ "$saved" = "$(key_id)" ]; then
		checked=1
	fi
fi

die() {
	[ -z "$tmp" ] || rm -f "$tmp"
	echo "sign: $out: $*" >&2
	exit 1
}

# Prints the Unix time of a certificate date field (notBefore/notAfter).
certdate() {
	d=$(printf '%s\n' "$leaf" | openssl x509 -noout "-$1" -dateopt iso_8601 2>/dev/null) &&
		date -u -d "${d#*=}" +%s
}
utc() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S UTC'; }

if [ -n "$checked" ]; then
	# --check passed for these very settings and files in this make.
	if [ -n "${SIGN_PKCS12:-}" ]; then
		what=$SIGN_PKCS12
		set -- -pkcs12 "$SIGN_PKCS12" -readpass "$SIGN_PASSFILE"
	elif [ -n "${SIGN_PKCS11_MODULE:-}" ]; then
		what=$SIGN_CERTS
		set -- -pkcs11module "$SIGN_PKCS11_MODULE" -key "$SIGN_PKCS11_KEY" -certs "$SIGN_CERTS"
	else
		what=$SIGN_KEYDIR/chain.pem
		set -- -certs "$what" -key "$SIGN_KEYDIR/signer.key"
	fi
else
	# The private key never touches the disk here: it only passes through pipes
	# into "openssl pkey -pubout", and only its public half is kept.
	keypub=
	if [ -n "${SIGN_PKCS12:-}" ]; then
		what=$SIGN_PKCS12
		[ -e "$SIGN_PKCS12" ] || die "PKCS#12 file $SIGN_PKCS12 is missing"
		[ -r "$SIGN_PKCS12" ] || die "cannot read PKCS#12 file $SIGN_PKCS12 (permissions)"
		[ -r "${SIGN_PASSFILE:-}" ] || die "SIGN_PKCS12 needs a readable SIGN_PASSFILE"
		# Check the password first so that a wrong one is reported as such and
		# not as one of osslsigncode's generic failures.
		p12() { openssl pkcs12 -in "$SIGN_PKCS12" -passin "file:$SIGN_PASSFILE" "$@" 2>/dev/null; }
		p12 -noout >/dev/null ||
			die "cannot open PKCS#12 file $SIGN_PKCS12: wrong password (SIGN_PASSFILE) or damaged file"
		keypub=$(p12 -nocerts -nodes | openssl pkey -pubout 2>/dev/null)
		[ -n "$keypub" ] || die "PKCS#12 file $SIGN_PKCS12 holds no usable private key"
		# The signer is the certificate paired with the key (-clcerts); a file
		# without that pairing gets its first certificate checked.
		leaf=$(p12 -nokeys -clcerts | openssl x509 2>/dev/null) || leaf=
		[ -n "$leaf" ] || leaf=$(p12 -nokeys | openssl x509 2>/dev/null) ||
			die "PKCS#12 file $SIGN_PKCS12 holds no certificate"
		set -- -pkcs12 "$SIGN_PKCS12" -readpass "$SIGN_PASSFILE"
	elif [ -n "${SIGN_PKCS11_MODULE:-}" ]; then
		[ -n "${SIGN_PKCS11_KEY:-}" ] && [ -r "${SIGN_CERTS:-}" ] ||
			die "SIGN_PKCS11_MODULE needs SIGN_PKCS11_KEY (a pkcs11: URI) and SIGN_CERTS (chain PEM)"
		what=$SIGN_CERTS
		[ -r "$SIGN_PKCS11_MODULE" ] || die "PKCS#11 module $SIGN_PKCS11_MODULE is missing or unreadable"
		# The key stays on the token: only the certificate can be checked here;
		# the PIN, the key's presence and its match with the certificate are
		# known only when osslsigncode signs (its errors are translated below).
		leaf=$(openssl x509 -in "$SIGN_CERTS" 2>/dev/null) || die "cannot read a certificate from $SIGN_CERTS"
		set -- -pkcs11module "$SIGN_PKCS11_MODULE" -key "$SIGN_PKCS11_KEY" -certs "$SIGN_CERTS"
	else
		[ -n "${SIGN_KEYDIR:-}" ] || die "no signing key: set SIGN_KEYDIR, SIGN_PKCS12 or SIGN_PKCS11_MODULE"
		key=$SIGN_KEYDIR/signer.key
		what=$SIGN_KEYDIR/chain.pem
		[ -e "$key" ] || die "signing key $key is missing (run sign/testca.sh)"
		[ -r "$key" ] || die "cannot read signing key $key (permissions)"
		# -passin pass: makes an encrypted key fail instead of prompting.
		keypub=$(openssl pkey -in "$key" -passin pass: -pubout 2>/dev/null) ||
			die "cannot read signing key $key: damaged, encrypted or not a private key"
		leaf=$(openssl x509 -in "$what" 2>/dev/null) || die "cannot read a certificate from $what"
		set -- -certs "$what" -key "$key"
	fi

	printf '%s\n' "$leaf" | openssl x509 -noout -ext extendedKeyUsage 2>/dev/null | grep -q 'Code Signing' ||
		die "certificate in $what has no code-signing EKU (extendedKeyUsage codeSigning)"
	from=$(certdate startdate) && until=$(certdate enddate) ||
		die "cannot read the validity dates of the certificate in $what"
	now=$(date +%s)
	[ "$now" -le "$until" ] || die "certificate in $what expired on $(utc "$until")"
	[ "$now" -ge "$from" ] || die "certificate in $what is not valid before $(utc "$from")"
	if [ -z "$tsa" ] && { [ "$SOURCE_DATE_EPOCH" -lt "$from" ] || [ "$SOURCE_DATE_EPOCH" -gt "$until" ]; }; then
		die "certificate in $what ($(utc "$from") to $(utc "$until")) is not valid at SOURCE_DATE_EPOCH $(utc "$SOURCE_DATE_EPOCH"), the signing time"
	fi
	if [ -n "$keypub" ] && [ "$keypub" != "$(printf '%s\n' "$leaf" | openssl x509 -noout -pubkey)" ]; then
		die "the private key does not match the certificate in $what"
	fi
fi
if [ -n "$check_only" ]; then
	if [ -n "${SIGN_CHECKED:-}" ]; then
		mkdir -p "$(dirname "$SIGN_CHECKED")" && key_id >"$SIGN_CHECKED.tmp$$" &&
			mv -f "$SIGN_CHECKED.tmp$$" "$SIGN_CHECKED" || die "cannot write $SIGN_CHECKED"
	fi
	exit 0
fi

if [ -n "$tsa" ]; then
	case $tsa in http://* | https://*) ;; *) die "SIGN_TSA_URL=$tsa is not an http(s) URL" ;; esac
	set -- "$@" -ts "$tsa"
else
	set -- "$@" -time "$SOURCE_DATE_EPOCH"
fi

# The temporary file beside OUT; no dirname, basename, rm, chmod or log
# file on the way (their processes were most of a signing's CPU time).
case $out in
*/*) tmp=${out%/*}/.${out##*/}.tmp$$ ;;
*) tmp=./.$out.tmp$$ ;;
esac
if [ -e "$tmp" ] || [ -L "$tmp" ]; then rm -f "$tmp"; fi
# Mode 644 whatever the caller's umask: osslsigncode creates OUT with 0666
# less the umask.
# shellcheck disable=SC2086
if ! log=$(umask 022 && osslsigncode sign "$@" -h sha256 $ph -n "$desc" -in "$in" -out "$tmp" 2>&1); then
	# osslsigncode ends with a generic "Failed": name the TSA or the token
	# problem when it was that (never echoing a pin-value from the URI).
	has() { printf '%s\n' "$log" | grep -q "$1"; }
	has 'timestamping failed' &&
		die "timestamp server $tsa failed: $(printf '%s\n' "$log" | grep -m1 -e '^HTTP failure' -e 'timestamping failed')"
	uri=$(printf '%s' "${SIGN_PKCS11_KEY:-}" | sed 's/pin-value=[^;?]*/pin-value=.../')
	has 'PIN incorrect' && die "PKCS#11 login failed: wrong PIN for $uri"
	has 'No matching initialized token' && die "no PKCS#11 token matches $uri"
	has 'object not found' && die "no private key on the token matches $uri"
	has 'key values mismatch' && die "the private key does not match the certificate in $what"
	die "osslsigncode failed: $(printf '%s\n' "$log" | grep -v -e '^$' -e '^Failed$' | tail -n 1)"
fi
mv -f "$tmp" "$out" || die "cannot rename into place"
