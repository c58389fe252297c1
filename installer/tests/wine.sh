#!/bin/sh
# check-gt-wine: the gt MSIs installed and removed by Wine's own msiexec in a
# fresh prefix under build/ (no display, bounded time), with our custom
# action logging what it asked the driver store for (VWGTLOG):
#   - x64 on Server 2019 (build 17763, ServerNT): every file where the File
#     table puts it, every amd64 driver's 2k19 INF given to SetupCopyOEMInf
#     and in C:\windows\inf, viorngum.dll in System32 registered as the CNG
#     RNG provider (the bcrypt calls Wine logs); uninstall unregisters it and
#     leaves no file, INF or ARP entry;
#   - x64 on Windows 11 (22631) with ADDLOCAL=viorng,smbus and
#     INSTALLTESTCA=1: only those two, w11 INFs, the test CA in the machine's
#     Root and TrustedPublisher stores, all gone after uninstall;
#   - a package missing for the running OS (an MSI built without
#     viorng/w10/viorng.inf): the install fails with one clear error in the
#     log and nothing stays;
#   - a failure after the custom action (a planted deferred action that
#     fails): Windows Installer rolls back, our rollback action takes every
#     package it added out of the store again;
#   - the x86 MSI the same way when this machine can run i386 programs.
# A missing Wine is a failure.
# usage: wine.sh SCRATCH META OUT X64_MSI X86_MSI CA_X64 VERSION [CERT]
set -u
scratch=$1 meta=$2 out=$3 msi64=$4 msi32=$5 ca64=$6 version=$7 cert=${8:-}
here=$(dirname "$0")
py=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/testlib.sh"

wine64_tools
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
scratch=$(cd "$scratch" && pwd)
export WINEPREFIX="$scratch/pfx" WINELOADER="$wine" WINESERVER="$server" WINEDEBUG=-all
. "$here/../../tests/wine-env.sh"
wine_isolate "$scratch" || exit 1
export WINEARCH=win64
# Stops this prefix's wineserver (and with it every Wine process of it).
trap '"$server" -k 2>/dev/null' EXIT
c="$WINEPREFIX/drive_c"
pf="$c/Program Files/Virtio-Win"

# One wineserver for the whole run, kept 60 s after its last client: the
# default (exit 3 s after the last process) lets a step that spends a few
# seconds outside Wine (building an MSI) start its next Wine process while
# the old server is going away.
mkdir -p "$WINEPREFIX" && "$server" -p60 || ko "cannot start wineserver"
if ! w wineboot -i >"$scratch/boot.log" 2>&1; then
    ko "wineboot failed: $(tail -n 3 "$scratch/boot.log")"
    finish
fi
w winecfg /v win10 >/dev/null 2>&1
mkdir -p "$c/gt"

# set_os BUILD PRODUCTTYPE: what the custom action reads.
set_os() {
    w reg add 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' /v CurrentBuildNumber \
        /t REG_SZ /d "$1" /f >/dev/null 2>&1 &&
        w reg add 'HKLM\SYSTEM\CurrentControlSet\Control\ProductOptions' /v ProductType \
            /t REG_SZ /d "$2" /f >/dev/null 2>&1
}

# msiexec ACTION MSI [PROPERTY=VALUE...]: runs Wine's msiexec silently.
msiexec() {
    act=$1 file=$2
    shift 2
    cp "$file" "$c/gt/$(basename "$file")"
    : >"$c/gt/ca.log"
    w msiexec "$act" "C:\\gt\\$(basename "$file")" /qn 'VWGTLOG=C:\gt\ca.log' "$@" \
        >"$scratch/msiexec.out" 2>&1
    set -- $?
    # What a failing step prints with its FAIL line (the run's last words).
    last="$act $(basename "$file") exit $1: $(tail -n 3 "$scratch/msiexec.out" | tr '\n' ' ')$(tail -n 2 "$c/gt/ca.log" | tr '\n' ' ')"
    return $1
}

# expected ARCH OS [PACKAGE...]: "iso_dir os package file src" lines.
expected() {
    "$py" - "$meta" "$out" "$@" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
out, arch, osd, only = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
for d in meta["drivers"]:
    if only and d["package"] not in only:
        continue
    for o, arches in d["os"].items():
        if arch in arches and (osd == "all" or o == osd):
            for f in d["files"]:
                print(d["iso_dir"], o, d["package"], f,
                      "%s/%s/%s/%s/%s" % (out, arch, d["package"], meta["os"][o], f))
PY
}

product_code() {
    msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductCode" {print $2}'
}

# installed_ok NAME ARCH OS PACKAGES...: files, store calls and INFs.
installed_ok() {
    name=$1 arch=$2 osd=$3
    shift 3
    bad=
    expected "$arch" all "$@" >"$scratch/files.txt"
    while read -r dir o pkg f src; do
        cmp -s "$pf/$dir/$o/$f" "$src" || bad="$bad $dir/$o/$f"
    done <"$scratch/files.txt"
    n=$(wc -l <"$scratch/files.txt")
    [ -z "$bad" ] && [ "$n" -gt 0 ] && ok "$name: $n files where the File table puts them" ||
        ko "$name: files missing or different:$(echo "$bad" | cut -c1-200)"
    bad= infs=
    expected "$arch" "$osd" "$@" | awk '$4 == $3 ".inf"' >"$scratch/infs.txt"
    while read -r dir o pkg f src; do
        line=$(grep -F "store-add C:\\Program Files\\Virtio-Win\\$dir\\$o\\$pkg.inf -> " \
            "$c/gt/ca.log")
        oem=${line##* -> }
        if [ -z "$line" ] || [ ! -f "$c/windows/inf/$oem" ]; then
            bad="$bad $dir"
        else
            infs="$infs $oem"
        fi
    done <"$scratch/infs.txt"
    echo "$infs" >"$scratch/oem.txt"
    n=$(wc -l <"$scratch/infs.txt")
    others=$(grep -c '^store-add' "$c/gt/ca.log")
    [ -z "$bad" ] && [ "$n" -gt 0 ] && [ "$others" -eq "$n" ] &&
        ok "$name: SetupCopyOEMInf with the $osd INF of each of the $n drivers, in C:\\windows\\inf" ||
        ko "$name: driver store calls wrong (missing:$bad; $others store-adds for $n INFs)"
}

# arp MSI: whether Windows lists the MSI's product as installed (the
# Uninstall key's subkeys; Wine's reg query fails on such a key itself).
arp() {
    code=$(product_code "$1")
    [ -n "$code" ] && w reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' \
        2>/dev/null | tr -d "\r" | grep -i -F "$code" >/dev/null
}

# removed_ok NAME MSI: no file, no INF we added, no ARP entry.
removed_ok() {
    name=$1
    left=
    [ -e "$pf" ] && left="$left Program Files\\Virtio-Win"
    for oem in $(cat "$scratch/oem.txt"); do
        [ -e "$c/windows/inf/$oem" ] && left="$left $oem"
    done
    arp "$2" && left="$left ARP-entry"
    [ -z "$left" ] && ok "$name: nothing left behind" || ko "$name: left behind:$left"
}

cert_sha1() {
    openssl x509 -inform DER -in "$cert" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'
}
cert_in() {
    w reg query "HKLM\\Software\\Microsoft\\SystemCertificates\\$1\\Certificates\\$(cert_sha1)" \
        >/dev/null 2>&1
}

# The CNG provider's registration: viorngum.dll in System32, its
# DllRegisterServer run by Windows Installer's SelfRegModules (Wine's msi
# runs "regsvr32 /s" for it).  Wine 8's bcrypt stubs the four calls
# (BCryptRegisterProvider and BCryptAddContextFunctionProvider succeed,
# BCryptRemoveContextFunctionProvider and BCryptUnregisterProvider return
# STATUS_NOT_IMPLEMENTED) and stores nothing, but logs each call with its
# arguments on the fixme channel: that log is what shows the calls made.
sys32="$c/windows/system32/viorngum.dll"
provider='L"QEMU VirtIO RNG Provider"'
bcrypt_log() { grep -F "fixme:bcrypt:$1 $2" "$scratch/msiexec.out" >/dev/null; }

# 1. x64 on Server 2019.
set_os 17763 ServerNT
WINEDEBUG=-all,fixme+bcrypt
msiexec /i "$msi64"
rc=$?
WINEDEBUG=-all
[ $rc -eq 0 ] && ok "x64 MSI on Server 2019: msiexec /i /qn exits 0" ||
    ko "x64 MSI on Server 2019: msiexec /i exits $rc: $(tail -n 3 "$c/gt/ca.log")"
installed_ok "x64 on 2k19" amd64 2k19
grep -q '^skip smbus: no package for 2k19' "$c/gt/ca.log" &&
    ok "x64 on 2k19: smbus (no 2k19 package) is skipped" || ko "x64 on 2k19: smbus not skipped"
[ ! -e "$pf/driver-journal.txt" ] && ok "x64 on 2k19: the commit action removed the journal" ||
    ko "x64 on 2k19: journal left after commit"
cmp -s "$sys32" "$out/amd64/viorng/w10/viorngum.dll" &&
    bcrypt_log BCryptRegisterProvider "$provider, 0x1, " &&
    bcrypt_log BCryptAddContextFunctionProvider "0x1, L\"Default\", 0x6, L\"RNG\", $provider, 4294967295" &&
    ok "x64 install: viorngum.dll in System32, its DllRegisterServer called BCryptRegisterProvider and BCryptAddContextFunctionProvider (CRYPT_LOCAL, Default, RNG, bottom)" ||
    ko "x64 install: viorngum.dll not in System32 or not registered: $(grep -c 'fixme:bcrypt' "$scratch/msiexec.out") bcrypt calls logged"
WINEDEBUG=-all,fixme+bcrypt
msiexec /x "$msi64"
rc=$?
WINEDEBUG=-all
[ $rc -eq 0 ] && ok "x64 MSI: msiexec /x /qn exits 0" || ko "x64 MSI: msiexec /x exits $rc ($last)"
[ ! -e "$sys32" ] &&
    bcrypt_log BCryptRemoveContextFunctionProvider "0x1, L\"Default\", 0x6, L\"RNG\", $provider" &&
    bcrypt_log BCryptUnregisterProvider "$provider" &&
    ok "x64 uninstall: DllUnregisterServer called BCryptRemoveContextFunctionProvider and BCryptUnregisterProvider, viorngum.dll left System32" ||
    ko "x64 uninstall: registration not undone or System32 copy left ($(grep -c 'fixme:bcrypt' "$scratch/msiexec.out") bcrypt calls logged)"
n=$(wc -w <"$scratch/oem.txt")
[ "$(grep -c '^store-remove ' "$c/gt/ca.log")" -eq "$n" ] &&
    ok "x64 uninstall: SetupUninstallOEMInf for each of the $n packages" ||
    ko "x64 uninstall: $(grep -c '^store-remove ' "$c/gt/ca.log") removals for $n packages"
removed_ok "x64 uninstall" "$msi64"

# 2. x64 on Windows 11, two features, the test CA asked for.
set_os 22631 WinNT
msiexec /i "$msi64" ADDLOCAL=FE_viorng_driver,FE_smbus_driver INSTALLTESTCA=1
rc=$?
[ $rc -eq 0 ] && ok "x64 on w11 with ADDLOCAL=viorng,smbus: exits 0" ||
    ko "x64 on w11 with ADDLOCAL: exits $rc ($last)"
installed_ok "x64 on w11, two features" amd64 w11 viorng smbus
[ ! -e "$pf/Balloon" ] && ok "x64 on w11: features left out are not installed" ||
    ko "x64 on w11: Balloon installed although not in ADDLOCAL"
if [ -n "$cert" ]; then
    cert_in Root && cert_in TrustedPublisher &&
        ok "INSTALLTESTCA=1: the test CA is in the machine's Root and TrustedPublisher stores" ||
        ko "INSTALLTESTCA=1: the test CA is not in Root and TrustedPublisher"
fi
msiexec /x "$msi64"
rc=$?
[ $rc -eq 0 ] && ok "x64 on w11: uninstall exits 0" || ko "x64 on w11: uninstall exits $rc ($last)"
removed_ok "x64 on w11 uninstall" "$msi64"
if [ -n "$cert" ]; then
    ! cert_in Root && ! cert_in TrustedPublisher &&
        ok "uninstall: the test CA left the certificate stores" ||
        ko "uninstall: the test CA is still trusted"
    # Without INSTALLTESTCA the stores are not touched.
    msiexec /i "$msi64" ADDLOCAL=FE_viorng_driver
    ! cert_in Root && ok "without INSTALLTESTCA=1 the test CA is not trusted" ||
        ko "the test CA was trusted without INSTALLTESTCA=1"
    msiexec /x "$msi64"
fi

# 3. A package missing for the running OS.
set_os 19045 WinNT
bad=$scratch/missing.msi
"$py" "$here/../msi/mkmsi.py" "$meta" "$out" amd64 "$bad" --ca "$ca64" --version "$version" \
    --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/missing" --omit viorng/w10/viorng.inf \
    >/dev/null 2>&1 || ko "cannot build the MSI without viorng/w10/viorng.inf"
echo >"$scratch/oem.txt"
msiexec /i "$bad"
rc=$?
errs=$(grep -c '^error' "$c/gt/ca.log")
[ $rc -ne 0 ] && [ "$errs" -eq 1 ] &&
    grep -q '^error: package missing for w10: .*viorng\\w10\\viorng.inf' "$c/gt/ca.log" &&
    ! grep -q '^store-add' "$c/gt/ca.log" &&
    ok "missing w10 viorng package: msiexec exits $rc, one error naming it, no store change" ||
    ko "missing package: exit $rc, $errs errors: $(head -n 3 "$c/gt/ca.log")"
removed_ok "missing package" "$bad"

# 4. A deferred action after ours fails: Windows Installer rolls back.
bad=$scratch/fails-late.msi
cp "$msi64" "$bad"
msibuild "$bad" -q "INSERT INTO \`CustomAction\` (\`Action\`, \`Type\`, \`Source\`, \`Target\`) VALUES ('VwGtPlantedFail', 3073, 'VwGtCa', 'VwGtInstall')" &&
    msibuild "$bad" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('VwGtPlantedFail', 'NOT REMOVE', 4010)" ||
    ko "cannot plant the failing action"
msiexec /i "$bad"
rc=$?
added=$(grep -c '^store-add .* -> ' "$c/gt/ca.log")
removed=$(grep -c '^undo: store-remove ' "$c/gt/ca.log")
grep '^store-add .* -> ' "$c/gt/ca.log" | sed 's/.* -> //' >"$scratch/oem.txt"
[ $rc -ne 0 ] && [ "$added" -gt 0 ] && [ "$removed" -eq "$added" ] &&
    grep -q '^rollback: taking away' "$c/gt/ca.log" &&
    ok "a failure after the install action: exit $rc, rollback took the $added packages out" ||
    ko "late failure: exit $rc, $added added, $removed taken away"
removed_ok "late failure" "$bad"

# 5. Upgrade: an older version (0.1.900, same content) is replaced by this
# one, and this one refuses to be downgraded.
set_os 19045 WinNT
old=$scratch/old.msi
"$py" "$here/../msi/mkmsi.py" "$meta" "$out" amd64 "$old" --ca "$ca64" --version 0.1.900 \
    --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/old" >/dev/null 2>&1 || ko "cannot build 0.1.900"
msiexec /i "$old"
rc1=$? last1=$last
msiexec /i "$msi64"
rc2=$?
grep '^store-add .* -> ' "$c/gt/ca.log" | sed 's/.* -> //' >"$scratch/oem.txt"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && ! arp "$old" && arp "$msi64" &&
    [ -f "$pf/viorng/w10/viorng.inf" ] &&
    ok "upgrade: $version replaces 0.1.900 (its ARP entry gone, drivers in place)" ||
    ko "upgrade from 0.1.900: exits $rc1/$rc2 (0.1.900: $last1; then $last)"
msiexec /i "$old"
rc=$?
[ $rc -ne 0 ] && arp "$msi64" && ok "downgrade to 0.1.900 refused (exit $rc), $version stays" ||
    ko "downgrade to 0.1.900: exit $rc ($last)"
msiexec /x "$msi64"
removed_ok "uninstall after the upgrade" "$msi64"

# 6. The x86 MSI, in a 32-bit prefix: needs a machine that runs i386
# programs (wine32:i386 on a kernel with IA-32 emulation).
if /usr/lib/wine/wine --version >/dev/null 2>&1 && [ -x /usr/lib/wine/wineserver32 ]; then
    "$server" -k 2>/dev/null
    server=/usr/lib/wine/wineserver32
    export WINEPREFIX="$scratch/pfx32" WINELOADER=/usr/lib/wine/wine WINESERVER="$server"
    export WINEARCH=win32
    wine=/usr/lib/wine/wine
    c="$WINEPREFIX/drive_c"
    pf="$c/Program Files/Virtio-Win"
    if w wineboot -i >"$scratch/boot32.log" 2>&1; then
        w winecfg /v win10 >/dev/null 2>&1
        mkdir -p "$c/gt"
        set_os 19045 WinNT
        msiexec /i "$msi32"
        rc=$?
        [ $rc -eq 0 ] && ok "x86 MSI on w10: exits 0" || ko "x86 MSI on w10: exits $rc ($last)"
        installed_ok "x86 on w10" x86 w10
        msiexec /x "$msi32"
        removed_ok "x86 uninstall" "$msi32"
    else
        ko "32-bit wineboot failed: $(tail -n 3 "$scratch/boot32.log")"
    fi
else
    skipped "x86 MSI under Wine: this machine cannot execute i386 programs ($(/usr/lib/wine/wine --version 2>&1 | tail -n 1))"
fi

finish
