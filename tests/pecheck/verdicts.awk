# verdicts.awk: judge one image's pecheck and pefile verdicts against the
# planted rules, printing the PASS/FAIL/SKIP lines run-tests.sh counts.
#
# usage: awk -f verdicts.awk -v image=FILE -v dir=DIR -v ext=EXT
#            -v good_rc=N -v planted_rc=N
#            LIST PLANTS GOOD_LOG PLANTED_LOG PEFILE_LOG
#   LIST        pemutate --list: "MUTATION EXPECTED-RULE"
#   PLANTS      pemutate --all: "MUTATION RULE" | "SKIP MUTATION why" |
#               "FAIL MUTATION why"; the image of MUTATION is DIR/MUTATION.EXT
#   GOOD_LOG    pecheck's output for IMAGE alone (exit status good_rc)
#   PLANTED_LOG pecheck's output for every planted image in one run (exit
#               status planted_rc: each image must fail, so it must be 1)
#   PEFILE_LOG  pecheck_pefile.py's output for IMAGE and every planted image
# One awk for what was five processes per verdict ("ids", once per image
# and log): process starts were most of check-pecheck's time.
#
# The rule set of a file in a log is its lines "FILE: RULE: why" or
# "FILE: ok", the RULEs sorted and unique, joined by blanks (no blank in a
# path, so the file name ends at the first ": ").

# add(src, path, rule): put rule into the sorted set of path in log src.
function add(src, path, rule, n, i, got, out) {
    if ((src, path) in set) {
        n = split(set[src, path], got, " ")
        out = ""
        for (i = 1; i <= n && got[i] < rule; i++)
            out = out got[i] " "
        if (i <= n && got[i] == rule)
            return
        out = out rule
        for (; i <= n; i++)
            out = out " " got[i]
        set[src, path] = out
    } else {
        set[src, path] = rule
    }
}

# rules(src, path): the rule set of path in log src ("" when none).
function rules(src, path) {
    return (src, path) in set ? set[src, path] : ""
}

# A verdict line of a pecheck-style log: its path, rule and whole text.
function verdict(src, p, path, rule) {
    p = index($0, ": ")
    if (p == 0)
        return
    path = substr($0, 1, p - 1)
    rule = substr($0, p + 2)
    sub(/:.*/, "", rule)
    add(src, path, rule)
    if ((src, path) in text)
        text[src, path] = text[src, path] "\n" $0
    else
        text[src, path] = $0
}

FILENAME == ARGV[1] { nmut++; mut[nmut] = $1; want[$1] = $2; next }
FILENAME == ARGV[2] {
    if ($1 == "SKIP" || $1 == "FAIL") {
        how[$2] = $1
        why = $0
        sub(/^[A-Z]+ [^ ]+ /, "", why)
        reason[$2] = why
    } else {
        how[$1] = "planted"
    }
    next
}
FILENAME == ARGV[3] { verdict("good"); goodlog = goodlog == "" ? $0 : goodlog "\n" $0; next }
FILENAME == ARGV[4] { verdict("planted"); next }
FILENAME == ARGV[5] { verdict("pefile"); next }

END {
    if (good_rc == 0 && rules("good", image) == "ok")
        print "PASS: " image
    else
        print "FAIL: " image ": pecheck rc=" good_rc ": " goodlog
    # The images that pefile must agree on, with the log pecheck's verdict is in.
    nimg = 1
    img[1] = image
    src[1] = "good"
    for (i = 1; i <= nmut; i++) {
        m = mut[i]
        if (!(m in how)) {
            print "FAIL: " image " " m ": pemutate gave no verdict"
            continue
        }
        if (how[m] == "SKIP") {
            print "SKIP: " image " " m ": " reason[m]
            continue
        }
        if (how[m] == "FAIL") {
            print "FAIL: " image " " m ": pemutate: " reason[m]
            continue
        }
        p = dir "/" m "." ext
        img[++nimg] = p
        src[nimg] = "planted"
        if (planted_rc == 1 && rules("planted", p) == want[m])
            print "PASS: " p ": " want[m]
        else
            print "FAIL: " p ": expected " want[m] ", pecheck rc=" planted_rc ": " text["planted", p]
    }
    # Cross-check: the pefile implementation agrees on every image.
    for (i = 1; i <= nimg; i++) {
        a = rules(src[i], img[i])
        b = rules("pefile", img[i])
        if (a != "" && a == b)
            print "PASS: " img[i] ": pefile agrees (" b ")"
        else
            print "FAIL: " img[i] ": pecheck says '" a "', pefile says '" b "': " text["pefile", img[i]]
    }
}
