#!/usr/bin/python3
"""Usage: peres.py IMAGE DIR

Splits a PE image into what a key change may alter and what it may not, for
tests/rpm/same-but-key.sh: writes DIR/sections (every section but .rsrc,
with its name, the debug directories' time stamps and data blanked: with
/Brepro they hash the whole image; the caller passes an unsigned image) and one file per RCDATA resource, DIR/res/<name> (an embedded MSI
gets the .msi suffix, so it is compared as an MSI).  A NAME_CRC resource
(installer/boot/mkrc.py) must hold the CRC-32 of NAME and is then left out:
it follows from NAME.  Exit 1 with one line on a bad image or CRC."""
import os
import sys
import zlib

import pefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def main():
    image, out = sys.argv[1], sys.argv[2]
    pe = pefile.PE(image)
    os.makedirs(os.path.join(out, "res"), exist_ok=True)
    # /Brepro makes the debug directories' time stamps and the CodeView GUID
    # a hash of the whole image, resources included: blank them.
    for dbg in getattr(pe, "DIRECTORY_ENTRY_DEBUG", []):
        off = dbg.struct.get_file_offset()
        pe.set_dword_at_offset(off + 4, 0)  # TimeDateStamp
        if dbg.struct.PointerToRawData and dbg.struct.SizeOfData:
            pe.set_bytes_at_offset(dbg.struct.PointerToRawData, b"\0" * dbg.struct.SizeOfData)
    with open(os.path.join(out, "sections"), "wb") as f:
        for s in pe.sections:
            name = s.Name.rstrip(b"\0")
            if name != b".rsrc":
                f.write(name + b"\n" + s.get_data())
    res = {}
    root = getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None)
    for rtype in root.entries if root is not None else []:
        if rtype.id != 10:  # RT_RCDATA
            continue
        for entry in rtype.directory.entries:
            name = str(entry.name) if entry.name is not None else str(entry.id)
            for lang in entry.directory.entries:
                d = lang.data.struct
                res[name] = pe.get_data(d.OffsetToData, d.Size)
    for name, data in sorted(res.items()):
        if name.endswith("_CRC"):
            base = res.get(name[:-4])
            if base is None or data.strip(b"\0").decode() != "%08x" % (zlib.crc32(base) & 0xFFFFFFFF):
                print("%s: resource %s is not the CRC-32 of %s" % (image, name, name[:-4]))
                return 1
            continue
        suffix = ".msi" if data.startswith(OLE_MAGIC) else ""
        with open(os.path.join(out, "res", name + suffix), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
