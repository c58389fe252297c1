#!/usr/bin/python3
"""Checks one gt MSI's tables and contents with msitools (msiinfo, msiextract).

    msicheck.py META OUT ARCH MSI --ca DLL --version V [--cert CER]

Prints one PASS/FAIL line per check; exits 1 when any fails.  What it
expects comes from packaging/drivers.json and the built packages under OUT,
never from the MSI itself.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from msitables import check, table
import msitables

TEMPLATE = {"x86": "Intel;1033", "amd64": "x64;1033", "arm64": "Arm64;1033"}
UPSTREAM = {"amd64": "{05294E2F-7778-4E46-B2A3-CF039D5767C8}",
            "x86": "{22C8F100-2ED1-4A99-A8FC-C391F0D1D7E7}"}
# msidbCustomActionType: DLL 0x1, InScript 0x400, NoImpersonate 0x800,
# Rollback 0x100, Commit 0x200.
DEFERRED = 0x1 | 0x400 | 0x800



def long_name(v):
    return v.split("|")[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("meta")
    ap.add_argument("out")
    ap.add_argument("arch")
    ap.add_argument("msi")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--cert")
    a = ap.parse_args()
    with open(a.meta, encoding="utf-8") as f:
        meta = json.load(f)
    msi, arch = a.msi, a.arch
    name = os.path.basename(msi)

    suminfo = subprocess.run(["msiinfo", "suminfo", msi], capture_output=True, text=True).stdout
    check("Template: %s\n" % TEMPLATE[arch] in suminfo, "%s: platform %s" % (name, TEMPLATE[arch]))
    check("Version: 500 " in suminfo, "%s: schema 500" % name)
    check("Source: 2 " in suminfo, "%s: compressed (word count 2)" % name)
    streams = subprocess.run(["msiinfo", "streams", msi], capture_output=True, text=True).stdout
    check(any(x.endswith("DigitalSignature") for x in streams.split()), "%s: Authenticode-signed" % name)

    t = {n: table(msi, n) or [] for n in ("Directory", "Component", "File", "Feature",
                                          "FeatureComponents", "CustomAction",
                                          "InstallExecuteSequence", "Upgrade", "Property",
                                          "Media", "LaunchCondition", "SelfReg",
                                          "RemoveFile")}
    dirs = {d["Directory"]: d for d in t["Directory"]}

    def rel(dkey):
        parts = []
        while dkey in dirs and dkey != "INSTALLDIR":
            parts.append(long_name(dirs[dkey]["DefaultDir"]))
            dkey = dirs[dkey]["Directory_Parent"]
        return "/".join(reversed(parts)) if dkey == "INSTALLDIR" else None

    comps = {c["Component"]: c for c in t["Component"]}
    files = {}
    for f in t["File"]:
        comp = comps.get(f["Component_"])
        d = rel(comp["Directory_"]) if comp else None
        if d is not None:
            files["%s/%s" % (d, long_name(f["FileName"]))] = f

    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["msiextract", "-C", tmp, msi], capture_output=True, text=True)
        check(r.returncode == 0, "%s: msiextract unpacks the cabinet" % name)
        extracted = {}
        for root, _, names in os.walk(tmp):
            for n in names:
                p = os.path.join(root, n)
                parts = os.path.relpath(p, tmp).split(os.sep)
                if "Virtio-Win" in parts:
                    parts = parts[parts.index("Virtio-Win") + 1:]
                    with open(p, "rb") as fh:
                        extracted["/".join(parts)] = fh.read()

    feature_of = {}
    for fc in t["FeatureComponents"]:
        feature_of.setdefault(fc["Component_"], set()).add(fc["Feature_"])
    features = {f["Feature"] for f in t["Feature"]}
    expected = set()
    ndrivers = 0
    for drv in meta["drivers"]:
        oses = [o for o, arches in drv["os"].items() if arch in arches]
        if not oses:
            continue
        ndrivers += 1
        feature = "FE_%s_driver" % drv["package"]
        check(feature in features, "%s: feature %s" % (name, feature))
        bad = []
        for osd in oses:
            for fn in drv["files"]:
                path = "%s/%s/%s" % (drv["iso_dir"], osd, fn)
                expected.add(path)
                src = os.path.join(a.out, arch, drv["package"], meta["os"][osd], fn)
                with open(src, "rb") as fh:
                    want = fh.read()
                row = files.get(path)
                if row is None:
                    bad.append("%s: no File row" % path)
                elif int(row["FileSize"]) != len(want):
                    bad.append("%s: FileSize %s, built %d" % (path, row["FileSize"], len(want)))
                elif extracted.get(path) != want:
                    bad.append("%s: cabinet content differs from %s" % (path, src))
                elif feature not in feature_of.get(row["Component_"], ()):
                    bad.append("%s: component not in %s" % (path, feature))
        check(not bad, "%s: %s: %d files in %s, as built%s" % (
            name, drv["iso_dir"], len(oses) * len(drv["files"]), ",".join(oses),
            "" if not bad else ": " + "; ".join(bad[:3])))
    extra = set(files) - expected - ({"cert/" + os.path.basename(a.cert)} if a.cert else set())
    check(not extra, "%s: no file beyond the drivers of %s%s" % (
        name, arch, "" if not extra else ": " + ", ".join(sorted(extra)[:5])))
    check(len(features) == ndrivers, "%s: %d features for %d drivers" % (name, len(features),
                                                                            ndrivers))
    if a.cert:
        with open(a.cert, "rb") as fh:
            check(extracted.get("cert/" + os.path.basename(a.cert)) == fh.read(),
                  "%s: test CA certificate in cert/" % name)

    ca = {c["Action"]: c for c in t["CustomAction"]}
    want_ca = {"VwGtInstall": DEFERRED, "VwGtRemove": DEFERRED,
               "VwGtRollback": DEFERRED | 0x100, "VwGtCommit": DEFERRED | 0x200}
    for act, typ in want_ca.items():
        c = ca.get(act)
        check(c is not None and int(c["Type"]) == typ and c["Source"] == "VwGtCa" and
              c["Target"] == act, "%s: %s is a deferred, not impersonated DLL action (type %d)%s"
              % (name, act, typ, "" if c is None else ", got %s" % c["Type"]))
    seq = {s["Action"]: int(s["Sequence"]) for s in t["InstallExecuteSequence"]}
    cond = {s["Action"]: s["Condition"] for s in t["InstallExecuteSequence"]}

    def order(*acts):
        return all(x in seq for x in acts) and all(
            seq[acts[i]] < seq[acts[i + 1]] for i in range(len(acts) - 1))

    check(order("InstallFiles", "VwGtRollback", "VwGtInstall", "VwGtCommit", "InstallFinalize"),
          "%s: InstallFiles < VwGtRollback < VwGtInstall < VwGtCommit < InstallFinalize" % name)
    check(order("InstallInitialize", "VwGtRemove", "RemoveFiles"),
          "%s: InstallInitialize < VwGtRemove < RemoveFiles" % name)
    check(order("InstallInitialize", "RemoveExistingProducts", "InstallFiles"),
          "%s: RemoveExistingProducts right after InstallInitialize" % name)
    setters_ok = True
    for drv in meta["drivers"]:
        if any(arch in v for v in drv["os"].values()):
            act = "VwGtAddI_" + drv["package"]
            setters_ok &= cond.get(act) == "&FE_%s_driver=3" % drv["package"] and order(
                "CostFinalize", act, "VwGtSetInstall", "InstallInitialize")
    check(setters_ok, "%s: CustomActionData built from each feature's action state" % name)
    ca_setter = cond.get("VwGtAddICa")
    if a.cert:
        check(ca_setter == 'INSTALLTESTCA="1"',
              "%s: the test CA is installed only with INSTALLTESTCA=1" % name)
    else:
        check("VwGtAddICa" not in ca, "%s: production build: no certificate action" % name)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ca.dll")
        subprocess.run(["msiinfo", "extract", msi, "Binary.VwGtCa"], stdout=open(out, "wb"))
        with open(a.ca, "rb") as f1, open(out, "rb") as f2:
            check(f1.read() == f2.read(), "%s: Binary.VwGtCa is the signed %s vwgtca.dll" % (
                name, arch))

    props = {p["Property"]: p["Value"] for p in t["Property"]}
    check(props.get("ALLUSERS") == "1" and props.get("ProductVersion") == a.version,
          "%s: per-machine (ALLUSERS=1), ProductVersion %s" % (name, a.version))
    up = t["Upgrade"]
    ours = [u for u in up if u["UpgradeCode"] == props.get("UpgradeCode")]
    check(any(u["VersionMax"] == a.version and u["ActionProperty"] == "OLDPRODUCTFOUND" and
              not int(u["Attributes"]) & 2 for u in ours) and
          any(u["VersionMin"] == a.version and int(u["Attributes"]) & 2 for u in ours),
          "%s: upgrade table: older versions removed, newer ones detected" % name)
    if arch in UPSTREAM:
        check(any(u["UpgradeCode"] == UPSTREAM[arch] and u["ActionProperty"] ==
                  "UPSTREAMPRODUCTFOUND" for u in up),
              "%s: upstream's 0.1.x gt MSI (%s) is upgraded" % (name, UPSTREAM[arch]))
    # viorngum.dll: a copy in System32 (bcrypt loads a provider by its bare
    # name from there) in the viorng feature, registered through SelfReg
    # (DllRegisterServer after InstallFiles, DllUnregisterServer before
    # RemoveFiles); System32 is never in RemoveFile.
    if any(arch in v for d in meta["drivers"] if d["package"] == "viorng"
           for v in d["os"].values()):
        sysdir = "SystemFolder" if arch == "x86" else "System64Folder"
        rows = [f for f in t["File"] if long_name(f["FileName"]).lower() == "viorngum.dll" and
                comps.get(f["Component_"], {}).get("Directory_") == sysdir]
        drv = [d for d in meta["drivers"] if d["package"] == "viorng"][0]
        first = [o for o, v in drv["os"].items() if arch in v][0]
        with open(os.path.join(a.out, arch, "viorng", meta["os"][first], "viorngum.dll"),
                  "rb") as fh:
            size = len(fh.read())
        check(len(rows) == 1 and int(rows[0]["FileSize"]) == size and
              "FE_viorng_driver" in feature_of.get(rows[0]["Component_"], ()),
              "%s: viorngum.dll also goes to %s with the viorng feature" % (name, sysdir))
        selfreg = {r["File_"] for r in t["SelfReg"]}
        check(len(rows) == 1 and selfreg == {rows[0]["File"]},
              "%s: the System32 viorngum.dll (and nothing else) is in SelfReg" % name)
        check(order("InstallFiles", "SelfRegModules", "InstallFinalize") and
              order("InstallInitialize", "SelfUnregModules", "RemoveFiles"),
              "%s: InstallFiles < SelfRegModules < InstallFinalize, "
              "InstallInitialize < SelfUnregModules < RemoveFiles" % name)
        check(not any(r["DirProperty"] == sysdir for r in t["RemoveFile"]),
              "%s: System32 itself is never removed" % name)
    lc = {c["Condition"] for c in t["LaunchCondition"]}
    check("NOT NEWERPRODUCTFOUND" in lc, "%s: no downgrade" % name)
    sys.exit(1 if msitables.failed else 0)


if __name__ == "__main__":
    main()
