/* classify.c - one recipient block to a verdict, with its evidence.
 * Precedence: specific rules -> a specific enhanced status -> generic
 * phrases (diagnostic, then the human text around it) -> a vague status
 * -> the reply code alone -> onhold / undefined. */
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

struct status_map {
	const char	*status;	/* "5.1.1"; class digit 'x' = 4 or 5 */
	const char	*reason;
	bool		 strong;	/* beats the generic phrases */
};

static const struct status_map status_map[] = {
	{ "x.1.1", "userunknown", true },
	{ "x.1.0", "userunknown", false },
	{ "x.1.2", "hostunknown", true },
	{ "x.1.3", "userunknown", false },
	{ "x.1.4", "userunknown", false },
	{ "x.1.5", "userunknown", false },
	{ "x.1.6", "hasmoved", true },
	{ "x.1.7", "rejected", false },
	{ "x.1.8", "rejected", true },
	{ "x.1.9", "systemerror", false },
	{ "x.1.10", "notaccept", true },
	{ "x.2.0", "undefined", false },
	{ "x.2.1", "suspend", false },
	{ "x.2.2", "mailboxfull", true },
	{ "x.2.3", "exceedlimit", true },
	{ "x.2.4", "systemerror", false },
	{ "x.3.0", "systemerror", false },
	{ "x.3.1", "systemfull", true },
	{ "x.3.2", "notaccept", false },
	{ "x.3.3", "systemerror", false },
	{ "x.3.4", "mesgtoobig", true },
	{ "x.3.5", "systemerror", false },
	{ "x.4.0", "networkerror", false },
	{ "x.4.1", "networkerror", false },
	{ "x.4.2", "networkerror", false },
	{ "x.4.3", "systemerror", false },
	{ "x.4.4", "hostunknown", false },
	{ "x.4.5", "networkerror", false },
	{ "x.4.6", "networkerror", false },
	{ "x.4.7", "expired", false },
	{ "x.5.0", "syntaxerror", false },
	{ "x.5.1", "syntaxerror", false },
	{ "x.5.2", "syntaxerror", false },
	{ "x.5.3", "syntaxerror", false },
	{ "x.5.4", "syntaxerror", false },
	{ "x.5.5", "syntaxerror", false },
	{ "x.6.0", "contenterror", false },
	{ "x.6.1", "contenterror", false },
	{ "x.6.2", "contenterror", false },
	{ "x.6.3", "contenterror", false },
	{ "x.6.4", "contenterror", false },
	{ "x.6.5", "contenterror", false },
	{ "x.7.0", "securityerror", false },
	{ "x.7.1", "rejected", false },
	{ "x.7.2", "norelaying", false },
	{ "x.7.3", "securityerror", false },
	{ "x.7.4", "securityerror", false },
	{ "x.7.5", "securityerror", false },
	{ "x.7.6", "securityerror", false },
	{ "x.7.7", "securityerror", false },
	{ "x.7.8", "securityerror", true },
	{ "x.7.9", "securityerror", true },
	{ "x.7.10", "securityerror", true },
	{ "x.7.11", "securityerror", true },
	{ "x.7.12", "securityerror", false },
	{ "x.7.13", "suspend", true },
	{ "x.7.14", "securityerror", false },
	{ "x.7.15", "securityerror", false },
	{ "x.7.16", "exceedlimit", false },
	{ "x.7.17", "hasmoved", false },
	{ "x.7.18", "hasmoved", false },
	{ "x.7.19", "hasmoved", false },
	{ "x.7.20", "authfailure", true },
	{ "x.7.21", "authfailure", true },
	{ "x.7.22", "authfailure", true },
	{ "x.7.23", "authfailure", true },
	{ "x.7.24", "authfailure", true },
	{ "x.7.25", "requireptr", true },
	{ "x.7.26", "authfailure", true },
	{ "x.7.27", "notaccept", true },
	{ "x.7.28", "speeding", false },
	{ "x.7.29", "authfailure", false },
	{ "x.7.30", "securityerror", false },
};

static const struct status_map *
status_find(const char *status)
{
	size_t	 i;

	if (status == NULL || (status[0] != '4' && status[0] != '5') ||
	    status[1] != '.')
		return NULL;
	for (i = 0; i < sizeof(status_map) / sizeof(status_map[0]); i++)
		if (strcmp(status_map[i].status + 1, status + 1) == 0)
			return &status_map[i];
	return NULL;
}

static char *
lower_copy(struct arena *a, const char *s, size_t len)
{
	char	*l;
	size_t	 i;

	if ((l = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		l[i] = (char)tolower((unsigned char)s[i]);
	l[len] = '\0';
	return l;
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

static void
apply_status(struct diag_recipient *r, const struct status_map *m,
    struct arena *a, const char *status)
{
	r->reason = m->reason;
	r->confidence = m->strong ? 0.8 : 0.5;
	r->evidence.rule_id = arena_printf(a, "status:%s", status);
	r->evidence.stage = "status";
}

static const char *
code_reason(const char *code)
{
	if (code == NULL || code[0] == '\0')
		return NULL;
	if (strcmp(code, "552") == 0)
		return "mailboxfull";
	if (strcmp(code, "553") == 0 || strcmp(code, "550") == 0 ||
	    strcmp(code, "551") == 0 || strcmp(code, "554") == 0 ||
	    code[0] == '4')
		return "onhold";
	return NULL;
}

/* Tries the rules of one stage on text; fills r on a hit. */
static bool
try_rules(const struct diag_engine *e, struct arena *a, enum rule_stage st,
    const char *text, struct diag_recipient *r, pcre2_match_data *md,
    const char *stagename)
{
	struct rule_hit	 h;
	size_t		 len;
	char		*low;

	if (text == NULL || text[0] == '\0')
		return false;
	len = strlen(text);
	if ((low = lower_copy(a, text, len)) == NULL)
		return false;
	if (!ruleset_match(e->rules, st, text, low, len, md, &h))
		return false;
	apply_rule(a, r, &h, text, stagename);
	return true;
}

static void
decide(const struct diag_engine *e, struct arena *a, const struct block *b,
    struct diag_recipient *r, pcre2_match_data *md)
{
	const struct status_map	*m;
	const char		*cr;

	m = status_find(b->status);
	if (try_rules(e, a, RULE_SPECIFIC, b->diagnostic, r, md, "rule"))
		return;
	if (m != NULL && m->strong) {
		apply_status(r, m, a, b->status);
		return;
	}
	if (try_rules(e, a, RULE_PHRASE, b->diagnostic, r, md, "phrase"))
		return;
	if (b->context != NULL && b->context != b->diagnostic &&
	    (try_rules(e, a, RULE_SPECIFIC, b->context, r, md, "context") ||
	    try_rules(e, a, RULE_PHRASE, b->context, r, md, "context"))) {
		/* The span is in the context, not in the diagnostic. */
		r->confidence *= 0.9;
		return;
	}
	if (m != NULL) {
		apply_status(r, m, a, b->status);
		return;
	}
	if ((cr = code_reason(b->replycode)) != NULL) {
		r->reason = cr;
		r->confidence = 0.3;
		r->evidence.rule_id = arena_printf(a, "code:%s", b->replycode);
		r->evidence.stage = "code";
		return;
	}
	if ((b->status != NULL && b->status[0] != '\0') ||
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

/* The SMTP command tells whose address was refused: an unknown address
 * at MAIL FROM is the sender's; a "user unknown" after DATA is a
 * content filter speaking. */
static void
phase_adjust(struct diag_recipient *r)
{
	bool	 uu = strcmp(r->reason, "userunknown") == 0;

	if (r->phase == PHASE_MAIL && (uu ||
	    strcmp(r->reason, "hostunknown") == 0)) {
		r->reason = "rejected";
		r->evidence.stage = "phase";
	} else if ((r->phase == PHASE_DATA || r->phase == PHASE_EOD) && uu) {
		r->reason = "filtered";
		r->evidence.stage = "phase";
	}
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
		phase_adjust(r);
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
