/* check.h - sender checks: the DNS facts a receiving server looks at (MX,
 * SPF, DKIM, DMARC, A/AAAA, reverse DNS, DNS blacklists) and the
 * pre-flight spam score given by spamd.
 *
 * The checks are pure functions over a table of DNS answers (struct
 * dns_table): when they need an answer the table lacks, they note it as
 * wanted and judge without it. check_run() alternates the checks and the
 * resolver (c-ares, parallel queries, a shared TTL-bounded cache) until
 * nothing more is wanted, or the time or query budget is spent; the last
 * pass then judges what is missing as "could not check". Every string of
 * a report is in the caller's arena or static. */
#ifndef BOUNCEDESK_CHECK_H
#define BOUNCEDESK_CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

struct arena;
struct config;

#define CHECK_MAX_IPS		8	/* given + provider IPs checked */
#define CHECK_MAX_SELECTORS	8	/* DKIM selectors looked up */
#define CHECK_MAX_ZONES		12	/* DNS blacklist zones */
#define CHECK_MAX_QUERIES	240	/* DNS queries for one check */
#define CHECK_MAX_ROUNDS	14	/* check/resolve alternations */
#define SPF_MAX_LOOKUPS		10	/* RFC 7208 4.6.4 */
#define SPF_MAX_VOID		2	/* RFC 7208 4.6.4 void lookups */
#define SPF_MAX_DEPTH		10	/* include/redirect nesting followed */

/* ------------------------------------------------------ DNS answers --- */

enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28
};

enum dns_status {
	DNS_S_OK = 0,		/* at least one record of the type */
	DNS_S_NODATA,		/* the name exists, no record of the type */
	DNS_S_NXDOMAIN,		/* no such name */
	DNS_S_SERVFAIL,
	DNS_S_REFUSED,
	DNS_S_TIMEOUT,		/* no answer in time */
	DNS_S_ERROR,		/* malformed answer, network error... */
	DNS_S_SKIPPED		/* not asked: a budget was spent */
};

/* One record, as text: an address for A/AAAA, the exchange for MX (with
 * pref), the strings of one TXT record joined, the target of PTR/CNAME.
 * Names are lower case without the final dot. */
struct dns_rr {
	const char	*text;
	unsigned	 pref;
};

struct dns_answer {
	enum dns_status	 status;
	struct dns_rr	*rr;
	size_t		 n;
	const char	*cname;		/* the alias followed, or NULL */
	unsigned	 ttl;		/* seconds (negative answers too) */
	bool		 cached;
};

struct dns_query {
	const char	*name;
	enum dns_type	 type;
};

struct dns_entry {
	const char		*name;
	enum dns_type		 type;
	struct dns_answer	 ans;
};

/* Answers known so far, and the queries the checks want next. */
struct dns_table {
	struct arena		*arena;
	struct dns_entry	*e;
	size_t			 n, cap;
	struct dns_query	*want;
	size_t			 nwant, capwant;
	bool			 final;		/* note nothing; missing is
						 * DNS_S_SKIPPED */
	bool			 complete;	/* tests: missing is NXDOMAIN */
};

const char	*dns_type_name(enum dns_type);
const char	*dns_status_name(enum dns_status);
/* True for the statuses that tell something about the name (OK, NODATA,
 * NXDOMAIN), false for failures to find out. */
bool		 dns_status_known(enum dns_status);

void		 dns_table_init(struct dns_table *, struct arena *);
/* The answer for name/type (name lower case, no final dot), or NULL; a
 * NULL notes the query as wanted unless the table is final. */
const struct dns_answer *dns_table_get(struct dns_table *, const char *name,
		    enum dns_type);
/* Records an answer; strings must live in the table's arena (or be
 * static). Replaces an earlier answer. P_OK or P_ENOMEM. */
int		 dns_table_put(struct dns_table *, const char *name,
		    enum dns_type, const struct dns_answer *);
/* Test helper: records status with the NULL-terminated texts (MX texts
 * are "PREF HOST"). */
int		 dns_table_add(struct dns_table *, const char *name,
		    enum dns_type, enum dns_status, const char *const *texts);

/* Parses a DNS response to a question of qtype: rcode, records of qtype
 * (following CNAMEs inside the answer), the lowest TTL (for a negative
 * answer, the SOA's). P_OK (out filled, arena strings), P_EINVAL when the
 * message is malformed, P_ENOMEM. */
int		 dns_msg_parse(struct arena *, const unsigned char *msg,
		    size_t len, enum dns_type qtype, struct dns_answer *out);

/* ------------------------------------------------------- resolver --- */

struct dns_config {
	const char	*servers;	/* "ip:port,..." or "" for the system's */
	long		 timeout_ms;	/* per query try */
	long		 tries;
};

struct dns_stats {
	unsigned	 sent, cached, timeouts;
};

struct dns_cache;

/* A cache of raw answers keyed by name and type, slots entries (rounded
 * up to 4), kept min(TTL, max_ttl) seconds; thread-safe. NULL on OOM. */
struct dns_cache *dns_cache_new(size_t slots, unsigned max_ttl);
void		 dns_cache_free(struct dns_cache *);
/* The process-wide cache the checks share (1024 entries, 60 s). */
struct dns_cache *dns_cache_shared(void);
/* A copy of a fresh answer in the arena: P_OK, P_ENOTFOUND, P_ENOMEM. */
int		 dns_cache_get(struct dns_cache *, struct arena *,
		    const char *name, enum dns_type, long long now_ms,
		    unsigned char **raw, size_t *len);
/* Keeps a copy (answers over 8 KiB and ttl 0 are not kept). */
void		 dns_cache_put(struct dns_cache *, const char *name,
		    enum dns_type, const unsigned char *raw, size_t len,
		    unsigned ttl, long long now_ms);
size_t		 dns_cache_count(struct dns_cache *, long long now_ms);

/* Monotonic milliseconds. */
long long	 dns_now_ms(void);
/* Resolves every wanted query of tab (cache first, cache may be NULL), in
 * parallel, until each is answered or deadline_ms (dns_now_ms() time)
 * passes; late ones are DNS_S_TIMEOUT. Clears the wanted list. P_OK,
 * P_EINVAL (bad server list), P_ENOMEM or P_EIO (resolver set-up). */
int		 dns_resolve(const struct dns_config *, struct dns_cache *,
		    struct dns_table *, long long deadline_ms,
		    struct dns_stats *);

/* ---------------------------------------------------------- names --- */

/* A domain a person typed (or an address: the part after '@'; a final dot
 * and spaces are dropped, letters lowered) checked strictly: LDH labels of
 * 1-63 bytes, 253 bytes in all, two labels at least, a top-level label
 * that is not all digits (no IP addresses). P_OK with *out in the arena,
 * or P_EINVAL with *why a static English reason. */
int		 check_domain_normalise(struct arena *, const char *in,
		    const char **out, const char **why);
/* True for a name that check_domain_normalise would keep as is. */
bool		 check_is_domain(const char *);
/* A unicast IPv4 or IPv6 address in canonical text (inet_ntop); no
 * loopback, unspecified or multicast. P_OK or P_EINVAL. *family is 4 or
 * 6 (may be NULL). */
int		 check_ip_normalise(struct arena *, const char *in,
		    const char **out, int *family);
/* The reversed name of ip under zone ("2.0.0.127.zen.spamhaus.org"), or
 * under in-addr.arpa / ip6.arpa when zone is NULL. NULL if ip is not an
 * address or on OOM. */
char		*check_reverse_name(struct arena *, const char *ip,
		    const char *zone);
/* True when zone lists domains (Spamhaus DBL, URIBL, SURBL: queried with
 * the domain) rather than IP addresses. */
bool		 check_zone_is_domain_list(const char *zone);

/* ------------------------------------------------------------ SPF --- */

struct spf_term {
	char		 qual;		/* '+', '-', '~', '?' */
	const char	*name;		/* lower case: "include", "ip4"... */
	const char	*arg;		/* after ':' or '=', may be NULL */
	int		 cidr4, cidr6;	/* -1 when absent */
	bool		 modifier;	/* name=value */
};

struct spf_record {
	struct spf_term	*terms;
	size_t		 n;
	char		 all;		/* qualifier of "all", 0 if none */
	const char	*redirect;
	unsigned	 lookups;	/* terms of this record that count */
	const char	*error;		/* first syntax error, or NULL */
};

/* True when txt is an SPF record ("v=spf1" then a space or the end). */
bool		 spf_is_record(const char *txt);
/* Parses an SPF record; syntax errors are reported in out->error (static
 * English text naming the term in the arena). P_OK, P_EINVAL (not an SPF
 * record) or P_ENOMEM. */
int		 spf_parse(struct arena *, const char *txt,
		    struct spf_record *out);

/* What the whole include/redirect tree says. */
struct spf_eval {
	unsigned	 lookups;	/* DNS-querying terms, recursively */
	unsigned	 voids;		/* includes that found no record */
	bool		 provider;	/* our include (or our IPs) reached */
	const char	*error;		/* permerror found in the tree */
	const char	*error_at;	/* the domain whose record has it */
	bool		 unknown;	/* some record could not be fetched */
	unsigned	 depth;
};

/* Walks rec of domain through the table, following include and redirect
 * (each fetched record noted as wanted when missing). include_name is
 * the provider's SPF include (may be NULL); ips its sending IPs. */
void		 spf_evaluate(struct dns_table *, const char *domain,
		    const struct spf_record *, const char *include_name,
		    const char *const *ips, size_t nips, struct spf_eval *);
/* True when ip (text) lies in the ip4/ip6 network arg ("192.0.2.0/24"). */
bool		 spf_ip_in(const char *ip, const char *arg, int cidr4,
		    int cidr6, bool v6);

/* The one record to publish: the terms of recs (deduplicated), the
 * provider's include added when missing, "+all"/"?all" or no "all" made
 * "~all" (or "-all" when the record had it). Arena; NULL on OOM. */
char		*spf_fix(struct arena *, const struct spf_record *const *recs,
		    size_t nrecs, const char *include_name);

/* ----------------------------------------------------- DKIM, DMARC --- */

struct dkim_key {
	const char	*v, *k, *p, *t;	/* tag values, NULL when absent */
	bool		 revoked;	/* p= present and empty */
	bool		 p_base64;	/* p= decodes as base64 */
	size_t		 key_bytes;	/* decoded length of p= */
	bool		 testing;	/* t=y */
	const char	*error;		/* static English, or NULL */
};

/* Parses a DKIM key record (RFC 6376 3.6.1). P_OK (error set when the
 * record is unusable), P_ENOMEM. */
int		 dkim_key_parse(struct arena *, const char *txt,
		    struct dkim_key *out);
/* Decoded length of base64 s (whitespace ignored) or -1 when invalid. */
long		 check_base64_len(const char *s);

struct dmarc_record {
	const char	*p, *sp, *rua, *ruf, *adkim, *aspf;
	int		 pct;		/* 100 when absent */
	const char	*error;		/* static English, or NULL */
};

/* True when txt starts with "v=DMARC1" (then ';', a space or the end). */
bool		 dmarc_is_record(const char *txt);
int		 dmarc_parse(struct arena *, const char *txt,
		    struct dmarc_record *out);

/* --------------------------------------------------------- checks --- */

enum check_verdict {
	CHECK_PASS = 0,
	CHECK_WARN,
	CHECK_FAIL
};

struct check_finding {
	const char		*group;	/* mx spf dkim dmarc a ptr dnsbl */
	const char		*id;	/* "spf-lookups", "mx-cname"... */
	enum check_verdict	 verdict;
	const char		*subject;	/* the name or IP it is about */
	const char		*explain_en, *explain_fr;
	const char		*fix;	/* the record to publish, or NULL */
	const char		*detail;	/* what was seen, or NULL */
	const char		*faq_tag;
};

/* What to check; all strings already normalised (check_request_build). */
struct check_request {
	const char	*domain;
	const char	*ips[CHECK_MAX_IPS];
	bool		 ip_ours[CHECK_MAX_IPS];	/* a provider IP */
	size_t		 nips;
	const char	*selectors[CHECK_MAX_SELECTORS];
	bool		 sel_ours[CHECK_MAX_SELECTORS];
	size_t		 nsel;
	const char	*ip_zones[CHECK_MAX_ZONES];	/* IP blacklists */
	size_t		 nip_zones;
	const char	*dom_zones[CHECK_MAX_ZONES];	/* domain lists */
	size_t		 ndom_zones;
	const char	*spf_include;	/* NULL: none configured */
	const char	*provider_ips[CHECK_MAX_IPS];
	size_t		 nprovider_ips;
	const char	*provider_name;
};

struct check_report {
	const char		*domain;
	struct check_finding	*f;
	size_t			 n, cap;
	unsigned		 npass, nwarn, nfail;
	bool			 complete;	/* no budget was spent */
	unsigned		 rounds, queries, cached, timeouts;
	long			 elapsed_ms;
	const struct check_request *req;
};

/* Builds a request from the configuration and what the user gave (ip and
 * sel may be NULL; ip may be an address or empty). P_OK, or P_EINVAL with
 * *why (static English) for a bad domain, IP or selector. */
int		 check_request_build(struct arena *, const struct config *,
		    const char *domain, const char *ip, const char *sel,
		    struct check_request *out, const char **why);
/* Runs every check once over tab (pure: no I/O). P_OK or P_ENOMEM. */
int		 check_evaluate(struct arena *, const struct check_request *,
		    struct dns_table *, struct check_report *);
/* Resolves and checks within cfg's time limit (check_timeout_ms). */
int		 check_run(struct arena *, const struct config *,
		    const struct check_request *, struct check_report *);
/* The report as JSON; lang "en" or "fr" (other: "fr"). Caller owns it;
 * NULL on OOM. */
struct json_object *check_report_to_json(const struct check_report *,
		    const char *lang);
const char	*check_verdict_name(enum check_verdict);
/* True for the diagnosis reasons a sender check can explain
 * (authfailure, requireptr, blocked, badreputation). */
bool		 check_reason_offers(const char *reason);

/* ------------------------------------------------------ rate limit --- */

struct ratelimit;

/* Token buckets keyed by a string (the client address): per_min tokens a
 * minute, burst at most; a bounded table (the oldest bucket is reused). */
struct ratelimit *ratelimit_new(size_t slots);
void		 ratelimit_free(struct ratelimit *);
/* The process-wide limiter of the check and spam-score endpoints. */
struct ratelimit *ratelimit_shared(void);
/* Takes a token for key; false when none is left, with *retry_s the
 * seconds until one is. */
bool		 ratelimit_take(struct ratelimit *, const char *key,
		    double per_min, double burst, long long now_ms,
		    long *retry_s);

/* ----------------------------------------------------- spam score --- */

#define SPAM_MAX_MESSAGE	(2 * 1024 * 1024)
#define SPAM_MAX_REPLY		(256 * 1024)

struct spam_test {
	const char	*name;
	double		 score;
	const char	*description;	/* spamd's words, or NULL */
};

struct spam_result {
	double		 score, required;	/* spamd's */
	bool		 spamd_spam;		/* spamd's verdict */
	struct spam_test *tests;		/* highest score first */
	size_t		 ntests;
};

/* Parses the answer of spamd to a REPORT request (status line, headers,
 * report). P_OK, P_EINVAL (not a spamd answer or an error status, with a
 * message in err), P_ENOMEM. */
int		 spamc_parse_reply(struct arena *, const char *reply,
		    size_t len, struct spam_result *out, char *err,
		    size_t errlen);
/* Sends msg to spamd at addr ("host:port" numeric or loopback, "[v6]:port"
 * or a unix socket path) with the spamc protocol and parses the answer,
 * within timeout_ms. P_OK, P_EINVAL (bad addr or answer), P_ETOOBIG, P_EIO
 * (unreachable, timeout), P_ENOMEM; err says why. */
int		 spamc_check(const char *addr, long timeout_ms,
		    const char *msg, size_t len, struct arena *,
		    struct spam_result *out, char *err, size_t errlen);
/* The result as JSON with the provider's threshold, each test explained
 * (the diagnosis texts) and advice. Caller owns it; NULL on OOM. */
struct json_object *spam_result_to_json(const struct spam_result *,
		    double threshold, const char *lang);

/* CLI: `bouncedesk check-domain` and `bouncedesk spam-score`; exit codes
 * 0 (all pass / under the threshold), 1 (a failure / over it), 2 (usage
 * or bad input), 3 (not configured or unreachable). */
int		 check_cli(int argc, char **argv, const struct config *);
int		 spam_cli(int argc, char **argv, const struct config *);

#endif /* BOUNCEDESK_CHECK_H */
