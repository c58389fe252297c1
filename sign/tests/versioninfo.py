#!/usr/bin/python3
"""Checks the version resource of every image in driver packages.

    versioninfo.py TABLE PACKAGE_DIR...

For each .sys and .dll in a package directory (out/<arch>/<pkg>/<set>/),
against the package's INF: one VERSIONINFO; its fixed FileVersion and
ProductVersion equal the INF's DriverVer version; the FileVersion and
ProductVersion strings say the same; CompanyName is the INF's Provider;
OriginalFilename is the file's name, InternalName its stem; FileDescription
is the file's line in TABLE (sign/versioninfo.txt); ProductName and
LegalCopyright are not empty; FILETYPE is VFT_DRV for a .sys, VFT_DLL for a
.dll.  One "FILE: problem" line per finding; exit 1 if any."""
import glob
import os
import sys

import pefile


def inf_values(path):
    """DriverVer version and the Provider string of an INF."""
    text = open(path, encoding="utf-8-sig").read()
    strings, version, provider = {}, None, None
    section = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]").strip().lower()
            continue
        if "=" not in line:
            continue
        key, value = (x.strip() for x in line.split("=", 1))
        if section == "strings":
            strings[key.lower()] = value.strip('"')
        elif section == "version" and key.lower() == "driverver":
            version = value.split(",", 1)[1].strip()
        elif section == "version" and key.lower() == "provider":
            provider = value
    if provider and provider.startswith("%"):
        provider = strings.get(provider.strip("%").lower())
    return version, provider


def resource(path):
    """(fixed (file, product) version strings, file type, string table)."""
    pe = pefile.PE(path, fast_load=True)
    pe.parse_data_directories(
        directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
    if not hasattr(pe, "VS_FIXEDFILEINFO") or len(pe.VS_FIXEDFILEINFO) != 1:
        return None
    fixed = pe.VS_FIXEDFILEINFO[0]

    def four(ms, ls):
        return "%d.%d.%d.%d" % (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)

    strings = {}
    for info in getattr(pe, "FileInfo", []):
        for entry in info:
            for table in getattr(entry, "StringTable", []):
                for k, v in table.entries.items():
                    strings[k.decode()] = v.decode()
    return (four(fixed.FileVersionMS, fixed.FileVersionLS),
            four(fixed.ProductVersionMS, fixed.ProductVersionLS)), fixed.FileType, strings


def main():
    table = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            name, desc = line.rstrip("\n").split("\t", 1)
            table[name] = desc
    problems = images = 0
    for pkg in sys.argv[2:]:
        infs = glob.glob(os.path.join(pkg, "*.inf"))
        if len(infs) != 1:
            print("%s: %d INFs, want 1" % (pkg, len(infs)))
            problems += 1
            continue
        version, provider = inf_values(infs[0])
        for img in sorted(glob.glob(os.path.join(pkg, "*.sys")) + glob.glob(os.path.join(pkg, "*.dll"))):
            images += 1
            name = os.path.basename(img)
            got = resource(img)
            if got is None:
                print("%s: no (or more than one) VERSIONINFO" % img)
                problems += 1
                continue
            (fv, pv), ftype, s = got
            want_type = 3 if name.endswith(".sys") else 2
            checks = [
                ("fixed FileVersion", fv, version),
                ("fixed ProductVersion", pv, version),
                ("FileVersion", s.get("FileVersion"), version),
                ("ProductVersion", s.get("ProductVersion"), version),
                ("CompanyName", s.get("CompanyName"), provider),
                ("OriginalFilename", s.get("OriginalFilename"), name),
                ("InternalName", s.get("InternalName"), os.path.splitext(name)[0]),
                ("FileDescription", s.get("FileDescription"), table.get(name)),
                ("FILETYPE", ftype, want_type),
            ]
            for what, have, want in checks:
                if have != want or want is None:
                    print("%s: %s %r, want %r (%s)" % (img, what, have, want, infs[0]))
                    problems += 1
            for what in ("ProductName", "LegalCopyright"):
                if not s.get(what):
                    print("%s: %s is empty" % (img, what))
                    problems += 1
    if not problems:
        print("versioninfo: %d images match their INFs" % images)
    return 1 if problems or not images else 0


if __name__ == "__main__":
    sys.exit(main())
