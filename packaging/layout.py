#!/usr/bin/python3
"""The distribution layout, computed from packaging/drivers.json.

    layout.py check META                      validate the metadata
    layout.py iso-files META                  list every file the ISO holds
    layout.py stage-iso META OUT STAGE --epoch S --license F [--cert F]
                                              build the ISO staging tree
    layout.py stage-rpm META ISO_STAGE ISO VFD... --tree DIR --version V --epoch S
                                              build the RPM's installed tree
    layout.py vfd-images META                 list the VFD images that hold a driver
    layout.py vfd-files META IMAGE            list every file of a VFD image
    layout.py stage-vfd META OUT IMAGE STAGE --epoch S
                                              build the VFD staging tree
    layout.py server-only META                the packages (<package>_<set>_<arch>)
                                              that ship only in server folders
                                              (2k16..2k25), which attestation
                                              signing does not cover
    layout.py rank-groups META                one line per ISO folder and arch:
                                              "OS ARCH INF..." (the INFs under
                                              out/ that Windows may choose from)

The VFD images carry what Windows Setup needs from a floppy: the storage and
network drivers, in the folders the historic virtio-win floppies used
(<i386|amd64>/<Win10|Win11|Win2016...>/, a disk1 marker at the root): image
x86 (i386/Win10), amd64 (amd64/Win10, Win11) and servers_amd64
(amd64/Win2016 ... Win2025).  An image without a driver is an error.

The ISO staging tree is what xorriso masters: driver leaves
<iso_dir>/<os>/<arch dir>/, the auto-detect directories for storage drivers,
data/info.json, virtio-win_license.txt, cert/, the guest tools
(installer.files: the gt MSIs and virtio-win-guest-tools.exe) at the root and
the guest agent's MSIs (guest_agent.files) in guest_agent.dir.  Files with the same
content are hardlinks of one another, so the ISO stores them once.  Every
timestamp is SOURCE_DATE_EPOCH.  On any error nothing is left behind.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

ARCHES = ("x86", "amd64", "arm64")
SET_ARCHES = {"w10": ("x86", "amd64", "arm64"), "w11": ("amd64", "arm64")}
ROLES = ("storage", "network", "other")


class LayoutError(Exception):
    pass


def load(path):
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    validate(meta)
    return meta


def validate(meta):
    for os_dir, build_set in meta["os"].items():
        if build_set not in SET_ARCHES:
            raise LayoutError("os %s: unknown build set %r" % (os_dir, build_set))
    for key in ("arch_dir", "autodetect_dir"):
        if sorted(meta[key]) != sorted(ARCHES):
            raise LayoutError("%s must name exactly %s" % (key, ", ".join(ARCHES)))
    inst = installer_files(meta)
    if len(set(inst)) != len(inst) or any("/" in n or not n for n in inst):
        raise LayoutError("installer.files must be plain file names without repeats")
    agent = list(meta.get("guest_agent", {}).get("files", []))
    if len(set(agent)) != len(agent) or any("/" in n or not n for n in agent):
        raise LayoutError("guest_agent.files must be plain file names without repeats")
    if agent and "/" in meta["guest_agent"].get("dir", "/"):
        raise LayoutError("guest_agent.dir must be one plain folder name")
    seen = set()
    for drv in meta["drivers"]:
        name = drv.get("iso_dir", "?")
        for key in ("iso_dir", "package", "role", "files", "os"):
            if key not in drv:
                raise LayoutError("driver %s: missing %r" % (name, key))
        if name.lower() in seen:
            raise LayoutError("driver %s listed twice" % name)
        seen.add(name.lower())
        if drv["role"] not in ROLES:
            raise LayoutError("driver %s: role %r is not one of %s" % (name, drv["role"], ROLES))
        if not drv["files"] or len(set(drv["files"])) != len(drv["files"]):
            raise LayoutError("driver %s: files must be a non-empty list without repeats" % name)
        for os_dir, arches in drv["os"].items():
            if os_dir not in meta["os"]:
                raise LayoutError("driver %s: unknown OS directory %r" % (name, os_dir))
            allowed = SET_ARCHES[meta["os"][os_dir]]
            for arch in arches:
                if arch not in allowed:
                    raise LayoutError("driver %s: %s/%s is not built (set %s has %s)" % (
                        name, os_dir, arch, meta["os"][os_dir], ", ".join(allowed)))


def iso_entries(meta):
    """(ISO path, path under out/) for every driver file, sorted."""
    entries = []
    for drv in meta["drivers"]:
        for os_dir, arches in drv["os"].items():
            build_set = meta["os"][os_dir]
            for arch in arches:
                src = "%s/%s/%s" % (arch, drv["package"], build_set)
                leaves = ["%s/%s/%s" % (drv["iso_dir"], os_dir, meta["arch_dir"][arch])]
                if drv["role"] == "storage":
                    leaves.append("%s/%s" % (meta["autodetect_dir"][arch], os_dir))
                for leaf in leaves:
                    for name in drv["files"]:
                        entries.append(("%s/%s" % (leaf, name), "%s/%s" % (src, name)))
    return sorted(entries)


def rank_groups(meta):
    """(os dir, arch, [package INF under out/]) per ISO folder and arch:
    the packages a guest pointed at that folder chooses from."""
    groups = {}
    for drv in meta["drivers"]:
        for os_dir, arches in drv["os"].items():
            build_set = meta["os"][os_dir]
            for arch in arches:
                inf = [n for n in drv["files"] if n.endswith(".inf")]
                for name in inf:
                    groups.setdefault((os_dir, arch), []).append(
                        "%s/%s/%s/%s" % (arch, drv["package"], build_set, name))
    return [(o, a, sorted(g)) for (o, a), g in sorted(groups.items())]


def server_only(meta):
    """<package>_<set>_<arch> of every package that ships in server folders
    (2k..) only: attestation signatures load on client Windows alone."""
    where = {}
    for drv in meta["drivers"]:
        for os_dir, arches in drv["os"].items():
            for arch in arches:
                key = "%s_%s_%s" % (drv["package"], meta["os"][os_dir], arch)
                where.setdefault(key, set()).add(os_dir)
    return sorted(k for k, dirs in where.items() if all(d.startswith("2k") for d in dirs))


# The VFD images, as the historic virtio-win floppies were split (existing
# install guides name these folders): image -> (arch, OS directories).  The
# retired _servers_x86 image held only Windows 2003/2008 drivers, which are
# not built.
VFD_IMAGES = {
    "x86": ("x86", ("w10",)),
    "amd64": ("amd64", ("w10", "w11")),
    "servers_amd64": ("amd64", ("2k16", "2k19", "2k22", "2k25")),
}
VFD_ARCH_DIR = {"x86": "i386", "amd64": "amd64"}
VFD_OS_DIR = {"w10": "Win10", "w11": "Win11", "2k16": "Win2016", "2k19": "Win2019",
              "2k22": "Win2022", "2k25": "Win2025"}
# Empty marker file at the root of every historic image.  Their txtsetup.oem
# served text-mode setup of Windows XP/2003 only (F6), which no driver here
# supports, so it is not written.
VFD_MARKER = "disk1"


def vfd_entries(meta, image):
    """(VFD path, path under out/) for the storage and network drivers of an
    image, in <i386|amd64>/<WinXX>/ without symbols."""
    arch, os_dirs = VFD_IMAGES[image]
    entries = []
    for drv in meta["drivers"]:
        if drv["role"] not in ("storage", "network"):
            continue
        for os_dir, arches in drv["os"].items():
            if arch not in arches or os_dir not in os_dirs:
                continue
            src = "%s/%s/%s" % (arch, drv["package"], meta["os"][os_dir])
            leaf = "%s/%s" % (VFD_ARCH_DIR[arch], VFD_OS_DIR[os_dir])
            for name in drv["files"]:
                if not name.endswith(".pdb"):
                    entries.append(("%s/%s" % (leaf, name), "%s/%s" % (src, name)))
    return sorted(entries)


def vfd_images(meta):
    """The images that would hold at least one driver."""
    return [image for image in VFD_IMAGES if vfd_entries(meta, image)]


def installer_files(meta):
    """The guest-tools files at the ISO root (out/installer/<name>)."""
    return list(meta.get("installer", {}).get("files", []))


def agent_files(meta):
    """(ISO path, path under out/) of the guest agent's MSIs (out/<dir>/<name>)."""
    ga = meta.get("guest_agent", {})
    return [("%s/%s" % (ga["dir"], n), "%s/%s" % (ga["dir"], n)) for n in ga.get("files", [])]


def extra_files(meta, cert):
    files = ["data/info.json", "virtio-win_license.txt"] + installer_files(meta)
    files += [iso for iso, _ in agent_files(meta)]
    if cert:
        files.append("cert/" + os.path.basename(cert))
    return files


def inf_strings(path):
    """DriverVer and the last *.DeviceDesc string of an INF (for info.json)."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        text = f.read()
    section, driver_ver, desc = None, None, None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if section == "version" and key.lower() == "driverver":
            driver_ver = value
        elif section == "strings" and key.lower().endswith(".devicedesc"):
            desc = value.strip('"')
    if driver_ver is None or desc is None:
        raise LayoutError("%s: no DriverVer or no *.DeviceDesc string" % path)
    return driver_ver, desc


def info_json(meta, entries, stage):
    drivers = []
    for iso_path, _ in entries:
        parts = iso_path.split("/")
        if not iso_path.endswith(".inf") or len(parts) != 4:
            continue  # auto-detect copies are not listed
        iso_dir, os_dir, arch_dir, _ = parts
        if iso_dir not in {d["iso_dir"] for d in meta["drivers"]}:
            continue
        version, name = inf_strings(os.path.join(stage, iso_path))
        drivers.append({"arch": arch_dir, "driver_version": version, "inf_path": iso_path,
                        "name": name, "windows_version": os_dir})
    return json.dumps({"drivers": drivers}, indent=2, sort_keys=True) + "\n"


def make_stage(stage, fill):
    """Build a staging tree in a temporary sibling, then rename it into place."""
    parent = os.path.dirname(os.path.abspath(stage))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".stage-", dir=parent)
    try:
        fill(tmp)
        os.chmod(tmp, 0o755)
        if os.path.exists(stage):
            shutil.rmtree(stage)
        os.rename(tmp, stage)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def set_times(root, epoch):
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (epoch, epoch), follow_symlinks=False)
    os.utime(root, (epoch, epoch))


def check_sources(out, entries):
    missing = [src for _, src in entries if not os.path.isfile(os.path.join(out, src))]
    if missing:
        raise LayoutError("missing build outputs under %s/: %s" % (out, ", ".join(sorted(set(missing)))))


def stage_vfd(meta, out, image, stage, epoch):
    entries = vfd_entries(meta, image)
    if not entries:
        raise LayoutError("VFD image %s would hold no driver (no storage or network driver "
                          "is built for it)" % image)
    check_sources(out, entries)

    def fill(tmp):
        open(os.path.join(tmp, VFD_MARKER), "wb").close()
        for vfd_path, src in entries:
            dst = os.path.join(tmp, vfd_path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(out, src), dst)
        set_times(tmp, epoch)

    make_stage(stage, fill)


def stage_iso(meta, out, stage, epoch, license_file, cert):
    entries = iso_entries(meta)
    check_sources(out, entries + [(n, "installer/" + n) for n in installer_files(meta)] +
                  agent_files(meta))

    def fill(tmp):
        pool = {}  # content hash -> first staged path: later copies are hardlinks
        for iso_path, src in entries:
            dst = os.path.join(tmp, iso_path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(os.path.join(out, src), "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest in pool:
                os.link(pool[digest], dst)
            else:
                shutil.copyfile(os.path.join(out, src), dst)
                os.chmod(dst, 0o644)
                pool[digest] = dst
        os.makedirs(os.path.join(tmp, "data"))
        with open(os.path.join(tmp, "data", "info.json"), "w", encoding="utf-8") as f:
            f.write(info_json(meta, entries, tmp))
        shutil.copyfile(license_file, os.path.join(tmp, "virtio-win_license.txt"))
        for name in installer_files(meta):
            shutil.copyfile(os.path.join(out, "installer", name), os.path.join(tmp, name))
            os.chmod(os.path.join(tmp, name), 0o644)
        for iso_path, src in agent_files(meta):
            os.makedirs(os.path.dirname(os.path.join(tmp, iso_path)), exist_ok=True)
            shutil.copyfile(os.path.join(out, src), os.path.join(tmp, iso_path))
            os.chmod(os.path.join(tmp, iso_path), 0o644)
        if cert:
            os.makedirs(os.path.join(tmp, "cert"))
            shutil.copyfile(cert, os.path.join(tmp, "cert", os.path.basename(cert)))
        set_times(tmp, epoch)

    make_stage(stage, fill)


OSINFO_ARCH = {"x86": "i686", "amd64": "x86_64", "arm64": "aarch64"}
# The libosinfo OS entries a drop-in extends: (id suffix, short-id, name).
# The schema (osinfo.rng) wants vendor, name and short-id in every <os>, also
# in a drop-in.  Only entries that osinfo-db 20221130 (Debian 12) has: a
# drop-in for an OS the database lacks would define a half-empty OS of its
# own.  Windows Server 2025 (win-2k25) needs a newer osinfo-db, so 2k25 gets
# no drop-in yet (its drivers are in by-os all the same).
OSINFO_OS = {
    "w10": ("10", "win10", "Microsoft Windows 10"),
    "w11": ("11", "win11", "Microsoft Windows 11"),
    "2k16": ("2k16", "win2k16", "Microsoft Windows Server 2016"),
    "2k19": ("2k19", "win2k19", "Microsoft Windows Server 2019"),
    "2k22": ("2k22", "win2k22", "Microsoft Windows Server 2022"),
}
SHARE = "usr/share/virtio-win"


def osinfo_xml(meta, os_dir, by_os, signed):
    """libosinfo drop-in for one OS: one <driver> per arch, pointing at by-os.

    signed says whether Windows accepts the drivers without test signing
    (true only for production-signed builds)."""
    os_id, short_id, name = OSINFO_OS[os_dir]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<libosinfo version="0.0.1">',
             '  <os id="http://microsoft.com/win/%s">' % os_id,
             "    <short-id>%s</short-id>" % short_id,
             "    <name>%s</name>" % name,
             "    <vendor>Microsoft Corporation</vendor>"]
    for arch in ARCHES:
        files = by_os.get((arch, os_dir))
        if not files:
            continue
        ids = sorted({pci for d in meta["drivers"] if arch in d["os"].get(os_dir, [])
                      for pci in d.get("pci", [])})
        if not ids:
            continue  # the schema wants at least one <device> per <driver>
        lines.append('    <driver arch="%s" location="file:///%s/drivers/by-os/%s/%s/" '
                     'pre-installable="true" signed="%s">' % (
                         OSINFO_ARCH[arch], SHARE, meta["autodetect_dir"][arch], os_dir,
                         "true" if signed else "false"))
        lines += ["      <file>%s</file>" % name for name in sorted(files)]
        lines += ['      <device id="http://pcisig.com/pci/%s"/>' % pci.replace(":", "/")
                  for pci in ids]
        lines.append("    </driver>")
    lines += ["  </os>", "</libosinfo>", ""]
    return "\n".join(lines)


def stage_rpm(meta, iso_stage, iso, vfds, tree, version, epoch, signed=False):
    """/usr/share/virtio-win as upstream installs it, plus libosinfo drop-ins.

    by-driver is the ISO's driver tree; by-os merges all drivers per arch and
    OS without symbols.  Files with the same content are hardlinks of one
    another (by-os into by-driver, and within by-driver), so the RPM stores
    each once."""

    def fill(tmp):
        share = os.path.join(tmp, SHARE)
        os.makedirs(share)
        iso_name = "virtio-win-%s.iso" % version
        shutil.copyfile(iso, os.path.join(share, iso_name))
        os.symlink(iso_name, os.path.join(share, "virtio-win.iso"))
        for vfd in vfds:
            name = os.path.basename(vfd)
            prefix = "virtio-win-%s_" % version
            if not (name.startswith(prefix) and name.endswith(".vfd")):
                raise LayoutError("%s: VFD images are named %s<image>.vfd" % (vfd, prefix))
            shutil.copyfile(vfd, os.path.join(share, name))
            os.symlink(name, os.path.join(share, "virtio-win_" + name[len(prefix):]))
        shutil.copyfile(os.path.join(iso_stage, "virtio-win_license.txt"),
                        os.path.join(share, "virtio-win_license.txt"))
        # The guest tools, as upstream's Fedora RPM installs them.
        for name in installer_files(meta):
            os.makedirs(os.path.join(share, "installer"), exist_ok=True)
            shutil.copyfile(os.path.join(iso_stage, name), os.path.join(share, "installer", name))
        # The guest agent's MSIs, where upstream's RPM puts them.
        for iso_path, _ in agent_files(meta):
            os.makedirs(os.path.join(share, os.path.dirname(iso_path)), exist_ok=True)
            shutil.copyfile(os.path.join(iso_stage, iso_path), os.path.join(share, iso_path))
        by_os, pool = {}, {}
        for iso_path, _ in iso_entries(meta):
            parts = iso_path.split("/")
            if len(parts) != 4 or parts[0] not in {d["iso_dir"] for d in meta["drivers"]}:
                continue
            src = os.path.join(iso_stage, iso_path)
            dst = os.path.join(share, "drivers", "by-driver", iso_path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(src, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest in pool:  # same content (w10 and 2k16 ...): stored once
                os.link(pool[digest], dst)
            else:
                shutil.copyfile(src, dst)
                pool[digest] = dst
            iso_dir, os_dir, arch_dir, name = parts
            arch = [a for a, d in meta["arch_dir"].items() if d == arch_dir][0]
            files = by_os.setdefault((arch, os_dir), {})
            if name.endswith(".pdb") or name in files:
                continue  # no symbols; on a name clash the first driver wins
            files[name] = dst
        for (arch, os_dir), files in by_os.items():
            leaf = os.path.join(share, "drivers", "by-os", meta["autodetect_dir"][arch], os_dir)
            os.makedirs(leaf, exist_ok=True)
            for name, src in files.items():
                os.link(src, os.path.join(leaf, name))
        for os_dir in meta["os"]:
            if os_dir not in OSINFO_OS or not any(key[1] == os_dir for key in by_os):
                continue
            os_id = OSINFO_OS[os_dir][0]
            xml_dir = os.path.join(tmp, "usr/share/osinfo/os/microsoft.com", "win-%s.d" % os_id)
            os.makedirs(xml_dir, exist_ok=True)
            with open(os.path.join(xml_dir, "virtio-win-pre-installable-drivers-win-%s.xml" %
                                   os_id), "w", encoding="utf-8") as f:
                f.write(osinfo_xml(meta, os_dir, by_os, signed))
        for dirpath, dirnames, filenames in os.walk(tmp):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
            for name in filenames:
                if not os.path.islink(os.path.join(dirpath, name)):
                    os.chmod(os.path.join(dirpath, name), 0o644)
        set_times(tmp, epoch)

    make_stage(tree, fill)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check").add_argument("meta")
    p = sub.add_parser("iso-files")
    p.add_argument("meta")
    p.add_argument("--cert")
    p = sub.add_parser("stage-iso")
    for arg in ("meta", "out", "stage"):
        p.add_argument(arg)
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--license", required=True)
    p.add_argument("--cert")
    p = sub.add_parser("stage-rpm")
    for arg in ("meta", "iso_stage", "iso"):
        p.add_argument(arg)
    p.add_argument("vfds", nargs="*")
    p.add_argument("--tree", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--signed", action="store_true",
                   help="drivers are production-signed (libosinfo signed=\"true\")")
    sub.add_parser("vfd-images").add_argument("meta")
    p = sub.add_parser("vfd-files")
    p.add_argument("meta")
    p.add_argument("image", choices=sorted(VFD_IMAGES))
    sub.add_parser("rank-groups").add_argument("meta")
    sub.add_parser("server-only").add_argument("meta")
    p = sub.add_parser("stage-vfd")
    for arg in ("meta", "out", "image", "stage"):
        p.add_argument(arg)
    p.add_argument("--epoch", type=int, required=True)
    args = parser.parse_args()
    try:
        meta = load(args.meta)
        if args.cmd == "iso-files":
            files = [iso for iso, _ in iso_entries(meta)] + extra_files(meta, args.cert)
            for name in sorted(files):
                print(name)
        elif args.cmd == "stage-rpm":
            stage_rpm(meta, args.iso_stage, args.iso, args.vfds, args.tree, args.version,
                      args.epoch, args.signed)
        elif args.cmd == "vfd-images":
            for image in vfd_images(meta):
                print(image)
        elif args.cmd == "vfd-files":
            for vfd, _ in vfd_entries(meta, args.image):
                print(vfd)
        elif args.cmd == "server-only":
            for name in server_only(meta):
                print(name)
        elif args.cmd == "rank-groups":
            for os_dir, arch, infs in rank_groups(meta):
                print(os_dir, arch, " ".join(infs))
        elif args.cmd == "stage-vfd":
            if args.image not in VFD_IMAGES:
                raise LayoutError("unknown VFD image %r (one of %s)" % (
                    args.image, ", ".join(sorted(VFD_IMAGES))))
            stage_vfd(meta, args.out, args.image, args.stage, args.epoch)
        elif args.cmd == "stage-iso":
            stage_iso(meta, args.out, args.stage, args.epoch, args.license, args.cert)
    except (LayoutError, KeyError, ValueError, OSError) as e:
        sys.exit("layout: %s: %s" % (args.meta, e))


if __name__ == "__main__":
    main()
