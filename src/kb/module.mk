# The knowledge base.
SRCS += src/kb/fts.c
SRCS += src/kb/text.c
SRCS += src/kb/search.c
SRCS += src/kb/seed.c
SRCS += src/kb/admin.c
