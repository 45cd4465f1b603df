# The knowledge base.
SRCS += src/kb/text.c
SRCS += src/kb/search.c
SRCS += src/kb/seed.c
SRCS += src/kb/admin.c
SRCS += src/kb/export.c
