SRCS += src/store/store.c
SRCS += src/store/store_diag.c
SRCS += src/store/store_rules.c
