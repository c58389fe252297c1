#!/bin/sh
# Usage: sign/import-signed.sh DIR CA.pem STAGE AUTHHASH PACKAGE.cat...
# Takes Microsoft-signed packages (what the hardware portal returns for the
# CABs of make attestation-cab) back in place of ours (make import-signed).
# DIR holds, at any depth, one folder <driver>_<set>_<arch> per package we
# built (the folder names of the CABs), each with <driver>.inf, the PE
# images our package holds (<driver>.sys and any .dll; none for an INF-only
# package) and <driver>.cat.  Each is accepted only if:
#   - the .inf is byte-identical to ours (so the catalog Microsoft made
#     covers exactly the INF we tested),
#   - each image is ours: its Authenticode image hash (AUTHHASH, which
#     leaves the signature out) equals that of our copy, since Microsoft
#     replaces our signature with its own,
#   - the package verifies against CA.pem (Microsoft's root, or a test
#     stand-in) with sign/verify.sh: .cat signature, .sys signature and its
#     listing in the .cat, the .inf digest in the .cat.
# Everything is checked in STAGE first; one line per problem and nothing in
# OUT is replaced unless every package passes (the signatures are verified
# only when every package passed the first two checks).  Imported package folders get
# a .imported marker so that make refuses to sign over them.
set -u
[ $# -ge 5 ] || { echo "usage: import-signed.sh DIR CA.pem STAGE AUTHHASH PACKAGE.cat..." >&2; exit 2; }
dir=$1 ca=$2 stage=$3 authhash=$4
shift 4
[ -d "$dir" ] || { echo "import-signed: DIR=$dir is not a directory" >&2; exit 2; }
[ -r "$ca" ] || { echo "import-signed: cannot read the CA certificate $ca (IMPORT_CA)" >&2; exit 2; }
errors=0
err() {
	errors=$((errors + 1))
	echo "import-signed: $*" >&2
}
rm -rf "$stage"
mkdir -p "$stage"

# pes_of PKG: the PE images of a package, C-sorted, blank-separated.  A
# glob, not ls | sort: the packages are split by parameter expansion and
# DIR is listed once, because a process per name per package, in the seven
# runs of check-sign, was most of that group's import-signed time.
LC_ALL=C
export LC_ALL
pes_of() {
	pes=
	for f in "$1"/*; do
		case $f in *.sys | *.dll) [ -f "$f" ] && pes="$pes${f##*/} " ;; esac
	done
}
# Packages are OUT/<arch>/<driver>/<set>/<driver>.cat.
split_cat() {
	pkg=${1%/*}
	drv=${1##*/}
	drv=${drv%.cat}
	set_=${pkg##*/}
	arch=${pkg%/*/*}
	arch=${arch##*/}
}
find "$dir" -type d >"$stage/folders" || { echo "import-signed: cannot list $dir" >&2; exit 2; }
tab=$(printf '\t')
# First the folder, the files and the .inf of each package; the images of
# those that pass are hashed below, all in two runs of AUTHHASH (theirs and
# ours): a run per image, twice per image in each of check-sign's seven
# imports, was 770 process starts and most of this script's CPU time.
: >"$stage/candidates"
: >"$stage/pairs"
for cat in "$@"; do
	split_cat "$cat"
	folder=${drv}_${set_}_$arch
	found= n=0
	while IFS= read -r d; do
		case $d in
		*/"$folder" | "$folder")
			n=$((n + 1))
			found=${found:+$found
}$d
			;;
		esac
	done <"$stage/folders"
	case $n in
	0)
		err "$dir: no folder $folder (for $pkg)"
		continue
		;;
	1) ;;
	*)
		err "$dir: more than one folder $folder: $(printf '%s\n' "$found" | tr '\n' ' ')"
		continue
		;;
	esac
	# Our images in this package, in a fixed order.
	pes_of "$pkg"
	missing=
	for f in "$drv.inf" $pes "$drv.cat"; do
		[ -f "$found/$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		err "$found: missing$missing"
		continue
	fi
	if ! cmp -s "$found/$drv.inf" "$pkg/$drv.inf"; then
		err "$found/$drv.inf: differs from our $pkg/$drv.inf"
		continue
	fi
	printf '%s\n' "$cat$tab$found" >>"$stage/candidates"
	for pe in $pes; do
		printf '%s\n' "$found/$pe$tab$pkg/$pe$tab$cat" >>"$stage/pairs"
	done
done
# Each image is ours: its Authenticode image hash equals our copy's.  The
# problems (one line each) and the packages that have one, from one awk.
cut -f1 "$stage/pairs" | tr '\n' '\0' | xargs -0 -r "$authhash" >"$stage/theirs" 2>"$stage/theirs.err"
cut -f2 "$stage/pairs" | tr '\n' '\0' | xargs -0 -r "$authhash" >"$stage/ours" 2>/dev/null
awk -F "$tab" -v theirs="$stage/theirs" -v ours="$stage/ours" -v errs="$stage/theirs.err" '
	# "HASH  FILE" lines: the hash is 64 hex digits.
	BEGIN {
		while ((getline l <theirs) > 0) th[substr(l, 67)] = substr(l, 1, 64)
		while ((getline l <ours) > 0) ou[substr(l, 67)] = substr(l, 1, 64)
		while ((getline l <errs) > 0) e[n++] = l
	}
	!($1 in th) {
		msg = "authhash: " $1 ": cannot hash"
		for (i = 0; i < n; i++) if (index(e[i], "authhash: " $1 ": ") == 1) msg = e[i]
		print $3 "\t" msg
		next
	}
	!($2 in ou) { print $3 "\tcannot hash our " $2; next }
	th[$1] != ou[$2] { print $3 "\t" $1 ": not our image (Authenticode hash " th[$1] ", ours " ou[$2] ")" }
' "$stage/pairs" >"$stage/foreign"
while IFS=$tab read -r cat msg; do err "$msg"; done <"$stage/foreign"
# Staged only when nothing failed: a refusal is already certain otherwise.
staged=
[ "$errors" != 0 ] || while IFS=$tab read -r cat found; do
	split_cat "$cat"
	pes_of "$pkg"
	s=$stage/$arch/$drv/$set_
	mkdir -p "$s"
	for f in "$drv.inf" $pes "$drv.cat"; do
		cp "$found/$f" "$s/"
	done
	echo "$s $found" >>"$stage/map"
	staged="$staged $s/$drv.cat"
done <"$stage/candidates"
# The signatures, for all staged packages at once (one line per failure);
# only when every package passed the checks above: a refusal is already
# certain, and verifying every signature is most of this script's time.
if [ -n "$staged" ] && [ "$errors" = 0 ]; then
	# shellcheck disable=SC2086
	sign/verify.sh "$ca" $staged >"$stage/verify.log" 2>&1 ||
		while read -r line; do
			line=${line#verify: }
			# Name the file in DIR, not its staged copy.
			while read -r s found; do
				case $line in "$s/"*) line=$found/${line#"$s/"} ;; esac
			done <"$stage/map"
			err "$line"
		done <"$stage/verify.log"
fi
if [ "$errors" != 0 ]; then
	echo "import-signed: $errors problem(s); nothing was replaced" >&2
	exit 1
fi

# Install: images and .inf before the .cat, so that the catalog is the
# newest file and make sees the package as up to date; each file by rename.
for cat in "$@"; do
	split_cat "$cat"
	s=$stage/${pkg#"${pkg%/*/*/*}"/}
	pes_of "$s"
	for f in $pes "$drv.inf" "$drv.cat"; do
		cp "$s/$f" "$pkg/.$f.import$$" && mv -f "$pkg/.$f.import$$" "$pkg/$f" ||
			{ echo "import-signed: cannot write $pkg/$f" >&2; exit 1; }
	done
	echo "$dir" >"$pkg/.imported"
done
rm -rf "$stage"
echo "import-signed: $# packages from $dir"
