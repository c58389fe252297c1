#!/bin/sh
# check-gt-dist: the gt MSIs and virtio-win-guest-tools.exe, byte for byte,
# at the ISO root, in the RPM under /usr/share/virtio-win/installer/ and in
# the direct-download area; a planted ISO without the ARM64 MSI is caught.
# usage: dist.sh SCRATCH ISO RPM DIRECT VERSION FILE...
set -u
scratch=$1 iso=$2 rpm=$3 direct=$4 version=$5
shift 5
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
rm -rf "$scratch" && mkdir -p "$scratch/iso" "$scratch/rpm" || exit 1
rpm=$(realpath "$rpm")

# on_iso ISO FILE...: every FILE at the ISO root, same bytes.
on_iso() {
    img=$1
    shift
    rm -rf "$scratch/iso" && mkdir -p "$scratch/iso"
    for f in "$@"; do
        xorriso -osirrox on -indev "$img" -extract "/$(basename "$f")" \
            "$scratch/iso/$(basename "$f")" >/dev/null 2>&1 || return 1
        cmp -s "$f" "$scratch/iso/$(basename "$f")" || return 1
    done
}
on_iso "$iso" "$@" && ok "ISO root: $(for f in "$@"; do basename "$f"; done | tr '\n' ' ')" ||
    ko "ISO root lacks or differs in a guest-tools file"

(cd "$scratch/rpm" && rpm2cpio "$rpm" | cpio -idm --quiet --no-absolute-filenames)
bad=
for f in "$@"; do
    cmp -s "$f" "$scratch/rpm/usr/share/virtio-win/installer/$(basename "$f")" ||
        bad="$bad $(basename "$f")"
done
[ -z "$bad" ] && ok "RPM: /usr/share/virtio-win/installer/ holds all $# files" ||
    ko "RPM installer/ lacks or differs:$bad"

leaf=$direct/archive-virtio/virtio-win-$version-1
bad=
for f in "$@" "$iso" "$rpm"; do
    cmp -s "$f" "$leaf/$(basename "$f")" || bad="$bad $(basename "$f")"
done
[ "$(readlink "$leaf/virtio-win.iso")" = "$(basename "$iso")" ] || bad="$bad virtio-win.iso-link"
[ "$(readlink "$direct/latest-virtio")" = "archive-virtio/virtio-win-$version-1" ] ||
    bad="$bad latest-virtio"
[ -z "$bad" ] && ok "direct downloads: archive-virtio/virtio-win-$version-1/ with ISO, RPM and the guest tools; latest-virtio" ||
    ko "direct downloads:$bad"

# Planted: an ISO staged without the ARM64 MSI.
mkdir -p "$scratch/planted"
for f in "$@"; do
    case $f in *arm64*) ;; *) cp "$f" "$scratch/planted/" ;; esac
done
xorriso -as mkisofs -quiet -r -V planted -o "$scratch/planted.iso" "$scratch/planted" 2>/dev/null
on_iso "$scratch/planted.iso" "$@" && ko "planted: an ISO without the ARM64 MSI passed" ||
    ok "planted: an ISO without the ARM64 MSI is caught"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
