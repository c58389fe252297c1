#!/bin/sh
# Usage: sign/attest-cab.sh CAB STAGE FOLDER FILE...
# Packs one driver package into CAB for Microsoft's attestation signing (the
# hardware dev center): FILE... (.inf, signed .sys, signed .cat and the
# .pdb that crash analysis wants) go into the one folder FOLDER, since the
# portal takes no files at the root of a CAB and one folder per driver
# package, each folder supporting the same architectures (hence one CAB per
# driver, set and architecture: our INFs are per architecture).  Microsoft
# uses the .cat only to check who submitted and makes a new one.
# The CAB is then signed like every other file (sign/signfile.sh): the
# portal requires the signature of the company's EV certificate.
# Deterministic: files staged under STAGE in a fixed order, every mtime
# SOURCE_DATE_EPOCH, DOS times in UTC, and the signature made at
# SOURCE_DATE_EPOCH (unless SIGN_TSA_URL is set).
set -eu
cab=$1 stage=$2 folder=$3
shift 3
: "${SOURCE_DATE_EPOCH:?attest-cab: SOURCE_DATE_EPOCH is not set}"
# One process per step, not per file (each costs several ms, and make
# attestation-cab packs every package).
if [ -e "$stage" ] || [ -L "$stage" ]; then rm -rf "$stage"; fi
case $cab in */*) mkdir -p "$stage/$folder" "${cab%/*}" ;; *) mkdir -p "$stage/$folder" ;; esac
names=
for f in "$@"; do
	names="$names $folder/${f##*/}"
done
cp "$@" "$stage/$folder/"
touch -d "@$SOURCE_DATE_EPOCH" "$stage/$folder"/*
# shellcheck disable=SC2086
(cd "$stage" && TZ=UTC gcab -c -z unsigned.cab $names)
sign/signfile.sh "$stage/unsigned.cab" "$cab" "$folder attestation submission"
rm -rf "$stage"
