# The diagnosis engine.
SRCS += src/diag/codes.c
SRCS += src/diag/rules.c
SRCS += src/diag/reasons.c
SRCS += src/diag/classify.c
SRCS += src/diag/text.c
SRCS += src/diag/mime.c
SRCS += src/diag/diag.c
SRCS += src/diag/cli.c
