# Shared by the shell test groups: counting and the closing line.
#   . tests/lib.sh
#   ok "what held"; fail "what did not"; ...; finish
# finish prints "N passed, N failed" (what tests/summary adds up) and exits
# non-zero on any failure, or when nothing was checked.
passed=0
failed=0
ok() {
	echo "ok $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" != 0 ]
	exit
}

# Files under out/ and dist/ that tree $1 has and the clean build $2 does not
# make: left from an earlier build in $1, so they are named, not compared.
# The comparisons walk the clean build's files, so one it makes and $1 lacks
# fails there.
note_stale_outputs() {
	(cd "$1" && find out dist -type f | sort) >"$2.ours.list"
	(cd "$2" && find out dist -type f | sort) >"$2.clean.list"
	comm -23 "$2.ours.list" "$2.clean.list" | while read -r f; do
		echo "note: $f is not made by a clean build (left from an earlier one): not compared"
	done
	rm -f "$2.ours.list" "$2.clean.list"
}
