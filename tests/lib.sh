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
