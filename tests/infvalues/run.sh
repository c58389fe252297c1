#!/bin/sh
# Usage: tests/infvalues/run.sh INFVALUES ISO_STAGE VFD_STAGE
# Every viostor, vioscsi and netkvm INF of the distribution's trees gives no
# finding; each planted INF (planted.txt: a real INF with one value changed
# by sed) gives exactly its expected finding.
set -u
tool=$1 iso=$2 vfd=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
# printf, not echo: dash's echo would read the backslashes of IDs and paths.
ok() { pass=$((pass + 1)); printf 'PASS: infvalues: %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL: infvalues: %s\n' "$*"; }
n=0
for drv in viostor vioscsi netkvm; do
	for inf in $(find "$iso" "$vfd" -iname "$drv.inf" | LC_ALL=C sort); do
		n=$((n + 1))
		if msg=$("$tool" "$drv" "$inf" 2>&1); then ok "$inf"; else bad "$inf: $msg"; fi
	done
done
# At least one copy per driver, OS folder and arch the ISO ships.
if [ "$n" -ge 30 ]; then ok "$n INFs checked"; else bad "only $n INFs found under $iso and $vfd"; fi
# planted.txt: driver|sed expression|expected finding (without file:line).
while IFS='|' read -r drv expr want; do
	case $drv in '#'* | '') continue ;; esac
	src=$(find "$iso/viostor" "$iso/vioscsi" "$iso/NetKVM" -iname "$drv.inf" | LC_ALL=C sort | head -n 1)
	tr -d '\r' <"$src" | sed "$expr" >"$work/$drv.inf"
	if tr -d '\r' <"$src" | cmp -s - "$work/$drv.inf"; then
		bad "planted '$expr' changed nothing in $src"
		continue
	fi
	got=$("$tool" "$drv" "$work/$drv.inf" 2>&1 | sed 's/^[^:]*:[0-9]*: //')
	if [ "$got" = "$want" ]; then ok "planted $drv '$expr': $want"; else bad "planted $drv '$expr': got '$got', want '$want'"; fi
done <tests/infvalues/planted.txt
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
