#!/usr/bin/python3
"""Write the KubeVirt container disk: an OCI image archive.

    oci.py ISO OUTPUT.tar --version V --epoch S

The image has one layer holding /disk/virtio-win.iso, owned by 107:107 (the
qemu user in KubeVirt's virt-launcher) with mode 0440, which is the
containerDisk convention.  The layer is the same for every platform, so the
archive carries an index with one manifest per architecture KubeVirt runs on
(amd64, arm64), both pointing at the same layer; index.json references only
that multi-platform index, tagged with the version.  Everything is
deterministic: fixed owners, SOURCE_DATE_EPOCH times, sorted entries, JSON
with sorted keys, no compression (an ISO does not compress, and gzip adds a
source of variation).  The output is written to a temporary file and renamed,
so an error leaves nothing behind.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile
import time

DISK_UID = 107
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
PLATFORMS = ("amd64", "arm64")


def tar_entry(name, size, mode, uid, epoch, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.uid = info.gid = uid
    info.uname = info.gname = ""
    info.mtime = epoch
    info.type = kind
    return info


def layer_tar(iso, epoch):
    """The layer, built in memory around the ISO file."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(tar_entry("disk", 0, 0o555, DISK_UID, epoch, tarfile.DIRTYPE))
        size = os.path.getsize(iso)
        with open(iso, "rb") as f:
            tar.addfile(tar_entry("disk/virtio-win.iso", size, 0o440, DISK_UID, epoch), f)
    return buf.getvalue()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def descriptor(media_type, blob, **extra):
    desc = {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(blob).hexdigest(),
            "size": len(blob)}
    desc.update(extra)
    return desc


def build(iso, version, epoch):
    """{path in the archive: bytes} of the OCI image layout."""
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    layer = layer_tar(iso, epoch)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    blobs, manifests = [layer], []
    for arch in PLATFORMS:
        config = canonical({
            "architecture": arch, "os": "linux", "created": created,
            "config": {"Labels": {"org.opencontainers.image.version": version,
                                  "org.opencontainers.image.title": "virtio-win container disk"}},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": created, "created_by": "virtio-win packaging/oci.py"}]})
        manifest = canonical({"schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
                              "config": descriptor(MEDIA_CONFIG, config),
                              "layers": [descriptor(MEDIA_LAYER, layer)]})
        blobs += [config, manifest]
        manifests.append(descriptor(MEDIA_MANIFEST, manifest,
                                    platform={"architecture": arch, "os": "linux"}))
    # index.json names exactly one image, the multi-platform index tagged
    # with the version: podman load and skopeo/umoci without a tag accept an
    # archive only when it holds a single reference, and tools then pick the
    # platform of the host they run on (or the one asked for).
    platforms = canonical({"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": manifests})
    blobs.append(platforms)
    top = descriptor(MEDIA_INDEX, platforms,
                     annotations={"org.opencontainers.image.ref.name": version})
    files = {"oci-layout": canonical({"imageLayoutVersion": "1.0.0"}),
             "index.json": canonical({"schemaVersion": 2, "mediaType": MEDIA_INDEX,
                                      "manifests": [top]})}
    for blob in blobs:
        files["blobs/sha256/" + hashlib.sha256(blob).hexdigest()] = blob
    return files


def write_archive(files, output, epoch):
    tmp = output + ".tmp"
    try:
        with tarfile.open(tmp, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name in ("blobs", "blobs/sha256"):
                tar.addfile(tar_entry(name, 0, 0o755, 0, epoch, tarfile.DIRTYPE))
            for name in sorted(files):
                data = files[name]
                tar.addfile(tar_entry(name, len(data), 0o644, 0, epoch), io.BytesIO(data))
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("iso")
    parser.add_argument("output")
    parser.add_argument("--version", required=True)
    parser.add_argument("--epoch", type=int, required=True)
    args = parser.parse_args()
    try:
        write_archive(build(args.iso, args.version, args.epoch), args.output, args.epoch)
    except OSError as e:
        sys.exit("oci: %s" % e)


if __name__ == "__main__":
    main()
