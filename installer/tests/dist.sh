#!/bin/sh
# check-gt-dist: the gt MSIs and virtio-win-guest-tools.exe, byte for byte,
# at the ISO root, in the RPM under /usr/share/virtio-win/installer/ and in
# the direct-download area; the guest agent's MSIs (AGENT..., after --)
# byte for byte in guest-agent/ on the ISO, in the RPM under
# /usr/share/virtio-win/guest-agent/ and in the direct-download area's
# archive-qemu-ga/qemu-ga-win-<version>-1/ (latest-qemu-ga; a planted copy
# without the x86 agent MSI is caught); planted ISOs without the ARM64 gt MSI,
# or without the x86 agent MSI, are caught.
# usage: dist.sh SCRATCH ISO RPM DIRECT VERSION FILE... [-- AGENT...]
set -u
scratch=$1 iso=$2 rpm=$3 direct=$4 version=$5
shift 5
files= agents= seen=
for a in "$@"; do
    if [ "$a" = -- ]; then
        seen=1
    elif [ -n "$seen" ]; then
        agents="$agents $a"
    else
        files="$files $a"
    fi
done
# shellcheck disable=SC2086
set -- $files
. "$(dirname "$0")/testlib.sh"
rm -rf "$scratch" && mkdir -p "$scratch/iso" "$scratch/rpm" || exit 1
rpm=$(realpath "$rpm")

# on_iso ISO [--dir D] FILE...: every FILE at the ISO root (or in D/), same bytes.
on_iso() {
    img=$1 sub=
    shift
    if [ "$1" = --dir ]; then
        sub=$2/
        shift 2
    fi
    rm -rf "$scratch/iso" && mkdir -p "$scratch/iso"
    for f in "$@"; do
        xorriso -osirrox on -indev "$img" -extract "/$sub$(basename "$f")" \
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

# agent_direct DIRECT: what the direct-download area lacks of the agent's
# MSIs as upstream publishes its agent (archive-qemu-ga/, latest-qemu-ga);
# empty when nothing.
agent_direct() {
    qleaf=$1/archive-qemu-ga/qemu-ga-win-$version-1
    missing=
    for f in $agents; do
        cmp -s "$f" "$qleaf/$(basename "$f")" || missing="$missing $(basename "$f")"
    done
    [ -n "$agents" ] || missing=" no-agent-MSIs-given"
    # shellcheck disable=SC2086
    [ "$(ls "$qleaf" 2>/dev/null | wc -l)" -eq "$(echo $agents | wc -w)" ] ||
        missing="$missing extra-files"
    [ "$(readlink "$1/latest-qemu-ga")" = "archive-qemu-ga/qemu-ga-win-$version-1" ] ||
        missing="$missing latest-qemu-ga"
    echo "$missing"
}
bad=$(agent_direct "$direct")
[ -z "$bad" ] && ok "direct downloads: archive-qemu-ga/qemu-ga-win-$version-1/ with the agent's MSIs; latest-qemu-ga" ||
    ko "direct downloads, agent:$bad"
# Planted: a copy of the area without the x86 agent MSI.
rm -rf "$scratch/planted-direct" && cp -a "$direct" "$scratch/planted-direct" &&
    rm -f "$scratch/planted-direct/archive-qemu-ga/qemu-ga-win-$version-1/qemu-ga-i386.msi"
case $(agent_direct "$scratch/planted-direct") in
*qemu-ga-i386.msi*) ok "planted: a direct-download area without qemu-ga-i386.msi is caught" ;;
*) ko "planted: a direct-download area without qemu-ga-i386.msi passed" ;;
esac

# Planted: an ISO staged without the ARM64 MSI.
mkdir -p "$scratch/planted"
for f in "$@"; do
    case $f in *arm64*) ;; *) cp "$f" "$scratch/planted/" ;; esac
done
xorriso -as mkisofs -quiet -r -V planted -o "$scratch/planted.iso" "$scratch/planted" 2>/dev/null
on_iso "$scratch/planted.iso" "$@" && ko "planted: an ISO without the ARM64 MSI passed" ||
    ok "planted: an ISO without the ARM64 MSI is caught"

if [ -n "$agents" ]; then
    # shellcheck disable=SC2086
    on_iso "$iso" --dir guest-agent $agents &&
        ok "ISO guest-agent/: $(for f in $agents; do basename "$f"; done | tr '\n' ' ')" ||
        ko "ISO guest-agent/ lacks or differs in an agent MSI"
    bad=
    for f in $agents; do
        cmp -s "$f" "$scratch/rpm/usr/share/virtio-win/guest-agent/$(basename "$f")" ||
            bad="$bad $(basename "$f")"
    done
    [ -z "$bad" ] && ok "RPM: /usr/share/virtio-win/guest-agent/ holds the $(echo $agents | wc -w) agent MSIs" ||
        ko "RPM guest-agent/ lacks or differs:$bad"
    # Planted: an ISO whose guest-agent/ lacks the x86 MSI.
    rm -rf "$scratch/planted-ga" && mkdir -p "$scratch/planted-ga/guest-agent"
    for f in $agents; do
        case $f in *i386*) ;; *) cp "$f" "$scratch/planted-ga/guest-agent/" ;; esac
    done
    xorriso -as mkisofs -quiet -r -V planted -o "$scratch/planted-ga.iso" "$scratch/planted-ga" 2>/dev/null
    # shellcheck disable=SC2086
    on_iso "$scratch/planted-ga.iso" --dir guest-agent $agents &&
        ko "planted: an ISO without qemu-ga-i386.msi passed" ||
        ok "planted: an ISO without qemu-ga-i386.msi is caught"
fi

finish
