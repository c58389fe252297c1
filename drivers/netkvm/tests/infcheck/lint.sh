#!/bin/sh
# netkvm.inx, stamped by infgen for every build set and arch, passes the
# INF linter, NDIS keyword rules included (check-netkvm-units).  The rules'
# own planted INFs are sign/tests/lint/ndis-*.inf (check-sign).
set -u
b=${B:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
echo "not a real image: inflint only checks that the file is there" >"$work/netkvm.sys"
for set in w10 w11; do
	for arch in x86 amd64 arm64; do
		[ "$set/$arch" = w11/x86 ] && continue # Windows 11 has no x86 build
		if ! "$b/host/infgen" -o "$work/netkvm.inf" --set "$set" --arch "$arch" \
			--version-file VERSION --epoch 1700000000 --catalog netkvm.cat --provider P \
			--manufacturer M drivers/netkvm/netkvm.inx >"$work/log" 2>&1; then
			echo "FAIL: lint: infgen $set/$arch: $(cat "$work/log")"
			fail=$((fail + 1))
		elif msg=$("$b/host/inflint" --arch "$arch" --dir "$work" "$work/netkvm.inf"); then
			echo "PASS: lint: netkvm.inf $set/$arch lints clean"
			pass=$((pass + 1))
		else
			echo "FAIL: lint: netkvm.inf $set/$arch: $msg"
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
