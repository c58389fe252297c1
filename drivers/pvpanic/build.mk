DRIVERS += pvpanic
pvpanic_ARCHES  := x86 amd64 arm64
pvpanic_SRCS     = drivers/pvpanic/driver.c drivers/pvpanic/register.c drivers/pvpanic/bugcheck.c \
	$(VWDM_SRCS)
pvpanic_IMPORTS := ntoskrnl hal
