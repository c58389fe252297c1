#!/bin/sh
# check-qga-msi-wine: the agent's MSIs under Wine's own msiexec, in a fresh
# prefix under build/ (no display, bounded time):
#   - a stand-in for upstream's agent (our MSI machinery with upstream's
#     UpgradeCode, version 107.0.1, an extra libglib-2.0-0.dll) installed
#     first, as users have it;
#   - ours installed over it: the stand-in's product, ARP entry and files
#     gone, qemu-ga.exe and qga-vss.dll (ours, signed) in
#     C:\Program Files\Qemu-ga, the VSS provider's COM class registered
#     (InprocServer32 naming qga-vss.dll; the vss-install custom action ran
#     and, Wine having no VSS, failed without failing the install), the
#     service QEMU-GA registered as upstream's MSI registers it (own
#     process, automatic, LocalSystem, "<exe>" -d --retry-path) and running;
#   - removed: service, folder, COM class and ARP entry gone, the agent's
#     process ended;
#   - planted: an MSI without its ServiceInstall and ServiceControl rows must
#     fail the service check, one without its Registry rows the COM check;
#   - downgrade: an older version of our MSI installed over ours replaces
#     it (agent/README.md), and its removal leaves nothing;
#   - the x86 MSI the same way in a 32-bit prefix, where this machine can
#     run i386 programs (else a skip).
# usage: agent-wine.sh SCRATCH VERSION X64_MSI SIGNED_X64_EXE X86_MSI SIGNED_X86_EXE \
#                      SIGNED_X64_DLL SIGNED_X86_DLL
set -u
scratch=$1 version=$2 msi64=$3 exe64=$4 msi32=$5 exe32=$6 dll64=$7 dll32=$8
here=$(dirname "$0")
py=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/testlib.sh"

wine64_tools
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
scratch=$(cd "$scratch" && pwd)
. "$here/../../tests/wine-env.sh"
wine_isolate "$scratch" || exit 1
export WINEDEBUG=-all
unset WINEPREFIX
sleeper=
trap '[ -z "${WINEPREFIX:-}" ] || "$server" -k 2>/dev/null; [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null' EXIT
svckey='HKLM\System\CurrentControlSet\Services\QEMU-GA'
# The VSS provider's class (agent/vss/qga_vss.h).
clskey='HKLM\Software\Classes\CLSID\{262B189F-9FE3-4DFE-8A76-3804CF03B308}'

# prefix NAME WINE SERVER WINEARCH: a fresh prefix set up as Windows 10.
prefix() {
    [ -z "${WINEPREFIX:-}" ] || "$server" -k 2>/dev/null
    [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null
    sleeper=
    wine=$2 server=$3
    export WINEPREFIX="$scratch/$1" WINELOADER="$2" WINESERVER="$3" WINEARCH="$4"
    c="$WINEPREFIX/drive_c"
    dir="$c/Program Files/Qemu-ga"
    w wineboot -i >"$scratch/$1.boot.log" 2>&1 || return 1
    w winecfg /v win10 >/dev/null 2>&1
    # A service created while the services.exe that wineboot started still
    # runs could not be opened right after (OpenService: 1060, so
    # StartServices failed): msiexec gets a fresh one.
    "$server" -k 2>/dev/null
    mkdir -p "$c/qga"
}

# keep_up: Wine ends service processes (and services.exe) a few seconds
# after the last ordinary process of the prefix; a cmd.exe reading from a
# sleeping pipe keeps the session up while the service is looked at.
keep_up() {
    rm -f "$scratch/keep.fifo" && mkfifo "$scratch/keep.fifo"
    sleep 600 >"$scratch/keep.fifo" &
    sleeper=$!
    "$wine" cmd <"$scratch/keep.fifo" >/dev/null 2>&1 &
}

# msiexec ACTION MSI: Wine's msiexec, silent, with a verbose log per run
# (the last one is $log).
runs=0
msiexec() {
    runs=$((runs + 1))
    log="$c/qga/$runs.log"
    cp "$2" "$c/qga/$(basename "$2")"
    w msiexec "$1" "C:\\qga\\$(basename "$2")" /qn /l*v "C:\\qga\\$runs.log" \
        >"$scratch/msiexec.out" 2>&1
}
# why: the failing actions of the last run's log.
why() {
    grep -a 'Return value 3\|rror' "$log" 2>/dev/null | head -n 3 | tr '\n' ' '
}
product_code() {
    msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductCode" {print $2}'
}
arp() { # MSI: whether Windows lists its product as installed
    code=$(product_code "$1")
    [ -n "$code" ] && w reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' \
        2>/dev/null | tr -d "\r" | grep -i -F "$code" >/dev/null
}
# svc_value NAME: one value of the service's key, as reg query prints it.
svc_value() {
    w reg query "$svckey" /v "$1" 2>/dev/null | tr -d '\r' |
        awk -v n="$1" '$1 == n { $1 = ""; $2 = ""; sub(/^  */, ""); print }'
}
# com_ok NAME: the provider's class registered as the MSI's Registry rows say.
com_ok() {
    want="C:\\Program Files\\Qemu-ga\\qga-vss.dll"
    inproc=$(w reg query "$clskey\\InprocServer32" /ve 2>/dev/null | tr -d '\r' |
        awk '$1 == "(Default)" || $1 == "<NO" { sub(/^.*REG_SZ[ \t]*/, ""); print }')
    model=$(w reg query "$clskey\\InprocServer32" /v ThreadingModel 2>/dev/null | tr -d '\r' |
        awk '$1 == "ThreadingModel" { print $3 }')
    if [ "$inproc" = "$want" ] && [ "$model" = Both ]; then
        ok "$1: VSS provider class: InprocServer32 = $inproc, ThreadingModel Both"
    else
        ko "$1: VSS provider class: InprocServer32 '$inproc' ThreadingModel '$model'"
    fi
}
# agent_running: whether a qemu-ga.exe process runs in this prefix.
agent_running() {
    ps -eo args | grep -i 'Qemu-ga.qemu-ga.exe.* -d --retry-path' | grep -v grep >/dev/null
}
# agent_becomes yes|no: waits (at most 60 s: Wine starts and ends services
# slowly on a loaded machine) until the agent runs, or no longer runs.
agent_becomes() {
    i=0
    while [ $i -lt 120 ]; do
        if agent_running; then [ "$1" = yes ] && return 0; else [ "$1" = no ] && return 0; fi
        sleep 0.5
        i=$((i + 1))
    done
    return 1
}
# service_ok NAME: the service registered as upstream's MSI does.
service_ok() {
    # Wine's InstallServices writes the path unquoted, Windows quoted.
    want="C:\\Program Files\\Qemu-ga\\qemu-ga.exe -d --retry-path"
    img=$(svc_value ImagePath | sed 's/^"\([^"]*\)"/\1/') start=$(svc_value Start) type=$(svc_value Type)
    disp=$(svc_value DisplayName) obj=$(svc_value ObjectName)
    if [ "$img" = "$want" ] && [ "$start" = 0x2 ] && [ "$type" = 0x10 ] &&
        [ "$disp" = "QEMU Guest Agent" ] && [ "$obj" = LocalSystem ]; then
        ok "$1: service QEMU-GA: $img, automatic (Start $start), own process, LocalSystem"
    else
        ko "$1: service QEMU-GA: ImagePath '$img' Start '$start' Type '$type' DisplayName '$disp' ObjectName '$obj'"
    fi
}

# scenario NAME ARCH MSI EXE DLL: a stand-in for upstream's agent (our MSI
# machinery with upstream's UpgradeCode, version 107.0.1, an extra DLL as
# upstream's has) installed, ours installed over it, then removed.
scenario() {
    name=$1 arch=$2 msi=$3 exe=$4 dll=$5
    upstream=$scratch/upstream-$arch.msi
    printf 'stand-in for upstream DLL\n' >"$scratch/libglib-2.0-0.dll"
    "$py" "$here/../msi/mkagentmsi.py" "$exe" "$arch" "$upstream" --version 107.0.1 \
        --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/up-$arch" \
        --extra "$scratch/libglib-2.0-0.dll" || ko "$name: cannot build the upstream stand-in"
    msiexec /i "$upstream"
    rc=$?
    [ $rc -eq 0 ] && arp "$upstream" && [ -f "$dir/libglib-2.0-0.dll" ] &&
        ok "$name: upstream stand-in 107.0.1 installed (exit 0, ARP entry, its DLL in Qemu-ga)" ||
        ko "$name: upstream stand-in: exit $rc: $(why)"

    keep_up
    msiexec /i "$msi"
    rc=$?
    [ $rc -eq 0 ] && ok "$name: $(basename "$msi") $version over it: msiexec /i /qn exits 0" ||
        ko "$name: $(basename "$msi"): msiexec /i exits $rc: $(why)"
    ! arp "$upstream" && [ ! -e "$dir/libglib-2.0-0.dll" ] && arp "$msi" &&
        ok "$name: the upstream stand-in was replaced in place: its ARP entry and DLL gone, ours listed" ||
        ko "$name: upstream stand-in not replaced (its ARP entry or DLL stays, or ours is missing)"
    cmp -s "$dir/qemu-ga.exe" "$exe" && cmp -s "$dir/qga-vss.dll" "$dll" &&
        [ "$(ls "$dir" | tr '\n' ' ')" = "qemu-ga.exe qga-vss.dll " ] &&
        ok "$name: C:\\Program Files\\Qemu-ga holds exactly our signed qemu-ga.exe and qga-vss.dll" ||
        ko "$name: Qemu-ga folder: $(ls "$dir" 2>&1 | tr '\n' ' ')"
    service_ok "$name, after install"
    com_ok "$name, after install"
    grep -a 'Action ended .*QgaVssInstall' "$log" >/dev/null &&
        ok "$name: the vss-install custom action ran (Wine has no VSS: its failure is ignored)" ||
        ko "$name: no trace of the vss-install custom action in the msiexec log"
    agent_becomes yes && ok "$name: the service was started: qemu-ga.exe -d --retry-path runs" ||
        ko "$name: the service was not started (no qemu-ga.exe process)"

    msiexec /x "$msi"
    rc=$?
    [ $rc -eq 0 ] && ok "$name: msiexec /x /qn exits 0" || ko "$name: msiexec /x exits $rc"
    grep -a 'Action ended .*QgaVssUninstall' "$log" >/dev/null &&
        ok "$name: the vss-uninstall custom action ran on removal" ||
        ko "$name: no trace of the vss-uninstall custom action in the removal log"
    left=
    [ -e "$dir" ] && left="$left Qemu-ga-folder"
    w reg query "$svckey" >/dev/null 2>&1 && left="$left service-key"
    w reg query "$clskey" >/dev/null 2>&1 && left="$left COM-class"
    arp "$msi" && left="$left ARP-entry"
    agent_becomes no || left="$left running-agent"
    [ -z "$left" ] && ok "$name: removal: no folder, no service, no COM class, no ARP entry, no agent process" ||
        ko "$name: removal left:$left"
}

if ! prefix pfx "$wine" "$server" win64; then
    ko "wineboot failed: $(tail -n 3 "$scratch/pfx.boot.log")"
    finish
fi
scenario x64 amd64 "$msi64" "$exe64" "$dll64"

# Planted: an MSI without its ServiceInstall and ServiceControl rows.
bad=$scratch/no-service.msi
cp "$msi64" "$bad"
msibuild "$bad" -q "DELETE FROM \`ServiceInstall\`" &&
    msibuild "$bad" -q "DELETE FROM \`ServiceControl\`" || ko "cannot plant the MSI without service"
msiexec /i "$bad"
out=$(service_ok "planted" | head -n 1)
case $out in
FAIL:*) ok "planted: an MSI that registers no service fails the service check" ;;
*) ko "planted: an MSI without service rows passed: $out" ;;
esac
msiexec /x "$bad"

# Planted: an MSI without its Registry rows (the provider's class).
bad=$scratch/no-com.msi
cp "$msi64" "$bad"
msibuild "$bad" -q "DELETE FROM \`Registry\`" || ko "cannot plant the MSI without COM rows"
msiexec /i "$bad"
out=$(com_ok "planted" | head -n 1)
case $out in
FAIL:*) ok "planted: an MSI that registers no COM class fails the COM check" ;;
*) ko "planted: an MSI without Registry rows passed: $out" ;;
esac
msiexec /x "$bad"

# Downgrade (agent/README.md): an older version of our MSI over ours
# replaces it, as every version of the UpgradeCode is replaced.
older=$scratch/older-x64.msi
"$py" "$here/../msi/mkagentmsi.py" "$exe64" amd64 "$older" --version 0.0.1 \
    --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/older-x64" --vss-dll "$dll64" ||
    ko "downgrade: cannot build the older MSI"
msiexec /i "$msi64"
rc1=$?
msiexec /i "$older"
rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && arp "$older" && ! arp "$msi64" &&
    cmp -s "$dir/qemu-ga.exe" "$exe64" && [ "$(svc_value Start)" = 0x2 ] &&
    ok "downgrade: 0.0.1 over $version exits 0 and replaces it (only 0.0.1 listed, agent and service in place)" ||
    ko "downgrade: exits $rc1/$rc2, ours still listed or the agent missing: $(why)"
msiexec /x "$older"
w reg query "$svckey" >/dev/null 2>&1 || [ -e "$dir" ] &&
    ko "downgrade: removing the older MSI left the service or folder" ||
    ok "downgrade: removing the older MSI leaves nothing"

# The x86 MSI, in a 32-bit prefix: needs a machine that runs i386 programs.
if /usr/lib/wine/wine --version >/dev/null 2>&1 && [ -x /usr/lib/wine/wineserver32 ]; then
    if prefix pfx32 /usr/lib/wine/wine /usr/lib/wine/wineserver32 win32; then
        scenario x86 x86 "$msi32" "$exe32" "$dll32"
    else
        ko "32-bit wineboot failed: $(tail -n 3 "$scratch/pfx32.boot.log")"
    fi
else
    skipped "x86 agent MSI under Wine: this machine cannot execute i386 programs"
fi

finish
