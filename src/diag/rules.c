/* rules.c - the diagnosis rules: parse the text format, compile with JIT,
 * match with a literal prefilter, and check every rule against its examples.
 *
 * Format (db/seed/rules.txt): blocks of "key: value" lines, a block starts
 * at "id:". Lines starting with '#' are comments; a line starting with a
 * blank continues the previous value. Repeated "example:" lines add
 * examples; repeated "steps_fr:"/"steps_en:" lines add steps. "host:",
 * "phase:" and "status:" (comma-separated lists) restrict a rule to some
 * remote hosts (domain suffixes), SMTP phases (connection, helo, mail,
 * rcpt, data, end-of-data...) or status codes ("none": no code).
 * "stage:" is specific (decides alone, first match in file order),
 * phrase (a reason's wording, read by classify.c with the status code and
 * the command) or fallback (broad wording, tried last). The "requires"
 * words of all rules are looked for in one pass (acmatch.c): a rule's
 * pattern runs only when one of its words is in the text. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

#define RULES_MAX	4096
#define RULES_LIST_MAX	64
#define RULES_MATCH_LIMIT	100000
#define RULES_DEPTH_LIMIT	5000

static int	words_build(struct ruleset *);
static int	byreason_build(struct ruleset *);
static bool	conditions(const struct rule *, const struct rule_ctx *);
static bool	rule_try(const struct ruleset *, const struct rule *,
		    const char *, size_t, pcre2_match_data *,
		    struct rule_hit *);

/* Match data, one per thread: made on first use, freed when the thread
 * ends. */
static pthread_key_t	 md_key;
static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;
static bool		 md_ok;

static void
md_free(void *md)
{
	pcre2_match_data_free(md);
}

static void
md_init(void)
{
	md_ok = pthread_key_create(&md_key, md_free) == 0;
}

pcre2_match_data *
rules_match_data(void)
{
	pcre2_match_data	*md;

	pthread_once(&md_once, md_init);
	if (!md_ok)
		return NULL;
	if ((md = pthread_getspecific(md_key)) == NULL &&
	    (md = pcre2_match_data_create(16, NULL)) != NULL &&
	    pthread_setspecific(md_key, md) != 0) {
		pcre2_match_data_free(md);
		md = NULL;
	}
	return md;
}

static const char *const actor_names[] = {
	"none", "sender", "sender_admin", "recipient", "recipient_admin",
	"provider"
};

const char *
diag_actor_name(enum diag_actor a)
{
	if ((size_t)a < sizeof(actor_names) / sizeof(actor_names[0]))
		return actor_names[a];
	return "none";
}

static int
actor_parse(const char *s, enum diag_actor *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(actor_names) / sizeof(actor_names[0]); i++)
		if (strcmp(s, actor_names[i]) == 0) {
			*out = (enum diag_actor)i;
			return P_OK;
		}
	return P_EINVAL;
}

/* Appends s to a NULL-terminated-free list of n items (grown in the
 * arena, lists are short). */
static int
list_add(struct arena *a, const char ***list, size_t *n, const char *s)
{
	const char	**nl;

	if (*n >= RULES_LIST_MAX)
		return P_ETOOBIG;
	nl = arena_alloc(a, (*n + 1) * sizeof(*nl));
	if (nl == NULL)
		return P_ENOMEM;
	if (*n > 0)
		memcpy(nl, *list, *n * sizeof(*nl));
	nl[(*n)++] = s;
	*list = nl;
	return P_OK;
}

static char *
join(struct arena *a, const char *old, const char *sep, const char *add)
{
	if (old == NULL)
		return arena_strdup(a, add);
	return arena_printf(a, "%s%s%s", old, sep, add);
}

/* Splits a comma-separated value into lowercase words added to list. */
static int
add_words(struct arena *a, const char ***list, size_t *n, const char *v)
{
	const char	*p, *e;
	char		*w;
	size_t		 i;
	int		 rc;

	p = v;
	while (*p != '\0') {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > p) {
			if ((w = arena_strndup(a, p, (size_t)(e - p))) == NULL)
				return P_ENOMEM;
			for (i = 0; w[i] != '\0'; i++)
				w[i] = (char)tolower((unsigned char)w[i]);
			if ((rc = list_add(a, list, n, w)) != P_OK)
				return rc;
		}
		p = e;
	}
	return P_OK;
}

static int
add_phases(struct rule *r, const char *v, char *err, size_t errlen)
{
	static const char *const names[] = { "unknown", "connection", "helo",
		"starttls", "auth", "mail", "rcpt", "data", "end-of-data" };
	const char	*p = v, *e;
	size_t		 i, n;

	while (*p != '\0') {
		while (*p == ',' || *p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ',' && *e != ' '; e++)
			;
		if (e == p)
			break;
		n = (size_t)(e - p);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n &&
			    strncmp(names[i], p, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			snprintf(err, errlen, "bad phase '%.*s'", (int)n, p);
			return P_EINVAL;
		}
		r->phases |= 1u << i;
		p = e;
	}
	return P_OK;
}

/* Applies one "key: value" to the current rule. */
static int
rule_set(struct arena *a, struct rule *r, const char *k, const char *v,
    char *err, size_t errlen)
{
	char	*end;

	if (strcmp(k, "reason") == 0)
		r->reason = arena_strdup(a, v);
	else if (strcmp(k, "stage") == 0) {
		if (strcmp(v, "specific") == 0)
			r->stage = RULE_SPECIFIC;
		else if (strcmp(v, "phrase") == 0)
			r->stage = RULE_PHRASE;
		else if (strcmp(v, "fallback") == 0)
			r->stage = RULE_FALLBACK;
		else {
			snprintf(err, errlen, "bad stage '%s'", v);
			return P_EINVAL;
		}
	} else if (strcmp(k, "pattern") == 0)
		r->pattern = join(a, r->pattern, "", v);
	else if (strcmp(k, "requires") == 0)
		return add_words(a, &r->requires, &r->nrequires, v);
	else if (strcmp(k, "host") == 0)
		return add_words(a, &r->hosts, &r->nhosts, v);
	else if (strcmp(k, "status") == 0)
		return add_words(a, &r->statuses, &r->nstatuses, v);
	else if (strcmp(k, "phase") == 0)
		return add_phases(r, v, err, errlen);
	else if (strcmp(k, "confidence") == 0) {
		r->confidence = strtod(v, &end);
		if (*end != '\0' || r->confidence < 0 || r->confidence > 1) {
			snprintf(err, errlen, "bad confidence '%s'", v);
			return P_EINVAL;
		}
	} else if (strcmp(k, "actor") == 0) {
		if (actor_parse(v, &r->actor) != P_OK) {
			snprintf(err, errlen, "bad actor '%s'", v);
			return P_EINVAL;
		}
	} else if (strcmp(k, "ours") == 0)
		r->ours = strcmp(v, "yes") == 0 || strcmp(v, "true") == 0;
	else if (strcmp(k, "blacklist") == 0)
		r->blacklist = arena_strdup(a, v);
	else if (strcmp(k, "explain_fr") == 0)
		r->explain_fr = join(a, r->explain_fr, " ", v);
	else if (strcmp(k, "explain_en") == 0)
		r->explain_en = join(a, r->explain_en, " ", v);
	else if (strcmp(k, "steps_fr") == 0)
		r->steps_fr = join(a, r->steps_fr, "\n", v);
	else if (strcmp(k, "steps_en") == 0)
		r->steps_en = join(a, r->steps_en, "\n", v);
	else if (strcmp(k, "tags") == 0)
		r->tags = join(a, r->tags, ",", v);
	else if (strcmp(k, "example") == 0) {
		const char *s = arena_strdup(a, v);

		if (s == NULL)
			return P_ENOMEM;
		return list_add(a, &r->examples, &r->nexamples, s);
	} else {
		snprintf(err, errlen, "unknown key '%s'", k);
		return P_EINVAL;
	}
	return P_OK;
}

static int
rule_compile(struct rule *r, char *err, size_t errlen)
{
	int		 ec;
	PCRE2_SIZE	 off;
	char		 msg[120];

	if (r->reason == NULL || reason_index(r->reason) < 0) {
		snprintf(err, errlen, "rule %s: missing or unknown reason",
		    r->id);
		return P_EINVAL;
	}
	r->rid = (enum reason_id)reason_index(r->reason);
	if (r->pattern == NULL) {
		snprintf(err, errlen, "rule %s: no pattern", r->id);
		return P_EINVAL;
	}
	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off,
	    NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
		snprintf(err, errlen, "rule %s: pattern at %zu: %s", r->id,
		    (size_t)off, msg);
		return P_EINVAL;
	}
	/* JIT is an optimisation: without it the interpreter still works. */
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	if (r->confidence == 0)
		r->confidence = r->stage == RULE_SPECIFIC ? 0.9 : 0.7;
	return P_OK;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

struct ruleset *
ruleset_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct ruleset	*rs;
	struct rule	*cur = NULL;
	char		*copy, *line, *next, *k, *v, *colon;
	char		 lastkey[32] = "";
	char		 msg[200];
	int		 lineno = 0;
	size_t		 i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	if ((rs->arena = arena_new(0)) == NULL)
		goto fail_mem;
	rs->rules = arena_calloc(rs->arena, RULES_MAX, sizeof(*rs->rules));
	copy = arena_strndup(rs->arena, text, len);
	rs->mctx = pcre2_match_context_create(NULL);
	if (rs->rules == NULL || copy == NULL || rs->mctx == NULL)
		goto fail_mem;
	pcre2_set_match_limit(rs->mctx, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, RULES_DEPTH_LIMIT);
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in rules text");
		goto fail;
	}
	for (line = copy; line != NULL; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] == '#')
			continue;
		if ((line[0] == ' ' || line[0] == '\t') && cur != NULL &&
		    lastkey[0] != '\0' && *trim(line) != '\0') {
			/* Continuation of the previous value. */
			msg[0] = '\0';
			if (strcmp(lastkey, "pattern") == 0 ||
			    strcmp(lastkey, "example") == 0)
				goto bad_cont;
			if (rule_set(rs->arena, cur, lastkey, trim(line), msg,
			    sizeof(msg)) != P_OK)
				goto bad_line;
			continue;
		}
		v = trim(line);
		if (*v == '\0') {
			lastkey[0] = '\0';
			continue;
		}
		if ((colon = strchr(v, ':')) == NULL) {
			snprintf(msg, sizeof(msg), "expected 'key: value'");
			goto bad_line;
		}
		*colon = '\0';
		k = trim(v);
		v = trim(colon + 1);
		if (strlen(k) >= sizeof(lastkey)) {
			snprintf(msg, sizeof(msg), "key too long");
			goto bad_line;
		}
		memcpy(lastkey, k, strlen(k) + 1);
		if (strcmp(k, "id") == 0) {
			if (rs->nrules >= RULES_MAX) {
				snprintf(msg, sizeof(msg), "too many rules");
				goto bad_line;
			}
			cur = &rs->rules[rs->nrules++];
			cur->id = arena_strdup(rs->arena, v);
			cur->line = lineno;
			if (cur->id == NULL)
				goto fail_mem;
			for (i = 0; i + 1 < rs->nrules; i++)
				if (strcmp(rs->rules[i].id, v) == 0) {
					snprintf(msg, sizeof(msg),
					    "duplicate id '%s'", v);
					goto bad_line;
				}
			continue;
		}
		if (cur == NULL) {
			snprintf(msg, sizeof(msg), "'%s' before any id:", k);
			goto bad_line;
		}
		msg[0] = '\0';
		if (rule_set(rs->arena, cur, k, v, msg, sizeof(msg)) != P_OK)
			goto bad_line;
	}
	for (i = 0; i < rs->nrules; i++)
		if (rule_compile(&rs->rules[i], err, errlen) != P_OK)
			goto fail;
	if (words_build(rs) != P_OK || byreason_build(rs) != P_OK)
		goto fail_mem;
	return rs;
bad_cont:
	snprintf(msg, sizeof(msg), "'%s' cannot continue on a new line",
	    lastkey);
bad_line:
	snprintf(err, errlen, "line %d: %s", lineno,
	    msg[0] != '\0' ? msg : "out of memory");
	goto fail;
fail_mem:
	snprintf(err, errlen, "out of memory");
fail:
	ruleset_free(rs);
	return NULL;
}

void
ruleset_free(struct ruleset *rs)
{
	size_t	 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrules; i++)
		pcre2_code_free(rs->rules[i].re);
	pcre2_match_context_free(rs->mctx);
	acmatch_free(rs->words);
	arena_free(rs->arena);
	free(rs);
}

static bool
prefilter(const struct rule *r, const uint64_t *found)
{
	size_t	 i;

	if (r->nrequires == 0)
		return true;
	for (i = 0; i < r->nrequires; i++)
		if ((found[r->wid[i] / 64] >> (r->wid[i] % 64)) & 1)
			return true;
	return false;
}

size_t
ruleset_found_words(const struct ruleset *rs)
{
	return rs->words != NULL ? (acmatch_nwords(rs->words) + 63) / 64 + 1 :
	    1;
}

void
ruleset_words(const struct ruleset *rs, const char *lowered, size_t len,
    uint64_t *found)
{
	if (rs->words != NULL)
		acmatch_scan(rs->words, lowered, len, found);
	else
		found[0] = 0;
}

/* Numbers every distinct "requires" word and builds the automaton. */
static int
words_build(struct ruleset *rs)
{
	const char	**all;
	size_t		 n = 0, i, j, k;
	int		 rc = P_ENOMEM;

	for (i = 0; i < rs->nrules; i++)
		n += rs->rules[i].nrequires;
	if (n == 0)
		return P_OK;
	if ((all = calloc(n, sizeof(*all))) == NULL)
		return P_ENOMEM;
	n = 0;
	for (i = 0; i < rs->nrules; i++) {
		struct rule *r = &rs->rules[i];

		r->wid = arena_calloc(rs->arena, r->nrequires, sizeof(*r->wid));
		if (r->wid == NULL)
			goto out;
		for (j = 0; j < r->nrequires; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(all[k], r->requires[j]) == 0)
					break;
			if (k == n)
				all[n++] = r->requires[j];
			r->wid[j] = (uint16_t)k;
		}
	}
	rc = (rs->words = acmatch_new(all, n)) != NULL ? P_OK : P_ENOMEM;
out:
	free(all);
	return rc;
}

static int
byreason_build(struct ruleset *rs)
{
	size_t	 i, r;

	for (r = 0; r < RSN_COUNT; r++) {
		rs->byreason[r] = arena_calloc(rs->arena, rs->nrules + 1,
		    sizeof(*rs->byreason[r]));
		if (rs->byreason[r] == NULL)
			return P_ENOMEM;
	}
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *ru = &rs->rules[i];

		if (ru->stage == RULE_PHRASE)
			rs->byreason[ru->rid][rs->nbyreason[ru->rid]++] =
			    (uint16_t)i;
	}
	return P_OK;
}

bool
ruleset_reason(const struct ruleset *rs, enum reason_id rid,
    const char *text, size_t len, const uint64_t *found,
    const struct rule_ctx *ctx, pcre2_match_data *md, struct rule_hit *out)
{
	size_t	 i;

	for (i = 0; i < rs->nbyreason[rid]; i++) {
		const struct rule *r = &rs->rules[rs->byreason[rid][i]];

		if (conditions(r, ctx) && prefilter(r, found) &&
		    rule_try(rs, r, text, len, md, out))
			return true;
	}
	return false;
}

static bool
host_ends(const char *host, const char *suffix)
{
	size_t	 hl, sl;

	if (host == NULL)
		return false;
	hl = strlen(host);
	sl = strlen(suffix);
	return hl >= sl && strcasecmp(host + hl - sl, suffix) == 0 &&
	    (hl == sl || host[hl - sl - 1] == '.' || host[hl - sl - 1] == '@');
}

/* Does the block meet the rule's conditions? Without a context, only
 * rules without conditions apply. */
static bool
conditions(const struct rule *r, const struct rule_ctx *c)
{
	size_t	 i;
	bool	 ok;

	if (r->nhosts == 0 && r->phases == 0 && r->nstatuses == 0)
		return true;
	if (c == NULL)
		return false;
	if (r->phases != 0 && (r->phases & (1u << c->phase)) == 0)
		return false;
	for (i = 0, ok = r->nhosts == 0; i < r->nhosts && !ok; i++)
		ok = host_ends(c->host, r->hosts[i]) ||
		    host_ends(c->domain, r->hosts[i]);
	if (!ok)
		return false;
	for (i = 0, ok = r->nstatuses == 0; i < r->nstatuses && !ok; i++)
		ok = strcmp(r->statuses[i], "none") == 0 ?
		    c->status[0] == '\0' : strcmp(r->statuses[i],
		    c->status) == 0;
	return ok;
}

static bool
rule_try(const struct ruleset *rs, const struct rule *r, const char *text,
    size_t len, pcre2_match_data *md, struct rule_hit *out)
{
	PCRE2_SIZE	*ov;
	int		 rc;

	if (r->re == NULL)
		return false;
	rc = pcre2_match(r->re, (PCRE2_SPTR)text, len, 0, 0, md, rs->mctx);
	if (rc < 0)
		return false;
	ov = pcre2_get_ovector_pointer(md);
	out->rule = r;
	out->start = ov[0];
	out->end = ov[1] < ov[0] ? ov[0] : ov[1];
	return true;
}

bool
ruleset_match(const struct ruleset *rs, enum rule_stage stage,
    const char *text, size_t len, const uint64_t *found,
    const struct rule_ctx *ctx, pcre2_match_data *md, struct rule_hit *out)
{
	size_t	 i;

	if (rs == NULL || text == NULL)
		return false;
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (r->stage != stage || !conditions(r, ctx) ||
		    !prefilter(r, found))
			continue;
		if (rule_try(rs, r, text, len, md, out))
			return true;
	}
	return false;
}

/* The words of a text for the prefilter, in a malloc'ed buffer (for the
 * checks, which run outside any arena). NULL when out of memory. */
static uint64_t *
words_of(const struct ruleset *rs, const char *text, size_t len)
{
	uint64_t	*found;

	found = calloc(ruleset_found_words(rs), sizeof(*found));
	if (found != NULL)
		ruleset_words(rs, text, len, found);
	return found;
}

bool
rule_matches(const struct ruleset *rs, const struct rule *r,
    const char *text)
{
	struct rule_hit	 h;
	pcre2_match_data *md;
	size_t		 len = strlen(text);
	uint64_t	*found;
	bool		 ok;

	if ((found = words_of(rs, text, len)) == NULL)
		return false;
	md = pcre2_match_data_create(16, NULL);
	ok = md != NULL && prefilter(r, found) &&
	    rule_try(rs, r, text, len, md, &h);
	pcre2_match_data_free(md);
	free(found);
	return ok;
}

int
ruleset_check(const struct ruleset *rs, char *err, size_t errlen)
{
	pcre2_match_data	*md;
	struct rule_hit		 hit;
	size_t			 i, j, len;
	uint64_t		*found;
	int			 fails = 0;

	if (errlen > 0)
		err[0] = '\0';
	if ((md = pcre2_match_data_create(16, NULL)) == NULL)
		return 1;
	/* Every failure is listed in err, "; "-separated, while it fits. */
#define FAIL(...) do {						\
	size_t used_ = strlen(err);				\
								\
	if (fails++ > 0 && used_ + 2 < errlen) {		\
		memcpy(err + used_, "; ", 3);			\
		used_ += 2;					\
	}							\
	if (used_ < errlen)					\
		snprintf(err + used_, errlen - used_, __VA_ARGS__); \
} while (0)
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (r->nexamples == 0)
			FAIL("rule %s (line %d): no example", r->id, r->line);
		for (j = 0; j < r->nexamples; j++) {
			len = strlen(r->examples[j]);
			found = words_of(rs, r->examples[j], len);
			if (found == NULL) {
				fails++;
				continue;
			}
			if (!prefilter(r, found) ||
			    !rule_try(rs, r, r->examples[j], len, md, &hit))
				FAIL("rule %s (line %d): example %zu does not "
				    "match", r->id, r->line, j + 1);
			else if (r->stage == RULE_SPECIFIC && r->nhosts == 0 &&
			    r->phases == 0 && r->nstatuses == 0 &&
			    (!ruleset_match(rs, r->stage, r->examples[j],
			    len, found, NULL, md, &hit) ||
			    strcmp(hit.rule->reason, r->reason) != 0))
				FAIL("rule %s (line %d): example %zu gives %s "
				    "(rule %s)", r->id, r->line, j + 1,
				    hit.rule->reason, hit.rule->id);
			free(found);
		}
	}
#undef FAIL
	pcre2_match_data_free(md);
	return fails;
}
