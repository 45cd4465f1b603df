/* hdrs.h - analysis of the header block of a delivered message: the
 * Received chain with delays and clock skew, authentication verdicts
 * (Authentication-Results, ARC-Authentication-Results, Received-SPF),
 * SpamAssassin tests and scores, Microsoft's encoded verdicts, RFC 5322
 * defects, and a summary of why the message was probably filed as spam.
 * Pure: no I/O, no globals; every string of a report is in the caller's
 * arena or static. Explanations are static strings, in French and English. */
#ifndef BOUNCEDESK_HDRS_H
#define BOUNCEDESK_HDRS_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <json-c/json.h>

struct arena;
struct sa_db;

#define HDR_MAX_INPUT	(1024 * 1024)	/* analysis stops there */
#define HDR_MAX_FIELDS	1024		/* header fields kept */
#define HDR_MAX_HOPS	128
#define HDR_MAX_TESTS	512
#define HDR_UNSET	(-1000)		/* an int field with no value */

/* One unfolded header field, in input order. */
struct hdr_field {
	const char	*name;		/* as written, e.g. "Received" */
	const char	*value;		/* unfolded, trimmed */
	const char	*raw;		/* as written: line breaks kept */
	size_t		 offset;	/* byte offset of the line in input */
};

/* One Received: hop. Index 0 is the oldest (the first server). */
struct hdr_hop {
	const char	*from;		/* host name the client gave (HELO) */
	const char	*from_rdns;	/* reverse name in the comment */
	const char	*from_ip;	/* IPv4 or IPv6 (no "IPv6:" prefix) */
	const char	*by;		/* receiving host */
	const char	*by_ip;
	const char	*with;		/* ESMTP, ESMTPS, SMTP, LMTP, HTTP... */
	const char	*id;
	const char	*for_addr;	/* the "for <addr>" clause */
	const char	*comment;	/* comment-only hops (qmail) or extras */
	const char	*tls;		/* TLS version/cipher when named */
	const char	*date_raw;	/* the text after the last ';' */
	const char	*raw;		/* the unfolded field value */
	bool		 has_time;
	time_t		 time;		/* UTC */
	int		 tz_minutes;	/* the stamp's zone offset (+0100: 60) */
	/* Delay from the previous hop with a time (none for the first). A
	 * negative difference is never shown as a delay: skew is set and
	 * skew_seconds holds the (positive) amount the clock ran behind. A
	 * difference close to a whole number of hours that looks like a
	 * wrong zone (the same wall-clock time under another zone, or a
	 * jump of N hours undone at the next hop) is flagged tz_artifact;
	 * delay (or skew) then holds the difference without the N hours. */
	bool		 has_delay;
	long		 delay;		/* seconds, >= 0 */
	bool		 skew;
	long		 skew_seconds;	/* > 0 when skew */
	bool		 tz_artifact;
	int		 tz_artifact_hours; /* the suspected zone error */
};

enum hdr_auth_result {
	HDR_AR_UNKNOWN = 0,
	HDR_AR_PASS,
	HDR_AR_FAIL,
	HDR_AR_SOFTFAIL,
	HDR_AR_NEUTRAL,
	HDR_AR_NONE,
	HDR_AR_TEMPERROR,
	HDR_AR_PERMERROR,
	HDR_AR_POLICY,
	HDR_AR_BESTGUESSPASS	/* Microsoft: dmarc=bestguesspass */
};

/* A ptype.property=value of a verdict: smtp.mailfrom=..., header.d=... */
struct hdr_prop {
	const char	*ptype;		/* "smtp", "header", "policy", "body" */
	const char	*property;	/* "mailfrom", "d", "from", "i" */
	const char	*value;
};

/* One method=result verdict. */
struct hdr_auth {
	const char	*source;	/* "Authentication-Results",
					 * "ARC-Authentication-Results",
					 * "Received-SPF" */
	const char	*authserv_id;	/* who judged; may be "" */
	int		 arc_instance;	/* i= of ARC-A-R, else 0 */
	const char	*method;	/* lower case: spf dkim dmarc arc auth
					 * iprev bimi dkim-atps compauth ... */
	const char	*result;	/* lower case, as written */
	enum hdr_auth_result verdict;
	const char	*reason;	/* reason="..." or NULL */
	const char	*comment;	/* the first (...) after the result */
	const char	*action;	/* Microsoft action=none|quarantine|... */
	struct hdr_prop	*props;
	size_t		 nprops;
	bool		 problem;	/* a result that hurts deliverability */
	const char	*explain_en, *explain_fr;	/* static */
};

/* A SpamAssassin test that fired. */
struct hdr_test {
	const char	*name;		/* "BAYES_99" */
	bool		 has_score;
	double		 score;		/* as applied by this filter */
	bool		 score_default;	/* score is the rule's default (the
					 * headers gave none) */
	const char	*description;	/* rule's describe line, or NULL */
	const char	*explain_en, *explain_fr;	/* static, may be NULL */
};

/* One decoded vendor field (Microsoft's Forefront/Antispam codes...). */
struct hdr_vendor {
	const char	*vendor;	/* "microsoft" */
	const char	*header;	/* the field it came from */
	const char	*key;		/* "SCL", "SFV", "CAT", "BCL", "CIP"... */
	const char	*value;
	bool		 problem;	/* the value marks the message as bad */
	const char	*meaning_en, *meaning_fr;	/* static, may be NULL */
};

/* An RFC 5322 defect. */
struct hdr_defect {
	const char	*id;		/* "date-missing", "from-multiple"... */
	const char	*detail;	/* what was seen (arena), may be NULL */
	const char	*explain_en, *explain_fr;	/* static */
};

/* A cause that may have sent the message to spam, strongest first. */
struct hdr_cause {
	const char	*id;		/* "spam-score", "dmarc-fail"... */
	int		 weight;	/* 0-100: how strongly it explains it */
	const char	*detail;	/* arena, may be NULL */
	const char	*explain_en, *explain_fr;	/* static */
};

struct hdr_report {
	struct hdr_field *fields;
	size_t		 nfields;
	size_t		 header_len;	/* bytes of input that were headers */
	bool		 body_follows;	/* a body came after the block */

	const char	*from, *to, *subject, *date, *message_id;
	bool		 has_date_time;
	time_t		 date_time;

	struct hdr_hop	*hops;		/* oldest first */
	size_t		 nhops;
	bool		 has_total_delay;
	long		 total_delay;	/* first to last timed hop, seconds */
	bool		 any_skew;

	struct hdr_auth	*auth;
	size_t		 nauth;

	/* SpamAssassin (or compatible): -1 flag when no such header. */
	int		 spam_flag;	/* 1 Yes, 0 No, -1 unknown */
	bool		 has_spam_score, has_spam_required;
	double		 spam_score, spam_required;
	int		 spam_level;	/* count of '*' in X-Spam-Level, -1 */
	struct hdr_test	*tests;		/* sorted by score, highest first */
	size_t		 ntests;

	/* Microsoft: HDR_UNSET when absent. */
	int		 ms_scl;	/* -1..9 */
	int		 ms_bcl;	/* 0..9 */
	int		 ms_pcl;	/* 0..8 */
	const char	*ms_sfv, *ms_cat;	/* NULL when absent */
	struct hdr_vendor *vendor;
	size_t		 nvendor;

	struct hdr_defect *defects;
	size_t		 ndefects;

	/* The summary: causes strongest first; verdict is causes[0] or a
	 * "no-cause" / "not-spam" entry so it is never NULL after P_OK. */
	struct hdr_cause *causes;
	size_t		 ncauses;
	const struct hdr_cause *verdict;
	bool		 looks_spam;	/* a filter said spam (flag, SCL, SFV) */
};

/* True when text starts with what looks like a header block (at least two
 * "Name: value" fields among its first lines, or one well-known trace
 * field such as Received / Authentication-Results / X-Spam-Status). Cheap:
 * looks at the first 4 KiB only. */
bool		 hdr_looks_like_block(const char *text, size_t len);

/* Analyses a header block (a whole message is fine: the body is ignored).
 * Returns P_OK with *out in the arena; garbage gives an empty report, not
 * an error. P_ENOMEM when the arena refuses. Input past HDR_MAX_INPUT is
 * ignored. Uses the built-in SpamAssassin table. */
int		 hdr_analyse(struct arena *, const char *text, size_t len,
		    struct hdr_report **out)
		    __attribute__((warn_unused_result));
/* The same with a SpamAssassin table loaded by sa_load (NULL: built-in). */
int		 hdr_analyse_sa(const struct sa_db *, struct arena *,
		    const char *text, size_t len, struct hdr_report **out)
		    __attribute__((warn_unused_result));
/* The report as JSON; lang "en" or "fr" picks the explanations (other
 * values: "fr"). The caller owns the reference; NULL only on OOM. */
struct json_object *hdr_report_to_json(const struct hdr_report *,
		    const char *lang);

/* Parses an RFC 5322 date ("Tue, 1 Jul 2003 10:52:37 +0200", obsolete
 * zones GMT/UT/EST.../military letters, no seconds, no day name, 2- or
 * 4-digit years, trailing comments). Returns P_OK with *t in UTC and *tzmin
 * the zone offset in minutes, or P_EINVAL. */
int		 hdr_parse_date(const char *s, time_t *t, int *tzmin);

/* --- SpamAssassin rule table (src/diag/spamassassin.c) --- */

struct sa_rule {
	const char	*name;
	double		 score;		/* default score (net + bayes set) */
	const char	*description;	/* SpamAssassin's describe text */
};

/* A rule from the table built into the program (db/seed/spamassassin.txt
 * at build time), or from db when not NULL (db first). NULL if unknown. */
const struct sa_rule *sa_find(const struct sa_db *, const char *name);
/* Our plain-language explanation of a test (exact name, else the longest
 * family prefix, else the name without "T_"). NULL when none. */
const char	*sa_explain(const char *name, const char *lang);
size_t		 sa_builtin_count(void);

/* Loads a data file in the db/seed/spamassassin.txt format. Returns P_OK
 * with *out (free with sa_db_free), P_EIO, P_EINVAL (line number in err)
 * or P_ENOMEM. */
int		 sa_load(const char *path, struct sa_db **out, char *err,
		    size_t errlen);
void		 sa_db_free(struct sa_db *);
size_t		 sa_db_count(const struct sa_db *);

/* Reads every *.cf file of dir (describe and score lines; "lang xx"
 * lines and meta/test definitions are ignored), merges with the rules
 * already in out_path when it exists (the .cf files win), and rewrites
 * out_path atomically, sorted by name. Returns the number of rules
 * written (>= 0) or P_EIO / P_EINVAL / P_ENOMEM with a message in err. */
int		 sa_import_rules_dir(const char *dir, const char *out_path,
		    char *err, size_t errlen);

#endif /* BOUNCEDESK_HDRS_H */
