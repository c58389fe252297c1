#!/bin/sh
# check-gt-msi: every gt MSI's tables and contents (msicheck.py), the MSIs
# rebuilt elsewhere are bit-identical, a production build (no test CA) has
# no certificate action, and planted defects are caught: an MSI that lost a
# driver's file, an MSI whose install action runs immediate, an MSI that
# places viorngum.dll in System32 without registering it (no SelfReg row).
# usage: msi.sh META OUT VERSION SCRATCH CERT ARCH:MSI:CADLL:UNSIGNED...
set -u
meta=$1 out=$2 version=$3 scratch=$4 cert=$5
shift 5
here=$(dirname "$0")
py=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/testlib.sh"
# msicheck ARG...: msicheck.py, its lines counted.
msicheck() { counted "$scratch/msicheck.log" "$py" "$here/msicheck.py" "$@"; }
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
certopt=${cert:+--cert $cert}

for spec in "$@"; do
    arch=${spec%%:*} rest=${spec#*:}
    msi=${rest%%:*} rest=${rest#*:}
    ca=${rest%%:*} unsigned=${rest#*:}
    # shellcheck disable=SC2086
    msicheck "$meta" "$out" "$arch" "$msi" --ca "$ca" --version "$version" $certopt

    # Reproducible: the same inputs elsewhere give the same bytes.
    again=$scratch/$arch/again.msi
    # shellcheck disable=SC2086
    if "$py" "$here/../msi/mkmsi.py" "$meta" "$out" "$arch" "$again" --ca "$ca" \
        --version "$version" --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/$arch/w" $certopt &&
        cmp -s "$again" "$unsigned" &&
        sign/signfile.sh "$again" "$again.signed" "virtio-win guest tools" &&
        cmp -s "$again.signed" "$msi"; then
        ok "$(basename "$msi"): rebuilt in another directory, bit-identical (unsigned and signed)"
    else
        ko "$(basename "$msi"): a rebuild differs"
    fi
done

# The amd64 MSI as a production build: no certificate, no certificate action.
spec=$(printf '%s\n' "$@" | grep '^amd64:')
ca=$(echo "$spec" | cut -d: -f3)
prod=$scratch/prod.msi
if "$py" "$here/../msi/mkmsi.py" "$meta" "$out" amd64 "$prod" --ca "$ca" --version "$version" \
    --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/prod"; then
    "$py" "$here/msicheck.py" "$meta" "$out" amd64 "$prod" --ca "$ca" --version "$version" \
        >"$scratch/prod.log" 2>&1
    # Unsigned here, so that check fails; the certificate checks must not.
    grep -q '^PASS: prod.msi: production build: no certificate action' "$scratch/prod.log" &&
        ! msiextract -l "$prod" | grep -q 'cert/' &&
        ok "production build: no test CA file, no certificate action" ||
        ko "production build carries a certificate action"
else
    ko "production amd64 MSI does not build"
fi

# Planted: viorng without viorngum.dll.
"$py" - "$meta" "$scratch/planted.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for d in m["drivers"]:
    if d["package"] == "viorng":
        d["files"].remove("viorngum.dll")
json.dump(m, open(sys.argv[2], "w"))
PY
planted=$scratch/planted-file.msi
# shellcheck disable=SC2086
if "$py" "$here/../msi/mkmsi.py" "$scratch/planted.json" "$out" amd64 "$planted" --ca "$ca" \
    --version "$version" --epoch "$SOURCE_DATE_EPOCH" --work "$scratch/pf" $certopt; then
    # shellcheck disable=SC2086
    "$py" "$here/msicheck.py" "$meta" "$out" amd64 "$planted" --ca "$ca" --version "$version" \
        $certopt >"$scratch/p1.log" 2>&1
    if [ $? -ne 0 ] && grep -q '^FAIL: .*viorng.*viorngum.dll: no File row' "$scratch/p1.log"; then
        ok "planted: an MSI without viorngum.dll is caught"
    else
        ko "planted: an MSI without viorngum.dll went unnoticed"
    fi
else
    ko "planted MSI does not build"
fi

# Planted: the install action made immediate (type 1).
planted=$scratch/planted-immediate.msi
cp "$(echo "$spec" | cut -d: -f4)" "$planted"
msibuild "$planted" -q "UPDATE \`CustomAction\` SET \`Type\` = 1 WHERE \`Action\` = 'VwGtInstall'"
# shellcheck disable=SC2086
"$py" "$here/msicheck.py" "$meta" "$out" amd64 "$planted" --ca "$ca" --version "$version" \
    $certopt >"$scratch/p2.log" 2>&1
if [ $? -ne 0 ] && grep -q '^FAIL: .*VwGtInstall is a deferred' "$scratch/p2.log"; then
    ok "planted: an immediate install action is caught"
else
    ko "planted: an immediate install action went unnoticed"
fi

# Planted: viorngum.dll copied to System32 but not registered (no SelfReg row).
planted=$scratch/planted-noselfreg.msi
cp "$(echo "$spec" | cut -d: -f4)" "$planted"
msibuild "$planted" -q "DELETE FROM \`SelfReg\`"
# shellcheck disable=SC2086
"$py" "$here/msicheck.py" "$meta" "$out" amd64 "$planted" --ca "$ca" --version "$version" \
    $certopt >"$scratch/p3.log" 2>&1
if [ $? -ne 0 ] && grep -q '^FAIL: .*viorngum.dll (and nothing else) is in SelfReg' "$scratch/p3.log"; then
    ok "planted: an MSI that does not register viorngum.dll is caught"
else
    ko "planted: an MSI that does not register viorngum.dll went unnoticed"
fi

finish
