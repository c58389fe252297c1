#!/bin/sh
# Usage: sign/tests/mkcert.sh DIR NAME ISSUER START END EXTENSIONS
# Makes a test key DIR/NAME.key (RSA-2048: fast, and strength does not
# matter here) and certificate DIR/NAME.pem, issued by DIR/ISSUER.{pem,key}
# or self-signed when ISSUER is "self".  START and END are openssl ca dates
# (YYYYMMDDHHMMSSZ), so expired or not-yet-valid certificates can be made;
# EXTENSIONS are openssl extension lines separated by ";".
# Only for the tests' bad and stand-in PKIs (wrong EKU, expired, a second
# CA playing Microsoft, a timestamp authority).
set -eu
dir=$1 name=$2 issuer=$3 start=$4 end=$5 exts=$6
ca=$dir/.ca-$name
rm -rf "$ca"
mkdir -p "$ca"
: >"$ca/index.txt"
# A serial from the name, so that two certificates never share issuer+serial.
printf '%s\n' "$(printf '%s' "$name" | sha256sum | cut -c1-16)" >"$ca/serial"
{
	printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s/index.txt\nnew_certs_dir = %s\n' "$ca" "$ca"
	printf 'serial = %s/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n' "$ca"
	printf '[p]\ncommonName = supplied\n[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = x\n'
	printf '[ext]\n'
	printf '%s\n' "$exts" | tr ';' '\n'
} >"$ca/cnf"
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$name.key"
openssl req -new -config "$ca/cnf" -key "$dir/$name.key" -subj "/CN=$name" -out "$ca/csr"
if [ "$issuer" = self ]; then
	set -- -selfsign -keyfile "$dir/$name.key"
else
	set -- -cert "$dir/$issuer.pem" -keyfile "$dir/$issuer.key"
fi
openssl ca -batch -notext -config "$ca/cnf" -extensions ext -startdate "$start" -enddate "$end" \
	"$@" -in "$ca/csr" -out "$dir/$name.pem" 2>"$ca/log" || { cat "$ca/log" >&2; exit 1; }
rm -rf "$ca"
