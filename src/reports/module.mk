SRCS += src/reports/parse.c
SRCS += src/reports/checks.c
SRCS += src/reports/token.c
SRCS += src/reports/reports.c
