#!/bin/sh
# Usage: tests/format/run.sh CLANG_FORMAT SCRATCH_DIR
# Every C source must already be clang-formatted (.clang-format at the root).
# A planted, badly formatted file must be reported, proving the check bites.
set -u
fmt=$1
scratch=$2
. tests/lib.sh
for f in $(tests/format/sources); do
	if "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		fail "$f is not clang-formatted (make format fixes it)"
	fi
done

mkdir -p "$scratch"
printf 'int  planted( void ){return 0;}\n' >"$scratch/planted.c"
if "$fmt" --dry-run -Werror --style=file:.clang-format "$scratch/planted.c" >/dev/null 2>&1; then
	fail "planted: a misformatted file passed the check"
else
	ok "planted: a misformatted file is reported"
fi
finish
