#!/bin/sh
# Usage: tests/format/run.sh CLANG_FORMAT SCRATCH_DIR
# Every C source must already be clang-formatted (.clang-format at the root).
# A planted, badly formatted file must be reported, proving the check bites.
set -u
fmt=$1
scratch=$2
passed=0
failed=0
for f in $(tests/format/sources); do
	if "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL $f is not clang-formatted (make format fixes it)"
		failed=$((failed + 1))
	fi
done

mkdir -p "$scratch"
printf 'int  planted( void ){return 0;}\n' >"$scratch/planted.c"
if "$fmt" --dry-run -Werror --style=file:.clang-format "$scratch/planted.c" >/dev/null 2>&1; then
	echo "FAIL planted: a misformatted file passed the check"
	failed=$((failed + 1))
else
	echo "ok planted: a misformatted file is reported"
	passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
