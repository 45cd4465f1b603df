# The diagnosis engine.
SRCS += src/diag/codes.c
