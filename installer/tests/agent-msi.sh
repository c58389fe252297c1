#!/bin/sh
# check-qga-msi: every guest agent MSI's tables and contents
# (agent-msicheck.py), each rebuilt in another directory bit-identical
# (unsigned and signed), and planted defects caught: an MSI whose service is
# never started, an MSI that only detects (does not remove) upstream's agent,
# an MSI without the VSS provider's registry rows, one without its custom
# actions.
# usage: agent-msi.sh SCRATCH VERSION ARCH:MSI:SIGNED_EXE:UNSIGNED_MSI:SIGNED_DLL...
set -u
scratch=$1 version=$2
shift 2
here=$(dirname "$0")
py=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/testlib.sh"
# msicheck ARG...: agent-msicheck.py, its lines counted.
msicheck() { counted "$scratch/msicheck.log" "$py" "$here/agent-msicheck.py" "$@" --version "$version"; }
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1

for spec in "$@"; do
    arch=${spec%%:*} rest=${spec#*:}
    msi=${rest%%:*} rest=${rest#*:}
    exe=${rest%%:*} rest=${rest#*:}
    unsigned=${rest%%:*} dll=${rest#*:}
    msicheck "$arch" "$msi" "$exe" --vss-dll "$dll"
    again=$scratch/$arch/again.msi
    mkdir -p "$scratch/$arch"
    if "$py" "$here/../msi/mkagentmsi.py" "$exe" "$arch" "$again" --version "$version" \
        --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/$arch/w" --vss-dll "$dll" &&
        cmp -s "$again" "$unsigned" &&
        sign/signfile.sh "$again" "$again.signed" "QEMU guest agent" &&
        cmp -s "$again.signed" "$msi"; then
        ok "$(basename "$msi"): rebuilt in another directory, bit-identical (unsigned and signed)"
    else
        ko "$(basename "$msi"): a rebuild differs"
    fi
done

# Planted defects on the x64 MSI (copies keep its name).
spec=$(printf '%s\n' "$@" | grep '^amd64:')
msi=$(echo "$spec" | cut -d: -f2)
exe=$(echo "$spec" | cut -d: -f3)
dll=$(echo "$spec" | cut -d: -f5)
# plant NAME EXPECTED-FAIL SQL: a copy changed by SQL must fail that check.
plant() {
    mkdir -p "$scratch/$1"
    bad=$scratch/$1/$(basename "$msi")
    cp "$msi" "$bad"
    msibuild "$bad" -q "$3" || ko "planted $1: msibuild refused the change"
    "$py" "$here/agent-msicheck.py" amd64 "$bad" "$exe" --version "$version" --vss-dll "$dll" \
        >"$scratch/$1.log" 2>&1
    if [ $? -ne 0 ] && grep -q "^FAIL: .*$2" "$scratch/$1.log"; then
        ok "planted: $1 is caught"
    else
        ko "planted: $1 went unnoticed"
    fi
}
plant "a service never started" "ServiceControl: started on install" \
    "UPDATE \`ServiceControl\` SET \`Event\` = 162"
plant "upstream's agent only detected, not removed" "Upgrade: every version" \
    "UPDATE \`Upgrade\` SET \`Attributes\` = 258"
plant "no COM registration of the VSS provider" "Registry: HKLM CLSID" \
    "DELETE FROM \`Registry\`"
plant "no vss-install custom action" "custom action QgaVssInstall" \
    "DELETE FROM \`CustomAction\` WHERE \`Action\` = 'QgaVssInstall'"
plant "vss-install run impersonated" "custom action QgaVssInstall" \
    "UPDATE \`CustomAction\` SET \`Type\` = 1106 WHERE \`Action\` = 'QgaVssInstall'"

finish
