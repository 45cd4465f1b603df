/* reports.h - what the provider's outbound antispam filter reports about
 * the messages it blocked (src/reports): validation of a report, the table
 * of form checks with their explanations, the plain-language meaning of
 * each test, the signed expiring links that open a report to its customer,
 * the review and false-positive transitions (each one transaction with an
 * audit event and outbox rows), and the store calls behind them
 * (src/store/store_reports.c). The handlers are declared at the end for
 * web/routes.c.
 *
 * Isolation: API keys are not bound to accounts (auth.h), so a key with
 * reports:read reads every account's reports; customers only ever reach a
 * report through its signed link, which names the report and nothing else.
 * Strings in the structs are arena memory unless said otherwise. */
#ifndef BOUNCEDESK_REPORTS_H
#define BOUNCEDESK_REPORTS_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct json_object;
struct store;
struct ub_actor;

/* Limits of a report, checked by report_parse. */
#define RP_ADDR_MAX	320	/* an address */
#define RP_RCPTS_MAX	100
#define RP_SUBJECT_MAX	998	/* one RFC 5322 line */
#define RP_MSGID_MAX	998
#define RP_HOST_MAX	253
#define RP_TESTS_MAX	200
#define RP_TEST_NAME_MAX 64
#define RP_SCORE_MAX	1000.0	/* |score| of a report or a test */
#define RP_CHECKS_MAX	32
#define RP_CHECK_ID_MAX	64
#define RP_DETAIL_MAX	500
#define RP_HEADERS_MAX	(64 * 1024)	/* the header block kept */
#define RP_NOTE_MAX	2000	/* a review note */
#define RP_ERRORS_MAX	24	/* bad fields listed in one answer */
#define RP_LIST_MAX	100

/* Defaults when the settings table says nothing. */
#define RP_RETENTION_DAYS	90	/* reports.retention_days */
#define RP_LINK_DAYS		30	/* reports.link_days */

struct rp_test {
	const char	*name;		/* "BAYES_99" */
	double		 score;
};

struct rp_check {
	const char	*id;		/* "no_rdns" */
	const char	*detail;	/* what the filter saw; may be NULL */
};

struct rp_report {
	long long	 id;
	long long	 account_id;
	const char	*account_ext;	/* the provider's account id */
	const char	*sender;
	const char	**rcpts;
	size_t		 nrcpts;
	const char	*subject;	/* "" when none */
	const char	*message_id;	/* may be NULL */
	long long	 sent_at;	/* unix seconds */
	double		 score, threshold;
	struct rp_test	*tests;		/* reads: highest score first */
	size_t		 ntests;
	struct rp_check	*checks;	/* in the filter's order */
	size_t		 nchecks;
	const char	*relay;		/* may be NULL */
	const char	*ip;
	const char	*headers;	/* header block only; may be NULL */
	long long	 created_at;
	long long	 review_at;	/* 0: no review asked */
	const char	*review_reason;	/* "fixed" or "false_positive" */
	const char	*review_note;
	long long	 fp_at;		/* 0: not marked a false positive */
	const char	*fp_by;
	const char	*fp_note;
};

/* The bad fields of a report: "tests[2].score", "why". */
struct rp_invalid {
	size_t		 n;
	bool		 more;		/* some were left out */
	struct {
		const char	*field;
		const char	*why;
	}		 e[RP_ERRORS_MAX];
};

/* ---- validation (src/reports/parse.c) ---- */

/* Validates a filter's JSON report and copies it into r (arena strings):
 * account (string), sender, recipients [1..RP_RCPTS_MAX], time (RFC 3339
 * or unix seconds, not before 2000 nor more than a day ahead of now),
 * score, threshold, tests [{name, score}], optional subject, message_id,
 * checks [{id, detail}], relay, headers (cut at the first blank line, so
 * no body is kept), and ip. Unknown fields are refused. r->account_ext is
 * set, r->account_id is not. P_OK; P_EINVAL with every bad field in inv;
 * P_ENOMEM. */
int	report_parse(struct arena *, struct json_object *body, long long now,
	    struct rp_report *r, struct rp_invalid *inv);
/* Adds one bad field (static or arena strings); keeps the first
 * RP_ERRORS_MAX. */
void	report_invalid_add(struct rp_invalid *, const char *field,
	    const char *why);
/* True for "user@example.com" within RP_ADDR_MAX; false for display
 * names, spaces, several '@' or a bad domain. */
bool	report_addr_valid(const char *);
/* True for a host name of letters, digits and hyphens in dotted labels. */
bool	report_host_valid(const char *);
/* The domain of an address (after the last '@'), or NULL. */
const char *report_addr_domain(const char *);
/* Parses "2024-09-20T14:27:23Z" / "...+02:00" (fraction allowed) into unix
 * seconds. P_OK or P_EINVAL. */
int	report_time_parse(const char *, long long *);

/* ---- the form checks (src/reports/checks.c) ---- */

struct rp_check_def {
	const char	*id;
	const char	*faq_tag;	/* FAQ articles about it */
	bool		 domain;	/* the sender check page helps */
	const char	*title_en, *title_fr;
	const char	*explain_en, *explain_fr;	/* what failed */
	const char	*fix_en, *fix_fr;		/* what to do */
};

/* The definition of a check id, or NULL for an id the table lacks (such a
 * check is still stored and shown by its id). */
const struct rp_check_def *report_check_find(const char *id);
/* The whole table (static) and its size. */
const struct rp_check_def *report_checks(size_t *n);
/* True for a well-formed check id: [a-z][a-z0-9_]*, RP_CHECK_ID_MAX. */
bool	report_check_id_valid(const char *);
/* True for a well-formed test name: [A-Za-z_][A-Za-z0-9_]*. */
bool	report_test_name_valid(const char *);
/* What a test means, in lang ("en", else French): our explanation
 * (sa_explain), else SpamAssassin's description (sa_find), else NULL.
 * *ours (may be NULL) tells which. Static strings. */
const char *report_test_explain(const char *name, const char *lang,
	    bool *ours);

/* ---- signed links (src/reports/token.c) ----
 * TOKEN = base64url(crypto_auth("report:<id>:<expiry>")) "." expiry, the
 * key being reports.link_secret of the settings table, made at first
 * use. */

#define RP_KEY_LEN	32	/* crypto_auth_KEYBYTES */
#define RP_TOKEN_MAX	72	/* 43 + '.' + digits + NUL */

enum rp_token_verdict {
	RP_TOKEN_OK,
	RP_TOKEN_BAD,		/* malformed, forged or another report's */
	RP_TOKEN_EXPIRED	/* genuine, past its expiry */
};

/* The token of report id valid until expiry (unix seconds) into out. */
int	report_token_make(const unsigned char key[RP_KEY_LEN], long long id,
	    long long expiry, char out[RP_TOKEN_MAX]);
/* Checks a token against report id at time now, in constant time for the
 * MAC. A forged token is BAD even when its expiry is past. */
enum rp_token_verdict report_token_check(const unsigned char key[RP_KEY_LEN],
	    long long id, const char *token, long long now);
/* The link key, made and stored on first use. P_OK, P_EDB, P_ENOMEM. */
int	report_link_key(struct store *, unsigned char key[RP_KEY_LEN]);
/* "/r/<id>?t=<token>" in the arena for reports.link_days (or ttl seconds
 * when ttl > 0); *expiry (may be NULL) gets its end. */
int	report_link(struct store *, struct arena *, long long id, long ttl,
	    const char **path, long long *expiry);

/* ---- transitions (src/reports/reports.c) ---- */

/* Stores a validated report (r->account_id set) after purging those older
 * than reports.retention_days, in one transaction; r->id and
 * r->created_at are filled. *purged (may be NULL) counts the removed.
 * P_ENOTFOUND (no account), P_EDB. */
int	report_create(struct store *, struct rp_report *r, int *purged);
/* Marks a report review_requested with reason ("fixed" or
 * "false_positive") and an optional note, writes the audit event and the
 * "report.review_requested" outbox rows. P_EINVAL (reason, note over
 * RP_NOTE_MAX), P_ENOTFOUND, P_ECONFLICT (already asked). */
int	report_request_review(struct store *, struct arena *,
	    const struct ub_actor *, long long id, const char *reason,
	    const char *note);
/* Marks a report a false positive, with the audit event and the
 * "report.false_positive" outbox rows that tell the filter. out (may be
 * NULL) gets the report. P_EINVAL (note), P_ENOTFOUND, P_ECONFLICT. */
int	report_false_positive(struct store *, struct arena *,
	    const struct ub_actor *, long long id, const char *note,
	    struct rp_report *out);
/* The report as JSON (caller owns): tests explained in lang, checks with
 * their texts; full adds recipients, headers and the notes. */
struct json_object *report_to_json(struct arena *, const struct rp_report *,
	    const char *lang, bool full);
/* The retention in days from the settings (>= 1). */
long	report_retention_days(struct store *);

/* ---- store (src/store/store_reports.c) ---- */

struct rp_filter {
	long long	 account_id;	/* 0: all */
	long long	 before;	/* cursor: ids below it; 0: newest */
	int		 limit;		/* 1..RP_LIST_MAX */
};

struct rp_count {
	const char	*key;		/* test name, check id or ext_id */
	const char	*label;		/* the account's name; else NULL */
	long long	 reports;
	double		 score;		/* the sum of the test's scores */
};

struct rp_trends {
	long long	 reports;	/* in the window */
	long long	 accounts;	/* distinct accounts among them */
	struct rp_count	*tests;		/* positive tests, most reports first */
	size_t		 ntests;
	struct rp_count	*checks;
	size_t		 nchecks;
	struct rp_count	*by_account;
	size_t		 naccounts;
};

/* Inserts the report, its tests and checks (the caller's transaction). */
int	store_report_insert(struct store *, struct rp_report *);
/* Deletes reports created before before; *n (may be NULL) counts them. */
int	store_report_purge(struct store *, long long before, int *n);
int	store_report_get(struct store *, struct arena *, long long id,
	    struct rp_report *);
/* Newest first; tests and checks are left out (counts in ntests,
 * nchecks; tests[0] the strongest test when there is one). */
int	store_report_list(struct store *, struct arena *,
	    const struct rp_filter *, struct rp_report **, size_t *);
/* Sets the review where none was asked; P_ECONFLICT otherwise. */
int	store_report_set_review(struct store *, long long id, long long now,
	    const char *reason, const char *note);
/* Sets the false positive mark where none is; P_ECONFLICT otherwise. */
int	store_report_set_fp(struct store *, long long id, long long now,
	    const char *by, const char *note);
int	store_report_count_since(struct store *, long long account_id,
	    long long since, long long *n);
/* The counts of reports created since since, each list up to max. */
int	store_report_trends(struct store *, struct arena *, long long since,
	    int max, struct rp_trends *);

/* ---- handlers (api/reports.c, web/pages_reports.c) ---- */

struct request;
struct response;
int	api_reports_create(struct request *, struct response *);
int	api_reports_list(struct request *, struct response *);
int	api_reports_get(struct request *, struct response *);
int	api_reports_trends(struct request *, struct response *);
int	api_reports_false_positive(struct request *, struct response *);
int	page_report(struct request *, struct response *);
int	page_report_review(struct request *, struct response *);
int	page_staff_reports(struct request *, struct response *);
int	page_staff_report(struct request *, struct response *);
int	page_staff_report_fp(struct request *, struct response *);

#endif /* BOUNCEDESK_REPORTS_H */
