#!/usr/bin/python3
"""Builds virtio-win-gt-<arch>.msi from packaging/drivers.json with msitools.

    mkmsi.py META OUT ARCH MSI --ca DLL --version V --epoch S --work DIR [--cert CER]

The MSI's tables are generated here as IDT files and imported with msibuild
(wixl cannot target ARM64 and picks random GUIDs); the files go into one
embedded MSZIP cabinet made with gcab.  Layout under
[ProgramFiles64Folder]Virtio-Win (ProgramFilesFolder on x86):
<iso_dir>\\<os>\\ per driver and ISO OS folder of that arch, as on the ISO,
and cert\\ with the test CA in test-CA builds.  One feature per driver
(FE_<package>_driver), one component per driver and OS folder.  The custom
action DLL (installer/ca/) installs the packages that match the running
Windows after InstallFiles and removes them before RemoveFiles.

Reproducible: no clock, no random GUIDs.  The ProductCode derives from the
arch and version, the package code from every input's content, component
GUIDs from the arch and component key path (stable across versions, as
Windows Installer's component rules require), the UpgradeCode is fixed per
arch; file times are SOURCE_DATE_EPOCH.  On any error nothing is left at MSI.
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import uuid

# The namespace of every GUID we derive (uuid5 of a fixed name).
NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://virtio-win.invalid/guest-tools")

PLATFORM = {"x86": "Intel", "amd64": "x64", "arm64": "Arm64"}
MSI_ARCH = {"x86": "x86", "amd64": "x64", "arm64": "arm64"}
# Our UpgradeCode per arch: fixed forever, so that every later version
# upgrades every earlier one.
UPGRADE_CODE = {a: "{%s}" % str(uuid.uuid5(NS, "upgrade-code/" + a)).upper() for a in PLATFORM}
# Upstream's 0.1.x gt MSIs (virtio-win-guest-tools-installer), removed by a
# major upgrade too (distribution-layout.md, section 6).
UPSTREAM_UPGRADE_CODE = {"amd64": "{05294E2F-7778-4E46-B2A3-CF039D5767C8}",
                         "x86": "{22C8F100-2ED1-4A99-A8FC-C391F0D1D7E7}"}

# DLLs of a driver package that the MSI also places in System32 and
# registers through the SelfReg table (Windows Installer calls their
# DllRegisterServer in SelfRegModules, DllUnregisterServer in
# SelfUnregModules): viorngum.dll, the CNG RNG provider, which bcrypt loads
# by its bare name from System32 (drivers/viorng/cng/README.md).
SELFREG = {"viorng": ["viorngum.dll"]}

PRODUCT_NAME = "Virtio-win-driver-installer"
MANUFACTURER = "virtio-win"

# Custom action types (msidbCustomActionType*): a function in a DLL from the
# Binary table, deferred (InScript), not impersonated; rollback and commit
# flavours; type 51 sets a property from formatted text.
CA_DLL, CA_IN_SCRIPT, CA_NO_IMPERSONATE = 0x01, 0x400, 0x800
CA_ROLLBACK, CA_COMMIT, CA_SET_PROPERTY = 0x100, 0x200, 0x33
CA_DEFERRED = CA_DLL | CA_IN_SCRIPT | CA_NO_IMPERSONATE

# Summary information values msibuild does not set (patched in place).
PID_PAGECOUNT, PID_WORDCOUNT = 14, 15
SCHEMA = 500  # Windows Installer 5.0: required for Arm64, present on Windows 10+
WORDCOUNT_COMPRESSED = 2


class MsiError(Exception):
    pass


def guid(*parts):
    return "{%s}" % str(uuid.uuid5(NS, "/".join(parts))).upper()


def ident(s):
    """An MSI identifier from a name (letters, digits, _ and .)."""
    return "".join(c if c.isalnum() or c in "_." else "_" for c in s)


def short_name(name, taken):
    """The 8.3 name Windows Installer needs beside a long one."""
    base, ext = os.path.splitext(name)
    if len(base) <= 8 and len(ext) <= 4 and "." not in base and " " not in name:
        return None
    stem = "".join(c for c in base.upper() if c.isalnum())[:6] or "F"
    ext = "".join(c for c in ext.upper() if c.isalnum() or c == ".")[:4]
    for n in range(1, 100):
        cand = "%s~%d%s" % (stem[:8 - 1 - len(str(n))], n, ext)
        if cand not in taken:
            taken.add(cand)
            return cand
    raise MsiError("no 8.3 name left for %s" % name)


def dirname_col(name, taken):
    s = short_name(name, taken)
    return "%s|%s" % (s, name) if s else name


def write_idt(work, table, columns, types, keys, rows):
    """One IDT file: column names, types, table name and keys, rows."""
    def cell(v):
        if v is None:
            return ""
        v = str(v)
        if any(c in v for c in "\t\r\n"):
            raise MsiError("%s: a value holds a tab or newline: %r" % (table, v))
        return v
    lines = ["\t".join(columns), "\t".join(types), "\t".join([table] + keys)]
    lines += ["\t".join(cell(v) for v in row) for row in rows]
    with open(os.path.join(work, table + ".idt"), "w", encoding="cp1252", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def summary_patch(path, props):
    """Sets VT_I4 properties of \\005SummaryInformation in an MSI in place
    (a compound file: the stream keeps its size and sectors)."""
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        hdr = data[:512]
        if hdr[:8] != bytes.fromhex("d0cf11e0a1b11ae1"):
            raise MsiError("%s: not a compound file" % path)
        ss = 1 << struct.unpack_from("<H", hdr, 0x1E)[0]
        mss = 1 << struct.unpack_from("<H", hdr, 0x20)[0]
        first_dir, cutoff, first_mini = struct.unpack_from("<I4xII", hdr, 0x30)
        nfat = struct.unpack_from("<I", hdr, 0x2C)[0]
        difat = list(struct.unpack_from("<109I", hdr, 0x4C))[:nfat]
        if nfat > 109:
            raise MsiError("%s: compound file too large for the patcher" % path)

        def sector(n):
            return 512 + n * ss

        fat = []
        for s in difat:
            fat += struct.unpack_from("<%dI" % (ss // 4), data, sector(s))

        def chain(start):
            out, seen = [], set()
            while start < 0xFFFFFFFA:
                if start in seen or start >= len(fat):
                    raise MsiError("%s: broken sector chain" % path)
                seen.add(start)
                out.append(start)
                start = fat[start]
            return out

        dirs = b"".join(bytes(data[sector(s):sector(s) + ss]) for s in chain(first_dir))
        entries = [dirs[i:i + 128] for i in range(0, len(dirs), 128)]
        root = entries[0]
        mini_stream = chain(struct.unpack_from("<I", root, 0x74)[0])
        minifat = []
        for s in chain(first_mini) if first_mini < 0xFFFFFFFA else []:
            minifat += struct.unpack_from("<%dI" % (ss // 4), data, sector(s))
        want = "\x05SummaryInformation"
        for e in entries:
            nlen = struct.unpack_from("<H", e, 0x40)[0]
            if nlen >= 2 and e[:nlen - 2].decode("utf-16-le") == want:
                start, size = struct.unpack_from("<IQ", e, 0x74)
                break
        else:
            raise MsiError("%s: no summary information stream" % path)
        if size >= cutoff:
            raise MsiError("%s: summary information outside the mini stream" % path)
        # File offsets of the stream's bytes, mini sector by mini sector.
        offsets = []
        m = start
        while m < 0xFFFFFFFA and len(offsets) < size:
            pos = m * mss
            base = sector(mini_stream[pos // ss]) + pos % ss
            offsets += range(base, base + mss)
            m = minifat[m]
        offsets = offsets[:size]
        stream = bytearray(data[o] for o in offsets)
        sec_off = struct.unpack_from("<I", stream, 44)[0]
        count = struct.unpack_from("<I", stream, sec_off + 4)[0]
        found = set()
        for i in range(count):
            pid, off = struct.unpack_from("<II", stream, sec_off + 8 + 8 * i)
            if pid in props:
                vt = struct.unpack_from("<I", stream, sec_off + off)[0]
                if vt != 3:
                    raise MsiError("%s: summary property %d is not VT_I4" % (path, pid))
                struct.pack_into("<i", stream, sec_off + off + 4, props[pid])
                found.add(pid)
        if found != set(props):
            raise MsiError("%s: summary properties %s missing" % (path, sorted(set(props) - found)))
        for o, b in zip(offsets, stream):
            data[o] = b
        f.seek(0)
        f.write(data)


def make_cab(work, files_dir, names, cab_name):
    """One MSZIP cabinet of files_dir's NAMES (File table order, named by key)."""
    r = subprocess.run(["gcab", "-c", "-n", "-z", os.path.join(work, cab_name)] + names,
                       cwd=files_dir, capture_output=True, text=True)
    if r.returncode != 0:
        raise MsiError("gcab failed: %s" % r.stderr.strip())


def assemble(work, msi, tables, cab_name, title, manufacturer, platform, package_code):
    """The MSI from work's IDT files (TABLES) and cabinet: tables imported,
    cabinet embedded, summary written and patched to schema 500 and
    "compressed", then moved to MSI; on any error nothing is left at MSI."""
    tmp = os.path.join(work, "out.msi")
    try:
        # msibuild takes one kind of option per run.
        for cmd in (["-i"] + [t + ".idt" for t in tables], ["-a", cab_name, cab_name],
                    ["-s", title, manufacturer, "%s;1033" % platform, package_code]):
            r = subprocess.run(["msibuild", tmp] + cmd, cwd=work, capture_output=True, text=True)
            if r.returncode != 0 or not os.path.isfile(tmp):
                raise MsiError("msibuild %s failed: %s" % (cmd[0], r.stderr.strip() or r.stdout.strip()))
        summary_patch(tmp, {PID_PAGECOUNT: SCHEMA, PID_WORDCOUNT: WORDCOUNT_COMPRESSED})
        shutil.move(tmp, msi)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def build(meta, out, arch, msi, ca_dll, version, epoch, work, cert, omit=()):
    is64 = arch != "x86"
    work, msi = os.path.abspath(work), os.path.abspath(msi)
    drivers = []
    for drv in meta["drivers"]:
        oses = [o for o, arches in drv["os"].items() if arch in arches]
        if oses:
            drivers.append((drv, oses))
    if not drivers:
        raise MsiError("no driver for %s" % arch)

    if os.path.exists(work):
        shutil.rmtree(work)
    files_dir = os.path.join(work, "files")
    os.makedirs(files_dir)
    os.makedirs(os.path.join(work, "Binary"))

    pf = "ProgramFiles64Folder" if is64 else "ProgramFilesFolder"
    sysdir = "System64Folder" if is64 else "SystemFolder"
    comp_attr = 256 if is64 else 0  # msidbComponentAttributes64bit
    directories = [("TARGETDIR", None, "SourceDir"), (pf, "TARGETDIR", "."),
                   ("INSTALLDIR", pf, "VIRTIO~1|Virtio-Win")]
    components, files, features, feature_comps, cab_files = [], [], [], [], []
    content = hashlib.sha256()
    top_names = set()

    def add_file(comp, dirkey, src, name, taken):
        key = ident("F_%s_%s" % (comp[2:], name))
        if len(key) > 72:
            raise MsiError("file key too long: %s" % key)
        with open(src, "rb") as f:
            blob = f.read()
        content.update(b"%s\0%s\0" % (key.encode(), hashlib.sha256(blob).digest()))
        dst = os.path.join(files_dir, key)
        with open(dst, "wb") as f:
            f.write(blob)
        os.utime(dst, (epoch, epoch))
        cab_files.append(key)
        files.append([key, comp, dirname_col(name, taken), len(blob), None, None, 0,
                      len(files) + 1])
        return key

    cert_comp = None
    if cert:
        dkey = "D_cert"
        directories.append((dkey, "INSTALLDIR", dirname_col("cert", top_names)))
        cert_comp = "C_cert"
        name = os.path.basename(cert)
        key = add_file(cert_comp, dkey, cert, name, set())
        components.append([cert_comp, guid(arch, "component", "cert", name), dkey, comp_attr,
                           None, key])
    cert_key = files[0][0] if cert else None

    setters_i, setters_r, selfreg = [], [], []
    for drv, oses in drivers:
        pkg, folder = drv["package"], drv["iso_dir"]
        dkey = ident("D_" + pkg)
        directories.append((dkey, "INSTALLDIR", dirname_col(folder, top_names)))
        feature = ident("FE_%s_driver" % pkg)
        features.append([feature, None, "%s driver" % folder,
                         "The %s driver package for the running Windows." % folder, 2 * len(features) + 1,
                         1, dkey, 0])
        for osd in oses:
            build_set = meta["os"][osd]
            src_dir = os.path.join(out, arch, pkg, build_set)
            odkey = ident("D_%s_%s" % (pkg, osd))
            directories.append((odkey, dkey, osd))
            comp = ident("C_%s_%s" % (pkg, osd))
            taken = set()
            keypath = None
            for name in drv["files"]:
                if "%s/%s/%s" % (pkg, osd, name) in omit:
                    continue  # a planted defect (tests only)
                src = os.path.join(src_dir, name)
                if not os.path.isfile(src):
                    raise MsiError("missing build output %s" % src)
                key = add_file(comp, odkey, src, name, taken)
                if name.lower() == pkg.lower() + ".inf":
                    keypath = key
            if keypath is None and not omit:
                raise MsiError("driver %s: no %s.inf among its files" % (folder, pkg))
            keypath = keypath or [f[0] for f in files if f[1] == comp][0]
            components.append([comp, guid(arch, "component", folder, osd, pkg + ".inf"), odkey,
                               comp_attr, None, keypath])
            feature_comps.append([feature, comp])
        for name in SELFREG.get(pkg, []):
            # One copy in System32 for the feature (the file is the same in
            # every OS folder of the arch; the first one's is taken).
            if not any(d[0] == sysdir for d in directories):
                directories.append((sysdir, "TARGETDIR", "."))
            comp = ident("C_%s_system_%s" % (pkg, name))
            src = os.path.join(out, arch, pkg, meta["os"][oses[0]], name)
            if not os.path.isfile(src):
                raise MsiError("missing build output %s" % src)
            key = add_file(comp, sysdir, src, name, set())
            components.append([comp, guid(arch, "component", "system", pkg, name), sysdir,
                               comp_attr, None, key])
            feature_comps.append([feature, comp])
            selfreg.append([key, None])
        if cert_comp:
            feature_comps.append([feature, cert_comp])
        drv_field = "|drv=%s:%s:%s" % (folder, pkg, ",".join(oses))
        setters_i.append(("VwGtAddI_" + ident(pkg), "VWGTINST", "[VWGTINST]" + drv_field,
                          "&%s=3" % feature))
        setters_r.append(("VwGtAddR_" + ident(pkg), "VWGTREM", "[VWGTREM]" + drv_field,
                          "(!%s=3) AND (&%s=2)" % (feature, feature)))

    # The custom action DLL.
    with open(ca_dll, "rb") as f:
        blob = f.read()
    content.update(b"ca\0" + hashlib.sha256(blob).digest())
    with open(os.path.join(work, "Binary", "VwGtCa.ibd"), "wb") as f:
        f.write(blob)

    product_code = guid(arch, "product", version)
    package_code = guid(arch, "package", version, content.hexdigest())

    make_cab(work, files_dir, cab_files, "gt.cab")

    # Type-51 setters build the CustomActionData of the deferred actions
    # from the feature states, after CostFinalize has fixed them.
    setters = [("VwGtSetI", "VWGTINST", "dir=[INSTALLDIR]", None)] + setters_i
    if cert:
        # Only in test-CA builds, and only when asked for.
        setters.append(("VwGtAddICa", "VWGTINST", "[VWGTINST]|ca=[#%s]" % cert_key,
                        'INSTALLTESTCA="1"'))
    setters.append(("VwGtAddILog", "VWGTINST", "[VWGTINST]|log=[VWGTLOG]", "VWGTLOG"))
    setters += [("VwGtSetInstall", "VwGtInstall", "[VWGTINST]", None),
                ("VwGtSetRollback", "VwGtRollback", "[VWGTINST]", None),
                ("VwGtSetCommit", "VwGtCommit", "[VWGTINST]", None),
                ("VwGtSetR", "VWGTREM", "dir=[INSTALLDIR]", None)]
    setters += setters_r
    if cert:
        setters.append(("VwGtAddRCa", "VWGTREM", "[VWGTREM]|ca=[#%s]" % cert_key, 'REMOVE~="ALL"'))
    setters += [("VwGtAddRLog", "VWGTREM", "[VWGTREM]|log=[VWGTLOG]", "VWGTLOG"),
                ("VwGtSetRemove", "VwGtRemove", "[VWGTREM]", None)]

    custom = [[name, CA_SET_PROPERTY, prop, value] for name, prop, value, _ in setters]
    custom += [["VwGtRemove", CA_DEFERRED, "VwGtCa", "VwGtRemove"],
               ["VwGtRollback", CA_DEFERRED | CA_ROLLBACK, "VwGtCa", "VwGtRollback"],
               ["VwGtInstall", CA_DEFERRED, "VwGtCa", "VwGtInstall"],
               ["VwGtCommit", CA_DEFERRED | CA_COMMIT, "VwGtCa", "VwGtCommit"]]

    not_removing = 'NOT (REMOVE~="ALL")'
    execute = [("FindRelatedProducts", None, 25), ("LaunchConditions", None, 100),
               ("ValidateProductID", None, 700), ("CostInitialize", None, 800),
               ("FileCost", None, 900), ("CostFinalize", None, 1000),
               ("MigrateFeatureStates", None, 1200), ("InstallValidate", None, 1400),
               ("InstallInitialize", None, 1500), ("RemoveExistingProducts", None, 1501),
               ("ProcessComponents", None, 1600), ("UnpublishFeatures", None, 1800),
               ("SelfUnregModules", None, 2200),
               ("RemoveFiles", None, 3500), ("InstallFiles", None, 4000),
               ("SelfRegModules", None, 6500),
               ("RegisterUser", None, 6000), ("RegisterProduct", None, 6100),
               ("PublishFeatures", None, 6300), ("PublishProduct", None, 6400),
               ("InstallFinalize", None, 6600)]
    seq = 1410
    for name, _, _, cond in setters:
        execute.append((name, cond, seq))
        seq += 1
    if seq >= 1500:
        raise MsiError("too many drivers for the setter sequence range")
    execute += [("VwGtRemove", "REMOVE", 3400), ("VwGtRollback", not_removing, 4001),
                ("VwGtInstall", not_removing, 4002), ("VwGtCommit", not_removing, 4003)]
    ui = [("FindRelatedProducts", None, 25), ("LaunchConditions", None, 100),
          ("ValidateProductID", None, 700), ("CostInitialize", None, 800),
          ("FileCost", None, 900), ("CostFinalize", None, 1000),
          ("MigrateFeatureStates", None, 1200), ("ExecuteAction", None, 1300)]
    admin = [("CostInitialize", None, 800), ("FileCost", None, 900), ("CostFinalize", None, 1000),
             ("InstallValidate", None, 1400), ("InstallInitialize", None, 1500),
             ("InstallAdminPackage", None, 3900), ("InstallFiles", None, 4000),
             ("InstallFinalize", None, 6600)]

    upgrade = [[UPGRADE_CODE[arch], None, version, None, 1, None, "OLDPRODUCTFOUND"],
               [UPGRADE_CODE[arch], version, None, None, 2, None, "NEWERPRODUCTFOUND"]]
    secure = ["OLDPRODUCTFOUND", "NEWERPRODUCTFOUND"]
    if arch in UPSTREAM_UPGRADE_CODE:
        upgrade.append([UPSTREAM_UPGRADE_CODE[arch], "0.1.0", "0.2.0", None, 1 | 256, None,
                        "UPSTREAMPRODUCTFOUND"])
        secure.append("UPSTREAMPRODUCTFOUND")
    launch = [["NOT NEWERPRODUCTFOUND", "A newer version of %s is already installed." % PRODUCT_NAME],
              ["VersionNT >= 603", "%s needs Windows 10 or later." % PRODUCT_NAME]]
    launch.append(["NOT VersionNT64" if arch == "x86" else "VersionNT64",
                   "This package is for %s Windows." % MSI_ARCH[arch]])

    props = [["ProductCode", product_code], ["ProductName", PRODUCT_NAME],
             ["ProductVersion", version], ["ProductLanguage", "1033"],
             ["Manufacturer", MANUFACTURER], ["UpgradeCode", UPGRADE_CODE[arch]],
             ["ALLUSERS", "1"], ["ARPNOMODIFY", "1"],
             ["SecureCustomProperties", ";".join(secure + ["INSTALLTESTCA", "VWGTLOG"])]]
    if cert:
        props.append(["VWGT_TESTCA_BUILD", "1"])

    # The install folder as a component of every feature (no file: the
    # folder is its key path): when the last feature goes, RemoveFiles
    # takes the emptied folder tree away with it.
    components.append(["C_root", guid(arch, "component", "root"), "INSTALLDIR", comp_attr, None,
                       None])
    for f in features:
        feature_comps.append([f[0], "C_root"])
    write_idt(work, "Directory", ["Directory", "Directory_Parent", "DefaultDir"],
              ["s72", "S72", "l255"], ["Directory"], directories)
    write_idt(work, "Component", ["Component", "ComponentId", "Directory_", "Attributes",
                                  "Condition", "KeyPath"],
              ["s72", "S38", "s72", "i2", "S255", "S72"], ["Component"], components)
    write_idt(work, "File", ["File", "Component_", "FileName", "FileSize", "Version", "Language",
                             "Attributes", "Sequence"],
              ["s72", "s72", "l255", "i4", "S72", "S20", "I2", "i2"], ["File"], files)
    # Folders Windows Installer made for us go when their last component
    # does (RemoveFile rows without a file name, on remove).
    remove = []
    for comp, _, dkey, _, _, _ in components:
        if comp == "C_root" or dkey == sysdir:
            continue  # System32 is not ours to remove
        parents = [d for d in directories if d[0] == dkey][0][1]
        for i, folder in enumerate((dkey, parents, "INSTALLDIR")):
            if folder == "INSTALLDIR" and i == 1:
                continue
            remove.append([ident("RM_%s_%d" % (comp, i)), comp, None, folder, 2])
    write_idt(work, "RemoveFile", ["FileKey", "Component_", "FileName", "DirProperty",
                                   "InstallMode"],
              ["s72", "s72", "L255", "s72", "i2"], ["FileKey"], remove)
    write_idt(work, "Feature", ["Feature", "Feature_Parent", "Title", "Description", "Display",
                                "Level", "Directory_", "Attributes"],
              ["s38", "S38", "L64", "L255", "I2", "i2", "S72", "i2"], ["Feature"], features)
    write_idt(work, "FeatureComponents", ["Feature_", "Component_"], ["s38", "s72"],
              ["Feature_", "Component_"], feature_comps)
    write_idt(work, "Media", ["DiskId", "LastSequence", "DiskPrompt", "Cabinet", "VolumeLabel",
                              "Source"],
              ["i2", "i2", "L64", "S255", "S32", "S72"], ["DiskId"],
              [[1, len(files), None, "#gt.cab", None, None]])
    write_idt(work, "Property", ["Property", "Value"], ["s72", "l0"], ["Property"], props)
    write_idt(work, "SelfReg", ["File_", "Cost"], ["s72", "I2"], ["File_"], selfreg)
    write_idt(work, "Binary", ["Name", "Data"], ["s72", "v0"], ["Name"],
              [["VwGtCa", "VwGtCa.ibd"]])
    write_idt(work, "CustomAction", ["Action", "Type", "Source", "Target"],
              ["s72", "i2", "S72", "S255"], ["Action"], custom)
    for table, rows in (("InstallExecuteSequence", execute), ("InstallUISequence", ui),
                        ("AdminExecuteSequence", admin)):
        write_idt(work, table, ["Action", "Condition", "Sequence"], ["s72", "S255", "I2"],
                  ["Action"], [list(r) for r in rows])
    write_idt(work, "Upgrade", ["UpgradeCode", "VersionMin", "VersionMax", "Language",
                                "Attributes", "Remove", "ActionProperty"],
              ["s38", "S20", "S20", "S255", "i4", "S255", "s72"],
              ["UpgradeCode", "VersionMin", "VersionMax", "Language", "Attributes"], upgrade)
    write_idt(work, "LaunchCondition", ["Condition", "Description"], ["s255", "l255"],
              ["Condition"], launch)

    assemble(work, msi, ["Directory", "Component", "File", "Feature", "FeatureComponents",
                         "Media", "Property", "Binary", "CustomAction", "InstallExecuteSequence",
                         "InstallUISequence", "AdminExecuteSequence", "Upgrade",
                         "LaunchCondition", "RemoveFile", "SelfReg"],
             "gt.cab", PRODUCT_NAME, MANUFACTURER, PLATFORM[arch], package_code)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("meta")
    ap.add_argument("out")
    ap.add_argument("arch", choices=sorted(PLATFORM))
    ap.add_argument("msi")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--omit", action="append", default=[],
                    help="PACKAGE/OS/FILE left out: a planted defect for the tests")
    a = ap.parse_args()
    try:
        with open(a.meta, encoding="utf-8") as f:
            meta = json.load(f)
        build(meta, a.out, a.arch, a.msi, a.ca, a.version, a.epoch, a.work, a.cert, a.omit)
    except (MsiError, OSError, KeyError, ValueError, subprocess.CalledProcessError) as e:
        sys.exit("mkmsi: %s: %s" % (a.msi, e))


if __name__ == "__main__":
    main()
