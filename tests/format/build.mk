# The tree is clang-formatted.
CHECKS += check-format
check-format: | deps-ensure
	$(Q)tests/run-check format tests/format/run.sh $(CLANG_FMT) $(B)/format
