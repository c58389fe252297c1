#!/bin/sh
# Usage: tests/rpm/same-but-key.sh A B CA_B SCRATCH [MEMO]
# Compares two installed trees built from the same source with different
# signing keys: every file is bit-identical, except that signed PE images
# (.sys/.dll/.exe) are equal once their signatures are removed, catalogs
# (.cat) sign equal content (sign/catdump.py --content), the CA certificate
# differs only in its key (same subject), ISO/VFD images and MSIs hold trees
# that compare the same way (an MSI's own tables are not compared: they
# carry the sizes of signed files), and a PE image whose unsigned bytes
# differ may differ only in embedded resources that compare the same way
# (the guest-tools bundle carries the signed MSIs; tests/rpm/peres.py).  B's signatures must verify against CA_B.  Prints
# one line per difference and a summary; exit 1 on any difference.
# MEMO (default: a new one under SCRATCH) keeps the verdicts on pairs of
# images and catalogs found equal, by their contents: a later comparison
# against the same CA_B may pass the same directory and reuse them.
set -u
a=$1
b=$2
ca=$3
scratch=$4
python=${PYTHON:-/usr/bin/python3}
export MTOOLS_SKIP_CHECK=1
if [ -n "${5:-}" ]; then
	memodir=$5
else
	memodir=$scratch/memo
	rm -rf "$memodir"
fi
mkdir -p "$scratch" "$memodir"
bad=0
counts=$scratch/counts
: >"$counts"

differ() { echo "differs: $*"; bad=1; }

# same_but_resources LABEL: the unsigned images $scratch/ua and ub differ
# only in RCDATA resources that compare the same way.
same_but_resources() {
	rm -rf "$scratch/$1.ra" "$scratch/$1.rb"
	"$python" tests/rpm/peres.py "$scratch/ua" "$scratch/$1.ra" &&
		"$python" tests/rpm/peres.py "$scratch/ub" "$scratch/$1.rb" &&
		cmp -s "$scratch/$1.ra/sections" "$scratch/$1.rb/sections" || return 1
	compare "$scratch/$1.ra/res" "$scratch/$1.rb/res" "$1(resources)"
	return 0
}

compare() { # dirA dirB label (recursive for images: own list files per level)
	la=$(mktemp "$scratch/list.XXXXXX")
	lb=$(mktemp "$scratch/list.XXXXXX")
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort) >"$la"
	(cd "$2" && find . -mindepth 1 | LC_ALL=C sort) >"$lb"
	if ! cmp -s "$la" "$lb"; then
		differ "$3: file lists ($(diff "$la" "$lb" | grep -c '^[<>]') paths)"
		return
	fi
	# The SHA-256 of every regular file on both sides, one sha256sum run per
	# side, and per path "HASH_A-HASH_B PATH" (a cmp and two hashes per file,
	# 1700 of 2600 differing, twice in check-rpm, were most of its time).
	ha=$(mktemp "$scratch/hash.XXXXXX")
	hb=$(mktemp "$scratch/hash.XXXXXX")
	pairs=$(mktemp "$scratch/pairs.XXXXXX")
	(cd "$1" && find . -mindepth 1 -type f -print0 | xargs -0 -r sha256sum) >"$ha"
	(cd "$2" && find . -mindepth 1 -type f -print0 | xargs -0 -r sha256sum) >"$hb"
	awk -v ha="$ha" -v hb="$hb" 'BEGIN {
		while ((getline l <ha) > 0) a[substr(l, 67)] = substr(l, 1, 64)
		while ((getline l <hb) > 0) b[substr(l, 67)] = substr(l, 1, 64)
	}
	{ print (($0 in a) ? a[$0] : "none") "-" (($0 in b) ? b[$0] : "none") " " $0 }' "$la" >"$pairs"
	while read -r key p; do
		fa=$1/$p
		fb=$2/$p
		if [ -L "$fa" ] || [ -d "$fa" ]; then
			[ "$(readlink "$fa")" = "$(readlink "$fb")" ] || differ "$3/$p: link target"
			continue
		fi
		if [ "${key%-*}" = "${key#*-}" ] && [ "${key%-*}" != none ]; then
			echo identical >>"$counts"
			continue
		fi
		# The same pair of contents was found equal before (the trees hold
		# each package several times: by-driver, by-os, inside the ISO):
		# the verdict of an image or catalog is a function of the two
		# contents, so it is reused; a difference is always checked again.
		memo=$memodir/$key
		if [ -f "$memo" ]; then
			cat "$memo" >>"$counts"
			continue
		fi
		case $p in
		*.sys | *.dll | *.exe)
			rm -f "$scratch/ua" "$scratch/ub"
			osslsigncode remove-signature -in "$fa" -out "$scratch/ua" >/dev/null 2>&1
			osslsigncode remove-signature -in "$fb" -out "$scratch/ub" >/dev/null 2>&1
			# Verified first: same_but_resources recurses, and the shell's
			# variables are global.
			if ! osslsigncode verify -in "$fb" -CAfile "$ca" >/dev/null 2>&1; then
				differ "$3/$p: the rebuilt signature does not verify"
			elif cmp -s "$scratch/ua" "$scratch/ub"; then
				echo image >>"$counts"
				echo image >"$memo"
			elif same_but_resources "$3/$p"; then
				echo bundle >>"$counts"
			else
				differ "$3/$p: the unsigned images differ"
			fi
			;;
		*.cat)
			"$python" sign/catdump.py --content "$fa" "$scratch/ca" &&
				"$python" sign/catdump.py --content "$fb" "$scratch/cb" || { differ "$3/$p: unreadable"; continue; }
			if ! cmp -s "$scratch/ca" "$scratch/cb"; then
				differ "$3/$p: the catalogs sign different content"
			elif ! osslsigncode verify -in "$fb" -CAfile "$ca" >/dev/null 2>&1; then
				differ "$3/$p: the rebuilt catalog signature does not verify"
			else
				echo catalog >>"$counts"
				echo catalog >"$memo"
			fi
			;;
		*.cer)
			sa=$(openssl x509 -inform DER -in "$fa" -noout -subject 2>/dev/null)
			sb=$(openssl x509 -inform DER -in "$fb" -noout -subject 2>/dev/null)
			[ -n "$sa" ] && [ "$sa" = "$sb" ] && echo cert >>"$counts" || differ "$3/$p: certificate subjects"
			;;
		*.iso)
			rm -rf "$scratch/$p.a" "$scratch/$p.b"
			mkdir -p "$scratch/$p.a" "$scratch/$p.b"
			xorriso -osirrox on -indev "$fa" -extract / "$scratch/$p.a" >/dev/null 2>&1
			xorriso -osirrox on -indev "$fb" -extract / "$scratch/$p.b" >/dev/null 2>&1
			compare "$scratch/$p.a" "$scratch/$p.b" "$3/$p"
			;;
		*.msi)
			rm -rf "$scratch/$p.a" "$scratch/$p.b"
			mkdir -p "$scratch/$p.a" "$scratch/$p.b"
			if ! msiextract -C "$scratch/$p.a" "$fa" >/dev/null 2>&1 ||
				! msiextract -C "$scratch/$p.b" "$fb" >/dev/null 2>&1; then
				differ "$3/$p: unreadable MSI"
			elif ! osslsigncode verify -in "$fb" -CAfile "$ca" >/dev/null 2>&1; then
				differ "$3/$p: the rebuilt MSI signature does not verify"
			else
				echo msi >>"$counts"
				compare "$scratch/$p.a" "$scratch/$p.b" "$3/$p"
			fi
			;;
		*.vfd)
			rm -rf "$scratch/$p.a" "$scratch/$p.b"
			mkdir -p "$scratch/$p.a" "$scratch/$p.b"
			mcopy -s -n -i "$fa" '::*' "$scratch/$p.a/" 2>/dev/null
			mcopy -s -n -i "$fb" '::*' "$scratch/$p.b/" 2>/dev/null
			compare "$scratch/$p.a" "$scratch/$p.b" "$3/$p"
			;;
		*) differ "$3/$p" ;;
		esac
	done <"$pairs"
}
compare "$a" "$b" ""
summary=$(sort "$counts" | uniq -c | awk '{ printf "%s%d %s", sep, $1, $2; sep = ", " }')
echo "compared: $summary"
exit $bad
