#!/bin/sh
# Usage: tests/containerdisk/run.sh ARCHIVE ISO VERSION SCRATCH
# The archive as KubeVirt users handle it, with the real clients:
#  - index.json holds exactly one reference, the multi-platform index tagged
#    VERSION;
#  - skopeo inspect without a tag resolves both platforms (amd64, arm64) to
#    one image with one shared layer;
#  - podman load (vfs storage under SCRATCH, no daemon, --root/--runroot so
#    the machine's own storage is never touched) loads the host's platform;
#  - umoci ls lists the one tag; skopeo copy without a tag takes each
#    platform into an OCI layout that umoci unpacks to /disk/virtio-win.iso equal to the ISO, 107:107, 0440;
#  - the archive is bit-identical when made again.
# Planted: an archive whose index.json names three references (the index and
# both platform manifests) must be refused by podman load and by skopeo
# without a tag; an archive built from another ISO must fail the content check.
set -u
archive=$(realpath "$1")
iso=$(realpath "$2")
version=$3
scratch=$(realpath -m "$4")
python=${PYTHON:-/usr/bin/python3}
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"
epoch=${SOURCE_DATE_EPOCH:?}

# index.json: exactly one reference, an image index named VERSION.
refs=$(tar -xOf "$archive" index.json | "$python" -c 'import json,sys
m = json.load(sys.stdin)["manifests"]
print(len(m), m[0]["mediaType"], m[0].get("annotations", {}).get("org.opencontainers.image.ref.name"))')
[ "$refs" = "1 application/vnd.oci.image.index.v1+json $version" ] &&
	ok "index.json: one reference, the multi-platform index tagged $version" ||
	fail "index.json references: '$refs'"

layers=
for arch in amd64 arm64; do
	if skopeo inspect --override-arch "$arch" --override-os linux \
		"oci-archive:$archive" >"$scratch/inspect-$arch.json" 2>"$scratch/inspect.err"; then
		got=$("$python" -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["Architecture"], d["Os"], len(d["Layers"]), d["Layers"][0])' "$scratch/inspect-$arch.json")
		set -- $got
		if [ "$1 $2 $3" = "$arch linux 1" ]; then
			ok "skopeo inspect (no tag): a $arch/linux image with one layer"
		else
			fail "skopeo: $arch image is '$got'"
		fi
		layers="$layers $4"
	else
		fail "skopeo inspect $arch: $(cat "$scratch/inspect.err")"
	fi
done
[ "$(echo $layers | tr ' ' '\n' | sort -u | wc -l)" = 1 ] && ok "both platforms share the layer" ||
	fail "platforms have different layers:$layers"

# podman with a private store: vfs driver, images under SCRATCH, no events
# journal, none of this machine's container configuration.  Its run-time
# directory must be a short path (podman refuses one over 50 characters), so
# it lives in a temporary directory removed on exit.
runtop=$(mktemp -d /tmp/vw-podman.XXXXXX)
trap 'rm -rf "$runtop"' EXIT INT TERM
podman_here() { # store args...: podman on a store under SCRATCH
	store=$scratch/$1
	run=$runtop/$1
	shift
	mkdir -p "$store"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$store/root" "$run" >"$store/storage.conf"
	printf '[engine]\nevents_logger = "none"\ncgroup_manager = "cgroupfs"\n' >"$store/containers.conf"
	CONTAINERS_STORAGE_CONF=$store/storage.conf CONTAINERS_CONF=$store/containers.conf \
		XDG_RUNTIME_DIR="$run.xdg" XDG_CONFIG_HOME="$store/config" XDG_DATA_HOME="$store/data" \
		timeout 300 podman --root "$store/root" --runroot "$run" --tmpdir "$run.tmp" \
		--storage-driver vfs "$@"
}
host_arch=$(case $(uname -m) in x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)
if podman_here store load -i "$archive" >"$scratch/load.log" 2>&1; then
	id=$(podman_here store images -q --no-trunc | head -n 1)
	got=$(podman_here store image inspect --format '{{.Architecture}} {{.Os}} {{len .RootFS.Layers}} {{index .RootFS.Layers 0}}' "$id" 2>&1)
	want_layer=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Layers"][0])' "$scratch/inspect-$host_arch.json" 2>/dev/null)
	n=$(podman_here store images -q | wc -l)
	if [ "$got" = "$host_arch linux 1 $want_layer" ] && [ "$n" = 1 ]; then
		ok "podman load: one $host_arch/linux image, the archive's layer"
	else
		fail "podman load gave $n image(s): '$got', want '$host_arch linux 1 $want_layer'"
	fi
else
	fail "podman load: $(tail -n 3 "$scratch/load.log")"
fi

# umoci lists the one tag; it cannot choose a platform inside an index
# (umoci 0.4.7 calls the tag ambiguous), hence skopeo copy first, below.
mkdir -p "$scratch/layout"
tar -C "$scratch/layout" -xf "$archive"
tags=$(umoci ls --layout "$scratch/layout" 2>&1)
[ "$tags" = "$version" ] && ok "umoci ls: the one tag $version" || fail "umoci ls: '$tags'"

unpack_check() { # archive: copy each platform out with skopeo, unpack it with umoci, check the disk
	for arch in amd64 arm64; do
		rm -rf "$scratch/layout-$arch" "$scratch/bundle"
		if ! skopeo copy -q --override-arch "$arch" --override-os linux "oci-archive:$1" \
			"oci:$scratch/layout-$arch:$version" >/dev/null 2>&1; then
			echo "skopeo copy (no tag) of $arch failed"
			return 1
		fi
		if ! umoci unpack --image "$scratch/layout-$arch:$version" "$scratch/bundle" >/dev/null 2>&1; then
			echo "umoci cannot unpack $arch"
			return 1
		fi
		cfg_arch=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["annotations"]["org.opencontainers.image.architecture"])' "$scratch/bundle/config.json" 2>/dev/null)
		[ "$cfg_arch" = "$arch" ] || { echo "$arch: umoci unpacked a '$cfg_arch' image"; return 1; }
		disk=$scratch/bundle/rootfs/disk/virtio-win.iso
		cmp -s "$disk" "$iso" || { echo "$arch: /disk/virtio-win.iso differs from the ISO"; return 1; }
		own=$(stat -c '%u:%g %a' "$disk")
		[ "$own" = "107:107 440" ] || { echo "$arch: /disk/virtio-win.iso is $own"; return 1; }
	done
}
if msg=$(unpack_check "$archive"); then
	ok "skopeo copy + umoci: /disk/virtio-win.iso equals the ISO, 107:107, mode 0440, on both platforms"
else
	fail "$msg"
fi

"$python" packaging/oci.py "$iso" "$scratch/again.tar" --version "$version" --epoch "$epoch"
cmp -s "$archive" "$scratch/again.tar" && ok "archive is bit-identical when made again" ||
	fail "archive differs when made again"

# Planted: three references in index.json (the index plus both platform
# manifests, each tagged), as the archive used to be.
mkdir -p "$scratch/three"
tar -C "$scratch/three" -xf "$archive"
"$python" -c 'import json, sys
d = sys.argv[1]
top = json.load(open(d + "/index.json"))
ref = top["manifests"][0]
plat = json.load(open(d + "/blobs/sha256/" + ref["digest"].split(":")[1]))
for m in plat["manifests"]:
    top["manifests"].append(dict(m, annotations={"org.opencontainers.image.ref.name":
                                                 "%s-%s" % (sys.argv[2], m["platform"]["architecture"])}))
json.dump(top, open(d + "/index.json", "w"))' "$scratch/three" "$version"
tar -C "$scratch/three" -cf "$scratch/three.tar" oci-layout index.json blobs
if podman_here planted load -i "$scratch/three.tar" >"$scratch/planted-load.log" 2>&1; then
	fail "planted: podman load accepted an archive with three references"
elif grep -q 'more than one image' "$scratch/planted-load.log"; then
	ok "planted: podman load refuses an archive with three references"
else
	fail "planted: podman load failed for another reason: $(tail -n 2 "$scratch/planted-load.log")"
fi
if skopeo inspect "oci-archive:$scratch/three.tar" >/dev/null 2>&1; then
	fail "planted: skopeo inspect without a tag accepted three references"
else
	ok "planted: skopeo inspect without a tag refuses three references"
fi

cp "$iso" "$scratch/other.iso"
printf 'x' | dd of="$scratch/other.iso" bs=1 seek=40000 conv=notrunc 2>/dev/null
"$python" packaging/oci.py "$scratch/other.iso" "$scratch/planted.tar" --version "$version" --epoch "$epoch"
if unpack_check "$scratch/planted.tar" >/dev/null; then
	fail "planted: an archive with a different ISO passed"
else
	ok "planted: an archive with a different ISO is caught"
fi
finish
