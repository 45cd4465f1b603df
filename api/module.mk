SRCS += api/health.c
SRCS += api/diagnoses.c
SRCS += api/faq.c
SRCS += api/accounts.c
SRCS += api/blocks.c
SRCS += api/requests.c
SRCS += api/keys.c
