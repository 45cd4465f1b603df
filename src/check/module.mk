# Sender checks: DNS facts (c-ares) and the spamd score.
SRCS += src/check/dnsmsg.c
SRCS += src/check/resolve.c
SRCS += src/check/names.c
SRCS += src/check/spf.c
SRCS += src/check/records.c
SRCS += src/check/messages.c
SRCS += src/check/check.c
SRCS += src/check/check_auth.c
SRCS += src/check/psl.c
SRCS += src/check/check_ip.c
SRCS += src/check/run.c
SRCS += src/check/ratelimit.c
SRCS += src/check/spamc.c
SRCS += src/check/cli.c
# c-ares 1.22 and later mark ares_getsock/ares_process_fd deprecated; the
# 1.18 of Debian 12 does not. Keep newer systems building with -Werror.
$(BUILD)/src/check/resolve.o: ALL_CFLAGS += -Wno-deprecated-declarations
