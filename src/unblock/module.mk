SRCS += src/unblock/policy.c
SRCS += src/unblock/checklist.c
SRCS += src/unblock/json.c
SRCS += src/unblock/unblock.c
