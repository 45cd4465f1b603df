SRCS += api/health.c
SRCS += api/diagnoses.c
SRCS += api/faq.c
