/* diag_int.h - what the files of src/diag share and nobody else sees. */
#ifndef BOUNCEDESK_DIAG_INT_H
#define BOUNCEDESK_DIAG_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "bouncedesk/diag.h"

struct arena;

#define DIAG_MAX_DIAG	2048	/* bytes of diagnostic text kept per block */
#define DIAG_MAX_CTX	4096	/* bytes of context text kept per block */
#define DIAG_MAX_DEPTH	32	/* MIME nesting followed */
#define DIAG_MAX_PARTS	256	/* MIME parts looked at */

enum rule_stage {
	RULE_SPECIFIC = 0,	/* provider, blacklist, own relay texts */
	RULE_PHRASE,		/* generic phrases ("user unknown") */
	RULE_FALLBACK		/* broad wording, tried when nothing else
				 * decided */
};

/* The reasons of REASONS.md, in the order of the table in reasons.c. */
enum reason_id {
	RSN_USERUNKNOWN = 0, RSN_HOSTUNKNOWN, RSN_HASMOVED, RSN_MAILBOXFULL,
	RSN_SYSTEMFULL, RSN_SUSPEND, RSN_NOTACCEPT, RSN_EXCEEDLIMIT,
	RSN_MESGTOOBIG, RSN_FILTERED, RSN_REJECTED, RSN_BLOCKED,
	RSN_BADREPUTATION, RSN_REQUIREPTR, RSN_AUTHFAILURE, RSN_SPAMDETECTED,
	RSN_VIRUSDETECTED, RSN_POLICYVIOLATION, RSN_SECURITYERROR,
	RSN_CONTENTERROR, RSN_NOTCOMPLIANTRFC, RSN_NORELAYING,
	RSN_SYNTAXERROR, RSN_TOOMANYCONN, RSN_SPEEDING, RSN_NETWORKERROR,
	RSN_EXPIRED, RSN_SYSTEMERROR, RSN_MAILERERROR, RSN_ONHOLD,
	RSN_UNDEFINED, RSN_DELIVERED, RSN_FEEDBACK, RSN_VACATION,
	RSN_COUNT
};

/* One rule of db/seed/rules.txt, compiled. Strings live in the rule set's
 * arena. */
struct rule {
	const char	*id;
	const char	*reason;
	enum reason_id	 rid;
	enum rule_stage	 stage;
	const char	*pattern;
	const char	**requires;	/* lowercase words, any one enables */
	size_t		 nrequires;
	uint16_t	*wid;		/* the words' numbers in the set */
	double		 confidence;
	enum diag_actor	 actor;		/* ACTOR_NONE: the reason's default */
	bool		 ours;
	const char	*blacklist;
	const char	*explain_fr, *explain_en;
	const char	*steps_fr, *steps_en;
	const char	*tags;
	const char	**examples;
	size_t		 nexamples;
	/* Conditions: the rule applies only when the remote host (or the
	 * recipient's domain) ends with one of hosts, the SMTP phase is one
	 * of phases (bit 1 << enum diag_phase) and the status is one of
	 * statuses ("none" for no status). Empty: no condition. */
	const char	**hosts;
	size_t		 nhosts;
	unsigned	 phases;
	const char	**statuses;
	size_t		 nstatuses;
	int		 line;		/* where the block starts */
	pcre2_code	*re;
};

/* What the conditions of a rule are checked against. */
struct rule_ctx {
	const char	*host;		/* remote MTA, lower case or NULL */
	const char	*domain;	/* recipient's domain or NULL */
	const char	*status;	/* "" when none */
	enum diag_phase	 phase;
};

struct acmatch;

struct ruleset {
	struct arena		*arena;
	struct rule		*rules;
	size_t			 nrules;
	pcre2_match_context	*mctx;
	struct acmatch		*words;		/* every "requires" word */
	/* The phrase rules of each reason, in file order. */
	uint16_t		*byreason[RSN_COUNT];
	size_t			 nbyreason[RSN_COUNT];
};

/* acmatch.c: many literal words found in one pass. */
struct acmatch	*acmatch_new(const char *const *words, size_t nwords);
void		 acmatch_free(struct acmatch *);
size_t		 acmatch_nwords(const struct acmatch *);
/* Sets bit i of found when words[i] occurs in text (ASCII letters in
 * any case); found holds (nwords + 63) / 64 words. */
void		 acmatch_scan(const struct acmatch *, const char *text,
		    size_t len, uint64_t *found);
/* The word whose match ends first (acmatch_first) or last (acmatch_last)
 * in text, with its end offset in *end (may be NULL); -1 when none. */
ssize_t		 acmatch_first(const struct acmatch *, const char *text,
		    size_t len, size_t *end);
ssize_t		 acmatch_last(const struct acmatch *, const char *text,
		    size_t len, size_t *end);

/* The match of one rule on a text. */
struct rule_hit {
	const struct rule	*rule;
	size_t			 start, end;
};

/* Every reason whose rules of one stage match a text, with the first
 * matching rule of each (file order). */
struct reason_hits {
	unsigned long long	 mask;		/* 1ULL << enum reason_id */
	struct rule_hit		 hit[RSN_COUNT];
};

/* Parses rules text (see db/seed/rules.txt) and compiles every pattern.
 * Returns NULL with a message naming the line in err. */
struct ruleset	*ruleset_parse(const char *text, size_t len, char *err,
		    size_t errlen);
void		 ruleset_free(struct ruleset *);
/* The "requires" words present in a text (in any case), for the
 * prefilter: found holds ruleset_found_words() 64-bit words. */
size_t		 ruleset_found_words(const struct ruleset *);
void		 ruleset_words(const struct ruleset *, const char *text,
		    size_t len, uint64_t *found);
/* Runs the rules of one stage over text (found: its words, from
 * ruleset_words). The first rule in file order that matches wins. md:
 * match data of the caller's (one per thread). Returns true on a hit. */
bool		 ruleset_match(const struct ruleset *, enum rule_stage,
		    const char *text, size_t len, const uint64_t *found,
		    const struct rule_ctx *, pcre2_match_data *md,
		    struct rule_hit *out);
/* Runs all the rules of one stage over text and records, for each
 * reason, its first matching rule. */
/* Does any phrase rule of one reason match text? The first that does is
 * put in out. */
bool		 ruleset_reason(const struct ruleset *, enum reason_id,
		    const char *text, size_t len, const uint64_t *found,
		    const struct rule_ctx *, pcre2_match_data *md,
		    struct rule_hit *out);
/* The calling thread's match data (kept until the thread ends), or NULL
 * when out of memory. */
pcre2_match_data *rules_match_data(void);
/* Does text match rule r (prefilter and pattern)? */
bool		 rule_matches(const struct ruleset *, const struct rule *,
		    const char *text);
/* Checks that each rule has an example and that each example matches its
 * own rule. Returns the number of failures; they are listed in err. */
int		 ruleset_check(const struct ruleset *, char *err,
		    size_t errlen);

/* Reason table (classify.c). */
struct reason_info {
	const char	*name;
	enum diag_actor	 actor;
	const char	*explain_fr, *explain_en;
	const char	*steps_fr, *steps_en;
	const char	*tags;
};
const struct reason_info *reason_find(const char *name);
int		 reason_index(const char *name);	/* -1 if unknown */
const char	*reason_name(enum reason_id);
bool		 reason_is_hard(const char *reason, const char *status,
		    const char *replycode);

/* A recipient block before classification (text.c, mime.c). */
struct block {
	const char	*recipient;
	const char	*action;
	const char	*status;
	const char	*replycode;
	const char	*remote_mta, *remote_ip;
	enum diag_phase	 phase;
	const char	*diagnostic;
	const char	*context;	/* the human text around it */
	const char	*reporting_mta;
	const char	*date;
	const char	*dsn_status;	/* Status: field as given */
	const char	*diagtype;	/* "SMTP", "X-UNIX"... or NULL */
	const char	*mta_reason;	/* a reason the reporting MTA states
					 * itself (a bounce category) */
	const char	*mta_reason_why; /* where it comes from */
	bool		 fragment;	/* one line pasted alone */
};

/* What the text pass and the MIME pass collect. */
struct scan {
	struct arena	*arena;
	struct block	*blk;		/* grown by scan_add() */
	size_t		 nblk, capblk;
	const char	*mta;
	const char	*reporting_mta;
	const char	*orig_from, *orig_to, *orig_subject, *orig_mid;
	const char	*top_from, *top_subject;
	const char	*human;		/* human text, normalised */
	size_t		 humanlen;
	bool		 empty_report;	/* a delivery-status part without any
					 * recipient group */
	const char	*mta_reason;	/* the reporting MTA's own verdict for
					 * every recipient, or NULL */
	bool		 feedback;	/* ARF report */
	bool		 autoreply;	/* vacation */
	const char	*client_code;
};

/* A new zeroed block at the end of sc->blk; NULL when DIAG_MAX_RCPT are
 * there already or out of memory (diag.c). */
struct block	*scan_add(struct scan *);

/* text.c: helpers shared by the text passes (dsn.c, human.c, extract.c) */
struct txt_line {
	const char	*p;
	size_t		 len;
};
/* The next line of s from *pos (without its newline); false at the end. */
bool		 txt_next_line(const char *s, size_t len, size_t *pos,
		    struct txt_line *l);
bool		 txt_starts_ci(const char *p, size_t len, const char *w);
bool		 txt_is_blank(const char *p, size_t len);
/* Case-insensitive search for an ASCII needle, or NULL. */
const char	*txt_memcasestr(const char *h, size_t hlen, const char *n);
/* s on one line in the arena: newlines and blank runs become one space,
 * at most max bytes. */
char		*txt_one_line(struct arena *, const char *s, size_t len,
		    size_t max);
bool		 txt_is_addr_char(int);
bool		 txt_is_host_char(int);
/* The length of the address starting at p, or 0. */
size_t		 txt_addr_at(const char *p, size_t len);
/* An address copied with its domain in lower case. */
char		*txt_addr_dup(struct arena *, const char *p, size_t n);
/* The first address in s, or NULL. */
char		*txt_first_addr(struct arena *, const char *s, size_t len);
/* Is there an SMTP reply code ("550") / an enhanced status ("5.1.1",
 * its length in *n) at s[i]? */
bool		 txt_is_code_at(const char *s, size_t i, size_t len);
bool		 txt_is_status_at(const char *s, size_t i, size_t len,
		    size_t *n);
/* ISO-2022-JP runs of s decoded to UTF-8 (s itself when none). */
const char	*txt_jis_decode(struct arena *, const char *s, size_t len,
		    size_t *outlen);

/* What names the SMTP command a failure answered (extract.c). */
struct phase_mark {
	const char	*w;
	enum diag_phase	 ph;
};
extern const struct phase_mark phase_marks[];

/* text.c */
/* Fixed lists of marks, each found in one pass (built once per engine). */
struct text_marks {
	struct acmatch	*phase;		/* what names the SMTP command */
	struct acmatch	*bounce;	/* signs of a bounce in headers */
	struct acmatch	*autoreply;	/* out-of-office wording */
};
struct text_marks *text_marks_new(void);
void		 text_marks_free(struct text_marks *);
/* Returns arena memory holding valid UTF-8 (bad bytes become '?'). */
char		*text_normalise(struct arena *, const char *, size_t,
		    size_t *outlen);
/* Replaces, in place, every byte that is not part of valid UTF-8. */
void		 text_utf8_sanitize(char *, size_t);
int		 text_scan_dsn(struct scan *, const char *, size_t);
int		 text_scan_human(struct scan *, const char *, size_t);
void		 text_extract(const struct text_marks *, struct arena *,
		    struct block *);
enum diag_input	 text_detect(const struct text_marks *, const char *,
		    size_t);
const char	*text_find_client_code(struct arena *, const char *, size_t);
bool		 text_is_autoreply(const struct text_marks *, const char *,
		    size_t);

/* dsn.c, human.c, extract.c */
/* mime.c: fills the scan from a whole message. P_OK or P_E*. */
int		 mime_scan(struct scan *, const char *, size_t);

/* classify.c */
int		 classify_block(const struct diag_engine *, struct arena *,
		    const struct block *, struct diag_recipient *,
		    pcre2_match_data *);

struct diag_engine {
	struct ruleset	*rules;
	struct text_marks *marks;
	struct acmatch	*mta;		/* the MTAs' signatures */
	char		**hosts;	/* provider relay globs */
	size_t		 nhosts;
};

#endif /* BOUNCEDESK_DIAG_INT_H */
