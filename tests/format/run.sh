#!/bin/sh
# Usage: tests/format/run.sh CLANG_FORMAT SCRATCH_DIR
# Every C source must already be clang-formatted (.clang-format at the root).
# A planted, badly formatted file must be reported, proving the check bites.
set -u
fmt=$1
scratch=$2
. tests/lib.sh
# One clang-format for every file (a process per file was 95% of this
# group's time); only when it finds something is each file run alone, to
# name the ones to fix.  A file counts as one test either way.
files=$(tests/format/sources)
# shellcheck disable=SC2086 # source paths contain no blanks
if [ -n "$files" ] && "$fmt" --dry-run -Werror $files >/dev/null 2>&1; then
	passed=$((passed + $(echo "$files" | wc -l)))
else
	for f in $files; do
		if "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1; then
			passed=$((passed + 1))
		else
			fail "$f is not clang-formatted (make format fixes it)"
		fi
	done
fi

mkdir -p "$scratch"
printf 'int  planted( void ){return 0;}\n' >"$scratch/planted.c"
if "$fmt" --dry-run -Werror --style=file:.clang-format "$scratch/planted.c" >/dev/null 2>&1; then
	fail "planted: a misformatted file passed the check"
else
	ok "planted: a misformatted file is reported"
fi
# The batch run bites too: the planted file among good ones fails it.
printf 'int good(void)\n{\n    return 0;\n}\n' >"$scratch/good.c"
if "$fmt" --dry-run -Werror --style=file:.clang-format "$scratch/good.c" >/dev/null 2>&1 &&
	! "$fmt" --dry-run -Werror --style=file:.clang-format "$scratch/good.c" "$scratch/planted.c" \
		"$scratch/good.c" >/dev/null 2>&1; then
	ok "planted: a misformatted file among formatted ones fails the one-process run"
else
	fail "planted: a one-process run over a misformatted file and formatted ones passed"
fi
finish
