SRCS += src/store/store.c
SRCS += src/store/store_diag.c
SRCS += src/store/store_rules.c
SRCS += src/store/store_unblock.c
SRCS += src/store/store_auth.c
SRCS += src/store/store_kb.c
SRCS += src/store/store_session.c
SRCS += src/store/store_reports.c
