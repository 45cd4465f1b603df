SRCS += api/health.c
SRCS += api/diagnoses.c
