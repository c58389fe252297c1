#!/usr/bin/python3
"""Cross-check of pecheck's verdicts, written independently on top of
python3-pefile (Debian package; run with /usr/bin/python3).

usage: pecheck_pefile.py [--arch x86|amd64|arm64] [--allow-dll NAME]...
                         [--user-dll] [--export NAME]... FILE...

Prints the same "FILE: RULE: explanation" / "FILE: ok" lines and exit
status as pecheck, so run-tests.sh can compare the rule sets per file.
"""
import argparse
import struct
import sys

import pefile

UALLOW = ["kernel32.dll", "advapi32.dll", "bcrypt.dll", "cfgmgr32.dll"]
ALLOW = ["ntoskrnl.exe", "hal.dll", "storport.sys", "ndis.sys", "hidclass.sys",
         "wmilib.sys", "ksecdd.sys", "cng.sys", "netio.sys"]
MACHINE = {"x86": 0x14C, "amd64": 0x8664, "arm64": 0xAA64}
ARCH_OF = {v: k for k, v in MACHINE.items()}
D = pefile.DIRECTORY_ENTRY


def ddir(pe, name):
    """(VirtualAddress, Size) of a data directory, (0, 0) if absent."""
    dirs = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    i = D[name]
    return (dirs[i].VirtualAddress, dirs[i].Size) if i < len(dirs) else (0, 0)


def format_error(pe, data):
    """Structural problems pecheck treats as fatal ("format")."""
    fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    need = 112 if pe.PE_TYPE == pefile.OPTIONAL_HEADER_MAGIC_PE_PLUS else 96
    if fh.SizeOfOptionalHeader < need:
        return "optional header too small"
    if oh.get_file_offset() + fh.SizeOfOptionalHeader > len(data):
        return "optional header beyond end of file"
    if oh.SizeOfHeaders > len(data):
        return "SizeOfHeaders beyond end of file"
    if need + 8 * min(oh.NumberOfRvaAndSizes, 16) > fh.SizeOfOptionalHeader:
        return "data directories do not fit the optional header"
    if not 1 <= fh.NumberOfSections <= 96:
        return "bad number of sections"
    if oh.get_file_offset() + fh.SizeOfOptionalHeader + 40 * fh.NumberOfSections > len(data):
        return "section table beyond end of file"
    for s in pe.sections:
        if s.SizeOfRawData and s.PointerToRawData + s.SizeOfRawData > len(data):
            return "section %r data beyond end of file" % s.Name
    va, size = ddir(pe, "IMAGE_DIRECTORY_ENTRY_SECURITY")
    if size and va + size > len(data):
        return "certificate table beyond end of file"
    if fh.PointerToSymbolTable and fh.PointerToSymbolTable + 18 * fh.NumberOfSymbols > len(data):
        return "COFF symbol table beyond end of file"
    return None


def rules(pe, want, allow, user=None):
    """Yield (rule, explanation) for every failed rule."""
    fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    plus = pe.PE_TYPE == pefile.OPTIONAL_HEADER_MAGIC_PE_PLUS
    got = ARCH_OF.get(fh.Machine)
    if want and got != want:
        yield "machine", "machine 0x%x, expected %s" % (fh.Machine, want)
    elif not got:
        yield "machine", "machine 0x%x unknown" % fh.Machine
    elif plus != (got != "x86"):
        yield "machine", "wrong optional header magic for %s" % got

    if user is not None:
        if oh.Subsystem not in (2, 3):
            yield "subsystem", "subsystem %d, not GUI/CUI" % oh.Subsystem
    elif oh.Subsystem != 1:
        yield "subsystem", "subsystem %d" % oh.Subsystem

    computed = pe.generate_checksum()
    if oh.CheckSum == 0 or oh.CheckSum != computed:
        yield "checksum", "checksum 0x%x, computed 0x%x" % (oh.CheckSum, computed)

    for s in pe.sections:
        if s.Name.rstrip(b"\0") == b"INIT" and not s.IMAGE_SCN_MEM_DISCARDABLE:
            yield "init-discardable", "INIT not discardable"
            break
    for s in pe.sections:
        if s.IMAGE_SCN_MEM_WRITE and s.IMAGE_SCN_MEM_EXECUTE:
            yield "wx-section", "%r is W+X" % s.Name
            break

    if not oh.IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE:
        yield "dynamicbase", "no DYNAMIC_BASE"
    if not oh.IMAGE_DLLCHARACTERISTICS_NX_COMPAT:
        yield "nxcompat", "no NX_COMPAT"
    if bool(fh.IMAGE_FILE_DLL) != (user is not None):
        yield "dll-flag", "IMAGE_FILE_DLL %s" % ("clear" if user is not None else "set")

    bad = [e.dll.decode("latin-1") for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
           if e.dll.decode("latin-1").lower() not in allow]
    if any(ddir(pe, "IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT")):
        yield "imports", "delay-load imports"
    elif ddir(pe, "IMAGE_DIRECTORY_ENTRY_IMPORT")[0] and not hasattr(pe, "DIRECTORY_ENTRY_IMPORT"):
        yield "imports", "import directory not parseable"
    elif bad:
        yield "imports", "forbidden imports: " + ", ".join(bad)

    va, size = ddir(pe, "IMAGE_DIRECTORY_ENTRY_EXPORT")
    if user is not None:
        exp = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
        names = {s.name.decode("latin-1") for s in exp.symbols if s.name} if exp else set()
        if not names:
            yield "exports", "no named exports"
        elif set(user) - names:
            yield "exports", "missing exports %s" % ", ".join(sorted(set(user) - names))
    elif va or size:
        exp = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
        if exp:
            counts = (exp.struct.NumberOfFunctions, exp.struct.NumberOfNames)
        else:  # pefile drops an all-zero or corrupt directory; look ourselves
            try:
                raw = pe.get_data(va, 40)
            except pefile.PEFormatError:
                raw = b""
            counts = struct.unpack_from("<II", raw, 20) if len(raw) == 40 else None
        if counts != (0, 0):
            yield "exports", "export directory with entries %r" % (counts,)

    arch = want or got
    if arch in ("amd64", "arm64") or (arch is None and plus):
        va, size = ddir(pe, "IMAGE_DIRECTORY_ENTRY_EXCEPTION")
        if fh.Machine == MACHINE["amd64"]:  # pefile parses x64 RUNTIME_FUNCTIONs only
            n = len(getattr(pe, "DIRECTORY_ENTRY_EXCEPTION", []) or [])
        else:
            esz = 12 if arch == "amd64" else 8
            n = size // esz if pe.get_section_by_rva(va) else 0
        if n < 1:
            yield "pdata", "no exception directory entries"

    blocks = getattr(pe, "DIRECTORY_ENTRY_BASERELOC", [])
    nrel = sum(1 for b in blocks for e in b.entries if e.type != 0)
    if fh.IMAGE_FILE_RELOCS_STRIPPED:
        yield "relocs", "RELOCS_STRIPPED set"
    elif not all(ddir(pe, "IMAGE_DIRECTORY_ENTRY_BASERELOC")) or nrel == 0:
        yield "relocs", "no base relocations"


def check(path, want, allow, user=None):
    try:
        with open(path, "rb") as f:
            data = f.read()
        pe = pefile.PE(data=data, fast_load=True)
        err = format_error(pe, data)
        if not err:
            pe.parse_data_directories(directories=[
                D[n] for n in ("IMAGE_DIRECTORY_ENTRY_IMPORT", "IMAGE_DIRECTORY_ENTRY_EXPORT",
                               "IMAGE_DIRECTORY_ENTRY_EXCEPTION", "IMAGE_DIRECTORY_ENTRY_BASERELOC")])
    except (OSError, pefile.PEFormatError) as e:
        err = str(e)
    if err:
        print("%s: format: %s" % (path, err))
        return False
    failed = list(rules(pe, want, allow, user))
    for rule, why in failed:
        print("%s: %s: %s" % (path, rule, why))
    if not failed:
        print("%s: ok" % path)
    return not failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=sorted(MACHINE))
    ap.add_argument("--allow-dll", action="append", default=[])
    ap.add_argument("--user-dll", action="store_true")
    ap.add_argument("--export", action="append", default=[])
    ap.add_argument("files", nargs="+")
    a = ap.parse_intermixed_args()
    allow = {x.lower() for x in (UALLOW if a.user_dll else ALLOW) + a.allow_dll}
    user = a.export if a.user_dll else None
    ok = all([check(f, a.arch, allow, user) for f in a.files])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
