SRCS += src/webhook/webhook.c
SRCS += src/webhook/worker.c
SRCS += src/webhook/mail.c
