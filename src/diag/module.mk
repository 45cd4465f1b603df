# The diagnosis engine.
SRCS += src/diag/codes.c
SRCS += src/diag/rules.c
SRCS += src/diag/acmatch.c
SRCS += src/diag/reasons.c
SRCS += src/diag/classify.c
SRCS += src/diag/text.c
SRCS += src/diag/dsn.c
SRCS += src/diag/human.c
SRCS += src/diag/extract.c
SRCS += src/diag/mime.c
SRCS += src/diag/diag.c
SRCS += src/diag/cli.c
SRCS += src/diag/hdrs.c
SRCS += src/diag/hdrs_date.c
SRCS += src/diag/hdrs_rcvd.c
SRCS += src/diag/hdrs_auth.c
SRCS += src/diag/hdrs_auth_text.c
SRCS += src/diag/hdrs_spam.c
SRCS += src/diag/hdrs_ms.c
SRCS += src/diag/hdrs_summary.c
SRCS += src/diag/hdrs_json.c
SRCS += src/diag/spamassassin.c
# SpamAssassin's rule table is built into the program from db/seed.
SA_SEED	 = db/seed/spamassassin.txt db/seed/spamassassin-explain.txt
$(BUILD)/gen/sa_table.inc: src/diag/spamassassin_gen.awk $(SA_SEED)
	@mkdir -p $(@D)
	LC_ALL=C awk -f src/diag/spamassassin_gen.awk $(SA_SEED) > $@.tmp
	mv $@.tmp $@
$(BUILD)/src/diag/spamassassin.o: $(BUILD)/gen/sa_table.inc
$(BUILD)/src/diag/spamassassin.o: ALL_CFLAGS += -I$(BUILD)/gen
