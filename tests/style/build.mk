# Every routine says what it is for (and its IRQL in kernel-mode code); no
# path of one build machine anywhere (tests/style/run.sh).
CHECKS += check-style
check-style:
	$(Q)tests/run-check style tests/style/run.sh
