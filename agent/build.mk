# The guest agent (agent/README.md): portable core in agent/core, Win32
# layer in agent/win; host unit tests against a fake OS layer.
GA_CORE_SRCS := agent/core/json.c agent/core/stream.c agent/core/agent.c agent/core/util.c \
	agent/core/b64.c agent/core/config.c agent/core/commands.c agent/core/cmd_base.c \
	agent/core/cmd_system.c agent/core/cmd_inventory.c agent/core/cmd_file.c \
	agent/core/cmd_exec.c

GA_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PROGS += qga-test qga-test-planted
qga-test_SRCS := agent/tests/agent_test.c agent/tests/fake_os.c $(GA_CORE_SRCS)
qga-test_CFLAGS := $(GA_SAN) -Wno-format-truncation
qga-test_LDFLAGS := $(GA_SAN)
qga-test-planted_SRCS := $(qga-test_SRCS)
# The planted bug: the stream ignores the host's 0xFF flush.
qga-test-planted_CFLAGS := $(qga-test_CFLAGS) -DGA_PLANTED_NO_FLUSH
qga-test-planted_LDFLAGS := $(GA_SAN)

CHECKS += check-qga
.PHONY: check-qga
check-qga: $(B)/host/qga-test $(B)/host/qga-test-planted
	$(Q)tests/run-check qga agent/tests/run.sh $^
