SRCS += src/util/arena.c
SRCS += src/util/buf.c
SRCS += src/util/err.c
SRCS += src/util/log.c
SRCS += src/util/cfg.c
SRCS += src/util/tmpl.c
SRCS += src/util/i18n.c
