# bench/net/validate.awk: the sanity of bench-net's BENCH lines (make
# check-bench-net).  Per packet: notifications and interrupts between 0
# and 1 (a batch never costs more than one of each per frame), at least
# one descriptor walked (transmit, receive), driver instructions above 0
# and below 20,000 (40,000 per testpmd round trip); receive memory above 0 per queue, the total at least
# a queue's, the shared memory at least the receive total.  Prints one
# line per bad figure; exits 1 when one was bad or no line was seen.
/BENCH (tx|rx|lso) / {
	sub(/.*BENCH /, "")
	kind = $1; lines++
	if (!match($0, /: [0-9]+ packets, /)) { bad("unparsed"); next }
	split(substr($0, RSTART + 2), f, /[ ,()]+/)
	# f: N packets NOTIF notifications INTR interrupts DESC descriptors RING in the ring INSN ...
	n = f[1] + 0; notif = f[3] + 0; intr = f[5] + 0; desc = f[7] + 0; insn = f[13] + 0
	if (n <= 0) bad("no packets")
	if (notif < 0 || notif > 1) bad("notifications per packet " notif)
	if (intr < 0 || intr > 1) bad("interrupts per packet " intr)
	if (kind != "lso" && desc < 1) bad("descriptors per packet " desc)
	if (kind == "lso" && desc <= 0) bad("descriptors per segment " desc)
	if (insn <= 0 || insn >= 20000) bad("driver instructions per packet " insn)
	next
}
/BENCH testpmd / {
	sub(/.*BENCH /, "")
	lines++
	if (!match($0, /: [0-9]+ round trips, /)) { bad("unparsed"); next }
	split(substr($0, RSTART + 2), f, /[ ,()]+/)
	# f: N round trips TXN tx and RXN rx notifications TXI tx and RXI rx interrupts INSN ...
	for (i = 4; i <= 13; i += 3)
		if (f[i] + 0 < 0 || f[i] + 0 > 1) bad("per round trip " f[i])
	if (f[16] + 0 <= 0 || f[16] + 0 >= 40000) bad("driver instructions per round trip " f[16])
	next
}
/BENCH mem / {
	sub(/.*BENCH /, "")
	lines++
	if (!match($0, /: [0-9]+ to [0-9]+ receive bytes per queue, [0-9]+ in all \([0-9]+ blocks\), [0-9]+ bytes/)) { bad("unparsed"); next }
	split(substr($0, RSTART + 2), f, /[ ,()]+/)
	# f: LO to HI receive bytes per queue TOTAL in all BLOCKS blocks SHARED ...
	lo = f[1] + 0; hi = f[3] + 0; total = f[8] + 0; shared = f[13] + 0
	if (lo <= 0) bad("receive bytes per queue " lo)
	if (total < hi) bad("receive total " total " below a queue's " hi)
	if (shared < total) bad("shared memory " shared " below the receive total " total)
}
function bad(why) { print "bench-net: insane figure (" why "): " $0; errors++ }
END {
	if (lines == 0) { print "bench-net: no BENCH line"; exit 1 }
	exit errors ? 1 : 0
}
