#!/bin/sh
# check-gt-exe: virtio-win-guest-tools.exe.
#   - the signed x86 image: its embedded MSIs are the ones shipped (byte for
#     byte, CRC recorded beside each), it is x86, signed;
#   - under Wine (a fresh prefix, no display): on an x64 machine it runs the
#     x64 MSI silently (/quiet /norestart /log), which installs; /uninstall
#     removes it again; a failing MSI's exit code comes back unchanged;
#     an embedded MSI damaged by one byte gives one clear error and exit
#     code 1620 with nothing installed; a bad option gives the usage line.
#     The x86 image runs where i386 programs can; elsewhere the same source
#     built for x64 stands in for it (reported as such).
#   - with the guest agent's MSIs given (GT_AGENT_MSI_<arch>): the exe
#     carries them byte for byte, installs the agent after the drivers (its
#     service QEMU-GA registered) and removes it on /uninstall.
# usage: boot.sh SCRATCH EXE_X86 EXE_X64 RC MSI_X64 MSI_X86 MSI_ARM64
#                [AGENT_X64 AGENT_X86 AGENT_ARM64]
set -u
scratch=$1 exe86=$2 exe64=$3 rc=$4 msi64=$5 msi32=$6 msiarm=$7
ag64=${8:-} ag32=${9:-} agarm=${10:-}
py=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/testlib.sh"
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
scratch=$(cd "$scratch" && pwd)

# The image: embedded MSIs identical to the shipped ones.
for pair in GT_X64="$msi64" GT_X86="$msi32" GT_ARM64="$msiarm" AGENT_X64="$ag64" \
    AGENT_X86="$ag32" AGENT_ARM64="$agarm"; do
    name=${pair%%=*} file=${pair#*=}
    [ -n "$file" ] || continue
    grep -q "^$name RCDATA \"$(cd "$(dirname "$file")" && pwd)/$(basename "$file")\"\$" "$rc" ||
        ko "$name is not $file in the resource script"
done
if "$py" - "$exe86" "$msi64" "$msi32" "$msiarm" $ag64 $ag32 $agarm <<'PY'; then
import sys
exe = open(sys.argv[1], "rb").read()
for m in sys.argv[2:]:
    data = open(m, "rb").read()
    if exe.count(data) != 1:
        sys.exit("%s is not embedded whole" % m)
PY
    ok "the exe carries the $(echo "$msi64 $msi32 $msiarm $ag64 $ag32 $agarm" | wc -w) shipped MSIs byte for byte"
else
    ko "the exe does not carry the shipped MSIs"
fi
machine=$(llvm-readobj-19 --file-headers "$exe86" | awk '/Machine:/ {print $2}')
[ "$machine" = IMAGE_FILE_MACHINE_I386 ] && ok "virtio-win-guest-tools.exe is one x86 image" ||
    ko "virtio-win-guest-tools.exe machine is $machine"
osslsigncode verify -in "$exe86" 2>&1 | grep -q 'Signature Index: 0' &&
    ok "virtio-win-guest-tools.exe is Authenticode-signed" || ko "virtio-win-guest-tools.exe is not signed"

wine64_tools
if /usr/lib/wine/wine --version >/dev/null 2>&1; then
    exe=$exe86 what="x86 image"
else
    exe=$exe64 what="x64 build of the same source (this machine cannot run i386 programs)"
    echo "NOTE: running the $what"
fi
export WINEPREFIX="$scratch/pfx" WINELOADER="$wine" WINESERVER="$server" WINEDEBUG=-all
. "$(dirname "$0")/../../tests/wine-env.sh"
wine_isolate "$scratch" || exit 1
export WINEARCH=win64
trap '"$server" -k 2>/dev/null' EXIT
c="$WINEPREFIX/drive_c"
w wineboot -i >"$scratch/boot.log" 2>&1 || ko "wineboot failed"
w winecfg /v win10 >/dev/null 2>&1
# msiexec gets a fresh services.exe: one started by wineboot could not open
# a service just created (the agent MSI's StartServices failed with 1060).
"$server" -k 2>/dev/null
w reg add 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' /v CurrentBuildNumber /t REG_SZ \
    /d 19045 /f >/dev/null 2>&1
mkdir -p "$c/gt"
cp "$exe" "$c/gt/gt.exe"

w 'C:\gt\gt.exe' /quiet /norestart /log 'C:\gt\msi.log' >"$scratch/out.txt" 2>&1
code=$?
[ $code -eq 0 ] && grep -q 'running virtio-win-gt-x64.msi' "$scratch/out.txt" &&
    [ -f "$c/Program Files/Virtio-Win/viorng/w10/viorng.inf" ] && [ -s "$c/gt/msi.log" ] &&
    ok "$what on x64 Wine: runs virtio-win-gt-x64.msi silently, exit 0, drivers installed, /log written" ||
    ko "install through the exe: exit $code: $(cat "$scratch/out.txt")"
if [ -n "$ag64" ]; then
    [ -f "$c/Program Files/Qemu-ga/qemu-ga.exe" ] && grep -q 'running guest-agent.msi' "$scratch/out.txt" &&
        w reg query 'HKLM\System\CurrentControlSet\Services\QEMU-GA' >/dev/null 2>&1 &&
        ok "the exe then ran the agent's MSI: Qemu-ga\\qemu-ga.exe, service QEMU-GA registered" ||
        ko "the exe did not install the guest agent: $(cat "$scratch/out.txt")"
fi
w 'C:\gt\gt.exe' /uninstall /quiet >"$scratch/out.txt" 2>&1
code=$?
[ $code -eq 0 ] && grep -q 'removing virtio-win-gt-x64.msi' "$scratch/out.txt" &&
    [ ! -e "$c/Program Files/Virtio-Win" ] &&
    { [ -z "$ag64" ] || { [ ! -e "$c/Program Files/Qemu-ga" ] &&
        ! w reg query 'HKLM\System\CurrentControlSet\Services\QEMU-GA' >/dev/null 2>&1; }; } &&
    ok "/uninstall /quiet: exit 0, nothing left${ag64:+ (drivers and agent)}" ||
    ko "/uninstall: exit $code, $(cat "$scratch/out.txt")"

# A failing MSI: Windows 8.1 (build 9600) makes our custom action refuse.
w reg add 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' /v CurrentBuildNumber /t REG_SZ \
    /d 9600 /f >/dev/null 2>&1
cp "$msi64" "$c/gt/x64.msi"
w msiexec /i 'C:\gt\x64.msi' /qn >/dev/null 2>&1
direct=$?
w 'C:\gt\gt.exe' /quiet >"$scratch/out.txt" 2>&1
code=$?
[ $direct -ne 0 ] && [ $code -eq $direct ] && [ ! -e "$c/Program Files/Virtio-Win" ] &&
    ok "a failing MSI: the exe returns msiexec's exit code ($code here: Wine passes 1603 mod 256)" ||
    ko "failing MSI: msiexec $direct, exe $code"
w reg add 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' /v CurrentBuildNumber /t REG_SZ \
    /d 19045 /f >/dev/null 2>&1

# A damaged embedded MSI: one byte flipped in the middle of the x64 MSI.
"$py" - "$exe" "$msi64" "$c/gt/bad.exe" <<'PY'
import sys
exe = bytearray(open(sys.argv[1], "rb").read())
msi = open(sys.argv[2], "rb").read()
at = exe.find(msi) + len(msi) // 2
exe[at] ^= 0x40
open(sys.argv[3], "wb").write(exe)
PY
w 'C:\gt\bad.exe' /quiet >"$scratch/out.txt" 2>&1
code=$?
lines=$(grep -c . "$scratch/out.txt")
[ $code -eq $((1620 % 256)) ] && [ "$lines" -eq 1 ] &&
    grep -q 'error: the embedded MSI is damaged: virtio-win-gt-x64.msi' "$scratch/out.txt" &&
    [ ! -e "$c/Program Files/Virtio-Win" ] &&
    ok "a damaged embedded MSI: one error line, exit 1620 (1620 mod 256 = $code), nothing installed" ||
    ko "damaged MSI: exit $code, $lines lines: $(cat "$scratch/out.txt")"

w 'C:\gt\gt.exe' /bogus >"$scratch/out.txt" 2>&1
code=$?
[ $code -eq 87 ] && grep -q '^usage:' "$scratch/out.txt" &&
    ok "an unknown option: the usage line, exit 87" || ko "bad option: exit $code"

finish
