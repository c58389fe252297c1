#!/usr/bin/env python3
"""check-qga-wine: the real qemu-ga.exe under Wine, its channel on pipes
this test owns (-m stdio).  Every reply is validated against the reply
shapes of QEMU's guest agent schema (qga/qapi-schema.json), written here
from QEMU's documentation.  Prints PASS/FAIL/SKIP lines and ends with
"N passed, N failed".

usage: wine_check.py WINE EXE WORKDIR
"""
import base64
import getpass
import json
import os
import select
import subprocess
import sys
import time

# ---- shapes from QEMU's schema ----
# A shape is a type name, [shape] for a list, or a dict of member ->
# (shape, required).  Enums are ("enum", values).
INT, STR, BOOL, NUMBER, UINT64 = "int", "str", "bool", "number", "uint64"

GuestAgentCommandInfo = {"name": (STR, True), "enabled": (BOOL, True),
                         "success-response": (BOOL, True)}
GuestAgentInfo = {"version": (STR, True), "supported_commands": ([GuestAgentCommandInfo], True)}
GuestOSInfo = {k: (STR, False) for k in (
    "kernel-release", "kernel-version", "machine", "id", "name", "pretty-name", "version",
    "version-id", "variant", "variant-id")}
GuestHostName = {"host-name": (STR, True)}
GuestTimezone = {"zone": (STR, False), "offset": (INT, True)}
GuestLogicalProcessor = {"logical-id": (INT, True), "online": (BOOL, True),
                         "can-offline": (BOOL, False)}
GuestUser = {"user": (STR, True), "login-time": (NUMBER, True), "domain": (STR, False)}
GuestIpAddress = {"ip-address": (STR, True),
                  "ip-address-type": (("enum", ["ipv4", "ipv6"]), True), "prefix": (INT, True)}
GuestNetworkInterfaceStat = {k: (UINT64, True) for k in (
    "rx-bytes", "rx-packets", "rx-errs", "rx-dropped", "tx-bytes", "tx-packets", "tx-errs",
    "tx-dropped")}
GuestNetworkInterface = {"name": (STR, True), "hardware-address": (STR, False),
                         "ip-addresses": ([GuestIpAddress], False),
                         "statistics": (GuestNetworkInterfaceStat, False)}
GuestPCIAddress = {k: (INT, True) for k in ("domain", "bus", "slot", "function")}
GuestDiskAddress = {"pci-controller": (GuestPCIAddress, True),
                    "bus-type": (("enum", ["ide", "fdc", "scsi", "virtio", "xen", "usb", "uml",
                                           "sata", "sd", "unknown", "ieee1394", "ssa", "fibre",
                                           "raid", "iscsi", "sas", "mmc", "virtual",
                                           "file-backed-virtual", "nvme"]), True),
                    "bus": (INT, True), "target": (INT, True), "unit": (INT, True),
                    "serial": (STR, False), "dev": (STR, False)}
GuestFilesystemInfo = {"name": (STR, True), "mountpoint": (STR, True), "type": (STR, True),
                       "used-bytes": (UINT64, False), "total-bytes": (UINT64, False),
                       "disk": ([GuestDiskAddress], True)}
GuestDiskInfo = {"name": (STR, True), "partition": (BOOL, True), "dependencies": ([STR], False),
                 "address": (GuestDiskAddress, False), "alias": (STR, False),
                 "smart": ({}, False)}
GuestFilesystemTrimResult = {"path": (STR, True), "trimmed": (INT, False),
                             "minimum": (INT, False), "error": (STR, False)}
GuestFilesystemTrimResponse = {"paths": ([GuestFilesystemTrimResult], True)}
GuestAuthorizedKeys = {"keys": ([STR], True)}
GuestFileRead = {"count": (INT, True), "buf-b64": (STR, True), "eof": (BOOL, True)}
GuestFileWrite = {"count": (INT, True), "eof": (BOOL, True)}
GuestFileSeek = {"position": (INT, True), "eof": (BOOL, True)}
GuestExec = {"pid": (INT, True)}
GuestExecStatus = {"exited": (BOOL, True), "exitcode": (INT, False), "signal": (INT, False),
                   "out-data": (STR, False), "err-data": (STR, False),
                   "out-truncated": (BOOL, False), "err-truncated": (BOOL, False)}
GuestDeviceId = {"type": (("enum", ["pci"]), True), "vendor-id": (INT, True),
                 "device-id": (INT, True)}
GuestDeviceInfo = {"driver-name": (STR, True), "driver-date": (INT, False),
                   "driver-version": (STR, False), "id": (GuestDeviceId, False)}
GuestLoadInfo = {"load1": (NUMBER, True), "load5": (NUMBER, True), "load15": (NUMBER, True)}
EMPTY = {}

RETURNS = {
    "guest-ping": EMPTY, "guest-info": GuestAgentInfo, "guest-sync": INT,
    "guest-sync-delimited": INT, "guest-get-time": INT, "guest-get-osinfo": GuestOSInfo,
    "guest-get-host-name": GuestHostName, "guest-get-timezone": GuestTimezone,
    "guest-get-vcpus": [GuestLogicalProcessor], "guest-get-users": [GuestUser],
    "guest-network-get-interfaces": [GuestNetworkInterface],
    "guest-get-fsinfo": [GuestFilesystemInfo], "guest-file-open": INT,
    "guest-get-disks": [GuestDiskInfo], "guest-fstrim": GuestFilesystemTrimResponse,
    "guest-ssh-get-authorized-keys": GuestAuthorizedKeys,
    "guest-ssh-add-authorized-keys": EMPTY, "guest-ssh-remove-authorized-keys": EMPTY,
    "guest-file-read": GuestFileRead, "guest-file-write": GuestFileWrite,
    "guest-file-seek": GuestFileSeek, "guest-file-flush": EMPTY, "guest-file-close": EMPTY,
    "guest-exec": GuestExec, "guest-exec-status": GuestExecStatus,
    "guest-get-load": GuestLoadInfo, "guest-get-devices": [GuestDeviceInfo],
    "guest-fsfreeze-status": ("enum", ["thawed", "frozen"]), "guest-fsfreeze-freeze": INT,
    "guest-fsfreeze-freeze-list": INT, "guest-fsfreeze-thaw": INT,
}
ERROR_CLASSES = ("GenericError", "CommandNotFound", "DeviceNotActive", "DeviceNotFound",
                 "KVMMissingCap")


def validate(value, shape, path="return"):
    """Returns a list of mismatches between value and shape."""
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [e for i, v in enumerate(value) for e in validate(v, shape[0], f"{path}[{i}]")]
    if isinstance(shape, tuple):
        return [] if value in shape[1] else [f"{path}: {value!r} not in {shape[1]}"]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        errs = [f"{path}.{k}: unexpected member" for k in value if k not in shape]
        for k, (sub, required) in shape.items():
            if k in value:
                errs += validate(value[k], sub, f"{path}.{k}")
            elif required:
                errs.append(f"{path}.{k}: missing")
        return errs
    ok = {INT: lambda v: isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63,
          UINT64: lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**64,
          STR: lambda v: isinstance(v, str),
          BOOL: lambda v: isinstance(v, bool),
          NUMBER: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}[shape](value)
    return [] if ok else [f"{path}: {value!r} is not {shape}"]


def validate_reply(cmd, reply):
    """Checks a whole reply: a return of the command's shape, or an error."""
    if not isinstance(reply, dict):
        return ["reply is not an object"]
    if "error" in reply:
        e = reply["error"]
        errs = [f"unexpected member {k}" for k in reply if k not in ("error", "id")]
        if not (isinstance(e, dict) and set(e) == {"class", "desc"} and
                e.get("class") in ERROR_CLASSES and isinstance(e.get("desc"), str)):
            errs.append(f"malformed error {e!r}")
        return errs
    if set(reply) - {"return", "id"} or "return" not in reply:
        return [f"malformed reply members {sorted(reply)}"]
    return validate(reply["return"], RETURNS[cmd])


passed = failed = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}{': ' + str(detail)[:600] if detail else ''}")


class Agent:
    """One qemu-ga.exe under Wine, talking over its standard input/output."""

    def __init__(self, wine, exe, *args):
        self.p = subprocess.Popen([wine, exe, "-m", "stdio", *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = b""

    def send(self, data):
        self.p.stdin.write(data if isinstance(data, bytes) else data.encode())
        self.p.stdin.flush()

    def line(self, timeout=60):
        """The next reply line (bytes, without the newline), or None."""
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def call(self, cmd, args=None, raw=None):
        """Sends one request; returns the parsed reply (or None)."""
        req = {"execute": cmd}
        if args is not None:
            req["arguments"] = args
        self.send(raw if raw is not None else json.dumps(req))
        line = self.line()
        if line is None:
            return None
        try:
            return json.loads(line.lstrip(b"\xff"))
        except ValueError:
            return {"unparsable": line.decode(errors="replace")}

    def close(self):
        self.p.stdin.close()
        try:
            return self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


def shaped(agent, cmd, args=None, must_succeed=True):
    """Calls cmd, validates the reply's shape; returns the return value."""
    r = agent.call(cmd, args)
    errs = validate_reply(cmd, r) if r is not None else ["no reply"]
    if must_succeed and r is not None and "error" in r:
        errs.append(f"error {r['error']}")
    check(not errs, f"{cmd}: reply matches QEMU's schema", (errs, r))
    return r.get("return") if isinstance(r, dict) else None


def self_test():
    """The planted inputs: replies that break the schema must be refused."""
    bad = [("guest-get-timezone", {"return": {"zone": "UTC"}}),
           ("guest-get-osinfo", {"return": {"machine": 5}}),
           ("guest-network-get-interfaces",
            {"return": [{"name": "e", "ip-addresses": [{"ip-address": "1.2.3.4",
                                                          "ip-address-type": "ipv5",
                                                          "prefix": 8}]}]}),
           ("guest-get-vcpus", {"return": [{"logical-id": 0, "online": "yes"}]}),
           ("guest-ping", {"error": {"class": "Oops", "desc": "x"}}),
           ("guest-exec-status", {"return": {"exited": True, "exit-code": 1}}),
           ("guest-get-disks", {"return": [{"name": "\\\\.\\PhysicalDrive0"}]}),
           ("guest-fstrim", {"return": {"paths": [{"path": "C:\\", "error": 5}]}})]
    caught = sum(1 for cmd, r in bad if validate_reply(cmd, r))
    check(caught == len(bad), f"planted bad replies refused by the validator ({caught}/{len(bad)})")


def freeze_checks(a):
    """guest-fsfreeze-*: Wine has no VSS (its vssapi answers E_NOTIMPL), so a
    freeze must be one clear error leaving the agent thawed and answering;
    a real freeze is a skip here."""
    check(shaped(a, "guest-fsfreeze-status") == "thawed", "guest-fsfreeze-status: thawed")
    check(shaped(a, "guest-fsfreeze-thaw") == 0, "guest-fsfreeze-thaw without freeze: 0")
    r = a.call("guest-fsfreeze-freeze")
    err = (r or {}).get("error", {})
    if r is not None and "return" in r:
        check(shaped(a, "guest-fsfreeze-status") == "frozen", "freeze worked: frozen")
        check(isinstance(shaped(a, "guest-fsfreeze-thaw"), int), "thaw after a freeze")
    else:
        check(err.get("class") == "GenericError" and
              err.get("desc", "").startswith("failed to create VSS backup components: "),
              "guest-fsfreeze-freeze without VSS: one clear error", r)
        print(f"SKIP: a real freeze needs Windows's VSS (Wine answered: {err.get('desc')})")
    check(shaped(a, "guest-fsfreeze-status") == "thawed", "thawed after the failed freeze")
    r = a.call("guest-fsfreeze-freeze-list", {"mountpoints": ["Q:\\"]})
    check((r or {}).get("error", {}).get("desc") ==
          "failed to add Q:\\ to snapshot set: no mounted volume has that path",
          "guest-fsfreeze-freeze-list: an unknown mount point refused", r)
    check(shaped(a, "guest-get-host-name") is not None, "commands run after the freeze attempts")


def vss_install_checks(wine, exe):
    """-s vss-install / vss-uninstall: Wine has no VSS coordinator, so each
    must end with exit status 1 and one clear line; registering with VSS is
    a skip here."""
    for cmd in ("vss-install", "vss-uninstall"):
        p = subprocess.run([wine, exe, "-s", cmd], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120)
        text = (p.stdout + p.stderr).decode(errors="replace")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        check(p.returncode == 1 and len(lines) == 1 and
              "failed to reach the VSS coordinator: " in lines[0],
              f"qemu-ga -s {cmd} without VSS: exit 1, one clear line", (p.returncode, text))
    print("SKIP: registering the provider with VSS needs Windows (Wine has no VSS coordinator)")


def main():
    wine, exe, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    self_test()
    a = Agent(wine, exe)
    # A stale partial request from an "earlier client", then the host's
    # flush and sync: only the sync is answered, after the sentinel.
    a.send('{"execute":"guest-file-open","arguments":{"path":"C:\\\\x')
    a.send(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":31337}}')
    line = a.line(timeout=120)
    check(line is not None and line.startswith(b"\xff") and
          json.loads(line[1:]) == {"return": 31337},
          "0xFF flush, then guest-sync-delimited: sentinel and id", line)
    shaped(a, "guest-sync", {"id": 2**62})
    check(shaped(a, "guest-ping") == {}, "guest-ping returns {}")
    info = shaped(a, "guest-info")
    names = {c["name"] for c in (info or {}).get("supported_commands", [])}
    check({"guest-ping", "guest-exec", "guest-file-open", "guest-get-osinfo"} <= names,
          "guest-info lists the commands", sorted(names))
    t = shaped(a, "guest-get-time")
    check(isinstance(t, int) and abs(t / 1e9 - time.time()) < 300,
          "guest-get-time is the current time in ns", t)
    os_info = shaped(a, "guest-get-osinfo")
    check(isinstance(os_info, dict) and os_info.get("id") == "mswindows" and
          os_info.get("machine") == "x86_64", "guest-get-osinfo: mswindows, x86_64", os_info)
    shaped(a, "guest-get-host-name")
    shaped(a, "guest-get-timezone")
    vcpus = shaped(a, "guest-get-vcpus")
    check(isinstance(vcpus, list) and len(vcpus) >= 1, "guest-get-vcpus: at least one", vcpus)
    shaped(a, "guest-get-users")
    nics = shaped(a, "guest-network-get-interfaces")
    check(any(ip.get("ip-address") == "127.0.0.1" and ip.get("prefix") == 8
              for n in (nics or []) for ip in n.get("ip-addresses", [])),
          "guest-network-get-interfaces: loopback 127.0.0.1/8", nics)
    shaped(a, "guest-get-devices")
    fs = shaped(a, "guest-get-fsinfo")
    check(any(v.get("mountpoint") == "C:\\" for v in (fs or [])), "guest-get-fsinfo: C:\\", fs)
    # Wine has no disk device interfaces (an empty list) and no defrag.exe
    # (each fixed volume's result carries the reason); the shapes hold.
    shaped(a, "guest-get-disks")
    trim = shaped(a, "guest-fstrim", {"minimum": 0})
    check(isinstance(trim, dict) and all(isinstance(p.get("path"), str) and p["path"]
                                         for p in trim.get("paths", [])),
          "guest-fstrim: one result per fixed volume, each with its path", trim)

    # Wine's PDH has no "\System\Processor Queue Length": a clear error
    # there, three averages on Windows.
    r = a.call("guest-get-load")
    check(r is not None and not validate_reply("guest-get-load", r) and
          ("return" in r or r["error"]["desc"].startswith("cannot sample")),
          "guest-get-load: averages, or a clear error without the counter", r)

    # Files: the Linux side sees what the host wrote through the agent.
    host_path = os.path.join(os.path.abspath(work), "file.txt")
    win_path = "Z:" + host_path.replace("/", "\\")
    h = shaped(a, "guest-file-open", {"path": win_path, "mode": "w+"})
    data = b"hello from the host\x00\xff"
    w = shaped(a, "guest-file-write", {"handle": h, "buf-b64": base64.b64encode(data).decode()})
    check(isinstance(w, dict) and w.get("count") == len(data), "guest-file-write count", w)
    shaped(a, "guest-file-flush", {"handle": h})
    s = shaped(a, "guest-file-seek", {"handle": h, "offset": 6, "whence": "set"})
    check(isinstance(s, dict) and s.get("position") == 6, "guest-file-seek position", s)
    rd = shaped(a, "guest-file-read", {"handle": h, "count": 100})
    check(isinstance(rd, dict) and base64.b64decode(rd.get("buf-b64", "")) == data[6:],
          "guest-file-read returns the data", rd)
    shaped(a, "guest-file-close", {"handle": h})
    with open(host_path, "rb") as f:
        check(f.read() == data, "the file holds what was written")
    r = a.call("guest-file-read", {"handle": h})
    check(not validate_reply("guest-file-read", r) and r.get("error", {}).get("desc") ==
          f"handle '{h}' has not been found", "closed handle: clear error", r)
    r = a.call("guest-file-open", {"path": "Z:\\no\\such\\dir\\f"})
    check(not validate_reply("guest-file-open", r) and
          r.get("error", {}).get("desc", "").startswith("failed to open file"),
          "missing file: clear error", r)

    # SSH keys of Wine's user (its profile found through the ProfileList
    # by SID; Wine does not count it as an administrator): the Linux side
    # sees the file.
    user = getpass.getuser()
    keyfile = os.path.join(os.environ["WINEPREFIX"], "drive_c", "users", user, ".ssh",
                           "authorized_keys")
    if os.path.exists(keyfile):
        os.unlink(keyfile)
    k1, k2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 one@host", "ssh-rsa AAAAB3NzaC1yc2E two@host"
    r = a.call("guest-ssh-get-authorized-keys", {"username": user})
    check(not validate_reply("guest-ssh-get-authorized-keys", r) and
          r.get("error", {}).get("desc", "").startswith("failed to read"),
          "guest-ssh-get-authorized-keys without a key file: clear error", r)
    shaped(a, "guest-ssh-add-authorized-keys", {"username": user, "keys": [k1, k2, k1]})
    got = open(keyfile, encoding="utf-8").read() if os.path.exists(keyfile) else None
    check(got == k1 + "\n" + k2 + "\n", "ssh-add: %USERPROFILE%\\.ssh\\authorized_keys written", got)
    keys = shaped(a, "guest-ssh-get-authorized-keys", {"username": user})
    check(keys == {"keys": [k1, k2]}, "ssh-get: the keys back", keys)
    shaped(a, "guest-ssh-remove-authorized-keys", {"username": user, "keys": [k1]})
    got = open(keyfile, encoding="utf-8").read() if os.path.exists(keyfile) else None
    check(got == k2 + "\n", "ssh-remove: only the other key left", got)
    r = a.call("guest-ssh-add-authorized-keys", {"username": user, "keys": ["ssh-rsa A\nEVIL"]})
    got = open(keyfile, encoding="utf-8").read() if os.path.exists(keyfile) else None
    check(not validate_reply("guest-ssh-add-authorized-keys", r) and "error" in r and
          got == k2 + "\n", "ssh-add of a key with a line break: refused, file unchanged", r)
    r = a.call("guest-ssh-get-authorized-keys", {"username": "no-such-user-qga"})
    check(not validate_reply("guest-ssh-get-authorized-keys", r) and
          r.get("error", {}).get("desc") == "User no-such-user-qga was not found",
          "ssh-get for a missing user: clear error", r)
    r = a.call("guest-ssh-get-authorized-keys", {"username": "..\\" + user})
    check(not validate_reply("guest-ssh-get-authorized-keys", r) and
          r.get("error", {}).get("desc", "").startswith("invalid user name"),
          "ssh-get with a path in the user name: refused", r)

    # Processes.
    pid = (shaped(a, "guest-exec", {"path": "cmd.exe", "arg": ["/c", "echo hi& exit 3"],
                                    "capture-output": True}) or {}).get("pid")
    st, shape_errs = None, []
    # Polled for at most 2 minutes: cmd.exe starts slowly under Wine on a
    # loaded machine.
    end = time.time() + 120
    while time.time() < end:
        r = a.call("guest-exec-status", {"pid": pid}) if pid else None
        shape_errs += validate_reply("guest-exec-status", r) if r is not None else ["no reply"]
        st = r.get("return") if isinstance(r, dict) else None
        if not st or st.get("exited"):
            break
        time.sleep(0.2)
    check(not shape_errs, "guest-exec-status: every reply matches QEMU's schema", shape_errs)
    check(isinstance(st, dict) and st.get("exited") and st.get("exitcode") == 3 and
          base64.b64decode(st.get("out-data", "")).strip() == b"hi",
          "guest-exec: output and exit code", st)
    r = a.call("guest-exec-status", {"pid": pid})
    check(r is not None and r.get("error", {}).get("desc") == "Invalid parameter 'pid'",
          "reaped process: clear error", r)

    # Errors, each answered once, the agent still answering afterwards.
    r = a.call(None, raw='{"execute": guest-ping}\n')
    check(r is not None and r.get("error", {}).get("class") == "GenericError" and
          r["error"]["desc"].startswith("JSON parse error"), "malformed JSON: parse error", r)
    r = a.call("guest-no-such-command")
    check(r is not None and r.get("error", {}).get("class") == "CommandNotFound",
          "unknown command: CommandNotFound", r)
    r = a.call("guest-set-time", {"time": "soon"})
    check(r is not None and r.get("error", {}).get("desc") ==
          "Invalid parameter type for 'time', expected: integer", "wrong argument type", r)
    r = a.call("guest-set-user-password", {"username": "x", "password": "czNj", "crypted": True})
    check(r is not None and r.get("error", {}).get("desc") ==
          "this feature or command is not currently supported",
          "guest-set-user-password: crypted passwords refused", r)
    r = a.call("guest-set-user-password", {"username": "x", "password": "c$Nj", "crypted": False})
    check(r is not None and r.get("error", {}).get("desc") == "Invalid Base64 data",
          "guest-set-user-password: bad base64 refused", r)
    big = '{"execute":"guest-ping","id":"' + "x" * (5 << 20) + '"}'
    r = a.call(None, raw=big)
    check(r is not None and r.get("error", {}).get("desc") == "JSON token size limit exceeded",
          "oversized request: one clear error", r)
    check(shaped(a, "guest-ping") == {}, "answering again after the errors")
    freeze_checks(a)
    check(a.close() == 0, "agent ends at the end of its input")
    vss_install_checks(wine, exe)

    # Allow and block lists from the command line and a key file.
    conf = os.path.join(os.path.abspath(work), "qemu-ga.conf")
    with open(conf, "w") as f:
        f.write("[general]\nblock-rpcs=guest-get-time;guest-exec\n")
    b = Agent(wine, exe, "-c", "Z:" + conf.replace("/", "\\"), "--block-rpcs=guest-get-osinfo")
    for cmd in ("guest-get-time", "guest-exec", "guest-get-osinfo"):
        r = b.call(cmd)
        check(r is not None and r.get("error") == {
            "class": "CommandNotFound",
            "desc": f"Command {cmd} has been disabled: the command is not allowed"},
            f"{cmd} blocked by configuration", r)
    info = shaped(b, "guest-info")
    off = {c["name"] for c in (info or {}).get("supported_commands", []) if not c["enabled"]}
    check(off == {"guest-get-time", "guest-exec", "guest-get-osinfo"},
          "guest-info shows the blocked commands disabled", sorted(off))
    b.close()

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
