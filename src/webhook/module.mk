SRCS += src/webhook/webhook.c
SRCS += src/webhook/worker.c
