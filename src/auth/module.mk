SRCS += src/auth/auth.c
SRCS += src/auth/http.c
SRCS += src/auth/cli.c
