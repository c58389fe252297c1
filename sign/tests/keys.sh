# Sourced by sign/tests/run.sh (uses its $work, $keydir, $src, ok, bad).
# Bad signing inputs: each must fail with exactly one error line naming the
# problem, and leave no output and no temporary file.  Then a real RFC 3161
# timestamp from a local TSA on 127.0.0.1.
pki=$work/pki
mkdir -p "$pki"
mk() { sign/tests/mkcert.sh "$pki" "$@"; }
always="20000101000000Z 20491231235959Z"
cs="basicConstraints=critical,CA:FALSE;keyUsage=critical,digitalSignature"
# shellcheck disable=SC2086
mk badca self $always "basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign" &&
	mk good badca $always "$cs;extendedKeyUsage=codeSigning" &&
	mk other badca $always "$cs;extendedKeyUsage=codeSigning" &&
	mk noeku badca $always "$cs;extendedKeyUsage=serverAuth,clientAuth" &&
	mk expired badca 20010101000000Z 20021231235959Z "$cs;extendedKeyUsage=codeSigning" ||
	bad "making the bad test PKI"

# keydir NAME KEY CERT: a key directory as sign/testca.sh makes it.
keydir_of() {
	d=$pki/kd-$1
	mkdir -p "$d"
	[ -z "$2" ] || cp "$2" "$d/signer.key"
	cat "$3" "$pki/badca.pem" >"$d/chain.pem"
	echo "$d"
}

# refused WHAT EXPECT ENV...: signing with ENV fails with one line matching
# EXPECT and leaves the (empty) output directory empty.
refused() {
	what=$1 expect=$2
	shift 2
	rm -rf "$work/o"
	mkdir -p "$work/o"
	msg=$(env "$@" timeout 30 sign/signfile.sh --ph "$src" "$work/o/x.sys" test 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] &&
		printf '%s\n' "$msg" | grep -q -- "$expect" && [ -z "$(ls -A "$work/o")" ]; then
		ok "$what refused, nothing written: $msg"
	else
		bad "$what: rc=$rc msg='$msg' left: $(ls -A "$work/o" | tr '\n' ' ')"
	fi
}

if SIGN_KEYDIR=$(keydir_of good "$pki/good.key" "$pki/good.pem") \
	sign/signfile.sh --ph "$src" "$work/good.sys" test; then
	ok "a good key from another CA signs (the bad cases below differ only in their flaw)"
else bad "good key of the bad PKI refused"; fi
refused "missing key" "signing key .* is missing" SIGN_KEYDIR="$(keydir_of missing "" "$pki/good.pem")"
d=$(keydir_of damaged "" "$pki/good.pem")
head -c 300 "$pki/good.key" >"$d/signer.key"
refused "damaged key" "cannot read signing key" SIGN_KEYDIR="$d"
# An encrypted key must fail at once, not wait for a passphrase.
d=$(keydir_of encrypted "" "$pki/good.pem")
openssl pkey -in "$pki/good.key" -aes256 -passout pass:secret -out "$d/signer.key"
refused "encrypted key" "cannot read signing key" SIGN_KEYDIR="$d"
if [ "$(id -u)" != 0 ]; then # root reads any file
	d=$(keydir_of unreadable "$pki/good.key" "$pki/good.pem")
	chmod 000 "$d/signer.key"
	refused "unreadable key" "cannot read signing key .*(permissions)" SIGN_KEYDIR="$d"
fi
refused "certificate without code-signing EKU" "no code-signing EKU" \
	SIGN_KEYDIR="$(keydir_of noeku "$pki/noeku.key" "$pki/noeku.pem")"
refused "expired certificate" "expired on 2002-12-31" \
	SIGN_KEYDIR="$(keydir_of expired "$pki/expired.key" "$pki/expired.pem")"
refused "signing time before the certificate" "not valid at SOURCE_DATE_EPOCH 1999-01-01" \
	SOURCE_DATE_EPOCH=915148800
refused "key of another certificate" "private key does not match" \
	SIGN_KEYDIR="$(keydir_of mismatch "$pki/other.key" "$pki/good.pem")"
openssl pkcs12 -export -inkey "$pki/noeku.key" -in "$pki/noeku.pem" -passout "file:$work/pass" \
	-out "$pki/noeku.p12" 2>/dev/null
refused "PKCS#12 without code-signing EKU" "no code-signing EKU" \
	SIGN_PKCS12="$pki/noeku.p12" SIGN_PASSFILE="$work/pass"
refused "PKCS#12 wrong password" "wrong password" SIGN_PKCS12="$work/prod.p12" SIGN_PASSFILE="$work/wrong"
refused "missing PKCS#12 file" "is missing" SIGN_PKCS12="$work/none.p12" SIGN_PASSFILE="$work/pass"
refused "unreachable timestamp server" "timestamp server http://127.0.0.1:9/ failed" SIGN_TSA_URL=http://127.0.0.1:9/

# --- RFC 3161 timestamp from a local TSA (127.0.0.1, stops by itself).
# shellcheck disable=SC2086
mk tsaca self $always "basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign" &&
	mk tsa tsaca $always "$cs;extendedKeyUsage=critical,timeStamping" || bad "making the TSA PKI"
echo 01 >"$pki/tsa.serial"
cat >"$pki/tsa.cnf" <<CNF
[tsa]
default_tsa = t
[t]
serial = $pki/tsa.serial
crypto_device = builtin
signer_cert = $pki/tsa.pem
certs = $pki/tsaca.pem
signer_key = $pki/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
rm -f "$pki/port"
# Up for at most 2 minutes (a loaded machine signs slowly), killed by PID
# when done.
timeout 150 python3 sign/tests/tsa.py "$pki/tsa.cnf" "$pki/port" 120 &
tsapid=$!
i=0
while [ ! -s "$pki/port" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
url=http://127.0.0.1:$(cat "$pki/port" 2>/dev/null)
if SIGN_TSA_URL=$url sign/signfile.sh --ph "$src" "$work/ts.sys" "timestamped" &&
	v=$(osslsigncode verify -in "$work/ts.sys" -CAfile "$ca" -TSA-CAfile "$pki/tsaca.pem" 2>&1) &&
	printf '%s\n' "$v" | grep -q '^Timestamp Server Signature verification: ok' &&
	printf '%s\n' "$v" | grep -q '^Page hash algorithm *: SHA256'; then
	ok "RFC 3161 timestamp from $url: $(printf '%s\n' "$v" | grep -m1 'Timestamp time:' | tr -s '\t ' ' ')"
else bad "timestamped signing via $url"; fi
# The catalog path takes the timestamp too, and verify.sh accepts it.
tsdir=$work/ts-pkg/$(basename "$(dirname "$first")")
mkdir -p "$tsdir"
cp "$work/ts.sys" "$tsdir/$drv0.sys"
cp "$(dirname "$first")/$drv0.inf" "$tsdir/"
if $b/host/mkcat -o "$work/ts.cat" --os 2:10.0 --time "$SOURCE_DATE_EPOCH" "$tsdir/$drv0.sys" "$tsdir/$drv0.inf" &&
	SIGN_TSA_URL=$url sign/signfile.sh "$work/ts.cat" "$tsdir/$drv0.cat" "timestamped" &&
	SIGN_VERIFY_TSA_CA=$pki/tsaca.pem sign/verify.sh "$ca" "$tsdir/$drv0.cat" >/dev/null; then
	ok "timestamped package passes verify.sh"
else bad "timestamped package: $(SIGN_VERIFY_TSA_CA=$pki/tsaca.pem sign/verify.sh "$ca" "$tsdir/$drv0.cat" 2>&1 | head -n 1)"; fi
kill "$tsapid" 2>/dev/null
wait "$tsapid" 2>/dev/null
