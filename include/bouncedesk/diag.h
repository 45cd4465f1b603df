/* diag.h - the diagnosis engine: from pasted bytes to a report.
 * Pure: no I/O but what the caller hands in, no globals; every string of a
 * report lives in the caller's arena. Reentrant: one engine, many threads. */
#ifndef BOUNCEDESK_DIAG_H
#define BOUNCEDESK_DIAG_H
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

struct arena;
struct hdr_report;

#define DIAG_MAX_INPUT	(4 * 1024 * 1024)	/* larger pastes: P_ETOOBIG */
#define DIAG_MAX_RCPT	256

enum diag_input {
	DIAG_IN_AUTO = 0,
	DIAG_IN_MESSAGE,	/* a whole raw message (message/rfc822) */
	DIAG_IN_PASTED,		/* body text copied out of webmail */
	DIAG_IN_FRAGMENT,	/* one SMTP line, a dialog, a client code */
	DIAG_IN_HEADERS		/* header block of a delivered message */
};

enum diag_phase {
	PHASE_UNKNOWN = 0,
	PHASE_CONN,		/* greeting / connection */
	PHASE_HELO,
	PHASE_STARTTLS,
	PHASE_AUTH,
	PHASE_MAIL,
	PHASE_RCPT,
	PHASE_DATA,		/* the DATA command itself */
	PHASE_EOD		/* end of DATA (after the content) */
};

enum diag_actor {
	ACTOR_NONE = 0,
	ACTOR_SENDER,		/* the customer who sent the mail */
	ACTOR_SENDER_ADMIN,	/* the sender's mail or DNS administrator */
	ACTOR_RECIPIENT,
	ACTOR_RECIPIENT_ADMIN,
	ACTOR_PROVIDER		/* us */
};

/* Why a verdict was reached: the rule and the span it matched, as byte
 * offsets into the recipient's diagnostic text. */
struct diag_evidence {
	const char	*rule_id;	/* "gmail-5.7.26", "status:5.1.1" */
	const char	*stage;		/* "rule", "status", "phrase", "code" */
	size_t		 start, end;	/* span in diagnostic */
	const char	*matched;	/* the span's text */
};

struct diag_recipient {
	const char	*recipient;	/* address, NULL if unknown */
	const char	*action;	/* failed, delayed, delivered... */
	const char	*status;	/* RFC 3463 "5.1.1", "" if none */
	const char	*replycode;	/* "550", "" if none */
	const char	*remote_mta;	/* host name */
	const char	*remote_ip;
	enum diag_phase	 phase;
	const char	*diagnostic;	/* the remote server's words */
	const char	*reporting_mta;
	const char	*date;
	const char	*reason;	/* Sisimai reason name */
	bool		 hardbounce;	/* REASONS.md rule */
	bool		 permanent;	/* 5xx / 5.x.x */
	enum diag_actor	 actor;
	bool		 ours;		/* our own outbound filter refused it */
	const char	*blacklist;	/* DNSBL name when one is named */
	double		 confidence;	/* 0..1 */
	struct diag_evidence evidence;
	/* Plain-language explanation, steps (one per line) and FAQ tags
	 * (comma-separated) from the rule or the reason's defaults. */
	const char	*explain_fr, *explain_en;
	const char	*steps_fr, *steps_en;
	const char	*faq_tags;
};

struct diag_report {
	enum diag_input		 input;		/* what was detected */
	const char		*mta;		/* "postfix", "exim"... or NULL */
	const char		*orig_from, *orig_to, *orig_subject;
	const char		*orig_message_id;
	struct diag_recipient	*rcpt;
	size_t			 nrcpt;
	struct hdr_report	*headers;	/* header-block analysis or NULL */
	bool			 recognised;	/* false: "unrecognised" */
	const char		*client_code;	/* "0x800CCC0E" when one was seen */
};

struct diag_engine;

/* Builds an engine from a rules file (db/seed/rules.txt format, see
 * src/diag/rules.c) and the provider's own relay pattern (may be "").
 * NULL with a message in err. */
struct diag_engine *diag_engine_new(const char *rules_path,
		    const char *provider_hosts, char *err, size_t errlen);
/* The same from rules text in memory (e.g. loaded from the database). */
struct diag_engine *diag_engine_new_mem(const char *rules_text, size_t len,
		    const char *provider_hosts, char *err, size_t errlen);
void		 diag_engine_free(struct diag_engine *);
/* Runs every rule's examples: each must match its rule and give its
 * reason. Returns the number of failures (0: all good), the first one
 * described in err. */
int		 diag_engine_check(const struct diag_engine *, char *err,
		    size_t errlen);
size_t		 diag_engine_nrules(const struct diag_engine *);
/* Parses and checks rules text without keeping an engine (fuzzing, the
 * seed command). -1 when the text does not parse (message in err), else
 * the number of failing examples. */
int		 diag_rules_check_mem(const char *rules_text, size_t len,
		    char *err, size_t errlen);
/* Diagnoses text. Returns P_OK (even when nothing was recognised: see
 * report->recognised), P_ETOOBIG over DIAG_MAX_INPUT, P_EINVAL for empty
 * input, P_ENOMEM. */
int		 diag_run(const struct diag_engine *, struct arena *,
		    const char *text, size_t len, enum diag_input hint,
		    struct diag_report *out);
/* The report as JSON; lang picks the explanation language ("fr"/"en").
 * The caller owns the reference. */
struct json_object *diag_report_to_json(const struct diag_report *,
		    const char *lang);
/* `bouncedesk diagnose`: argv starts after the word "diagnose".
 * [--json | --jsonl] [--input KIND] [--lang fr|en] [--rules PATH]
 * FILE... | -. Returns the exit status (0, or 1 if an input failed). */
int		 diag_cli(int argc, char **argv, const char *rules_path,
		    const char *provider_hosts);
const char	*diag_input_name(enum diag_input);
enum diag_input	 diag_input_parse(const char *);	/* AUTO if unknown */
const char	*diag_phase_name(enum diag_phase);
const char	*diag_actor_name(enum diag_actor);

#endif /* BOUNCEDESK_DIAG_H */
