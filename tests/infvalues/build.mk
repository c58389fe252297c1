# The values Windows relies on in the shipped viostor, vioscsi and netkvm
# INFs (service, StorPort parameters, MSI, hardware IDs, files, NDIS
# medium), asserted on every copy the distribution carries: the ISO's
# driver folders (every OS folder and arch), its auto-detect folders and the
# floppy images' trees.  Planted INFs (tests/infvalues/planted.txt) must
# each give their one finding.
HOST_PROGS += infvalues
infvalues_SRCS := tests/infvalues/infvalues.c sign/inf.c sign/fileio.c

CHECKS += check-infvalues
check-infvalues: $(B)/host/infvalues $(B)/iso/root.stamp $(VFDS)
	$(Q)tests/run-check infvalues tests/infvalues/run.sh $(B)/host/infvalues $(ISO_STAGE) $(B)/vfd
