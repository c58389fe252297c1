#!/bin/sh
# Usage: sign/testca.sh KEYDIR
# Creates the test-signing PKI in KEYDIR unless it is already there:
#   ca.pem/ca.key        RSA-3072 root CA (the only part that is published)
#   signer.pem/.key      RSA-3072 leaf, EKU codeSigning, KU digitalSignature
#   chain.pem            signer + CA, what osslsigncode embeds
# KEYDIR must lie outside the repository and every output directory, so that
# no private key can reach an artifact; it is created mode 0700 and filled
# through a temporary directory renamed into place, so a failed run leaves
# nothing half-made.  Validity runs from 2000 to 2049 so that any
# SOURCE_DATE_EPOCH used as signing time lies inside it.
set -eu
keydir=$1
[ -f "$keydir/chain.pem" ] && exit 0

parent=$(dirname "$keydir")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.test-ca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 700 "$tmp"
umask 077

cat >"$tmp/openssl.cnf" <<CNF
[ca]
default_ca = testca
[testca]
dir = $tmp
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
: >"$tmp/index.txt"
echo 01 >"$tmp/serial"
dates="-startdate 20000101000000Z -enddate 20491231235959Z"

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$tmp/ca.key"
openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/ca.key" \
	-subj "/O=virtio-win/CN=virtio-win test CA (not for production)" -out "$tmp/ca.csr"
# shellcheck disable=SC2086
openssl ca -batch -notext -selfsign -config "$tmp/openssl.cnf" -extensions v3_ca $dates \
	-keyfile "$tmp/ca.key" -in "$tmp/ca.csr" -out "$tmp/ca.pem" 2>/dev/null

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$tmp/signer.key"
openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/signer.key" \
	-subj "/O=virtio-win/CN=virtio-win test driver signer" -out "$tmp/signer.csr"
# shellcheck disable=SC2086
openssl ca -batch -notext -config "$tmp/openssl.cnf" -extensions v3_signer $dates \
	-cert "$tmp/ca.pem" -keyfile "$tmp/ca.key" -in "$tmp/signer.csr" -out "$tmp/signer.pem" 2>/dev/null

cat "$tmp/signer.pem" "$tmp/ca.pem" >"$tmp/chain.pem"
openssl verify -CAfile "$tmp/ca.pem" -purpose any "$tmp/signer.pem" >/dev/null
rm -f "$tmp"/*.csr "$tmp"/*.old "$tmp"/index.txt* "$tmp"/serial* "$tmp"/0*.pem "$tmp/openssl.cnf"
chmod 644 "$tmp/ca.pem" "$tmp/signer.pem" "$tmp/chain.pem"
chmod 700 "$tmp"
if ! mv -T "$tmp" "$keydir" 2>/dev/null; then
	# Another make job created it first; keep that one.
	[ -f "$keydir/chain.pem" ] || { echo "testca: cannot create $keydir" >&2; exit 1; }
fi
trap - EXIT
rm -rf "$tmp"
echo "  TESTCA  $keydir (new test CA; private keys stay here)"
