"""The two MSI checkers' shared parts (msicheck.py for the gt MSIs,
agent-msicheck.py for the agent's): a counted PASS/FAIL line per check and
an MSI table read through msitools."""
import subprocess

failed = 0


def check(ok, what):
    """Prints one PASS or FAIL line for WHAT and counts a failure."""
    global failed
    print("%s: %s" % ("PASS" if ok else "FAIL", what))
    if not ok:
        failed += 1
    return ok


def table(msi, name):
    """The rows of table NAME as dicts keyed by column ([] when the MSI has
    no such table)."""
    r = subprocess.run(["msiinfo", "export", msi, name], capture_output=True, text=True)
    if r.returncode != 0:
        return []
    lines = r.stdout.replace("\r\n", "\n").split("\n")
    cols = lines[0].split("\t")
    return [dict(zip(cols, line.split("\t"))) for line in lines[3:] if line]
