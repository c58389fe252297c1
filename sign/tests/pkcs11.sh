# Sourced by sign/tests/run.sh after keys.sh (uses $work, $keydir, $src, $pki,
# ok, bad, refused).  Production signing from a PKCS#11 token: a SoftHSM
# token in the work directory holds the test CA's signing key.  RSA PKCS#1
# v1.5 signatures are deterministic, so the token must produce exactly the
# bytes the key file produces; each token problem gives one line and writes
# nothing.
p11mod=/usr/lib/softhsm/libsofthsm2.so
export SOFTHSM2_CONF="$work/softhsm2.conf"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$work/tokens" >"$SOFTHSM2_CONF"
# libp11 reads a pin-source file verbatim: no trailing newline.
printf 1234 >"$work/pin"
if softhsm2-util --init-token --free --label vwtest --pin 1234 --so-pin 5678 >/dev/null &&
	openssl pkcs8 -topk8 -nocrypt -in "$keydir/signer.key" -outform DER -out "$work/signer.der" &&
	pkcs11-tool --module "$p11mod" --token-label vwtest --login --pin 1234 \
		--write-object "$work/signer.der" --type privkey --id 01 --label signer >/dev/null 2>&1; then
	ok "SoftHSM token with the signing key"
else bad "cannot set up the SoftHSM token (softhsm2, opensc)"; fi
rm -f "$work/signer.der"

uri="pkcs11:token=vwtest;object=signer;type=private;pin-source=file:$(realpath "$work/pin")"
if SIGN_PKCS11_MODULE=$p11mod SIGN_PKCS11_KEY=$uri SIGN_CERTS=$keydir/chain.pem \
	sign/signfile.sh --ph "$src" "$work/p11.sys" test &&
	SIGN_KEYDIR=$keydir sign/signfile.sh --ph "$src" "$work/file.sys" test &&
	cmp -s "$work/p11.sys" "$work/file.sys" &&
	osslsigncode verify -in "$work/p11.sys" -CAfile "$ca" >/dev/null 2>&1; then
	ok "PKCS#11 signing: verified, and bit-identical to signing with the key file"
else bad "PKCS#11 signing differs from the key file's or does not verify"; fi

p11() { echo SIGN_PKCS11_MODULE="$p11mod" SIGN_CERTS="$keydir/chain.pem" SIGN_PKCS11_KEY="$1"; }
# shellcheck disable=SC2046
refused "PKCS#11 wrong PIN" "wrong PIN" \
	$(p11 "pkcs11:token=vwtest;object=signer;type=private;pin-value=9999")
# shellcheck disable=SC2046
refused "PKCS#11 unknown token" "no PKCS#11 token matches" \
	$(p11 "pkcs11:token=nosuch;object=signer;type=private;pin-value=1234")
# shellcheck disable=SC2046
refused "PKCS#11 unknown key" "no private key on the token" \
	$(p11 "pkcs11:token=vwtest;object=nosuch;type=private;pin-value=1234")
refused "PKCS#11 key of another certificate" "does not match the certificate" \
	SIGN_PKCS11_MODULE="$p11mod" SIGN_PKCS11_KEY="pkcs11:token=vwtest;object=signer;type=private;pin-value=1234" \
	SIGN_CERTS="$(keydir_of other "" "$pki/other.pem")/chain.pem"
refused "PKCS#11 module missing" "module $work/none.so is missing" \
	SIGN_PKCS11_MODULE="$work/none.so" SIGN_PKCS11_KEY="$uri" SIGN_CERTS="$keydir/chain.pem"
# The PIN never appears in a message.
msg=$(SIGN_PKCS11_MODULE=$p11mod SIGN_CERTS=$keydir/chain.pem \
	SIGN_PKCS11_KEY="pkcs11:token=vwtest;object=signer;type=private;pin-value=4242" \
	sign/signfile.sh --ph "$src" "$work/o/y.sys" test 2>&1)
case $msg in *4242*) bad "PIN shown in a message: $msg" ;; *) ok "PIN not shown in messages" ;; esac
unset SOFTHSM2_CONF
