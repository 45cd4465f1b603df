/* classify.c - one recipient block to a verdict, with its evidence.
 * Precedence: specific rules (providers, MTAs, blacklists) -> the status
 * code and the phrase rules, read in a fixed order of reasons together
 * with the SMTP command -> the same on the human text around the block ->
 * broad fallback wording -> onhold / undefined. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

/* The reason an enhanced status code names by itself, as the reference
 * classifier reads it: most x.7.y codes say "security" only, x.1.1 says
 * "no such user", x.2.1 a mailbox that refuses mail. */
struct status_name {
	const char	*code;
	enum reason_id	 rid;
};

static const struct status_name status_names[] = {
	{ "4.1.6", RSN_HASMOVED }, { "4.1.7", RSN_REJECTED },
	{ "4.1.8", RSN_REJECTED }, { "4.1.9", RSN_SYSTEMERROR },
	{ "4.2.1", RSN_BLOCKED }, { "4.2.2", RSN_MAILBOXFULL },
	{ "4.2.3", RSN_EXCEEDLIMIT }, { "4.2.4", RSN_FILTERED },
	{ "4.3.1", RSN_SYSTEMFULL }, { "4.3.2", RSN_NOTACCEPT },
	{ "4.3.3", RSN_SYSTEMERROR }, { "4.3.5", RSN_SYSTEMERROR },
	{ "4.4.1", RSN_EXPIRED }, { "4.4.2", RSN_NETWORKERROR },
	{ "4.4.3", RSN_SYSTEMERROR }, { "4.4.4", RSN_NETWORKERROR },
	{ "4.4.5", RSN_SYSTEMFULL }, { "4.4.6", RSN_NETWORKERROR },
	{ "4.4.7", RSN_EXPIRED }, { "4.4.8", RSN_NETWORKERROR },
	{ "4.5.3", RSN_SYSTEMERROR }, { "4.5.5", RSN_SYSTEMERROR },
	{ "4.6.0", RSN_CONTENTERROR }, { "4.6.2", RSN_CONTENTERROR },
	{ "4.6.5", RSN_CONTENTERROR }, { "4.7.1", RSN_BLOCKED },
	{ "4.7.2", RSN_BLOCKED }, { "4.7.5", RSN_SECURITYERROR },
	{ "4.7.6", RSN_SECURITYERROR }, { "4.7.7", RSN_SECURITYERROR },
	{ "4.7.12", RSN_SECURITYERROR }, { "4.7.15", RSN_SECURITYERROR },
	{ "4.7.16", RSN_MESGTOOBIG }, { "4.7.24", RSN_AUTHFAILURE },
	{ "4.7.25", RSN_REQUIREPTR }, { "4.7.26", RSN_AUTHFAILURE },
	{ "5.1.0", RSN_USERUNKNOWN }, { "5.1.1", RSN_USERUNKNOWN },
	{ "5.1.2", RSN_HOSTUNKNOWN }, { "5.1.3", RSN_USERUNKNOWN },
	{ "5.1.4", RSN_FILTERED }, { "5.1.6", RSN_HASMOVED },
	{ "5.1.7", RSN_REJECTED }, { "5.1.8", RSN_REJECTED },
	{ "5.1.9", RSN_SYSTEMERROR }, { "5.1.10", RSN_NOTACCEPT },
	{ "5.2.0", RSN_FILTERED }, { "5.2.1", RSN_FILTERED },
	{ "5.2.2", RSN_MAILBOXFULL }, { "5.2.3", RSN_EXCEEDLIMIT },
	{ "5.2.4", RSN_FILTERED }, { "5.3.0", RSN_SYSTEMERROR },
	{ "5.3.1", RSN_SYSTEMFULL }, { "5.3.2", RSN_NOTACCEPT },
	{ "5.3.3", RSN_SYSTEMERROR }, { "5.3.4", RSN_MESGTOOBIG },
	{ "5.3.5", RSN_SYSTEMERROR }, { "5.4.0", RSN_NETWORKERROR },
	{ "5.4.3", RSN_SYSTEMERROR }, { "5.4.4", RSN_HOSTUNKNOWN },
	{ "5.5.2", RSN_SYNTAXERROR }, { "5.5.3", RSN_TOOMANYCONN },
	{ "5.5.4", RSN_SYSTEMERROR }, { "5.5.5", RSN_SYSTEMERROR },
	{ "5.5.6", RSN_SYNTAXERROR }, { "5.6.0", RSN_CONTENTERROR },
	{ "5.6.1", RSN_CONTENTERROR }, { "5.6.2", RSN_CONTENTERROR },
	{ "5.6.3", RSN_CONTENTERROR }, { "5.6.5", RSN_CONTENTERROR },
	{ "5.6.6", RSN_CONTENTERROR }, { "5.6.7", RSN_CONTENTERROR },
	{ "5.6.8", RSN_CONTENTERROR }, { "5.6.9", RSN_CONTENTERROR },
	{ "5.7.0", RSN_SECURITYERROR }, { "5.7.1", RSN_SECURITYERROR },
	{ "5.7.2", RSN_SECURITYERROR }, { "5.7.3", RSN_SECURITYERROR },
	{ "5.7.4", RSN_SECURITYERROR }, { "5.7.5", RSN_SECURITYERROR },
	{ "5.7.6", RSN_SECURITYERROR }, { "5.7.7", RSN_SECURITYERROR },
	{ "5.7.8", RSN_SECURITYERROR }, { "5.7.9", RSN_SECURITYERROR },
	{ "5.7.10", RSN_SECURITYERROR }, { "5.7.11", RSN_SECURITYERROR },
	{ "5.7.13", RSN_SUSPEND }, { "5.7.14", RSN_SECURITYERROR },
	{ "5.7.15", RSN_SECURITYERROR }, { "5.7.16", RSN_MESGTOOBIG },
	{ "5.7.17", RSN_HASMOVED }, { "5.7.18", RSN_HASMOVED },
	{ "5.7.19", RSN_SECURITYERROR }, { "5.7.20", RSN_AUTHFAILURE },
	{ "5.7.21", RSN_AUTHFAILURE }, { "5.7.22", RSN_AUTHFAILURE },
	{ "5.7.23", RSN_AUTHFAILURE }, { "5.7.24", RSN_AUTHFAILURE },
	{ "5.7.25", RSN_REQUIREPTR }, { "5.7.26", RSN_AUTHFAILURE },
	{ "5.7.27", RSN_NOTACCEPT }, { "5.7.28", RSN_SPAMDETECTED },
	{ "5.7.29", RSN_AUTHFAILURE }, { "5.7.30", RSN_SECURITYERROR },
};

/* -1 when the code names no reason (x.0.0, unknown codes). */
static int
status_reason(const char *status)
{
	size_t	 i;

	if (status == NULL || status[0] == '\0')
		return -1;
	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(status_names[i].code, status) == 0)
			return (int)status_names[i].rid;
	return -1;
}

static bool
host_is_ours(const struct diag_engine *e, const char *host)
{
	char	 low[256];
	size_t	 i;

	if (host == NULL || host[0] == '\0' || e->nhosts == 0)
		return false;
	for (i = 0; host[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	low[i] = '\0';
	for (i = 0; i < e->nhosts; i++)
		if (fnmatch(e->hosts[i], low, 0) == 0)
			return true;
	return false;
}

static void
apply_rule(struct arena *a, struct diag_recipient *r,
    const struct rule_hit *h, const char *text, const char *stage)
{
	const struct rule *rule = h->rule;

	r->reason = rule->reason;
	r->confidence = rule->confidence;
	if (rule->actor != ACTOR_NONE)
		r->actor = rule->actor;
	r->ours = r->ours || rule->ours;
	r->blacklist = rule->blacklist;
	r->explain_fr = rule->explain_fr;
	r->explain_en = rule->explain_en;
	r->steps_fr = rule->steps_fr;
	r->steps_en = rule->steps_en;
	r->faq_tags = rule->tags;
	r->evidence.rule_id = rule->id;
	r->evidence.stage = stage;
	r->evidence.start = h->start;
	r->evidence.end = h->end;
	r->evidence.matched = arena_strndup(a, text + h->start,
	    h->end - h->start);
}

/* ------------------------------------------------------- decision --- */

/* What the decision looks at for one text of a block. */
struct facts {
	const struct block	*b;
	const char		*status;	/* "" when none */
	const char		*code;		/* "" when none */
	int			 st;		/* the status's reason or -1 */
	enum diag_phase		 phase;
	bool			 xunix;		/* "X-Unix;": a local program */
	struct lazy		*lz;		/* phrase rules, on demand */
};

/* The phrase rules are run reason by reason, only when the decision asks
 * (most decisions need a few reasons, not all of them). */
struct lazy {
	const struct ruleset	*rs;
	const char		*text;
	size_t			 len;
	const uint64_t		*found;
	const struct rule_ctx	*ctx;
	pcre2_match_data	*md;
	unsigned long long	 done;		/* reasons tried */
	struct reason_hits	 ph;		/* those that matched */
};

/* How a verdict was reached. */
enum why { WHY_NONE = 0, WHY_STATUS, WHY_PHRASE, WHY_HINT };

struct verdict {
	int			 rid;		/* -1: nothing decided */
	enum why		 why;
	const struct rule_hit	*hit;		/* the rule, for WHY_PHRASE */
};

static bool
hit(const struct facts *f, int r)
{
	struct lazy	*z = f->lz;

	if (z == NULL)
		return false;
	if (((z->done >> r) & 1ULL) == 0) {
		z->done |= 1ULL << r;
		if (z->text != NULL && ruleset_reason(z->rs, (enum reason_id)r,
		    z->text, z->len, z->found, z->ctx, z->md, &z->ph.hit[r]))
			z->ph.mask |= 1ULL << r;
	}
	return ((z->ph.mask >> r) & 1ULL) != 0;
}

#define HIT(f, r)	hit((f), (r))
#define HITP(f, r)	(&(f)->lz->ph.hit[(r)])

/* Reasons the status alone leaves open: the text is read again. */
static bool
is_vague(int rid)
{
	return rid < 0 || rid == RSN_UNDEFINED || rid == RSN_ONHOLD ||
	    rid == RSN_SYSTEMERROR || rid == RSN_SECURITYERROR ||
	    rid == RSN_EXPIRED || rid == RSN_NETWORKERROR ||
	    rid == RSN_HOSTUNKNOWN || rid == RSN_USERUNKNOWN;
}

/* Commands sent before the content: a refusal there cannot be about the
 * headers or the body. */
static bool
before_data(enum diag_phase p)
{
	return p == PHASE_CONN || p == PHASE_HELO || p == PHASE_MAIL ||
	    p == PHASE_RCPT;
}

static bool
set(struct verdict *v, const struct facts *f, int rid)
{
	v->rid = rid;
	if (HIT(f, rid)) {
		v->why = WHY_PHRASE;
		v->hit = HITP(f, rid);
	} else
		v->why = WHY_STATUS;
	return true;
}

/* "No such user" is the recipient's address only when the server said so
 * at RCPT TO or with x.1.1; after the content it is a filter speaking,
 * and a code that names a sender or relay problem wins over it. */
static bool
probe_userunknown(const struct facts *f, struct verdict *v)
{
	static const int other[] = { RSN_NORELAYING, RSN_BLOCKED,
		RSN_MAILBOXFULL, RSN_HASMOVED, RSN_REJECTED, RSN_NOTACCEPT };
	size_t	 i;

	/* At MAIL FROM the unknown address is the sender's. */
	if (f->st == RSN_SUSPEND || f->phase == PHASE_MAIL)
		return false;
	if (f->st == RSN_USERUNKNOWN) {
		for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
			if (HIT(f, other[i]))
				return false;
		return set(v, f, RSN_USERUNKNOWN);
	}
	/* A line pasted alone lost its command: "User unknown" there is
	 * most often the answer to RCPT TO. */
	if ((f->phase == PHASE_RCPT || (f->phase == PHASE_UNKNOWN &&
	    f->b->fragment)) && HIT(f, RSN_USERUNKNOWN))
		return set(v, f, RSN_USERUNKNOWN);
	return false;
}

static bool
probe_filtered(const struct facts *f, struct verdict *v)
{
	bool	 words = HIT(f, RSN_FILTERED) || HIT(f, RSN_USERUNKNOWN);

	if (f->st == RSN_SUSPEND || !words)
		return false;
	if (f->st == RSN_FILTERED || !before_data(f->phase)) {
		v->rid = RSN_FILTERED;
		v->why = WHY_PHRASE;
		v->hit = HIT(f, RSN_FILTERED) ? HITP(f, RSN_FILTERED) :
		    HITP(f, RSN_USERUNKNOWN);
		return true;
	}
	return false;
}

/* The sender's address: said at MAIL FROM, or with a vague status. */
static bool
probe_rejected(const struct facts *f, struct verdict *v)
{
	int	 t = f->st < 0 ? RSN_UNDEFINED : f->st;

	if (f->st == RSN_REJECTED)
		return set(v, f, RSN_REJECTED);
	if (f->phase == PHASE_MAIL && (t == RSN_USERUNKNOWN ||
	    t == RSN_HOSTUNKNOWN || HIT(f, RSN_USERUNKNOWN) ||
	    HIT(f, RSN_HOSTUNKNOWN))) {
		v->rid = RSN_REJECTED;
		v->why = HIT(f, RSN_REJECTED) || HIT(f, RSN_USERUNKNOWN) ||
		    HIT(f, RSN_HOSTUNKNOWN) ? WHY_PHRASE : WHY_STATUS;
		v->hit = HIT(f, RSN_REJECTED) ? HITP(f, RSN_REJECTED) :
		    HIT(f, RSN_USERUNKNOWN) ? HITP(f, RSN_USERUNKNOWN) :
		    HIT(f, RSN_HOSTUNKNOWN) ? HITP(f, RSN_HOSTUNKNOWN) :
		    NULL;
		return true;
	}
	if (!HIT(f, RSN_REJECTED))
		return false;
	if (f->phase == PHASE_MAIL ||
	    ((f->phase == PHASE_DATA || f->phase == PHASE_EOD) &&
	    t != RSN_USERUNKNOWN) ||
	    t == RSN_UNDEFINED || t == RSN_ONHOLD || t == RSN_SECURITYERROR ||
	    t == RSN_SYSTEMERROR)
		return set(v, f, RSN_REJECTED);
	return false;
}

/* The first pass: reasons a status code or a phrase can name, in the
 * order that settles the overlaps (a full mailbox before an unknown user,
 * an unknown user before a filter, a filter before a blacklist). */
static bool
probe(const struct facts *f, int rid, struct verdict *v)
{
	switch (rid) {
	case RSN_USERUNKNOWN:
		return probe_userunknown(f, v);
	case RSN_FILTERED:
		return probe_filtered(f, v);
	case RSN_REJECTED:
		return probe_rejected(f, v);
	case RSN_MESGTOOBIG:
		if (f->st == RSN_EXCEEDLIMIT || strcmp(f->status, "5.2.3") == 0)
			return false;
		break;
	case RSN_SUSPEND:
		if (strcmp(f->code, "525") == 0)
			return set(v, f, RSN_SUSPEND);
		break;
	case RSN_NORELAYING:
		if (f->phase == PHASE_CONN || f->phase == PHASE_HELO)
			return false;
		return HIT(f, rid) ? set(v, f, rid) : false;
	case RSN_HOSTUNKNOWN:
		if (f->st == RSN_HOSTUNKNOWN)
			return HIT(f, RSN_NETWORKERROR) ? false :
			    set(v, f, rid);
		return HIT(f, rid) ? set(v, f, rid) : false;
	case RSN_SPAMDETECTED:
		if (f->status[0] == '\0')
			return false;
		if (f->st == rid)
			return set(v, f, rid);
		return !before_data(f->phase) && HIT(f, rid) ?
		    set(v, f, rid) : false;
	case RSN_SPEEDING:
		return HIT(f, rid) ? set(v, f, rid) : false;
	default:
		break;
	}
	return f->st == rid || HIT(f, rid) ? set(v, f, rid) : false;
}

static const int order_first[] = {
	RSN_MAILBOXFULL, RSN_MESGTOOBIG, RSN_EXCEEDLIMIT, RSN_SUSPEND,
	RSN_HASMOVED, RSN_NORELAYING, RSN_AUTHFAILURE, RSN_USERUNKNOWN,
	RSN_FILTERED, RSN_REQUIREPTR, RSN_NOTCOMPLIANTRFC, RSN_BADREPUTATION,
	RSN_REJECTED, RSN_HOSTUNKNOWN, RSN_SPAMDETECTED,
	RSN_SPEEDING, RSN_TOOMANYCONN, RSN_BLOCKED
};

/* The second pass, when the status is vague or absent: phrases only. */
static const int order_second[] = {
	RSN_MAILBOXFULL, RSN_AUTHFAILURE, RSN_BADREPUTATION, RSN_SPEEDING,
	RSN_SPAMDETECTED, RSN_VIRUSDETECTED, RSN_POLICYVIOLATION,
	RSN_NORELAYING, RSN_SYNTAXERROR, RSN_SYSTEMERROR, RSN_NETWORKERROR,
	RSN_SUSPEND, RSN_CONTENTERROR, RSN_SYSTEMFULL, RSN_NOTACCEPT,
	RSN_EXPIRED, RSN_SECURITYERROR, RSN_MAILERERROR
};

static bool
second_pass(const struct facts *f, struct verdict *v)
{
	const char	*a = f->b->action;
	size_t		 i;
	long		 c;

	if (!is_vague(f->st) && !f->xunix) {
		v->rid = f->st;
		v->why = WHY_STATUS;
		return true;
	}
	for (i = 0; i < sizeof(order_second) / sizeof(order_second[0]); i++)
		if (HIT(f, order_second[i]))
			return set(v, f, order_second[i]);
	if (f->st >= 0) {
		v->rid = f->st;
		v->why = WHY_STATUS;
		return true;
	}
	v->why = WHY_HINT;
	if (strlen(f->status) >= 3 && f->status[2] == '6')
		v->rid = RSN_CONTENTERROR;
	else if (strlen(f->status) >= 3 && f->status[2] == '7')
		v->rid = RSN_SECURITYERROR;
	else if (f->xunix)
		v->rid = RSN_MAILERERROR;
	else if (f->code[0] != '\0' && (c = strtol(f->code, NULL, 10),
	    (c > 400 && c < 408) || (c > 500 && c < 508)))
		v->rid = RSN_SYNTAXERROR;
	else if (a != NULL && (strcmp(a, "delayed") == 0 ||
	    strcmp(a, "expired") == 0))
		v->rid = RSN_EXPIRED;
	else if (f->phase == PHASE_HELO)
		v->rid = RSN_BLOCKED;
	else
		return false;
	return true;
}

/* The verdict of the status and the phrase rules on one text. */
static bool
decide_text(const struct facts *f, struct verdict *v)
{
	size_t	 i;

	v->rid = -1;
	v->why = WHY_NONE;
	v->hit = NULL;
	if (!f->xunix)
		for (i = 0; i < sizeof(order_first) / sizeof(order_first[0]);
		    i++)
			if (probe(f, order_first[i], v))
				return true;
	return second_pass(f, v);
}

static void
facts_init(struct facts *f, const struct block *b)
{
	memset(f, 0, sizeof(*f));
	f->b = b;
	f->status = b->status != NULL ? b->status : "";
	f->code = b->replycode != NULL ? b->replycode : "";
	f->st = status_reason(f->status);
	f->phase = b->phase;
	/* Only a local program's report ("X-Unix;") is read differently:
	 * MTAs label SMTP answers "smtp", "X-Postfix", "unknown"... */
	f->xunix = b->diagtype != NULL && strcmp(b->diagtype, "X-UNIX") == 0;
}

static const char *const why_names[] = {
	"none", "status", "phrase", "hint"
};

static void
apply_verdict(struct arena *a, struct diag_recipient *r,
    const struct verdict *v, const char *text, const struct facts *f,
    bool in_context)
{
	if (v->hit != NULL) {
		apply_rule(a, r, v->hit, text, in_context ? "context" :
		    why_names[v->why]);
		if ((int)v->hit->rule->rid != v->rid) {
			/* "User unknown" words after the content: the
			 * rule's words, the verdict's reason and texts. */
			r->reason = reason_name((enum reason_id)v->rid);
			r->actor = ACTOR_NONE;
			r->blacklist = NULL;
			r->explain_fr = r->explain_en = NULL;
			r->steps_fr = r->steps_en = NULL;
			r->faq_tags = NULL;
		}
		if (in_context)
			r->confidence *= 0.9;
		return;
	}
	r->reason = reason_name((enum reason_id)v->rid);
	r->confidence = v->why == WHY_STATUS ? 0.7 : 0.4;
	r->evidence.stage = why_names[v->why];
	if (v->why == WHY_STATUS)
		r->evidence.rule_id = arena_printf(a, "status:%s", f->status);
	else
		r->evidence.rule_id = arena_printf(a, "hint:%s", r->reason);
}

/* A text of a block and the prefilter's words found in it. */
struct text {
	const char	*s;
	size_t		 len;
	uint64_t	*found;		/* NULL: no text */
};

static bool
text_init(const struct diag_engine *e, struct arena *a, struct text *t,
    const char *s)
{
	t->s = s;
	t->len = s != NULL ? strlen(s) : 0;
	t->found = NULL;
	if (t->len == 0)
		return false;
	t->found = arena_alloc(a, ruleset_found_words(e->rules) *
	    sizeof(*t->found));
	if (t->found == NULL)
		return false;
	ruleset_words(e->rules, s, t->len, t->found);
	return true;
}

static bool
specific(const struct diag_engine *e, struct arena *a, const struct text *t,
    const struct rule_ctx *c, struct diag_recipient *r, pcre2_match_data *md,
    enum rule_stage st, const char *stage)
{
	struct rule_hit	 h;

	if (t->found == NULL || !ruleset_match(e->rules, st, t->s, t->len,
	    t->found, c, md, &h))
		return false;
	apply_rule(a, r, &h, t->s, stage);
	return true;
}

/* The status and phrase decision on one text. The text around the block
 * is read only for its phrases: the status alone already spoke. */
static bool
phrases(const struct diag_engine *e, struct arena *a, const struct block *b,
    const struct text *t, const struct rule_ctx *c, struct diag_recipient *r,
    pcre2_match_data *md, bool in_context)
{
	struct facts	 f;
	struct verdict	 v;
	struct lazy	 z;

	facts_init(&f, b);
	memset(&z, 0, sizeof(z));
	z.rs = e->rules;
	z.text = t->found != NULL ? t->s : NULL;
	z.len = t->len;
	z.found = t->found;
	z.ctx = c;
	z.md = md;
	f.lz = &z;
	if (!decide_text(&f, &v))
		return false;
	/* The text around the block counts only by its phrases. */
	if (in_context && v.why != WHY_PHRASE)
		return false;
	apply_verdict(a, r, &v, t->s, &f, in_context);
	return true;
}

static const char *
domain_of(const char *addr)
{
	const char	*at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL ? at + 1 : NULL;
}

/* Specific rules (diagnostic, then context) -> status and phrases
 * (diagnostic, then context) -> fallback wording -> onhold/undefined. */
static void
decide(const struct diag_engine *e, struct arena *a, const struct block *b,
    struct diag_recipient *r, pcre2_match_data *md)
{
	struct text	 d, x;
	struct rule_ctx	 c;
	bool		 hasx;

	c.host = b->remote_mta;
	c.domain = domain_of(b->recipient);
	c.status = b->status != NULL ? b->status : "";
	c.phase = b->phase;
	(void)text_init(e, a, &d, b->diagnostic);
	hasx = b->context != NULL && b->context != b->diagnostic &&
	    text_init(e, a, &x, b->context);
	if (specific(e, a, &d, &c, r, md, RULE_SPECIFIC, "rule") ||
	    (hasx && specific(e, a, &x, &c, r, md, RULE_SPECIFIC, "context")))
		return;
	if (b->mta_reason != NULL && reason_index(b->mta_reason) >= 0) {
		/* The reporting MTA classified the failure itself. */
		r->reason = b->mta_reason;
		r->confidence = 0.8;
		r->evidence.rule_id = b->mta_reason_why != NULL ?
		    b->mta_reason_why : "mta";
		r->evidence.stage = "mta";
		return;
	}
	if (phrases(e, a, b, &d, &c, r, md, false) ||
	    (hasx && phrases(e, a, b, &x, &c, r, md, true)))
		return;
	if (specific(e, a, &d, &c, r, md, RULE_FALLBACK, "fallback") ||
	    (hasx && specific(e, a, &x, &c, r, md, RULE_FALLBACK,
	    "fallback"))) {
		r->confidence *= 0.8;
		return;
	}
	if ((b->diagnostic != NULL && b->diagnostic[0] != '\0') ||
	    (b->status != NULL && b->status[0] != '\0') ||
	    (b->replycode != NULL && b->replycode[0] != '\0')) {
		r->reason = "onhold";
		r->confidence = 0.2;
	} else {
		r->reason = "undefined";
		r->confidence = 0.1;
	}
	r->evidence.rule_id = r->reason;
	r->evidence.stage = "none";
}

int
classify_block(const struct diag_engine *e, struct arena *a,
    const struct block *b, struct diag_recipient *r, pcre2_match_data *md)
{
	const struct reason_info	*ri;

	memset(r, 0, sizeof(*r));
	r->recipient = b->recipient;
	r->action = b->action;
	r->status = b->status != NULL ? b->status : "";
	r->replycode = b->replycode != NULL ? b->replycode : "";
	r->remote_mta = b->remote_mta;
	r->remote_ip = b->remote_ip;
	r->phase = b->phase;
	r->diagnostic = b->diagnostic;
	r->reporting_mta = b->reporting_mta;
	r->date = b->date;
	if ((b->action != NULL && (strcmp(b->action, "delivered") == 0 ||
	    strcmp(b->action, "relayed") == 0 ||
	    strcmp(b->action, "expanded") == 0)) ||
	    (r->status[0] == '2' && (b->action == NULL ||
	    strcmp(b->action, "failed") != 0))) {
		r->reason = "delivered";
		r->confidence = 0.9;
		r->evidence.rule_id = "action:delivered";
		r->evidence.stage = "status";
	} else {
		decide(e, a, b, r, md);
	}
	r->ours = r->ours || host_is_ours(e, b->remote_mta) ||
	    host_is_ours(e, b->reporting_mta);
	if (r->ours && strcmp(r->reason, "userunknown") != 0 &&
	    strcmp(r->reason, "hostunknown") != 0 &&
	    strcmp(r->reason, "mailboxfull") != 0)
		r->actor = ACTOR_PROVIDER;
	else if (r->ours)
		r->ours = false;	/* our relay only passed it on */
	ri = reason_find(r->reason);
	if (ri != NULL) {
		if (r->actor == ACTOR_NONE)
			r->actor = ri->actor;
		if (r->explain_fr == NULL)
			r->explain_fr = ri->explain_fr;
		if (r->explain_en == NULL)
			r->explain_en = ri->explain_en;
		if (r->steps_fr == NULL)
			r->steps_fr = ri->steps_fr;
		if (r->steps_en == NULL)
			r->steps_en = ri->steps_en;
		if (r->faq_tags == NULL)
			r->faq_tags = ri->tags;
	}
	r->hardbounce = reason_is_hard(r->reason, r->status, r->replycode);
	r->permanent = r->status[0] == '5' ||
	    (r->status[0] == '\0' && r->replycode[0] == '5');
	if (r->evidence.stage == NULL)
		r->evidence.stage = "none";
	return P_OK;
}
