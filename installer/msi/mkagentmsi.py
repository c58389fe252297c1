#!/usr/bin/python3
"""Builds the guest agent's MSI (qemu-ga-<x86_64|i386|aarch64>.msi) with msitools.

    mkagentmsi.py EXE ARCH MSI --version V --epoch S --work DIR [--vss-dll DLL]
                  [--extra FILE]...

The machinery is mkmsi.py's (IDT files, msibuild, one MSZIP cabinet,
summary patched to schema 500); this file only says what the agent's MSI
holds.  It installs qemu-ga.exe where QEMU's own agent MSI puts it
([ProgramFiles64Folder]Qemu-ga, ProgramFilesFolder on x86) and registers the
service as that MSI does: name QEMU-GA (the service manager compares names
without case, so it is the `qemu-ga` that `qemu-ga.exe -s install` makes),
display name and description "QEMU Guest Agent", own process, automatic
start, LocalSystem, error control "ignore" and vital, command line
"<exe>" -d --retry-path; started on install, stopped on install and
removal, deleted on removal.

Upgrades: the UpgradeCode is QEMU's agent MSI's, so an installed upstream
agent (of any version) is found and removed by RemoveExistingProducts
before our files and service go in: the same folder, the same service.
Upstream numbers its MSIs after QEMU's versions and we after virtio-win's,
which cannot be ordered against each other, so every other version of that
UpgradeCode is replaced, newer or older: installing an agent MSI always
leaves exactly that agent.

The VSS provider (--vss-dll, qga-vss.dll, agent/vss/) goes beside
qemu-ga.exe in a component of its own, which carries its COM class's
registry keys (HKLM\SOFTWARE\Classes\CLSID\{clsid}: InprocServer32 with
ThreadingModel Both, and an AppID whose DllSurrogate lets COM load the DLL
out of process in dllhost.exe).  Two deferred, not impersonated custom
actions run the installed qemu-ga.exe as QEMU's MSI does: `-s vss-install`
after InstallFiles (and the registry writes) on install, `-s vss-uninstall`
before RemoveFiles on removal.  Their exit code is ignored: without VSS
the agent still does everything else, and guest-fsfreeze-freeze then
answers VSS's error.  The CLSID is read from agent/vss/qga_vss.h (defined
once).

Reproducible: no clock, no random GUIDs (ProductCode from arch and version,
package code from the content, component GUID from arch and key path); file
times are SOURCE_DATE_EPOCH.  --extra adds files beside qemu-ga.exe (tests
only: a stand-in for upstream's agent with its DLLs).
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkmsi import (MsiError, PLATFORM, assemble, dirname_col, guid, ident,  # noqa: E402
                   make_cab, write_idt)

# QEMU's qga/installer/qemu-ga.wxs: the UpgradeCode of every upstream agent
# MSI (x86 and x64 alike).
UPGRADE_CODE = "{EB6B8302-C06E-4BEC-ADAC-932C68A3A98D}"
MSI_NAME = {"amd64": "qemu-ga-x86_64.msi", "x86": "qemu-ga-i386.msi", "arm64": "qemu-ga-aarch64.msi"}
PRODUCT_NAME = "QEMU guest agent"
MANUFACTURER = "virtio-win"
SERVICE = "QEMU-GA"
SERVICE_DISPLAY = "QEMU Guest Agent"
SERVICE_ARGS = "-d --retry-path"
# ServiceInstall: SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
# SERVICE_ERROR_IGNORE plus msidbServiceInstallErrorControlVital.
SVC_OWN_PROCESS, SVC_AUTO_START, SVC_ERROR_IGNORE, SVC_VITAL = 0x10, 2, 0, 0x8000
# ServiceControl events: start on install, stop on install and on removal,
# delete on removal.
EV_START_INSTALL, EV_STOP_INSTALL, EV_STOP_UNINSTALL, EV_DELETE_UNINSTALL = 0x1, 0x2, 0x20, 0x80
# Upgrade attribute msidbUpgradeAttributesVersionMinInclusive.
UPG_MIN_INCLUSIVE = 0x100
# Custom action type: an installed file run as a program (msidbCustomActionTypeExe
# | SourceFile), its exit code ignored (Continue), deferred (InScript), not
# impersonated.
CA_EXE_FILE, CA_CONTINUE, CA_IN_SCRIPT, CA_NO_IMPERSONATE = 0x12, 0x40, 0x400, 0x800
CA_VSS = CA_EXE_FILE | CA_CONTINUE | CA_IN_SCRIPT | CA_NO_IMPERSONATE
# msidbRegistryRootLocalMachine.
HKLM = 2
VSS_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "agent", "vss",
                          "qga_vss.h")


def vss_clsid():
    """The provider's CLSID, as agent/vss/qga_vss.h defines it."""
    with open(VSS_HEADER) as f:
        m = re.search(r'#define QGA_VSS_CLSID_STR "(\{[0-9A-F-]{36}\})"', f.read())
    if not m:
        raise MsiError("%s: no QGA_VSS_CLSID_STR" % VSS_HEADER)
    return m.group(1)


def build(exe, arch, msi, version, epoch, work, extra=(), vss_dll=None):
    if os.path.basename(exe).lower() != "qemu-ga.exe":
        raise MsiError("%s: the agent's program must be qemu-ga.exe" % exe)
    if vss_dll and os.path.basename(vss_dll).lower() != "qga-vss.dll":
        raise MsiError("%s: the VSS provider must be qga-vss.dll" % vss_dll)
    is64 = arch != "x86"
    work, msi = os.path.abspath(work), os.path.abspath(msi)
    if os.path.exists(work):
        shutil.rmtree(work)
    files_dir = os.path.join(work, "files")
    os.makedirs(files_dir)

    pf = "ProgramFiles64Folder" if is64 else "ProgramFilesFolder"
    directories = [("TARGETDIR", None, "SourceDir"), (pf, "TARGETDIR", "."),
                   ("INSTALLDIR", pf, dirname_col("Qemu-ga", set()))]
    comp, vss_comp = "C_qemu_ga", "C_qga_vss"
    files, cab_files, taken = [], [], set()
    content = hashlib.sha256()
    for src in [exe] + list(extra) + ([vss_dll] if vss_dll else []):
        name = os.path.basename(src)
        key = ident("F_" + name)
        with open(src, "rb") as f:
            blob = f.read()
        content.update(b"%s\0%s\0" % (key.encode(), hashlib.sha256(blob).digest()))
        dst = os.path.join(files_dir, key)
        with open(dst, "wb") as f:
            f.write(blob)
        os.utime(dst, (epoch, epoch))
        cab_files.append(key)
        files.append([key, vss_comp if src is vss_dll else comp, dirname_col(name, taken),
                      len(blob), None, None, 0, len(files) + 1])

    product_code = guid(arch, "qga-product", version)
    package_code = guid(arch, "qga-package", version, content.hexdigest())
    make_cab(work, files_dir, cab_files, "qga.cab")

    comp_attr = 256 if is64 else 0  # msidbComponentAttributes64bit
    write_idt(work, "Directory", ["Directory", "Directory_Parent", "DefaultDir"],
              ["s72", "S72", "l255"], ["Directory"], directories)
    write_idt(work, "Component", ["Component", "ComponentId", "Directory_", "Attributes",
                                  "Condition", "KeyPath"],
              ["s72", "S38", "s72", "i2", "S255", "S72"], ["Component"],
              [[comp, guid(arch, "component", "Qemu-ga", "qemu-ga.exe"), "INSTALLDIR", comp_attr,
                None, files[0][0]]] +
              ([[vss_comp, guid(arch, "component", "Qemu-ga", "qga-vss.dll"), "INSTALLDIR",
                 comp_attr, None, files[-1][0]]] if vss_dll else []))
    write_idt(work, "File", ["File", "Component_", "FileName", "FileSize", "Version", "Language",
                             "Attributes", "Sequence"],
              ["s72", "s72", "l255", "i4", "S72", "S20", "I2", "i2"], ["File"], files)
    # The folder goes with the component (Windows Installer made it).
    write_idt(work, "RemoveFile", ["FileKey", "Component_", "FileName", "DirProperty",
                                   "InstallMode"],
              ["s72", "s72", "L255", "s72", "i2"], ["FileKey"],
              [["RM_qemu_ga_dir", comp, None, "INSTALLDIR", 2]])
    write_idt(work, "Feature", ["Feature", "Feature_Parent", "Title", "Description", "Display",
                                "Level", "Directory_", "Attributes"],
              ["s38", "S38", "L64", "L255", "I2", "i2", "S72", "i2"], ["Feature"],
              [["QEMUFeature", None, SERVICE_DISPLAY,
                "The QEMU guest agent service (virtio-win's own, protocol-compatible).", 1, 1,
                "INSTALLDIR", 0]])
    write_idt(work, "FeatureComponents", ["Feature_", "Component_"], ["s38", "s72"],
              ["Feature_", "Component_"],
              [["QEMUFeature", comp]] + ([["QEMUFeature", vss_comp]] if vss_dll else []))
    registry, custom = [], []
    if vss_dll:
        clsid = vss_clsid()
        dll_key = files[-1][0]
        system = "SystemFolder" if arch == "x86" else "System64Folder"
        cls = "SOFTWARE\\Classes\\CLSID\\" + clsid
        app = "SOFTWARE\\Classes\\AppID\\" + clsid
        registry = [["R_vss_class", HKLM, cls, None, "QEMU Guest Agent VSS Provider (virtio-win)",
                     vss_comp],
                    ["R_vss_appid_ref", HKLM, cls, "AppID", clsid, vss_comp],
                    ["R_vss_inproc", HKLM, cls + "\\InprocServer32", None, "[#%s]" % dll_key,
                     vss_comp],
                    ["R_vss_threading", HKLM, cls + "\\InprocServer32", "ThreadingModel", "Both",
                     vss_comp],
                    ["R_vss_appid", HKLM, app, None, "QEMU Guest Agent VSS Provider (virtio-win)",
                     vss_comp],
                    ["R_vss_surrogate", HKLM, app, "DllSurrogate", "[%s]dllhost.exe" % system,
                     vss_comp]]
        custom = [["QgaVssInstall", CA_VSS, files[0][0], "-s vss-install"],
                  ["QgaVssUninstall", CA_VSS, files[0][0], "-s vss-uninstall"]]
    write_idt(work, "Registry", ["Registry", "Root", "Key", "Name", "Value", "Component_"],
              ["s72", "i2", "l255", "L255", "L0", "s72"], ["Registry"], registry)
    write_idt(work, "CustomAction", ["Action", "Type", "Source", "Target"],
              ["s72", "i2", "S72", "S255"], ["Action"], custom)
    write_idt(work, "ServiceInstall", ["ServiceInstall", "Name", "DisplayName", "ServiceType",
                                       "StartType", "ErrorControl", "LoadOrderGroup",
                                       "Dependencies", "StartName", "Password", "Arguments",
                                       "Component_", "Description"],
              ["s72", "s255", "L255", "i4", "i4", "i4", "S255", "S255", "S255", "S255", "S255",
               "s72", "L255"], ["ServiceInstall"],
              [["SI_qemu_ga", SERVICE, SERVICE_DISPLAY, SVC_OWN_PROCESS, SVC_AUTO_START,
                SVC_ERROR_IGNORE | SVC_VITAL, None, None, "LocalSystem", None, SERVICE_ARGS, comp,
                SERVICE_DISPLAY]])
    write_idt(work, "ServiceControl", ["ServiceControl", "Name", "Event", "Arguments", "Wait",
                                       "Component_"],
              ["s72", "l255", "i2", "L255", "I2", "s72"], ["ServiceControl"],
              [["SC_qemu_ga", SERVICE,
                EV_START_INSTALL | EV_STOP_INSTALL | EV_STOP_UNINSTALL | EV_DELETE_UNINSTALL,
                None, 1, comp]])
    write_idt(work, "Media", ["DiskId", "LastSequence", "DiskPrompt", "Cabinet", "VolumeLabel",
                              "Source"],
              ["i2", "i2", "L64", "S255", "S32", "S72"], ["DiskId"],
              [[1, len(files), None, "#qga.cab", None, None]])
    props = [["ProductCode", product_code], ["ProductName", PRODUCT_NAME],
             ["ProductVersion", version], ["ProductLanguage", "1033"],
             ["Manufacturer", MANUFACTURER], ["UpgradeCode", UPGRADE_CODE],
             ["ALLUSERS", "1"], ["ARPNOMODIFY", "1"],
             ["SecureCustomProperties", "QGAPRODUCTFOUND"]]
    write_idt(work, "Property", ["Property", "Value"], ["s72", "l0"], ["Property"], props)
    write_idt(work, "Upgrade", ["UpgradeCode", "VersionMin", "VersionMax", "Language",
                                "Attributes", "Remove", "ActionProperty"],
              ["s38", "S20", "S20", "S255", "i4", "S255", "s72"],
              ["UpgradeCode", "VersionMin", "VersionMax", "Language", "Attributes"],
              [[UPGRADE_CODE, "0.0.0", None, None, UPG_MIN_INCLUSIVE, None, "QGAPRODUCTFOUND"]])
    launch = [["VersionNT >= 603", "The QEMU guest agent needs Windows 10 or later."],
              ["NOT VersionNT64" if arch == "x86" else "VersionNT64",
               "This QEMU guest agent package is for %s Windows." %
               {"x86": "32-bit", "amd64": "x64", "arm64": "ARM64"}[arch]]]
    write_idt(work, "LaunchCondition", ["Condition", "Description"], ["s255", "l255"],
              ["Condition"], launch)
    execute = [("FindRelatedProducts", 25), ("LaunchConditions", 100), ("ValidateProductID", 700),
               ("CostInitialize", 800), ("FileCost", 900), ("CostFinalize", 1000),
               ("MigrateFeatureStates", 1200), ("InstallValidate", 1400),
               ("InstallInitialize", 1500), ("RemoveExistingProducts", 1501),
               ("ProcessComponents", 1600), ("UnpublishFeatures", 1800), ("StopServices", 1900),
               ("DeleteServices", 2000), ("RemoveRegistryValues", 2600), ("RemoveFiles", 3500),
               ("InstallFiles", 4000), ("WriteRegistryValues", 5000), ("InstallServices", 5800),
               ("StartServices", 5900), ("RegisterUser", 6000), ("RegisterProduct", 6100),
               ("PublishFeatures", 6300), ("PublishProduct", 6400), ("InstallFinalize", 6600)]
    execute = [(a, None, n) for a, n in execute]
    if vss_dll:
        # Unregistered while qemu-ga.exe is still there; registered once it
        # and the class's keys are in place.
        execute += [("QgaVssUninstall", 'REMOVE="ALL"', 3400),
                    ("QgaVssInstall", 'NOT REMOVE="ALL"', 5100)]
    ui = [("FindRelatedProducts", 25), ("LaunchConditions", 100), ("ValidateProductID", 700),
          ("CostInitialize", 800), ("FileCost", 900), ("CostFinalize", 1000),
          ("MigrateFeatureStates", 1200), ("ExecuteAction", 1300)]
    admin = [("CostInitialize", 800), ("FileCost", 900), ("CostFinalize", 1000),
             ("InstallValidate", 1400), ("InstallInitialize", 1500),
             ("InstallAdminPackage", 3900), ("InstallFiles", 4000), ("InstallFinalize", 6600)]
    ui = [(a, None, n) for a, n in ui]
    admin = [(a, None, n) for a, n in admin]
    for table, rows in (("InstallExecuteSequence", execute), ("InstallUISequence", ui),
                        ("AdminExecuteSequence", admin)):
        write_idt(work, table, ["Action", "Condition", "Sequence"], ["s72", "S255", "I2"],
                  ["Action"], [list(r) for r in rows])
    assemble(work, msi, ["Directory", "Component", "File", "RemoveFile", "Feature",
                         "FeatureComponents", "Registry", "CustomAction", "ServiceInstall",
                         "ServiceControl", "Media",
                         "Property", "Upgrade", "LaunchCondition", "InstallExecuteSequence",
                         "InstallUISequence", "AdminExecuteSequence"],
             "qga.cab", PRODUCT_NAME, MANUFACTURER, PLATFORM[arch], package_code)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exe")
    ap.add_argument("arch", choices=sorted(PLATFORM))
    ap.add_argument("msi")
    ap.add_argument("--version", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--vss-dll", help="qga-vss.dll, the VSS provider installed beside it")
    ap.add_argument("--extra", action="append", default=[],
                    help="a file installed beside qemu-ga.exe (tests only)")
    a = ap.parse_args()
    try:
        build(a.exe, a.arch, a.msi, a.version, a.epoch, a.work, a.extra, a.vss_dll)
    except (MsiError, OSError, subprocess.CalledProcessError) as e:
        sys.exit("mkagentmsi: %s: %s" % (a.msi, e))


if __name__ == "__main__":
    main()
