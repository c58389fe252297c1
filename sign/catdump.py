#!/usr/bin/python3
"""Read a driver catalog (.cat): its attributes, members and signed content.

    catdump.py CAT              one line per catalog attribute ("attr NAME=VALUE")
                                and per member ("member NAME SHA256"), sorted
    catdump.py --content CAT OUT
                                write the signed content (the CTL, DER) to OUT:
                                two catalogs over the same files and attributes
                                have equal content even when signed with
                                different keys

Reads the PKCS#7 SignedData around the certificate trust list that MakeCat,
Inf2Cat and sign/mkcat write: catalog attributes are CatNameValue
extensions of the CTL (OID 1.3.6.1.4.1.311.12.2.1: tag, flags, UTF-16LE
value), members are its trusted subjects with a "File" name/value
attribute.  Anything else is an error: one line, exit 1.
"""
import sys

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CTL = "1.3.6.1.4.1.311.10.1"
OID_NAMEVALUE = "1.3.6.1.4.1.311.12.2.1"
SEQUENCE, SET, OID, OCTETS, BMP, CTX0 = 0x30, 0x31, 0x06, 0x04, 0x1E, 0xA0


class CatError(Exception):
    pass


def tlv(buf, pos):
    """(tag, start of value, end of value) of the element at pos."""
    if pos + 2 > len(buf):
        raise CatError("truncated at offset %d" % pos)
    tag, length = buf[pos], buf[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(buf):
            raise CatError("bad length at offset %d" % pos)
        length = int.from_bytes(buf[pos:pos + count], "big")
        pos += count
    if pos + length > len(buf):
        raise CatError("element at offset %d runs past the end" % pos)
    return tag, pos, pos + length


def children(buf, start, end):
    """[(tag, value start, value end, element start)] of buf[start:end]."""
    out = []
    while start < end:
        tag, vs, ve = tlv(buf, start)
        out.append((tag, vs, ve, start))
        start = ve
    return out


def expect(item, tag, what):
    if item[0] != tag:
        raise CatError("%s: tag 0x%02x, want 0x%02x" % (what, item[0], tag))
    return item


def oid(buf, item):
    raw = buf[item[1]:item[2]]
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = value << 7 | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def name_value(buf, start, end):
    """(tag, value) of a DER CatNameValue."""
    seq = expect(tlv(buf, start), SEQUENCE, "CatNameValue")
    fields = children(buf, seq[1], seq[2])
    if len(fields) != 3:
        raise CatError("CatNameValue has %d fields" % len(fields))
    name = buf[fields[0][1]:fields[0][2]].decode("utf-16-be")
    value = buf[fields[2][1]:fields[2][2]].decode("utf-16-le").rstrip("\0")
    return name, value


def ctl_element(buf):
    """(start, end) of the whole CTL SEQUENCE inside the SignedData."""
    top = expect(tlv(buf, 0), SEQUENCE, "ContentInfo")
    ci = children(buf, top[1], top[2])
    if len(ci) != 2 or oid(buf, expect(ci[0], OID, "contentType")) != OID_SIGNED_DATA:
        raise CatError("not a PKCS#7 SignedData")
    sd = expect(children(buf, ci[1][1], ci[1][2])[0], SEQUENCE, "SignedData")
    encap = expect(children(buf, sd[1], sd[2])[2], SEQUENCE, "encapContentInfo")
    parts = children(buf, encap[1], encap[2])
    if len(parts) != 2 or oid(buf, parts[0]) != OID_CTL:
        raise CatError("content is not a certificate trust list")
    ctl = expect(children(buf, parts[1][1], parts[1][2])[0], SEQUENCE, "CTL")
    return ctl[3], ctl[2], ctl


def read(buf):
    """(attributes {name: value}, members {name: hex digest}, CTL bytes)."""
    start, end, ctl = ctl_element(buf)
    fields = children(buf, ctl[1], ctl[2])
    if len(fields) < 5:
        raise CatError("CTL has %d fields" % len(fields))
    members = {}
    for subj in children(buf, fields[4][1], fields[4][2]):
        parts = children(buf, subj[1], subj[2])
        digest = buf[parts[0][1]:parts[0][2]].hex()
        name = None
        for attr in children(buf, parts[1][1], parts[1][2]):
            a = children(buf, attr[1], attr[2])
            if oid(buf, a[0]) == OID_NAMEVALUE:
                tag, value = name_value(buf, a[1][1], a[1][2])
                if tag == "File":
                    name = value
        if name is None:
            raise CatError("a member without a File name")
        members[name] = digest
    attrs = {}
    ext = [f for f in fields[5:] if f[0] == CTX0]
    if ext:
        exts = expect(children(buf, ext[0][1], ext[0][2])[0], SEQUENCE, "extensions")
        for e in children(buf, exts[1], exts[2]):
            parts = children(buf, e[1], e[2])
            if oid(buf, parts[0]) != OID_NAMEVALUE:
                continue
            octets = expect(parts[-1], OCTETS, "extension value")
            tag, value = name_value(buf, octets[1], octets[2])
            if tag in attrs:
                raise CatError("attribute %s given twice" % tag)
            attrs[tag] = value
    return attrs, members, buf[start:end]


def main():
    args = sys.argv[1:]
    try:
        if len(args) == 3 and args[0] == "--content":
            with open(args[1], "rb") as f:
                _, _, content = read(f.read())
            with open(args[2], "wb") as f:
                f.write(content)
        elif len(args) == 1:
            with open(args[0], "rb") as f:
                attrs, members, _ = read(f.read())
            for name in sorted(attrs):
                print("attr %s=%s" % (name, attrs[name]))
            for name in sorted(members):
                print("member %s %s" % (name, members[name]))
        else:
            sys.exit(__doc__.strip().splitlines()[2])
    except (CatError, OSError, IndexError, UnicodeDecodeError) as e:
        sys.exit("catdump: %s: %s" % (args[-1] if args else "?", e))


if __name__ == "__main__":
    main()
