#!/usr/bin/python3
"""Checks one guest agent MSI's tables and contents with msitools.

    agent-msicheck.py ARCH MSI EXE --version V --vss-dll DLL

Prints one PASS/FAIL line per check; exits 1 when any fails.  What it
expects is written here from QEMU's qga/installer/qemu-ga.wxs (UpgradeCode,
folder, service name and settings), from agent/README.md (the VSS
provider's CLSID and registration) and from EXE and DLL (the signed
qemu-ga.exe and qga-vss.dll the MSI must carry), never taken from the MSI
itself.
"""
import argparse
import os
import subprocess
import sys
import tempfile

from msitables import check, table
import msitables

TEMPLATE = {"x86": "Intel;1033", "amd64": "x64;1033", "arm64": "Arm64;1033"}
NAME = {"x86": "qemu-ga-i386.msi", "amd64": "qemu-ga-x86_64.msi", "arm64": "qemu-ga-aarch64.msi"}
UPSTREAM_UPGRADE_CODE = "{EB6B8302-C06E-4BEC-ADAC-932C68A3A98D}"
# Our VSS provider's COM class (agent/vss/qga_vss.h).
VSS_CLSID = "{262B189F-9FE3-4DFE-8A76-3804CF03B308}"
CLS_KEY = "SOFTWARE\\Classes\\CLSID\\" + VSS_CLSID
APP_KEY = "SOFTWARE\\Classes\\AppID\\" + VSS_CLSID
# Standard action order the service handling depends on.
ORDER = ["FindRelatedProducts", "LaunchConditions", "InstallInitialize",
         "RemoveExistingProducts", "StopServices", "DeleteServices", "RemoveFiles",
         "InstallFiles", "InstallServices", "StartServices", "InstallFinalize"]



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("arch", choices=sorted(TEMPLATE))
    ap.add_argument("msi")
    ap.add_argument("exe")
    ap.add_argument("--version", required=True)
    ap.add_argument("--vss-dll", required=True)
    a = ap.parse_args()
    msi, arch = a.msi, a.arch
    name = os.path.basename(msi)
    check(name == NAME[arch], "%s: named %s as upstream's for %s" % (name, NAME[arch], arch))

    suminfo = subprocess.run(["msiinfo", "suminfo", msi], capture_output=True, text=True).stdout
    check("Template: %s\n" % TEMPLATE[arch] in suminfo, "%s: platform %s" % (name, TEMPLATE[arch]))
    check("Version: 500 " in suminfo, "%s: schema 500" % name)
    check("Source: 2 " in suminfo, "%s: compressed (word count 2)" % name)
    streams = subprocess.run(["msiinfo", "streams", msi], capture_output=True, text=True).stdout
    check(any(x.endswith("DigitalSignature") for x in streams.split()),
          "%s: Authenticode-signed" % name)

    t = {n: table(msi, n) for n in ("Directory", "Component", "File", "ServiceInstall",
                                    "ServiceControl", "Upgrade", "Property",
                                    "InstallExecuteSequence", "LaunchCondition", "Feature",
                                    "FeatureComponents", "Registry", "CustomAction")}
    props = {p["Property"]: p["Value"] for p in t["Property"]}
    check(props.get("UpgradeCode") == UPSTREAM_UPGRADE_CODE,
          "%s: UpgradeCode %s (QEMU's agent MSI's)" % (name, props.get("UpgradeCode")))
    check(props.get("ProductVersion") == a.version and props.get("ALLUSERS") == "1",
          "%s: ProductVersion %s, per machine" % (name, props.get("ProductVersion")))

    # Folder: [ProgramFiles(64)Folder]Qemu-ga, as upstream's.
    dirs = {d["Directory"]: d for d in t["Directory"]}
    pf = "ProgramFilesFolder" if arch == "x86" else "ProgramFiles64Folder"
    files = t["File"]
    comp = {c["Component"]: c for c in t["Component"]}
    exe_rows = [f for f in files if f["FileName"].split("|")[-1] == "qemu-ga.exe"]
    dll_rows = [f for f in files if f["FileName"].split("|")[-1] == "qga-vss.dll"]

    def own_component(row):
        c = comp.get(row["Component_"], {})
        d = dirs.get(c.get("Directory_"), {})
        return (d.get("DefaultDir", "").split("|")[-1] == "Qemu-ga" and d.get("Directory_Parent") == pf
                and c.get("KeyPath") == row["File"]
                and (int(c.get("Attributes", "0")) & 256) == (0 if arch == "x86" else 256))
    ok = (len(files) == 2 and len(exe_rows) == 1 and len(dll_rows) == 1
          and exe_rows[0]["Component_"] != dll_rows[0]["Component_"]
          and own_component(exe_rows[0]) and own_component(dll_rows[0]))
    check(ok, "%s: two files, qemu-ga.exe and qga-vss.dll, each the key path of its own "
          "component in [%s]Qemu-ga" % (name, pf))

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["msiextract", "-C", tmp, msi], capture_output=True)
        # msiextract names ProgramFilesFolder "Program Files", the 64-bit one ".".
        got = os.path.join(tmp, *(["Program Files"] if arch == "x86" else []), "Qemu-ga",
                           "qemu-ga.exe")
        with open(a.exe, "rb") as f:
            want = f.read()
        same = os.path.isfile(got) and open(got, "rb").read() == want
        check(same, "%s: carries the signed qemu-ga.exe byte for byte" % name)
        got = os.path.join(os.path.dirname(got), "qga-vss.dll")
        with open(a.vss_dll, "rb") as f:
            want = f.read()
        same = os.path.isfile(got) and open(got, "rb").read() == want
        check(same, "%s: carries the signed qga-vss.dll byte for byte" % name)

    svc = t["ServiceInstall"]
    s = svc[0] if len(svc) == 1 else {}
    exe_comp = exe_rows[0]["Component_"] if exe_rows else None
    check(s.get("Name", "").lower() == "qemu-ga" and s.get("DisplayName") == "QEMU Guest Agent"
          and s.get("ServiceType") == "16" and s.get("StartType") == "2"
          and int(s.get("ErrorControl") or -1) & 0xFF == 0
          and int(s.get("ErrorControl") or 0) & 0x8000
          and s.get("StartName") == "LocalSystem" and s.get("Arguments") == "-d --retry-path"
          and s.get("Component_") == exe_comp,
          "%s: ServiceInstall %s: own process, automatic, error control ignore (vital), "
          "LocalSystem, -d --retry-path, with qemu-ga.exe's component" % (name, s.get("Name")))
    ctl = t["ServiceControl"]
    e = int(ctl[0]["Event"]) if len(ctl) == 1 else 0
    check(len(ctl) == 1 and ctl[0]["Name"].lower() == "qemu-ga" and e & 0x1 and e & 0x2
          and e & 0x20 and e & 0x80 and ctl[0]["Wait"] == "1"
          and ctl[0]["Component_"] == exe_comp,
          "%s: ServiceControl: started on install, stopped on install and removal, deleted "
          "on removal, waited for (event %d)" % (name, e))

    up = t["Upgrade"]
    ok = any(u["UpgradeCode"] == UPSTREAM_UPGRADE_CODE and u["VersionMin"] == "0.0.0"
             and not u["VersionMax"] and int(u["Attributes"]) & 0x100
             and not int(u["Attributes"]) & 0x2 and u["ActionProperty"] in
             props.get("SecureCustomProperties", "").split(";") for u in up)
    check(ok, "%s: Upgrade: every version of upstream's UpgradeCode is found and removed" % name)

    seq = {r["Action"]: int(r["Sequence"]) for r in t["InstallExecuteSequence"]}
    order = [seq.get(x, -1) for x in ORDER]
    check(all(x > 0 for x in order) and order == sorted(order),
          "%s: the upgrade, service and file actions run in order (%s)" % (name, " < ".join(ORDER)))
    cond = {c["Condition"] for c in t["LaunchCondition"]}
    want = "NOT VersionNT64" if arch == "x86" else "VersionNT64"
    check(want in cond and "VersionNT >= 603" in cond,
          "%s: launch conditions: Windows 10 or later, %s" % (name, want))
    check(len(t["Feature"]) == 1 and len(t["FeatureComponents"]) == 2,
          "%s: one feature holding both components" % name)

    # The provider's COM class, written with qga-vss.dll's component.
    dll_key = dll_rows[0]["File"] if dll_rows else "?"
    dll_comp = dll_rows[0]["Component_"] if dll_rows else "?"
    reg = {(r["Root"], r["Key"], r["Name"]): (r["Value"], r["Component_"]) for r in t["Registry"]}
    system = "[SystemFolder]" if arch == "x86" else "[System64Folder]"
    want = {("2", CLS_KEY + "\\InprocServer32", ""): "[#%s]" % dll_key,
            ("2", CLS_KEY + "\\InprocServer32", "ThreadingModel"): "Both",
            ("2", CLS_KEY, "AppID"): VSS_CLSID,
            ("2", APP_KEY, "DllSurrogate"): system + "dllhost.exe"}
    bad = [k for k, v in want.items() if reg.get(k) != (v, dll_comp)]
    check(not bad, "%s: Registry: HKLM CLSID %s InprocServer32 = qga-vss.dll (ThreadingModel "
          "Both), AppID with DllSurrogate, with qga-vss.dll's component%s"
          % (name, VSS_CLSID, (" (wrong: %s)" % bad) if bad else ""))

    # -s vss-install / vss-uninstall: deferred, not impersonated, qemu-ga.exe.
    ca = {c["Action"]: c for c in t["CustomAction"]}
    conds = {r["Action"]: r["Condition"] for r in t["InstallExecuteSequence"]}
    exe_key = exe_rows[0]["File"] if exe_rows else "?"
    for action, args, cond, after, before in (
            ("QgaVssInstall", "-s vss-install", 'NOT REMOVE="ALL"',
             ("InstallFiles", "WriteRegistryValues"), ("InstallFinalize",)),
            ("QgaVssUninstall", "-s vss-uninstall", 'REMOVE="ALL"',
             ("InstallInitialize",), ("RemoveFiles",))):
        c = ca.get(action, {})
        typ = int(c.get("Type") or 0)
        at = seq.get(action, -1)
        ok = (typ & 0x3F == 0x12 and typ & 0x400 and typ & 0x800 and c.get("Source") == exe_key
              and c.get("Target") == args and conds.get(action) == cond and at > 0
              and all(0 < seq.get(x, -1) < at for x in after)
              and all(seq.get(x, -1) > at for x in before))
        check(ok, "%s: custom action %s: qemu-ga.exe %s, deferred, not impersonated, when %s, "
              "after %s, before %s" % (name, action, args, cond, "/".join(after), "/".join(before)))
    return 1 if msitables.failed else 0


if __name__ == "__main__":
    sys.exit(main())
