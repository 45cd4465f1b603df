/* diag.c - the engine: build it from rules, detect what was pasted, run
 * the passes (MIME or text, DSN groups, human blocks), classify each
 * recipient, and serialise the report. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

#if defined(__has_include)
#if __has_include("bouncedesk/hdrs.h")
#include "bouncedesk/hdrs.h"
#define DIAG_HAVE_HDRS 1
#endif
#endif

#define RULES_FILE_MAX	(8 * 1024 * 1024)

static const char *const input_names[] = {
	"auto", "message", "pasted", "fragment", "headers"
};

const char *
diag_input_name(enum diag_input in)
{
	if ((size_t)in < sizeof(input_names) / sizeof(input_names[0]))
		return input_names[in];
	return "auto";
}

enum diag_input
diag_input_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(input_names) /
	    sizeof(input_names[0]); i++)
		if (strcmp(s, input_names[i]) == 0)
			return (enum diag_input)i;
	return DIAG_IN_AUTO;
}

const char *
diag_phase_name(enum diag_phase p)
{
	static const char *const n[] = { "unknown", "connection", "helo",
		"starttls", "auth", "mail", "rcpt", "data", "end-of-data" };

	if ((size_t)p < sizeof(n) / sizeof(n[0]))
		return n[p];
	return "unknown";
}

/* ---------------------------------------------------------- engine --- */

/* Words that name the MTA or the service that wrote a report. */
static const struct {
	const char	*needle;
	const char	*mta;
} mta_marks[] = {
	{ "this is the mail system at host", "postfix" },
	{ "x-postfix-", "postfix" },
	{ "created automatically by mail delivery software", "exim" },
	{ "this is the qmail-send program", "qmail" },
	{ "transcript of session follows", "sendmail" },
	{ "diagnostic information for administrators", "exchange" },
	{ "delivery has failed to these recipients", "exchange" },
	{ "your message couldn't be delivered", "office365" },
	{ "google tried to deliver your message", "gmail" },
	{ "message not delivered", "gmail" },
	{ "sorry, we were unable to deliver your message", "yahoo" },
	{ "opensmtpd", "opensmtpd" },
	{ "courier mail server", "courier" },
	{ "lotus domino", "domino" },
	{ "amazonses", "amazonses" },
	{ "mail.ru", "mailru" },
	{ "gmx", "gmx" },
	{ "orange.fr", "orange" },
	{ "icloud.com", "icloud" },
	{ NULL, NULL }
};

/* Other marks looked for in the same pass over the whole text. */
enum doc_mark {
	DOC_FINAL_RECIPIENT = 0, DOC_STATUS, DOC_FEEDBACK_TYPE,
	DOC_HOTMAIL_FBL, DOC_SES_COMPLAINT, DOC_SES_DELIVERY, DOC_CLIENT_CODE,
	DOC_NMARKS
};

static const char *const doc_marks[DOC_NMARKS] = {
	"final-recipient", "status: ", "feedback-type:",
	"x-hmxmroriginalrecipient:", "\"notificationtype\":\"complaint\"",
	"\"notificationtype\":\"delivery\"", "0x8"
};

#define NMTA	(sizeof(mta_marks) / sizeof(mta_marks[0]) - 1)
#define HAS(f, i) ((((f)[(i) / 64]) >> ((i) % 64)) & 1)

/* One automaton for the MTA signatures, then the other marks. */
static int
mta_build(struct diag_engine *e)
{
	const char	*w[NMTA + DOC_NMARKS];
	size_t		 n, i;

	for (n = 0; n < NMTA; n++)
		w[n] = mta_marks[n].needle;
	for (i = 0; i < DOC_NMARKS; i++)
		w[n++] = doc_marks[i];
	return (e->mta = acmatch_new(w, n)) != NULL ? P_OK : P_ENOMEM;
}

static int
hosts_parse(struct diag_engine *e, const char *hosts)
{
	const char	*p = hosts, *q;
	size_t		 n = 0;

	if (hosts == NULL)
		return P_OK;
	for (q = hosts; *q != '\0'; q++)
		if (*q == ',' || *q == ' ')
			n++;
	if ((e->hosts = calloc(n + 2, sizeof(*e->hosts))) == NULL)
		return P_ENOMEM;
	while (*p != '\0') {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		for (q = p; *q != '\0' && *q != ',' && *q != ' ' &&
		    *q != '\t'; q++)
			;
		if (q > p) {
			char *h = strndup(p, (size_t)(q - p)), *c;

			if ((e->hosts[e->nhosts++] = h) == NULL)
				return P_ENOMEM;
			for (c = h; *c != '\0'; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		p = q;
	}
	return P_OK;
}

struct diag_engine *
diag_engine_new_mem(const char *text, size_t len, const char *hosts,
    char *err, size_t errlen)
{
	struct diag_engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((e->rules = ruleset_parse(text, len, err, errlen)) == NULL) {
		diag_engine_free(e);
		return NULL;
	}
	if ((e->marks = text_marks_new()) == NULL || mta_build(e) != P_OK) {
		snprintf(err, errlen, "out of memory");
		diag_engine_free(e);
		return NULL;
	}
	if (hosts_parse(e, hosts) != P_OK) {
		snprintf(err, errlen, "out of memory");
		diag_engine_free(e);
		return NULL;
	}
	return e;
}

struct diag_engine *
diag_engine_new(const char *path, const char *hosts, char *err,
    size_t errlen)
{
	struct diag_engine	*e;
	FILE			*f;
	char			*text;
	size_t			 n;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(RULES_FILE_MAX)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(text, 1, RULES_FILE_MAX, f);
	if (ferror(f) || n == RULES_FILE_MAX) {
		snprintf(err, errlen, "%s: read error or too big", path);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	e = diag_engine_new_mem(text, n, hosts, err, errlen);
	if (e == NULL && err != NULL && errlen > 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	free(text);
	return e;
}

void
diag_engine_free(struct diag_engine *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	ruleset_free(e->rules);
	text_marks_free(e->marks);
	acmatch_free(e->mta);
	for (i = 0; i < e->nhosts; i++)
		free(e->hosts[i]);
	free(e->hosts);
	free(e);
}

/* The reason an example gives when diagnosed alone as a fragment, and
 * the rule that gave it. */
static const char *
example_reason(const struct diag_engine *e, struct arena *a, const char *ex,
    const char **rule)
{
	struct diag_report	 rep;

	*rule = "-";
	if (diag_run(e, a, ex, strlen(ex), DIAG_IN_FRAGMENT, &rep) != P_OK ||
	    rep.nrcpt == 0)
		return "(none)";
	if (rep.rcpt[0].evidence.rule_id != NULL)
		*rule = rep.rcpt[0].evidence.rule_id;
	return rep.rcpt[0].reason;
}

/* Each example, diagnosed alone, must give its rule's reason: the rule is
 * then known to win over the others. Failures are listed in err. */
static int
examples_run(const struct diag_engine *e, char *err, size_t errlen)
{
	struct arena	*a;
	const char	*got, *by;
	size_t		 i, j, used;
	int		 fails = 0;

	for (i = 0; i < e->rules->nrules; i++) {
		const struct rule *r = &e->rules->rules[i];

		for (j = 0; j < r->nexamples; j++) {
			/* One that does not match is already counted. */
			if (!rule_matches(e->rules, r, r->examples[j]))
				continue;
			if ((a = arena_new(0)) == NULL)
				return fails + 1;
			got = example_reason(e, a, r->examples[j], &by);
			if (strcmp(got, r->reason) != 0) {
				used = strlen(err);
				if (fails++ > 0 && used + 2 < errlen) {
					memcpy(err + used, "; ", 3);
					used += 2;
				}
				if (used < errlen)
					snprintf(err + used, errlen - used,
					    "rule %s (line %d): example %zu "
					    "gives %s (%s)", r->id, r->line,
					    j + 1, got, by);
			}
			arena_free(a);
		}
	}
	return fails;
}

int
diag_engine_check(const struct diag_engine *e, char *err, size_t errlen)
{
	int	 n;

	n = ruleset_check(e->rules, err, errlen);
	return n + examples_run(e, err, errlen);
}

size_t
diag_engine_nrules(const struct diag_engine *e)
{
	return e->rules->nrules;
}

int
diag_rules_check_mem(const char *text, size_t len, char *err, size_t errlen)
{
	struct diag_engine	*e;
	int			 n;

	if ((e = diag_engine_new_mem(text, len, "", err, errlen)) == NULL)
		return -1;
	n = diag_engine_check(e, err, errlen);
	diag_engine_free(e);
	return n;
}

/* ------------------------------------------------------- detection --- */


/* -------------------------------------------------- original fields --- */

static const char *
field_value(struct arena *a, const char *s, size_t len, const char *name)
{
	size_t		 nlen = strlen(name), i, e;
	const char	*p = s, *end = s + len, *nl;

	while ((size_t)(end - p) > nlen) {
		if (strncasecmp(p, name, nlen) == 0) {
			i = (size_t)(p - s) + nlen;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
			for (e = i; e < len && s[e] != '\n'; e++)
				;
			while (e > i && (s[e - 1] == '\r' || s[e - 1] == ' '))
				e--;
			return e > i ? arena_strndup(a, s + i, e - i) : NULL;
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return NULL;
}

/* The returned original's fields, from the quoted header block after the
 * human part (pasted text, inline copies). */
static void
original_from_text(struct scan *sc, const char *s, size_t len)
{
	static const struct {
		const char	*name;
		size_t		 len;
		size_t		 off;
	} f[] = {
		{ "message-id:", 11, offsetof(struct scan, orig_mid) },
		{ "from:", 5, offsetof(struct scan, orig_from) },
		{ "to:", 3, offsetof(struct scan, orig_to) },
		{ "subject:", 8, offsetof(struct scan, orig_subject) },
	};
	const char	*p = s, *end = s + len, *nl, **dst;
	size_t		 i, left = 0;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*(const char **)(void *)((char *)sc + f[i].off) == NULL)
			left++;
	/* One pass over the lines: the first value of each field. */
	while (left > 0 && p < end) {
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			dst = (const char **)(void *)((char *)sc + f[i].off);
			if (*dst == NULL && (size_t)(end - p) > f[i].len &&
			    strncasecmp(p, f[i].name, f[i].len) == 0) {
				*dst = field_value(sc->arena, p,
				    (size_t)(end - p), f[i].name);
				left--;
				break;
			}
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
}


/* The first signature in table order found in the text. */
static const char *
guess_mta(const uint64_t *found)
{
	size_t	 i;

	for (i = 0; i < NMTA; i++)
		if (HAS(found, i))
			return mta_marks[i].mta;
	return NULL;
}

/* ------------------------------------------------------------ run --- */

static int
run_text(struct scan *sc, const char *s, size_t len, bool dsn)
{
	int	 rc;

	if (dsn && (rc = text_scan_dsn(sc, s, len)) != P_OK)
		return rc;
	return text_scan_human(sc, s, len);
}

struct block *
scan_add(struct scan *sc)
{
	struct block	*nb;
	size_t		 cap;

	if (sc->nblk >= DIAG_MAX_RCPT)
		return NULL;
	if (sc->nblk == sc->capblk) {
		cap = sc->capblk == 0 ? 4 : sc->capblk * 2;
		if (cap > DIAG_MAX_RCPT)
			cap = DIAG_MAX_RCPT;
		if ((nb = arena_alloc(sc->arena, cap * sizeof(*nb))) == NULL)
			return NULL;
		if (sc->nblk > 0)
			memcpy(nb, sc->blk, sc->nblk * sizeof(*nb));
		sc->blk = nb;
		sc->capblk = cap;
	}
	nb = &sc->blk[sc->nblk++];
	memset(nb, 0, sizeof(*nb));
	return nb;
}

/* ARF (RFC 5965): one report for each Original-Rcpt-To field, the
 * recipients who complained; one report when the field is absent. */
static void
feedback_recipients(struct scan *sc, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *r;
	struct block	*b;
	size_t		 i;
	bool		 first = true;

	while (p < end) {
		if ((p == s || p[-1] == '\n') && (size_t)(end - p) > 17 &&
		    strncasecmp(p, "Original-Rcpt-To:", 17) == 0 &&
		    (r = field_value(sc->arena, p, (size_t)(end - p),
		    "Original-Rcpt-To:")) != NULL) {
			if (first)
				sc->nblk = 0;
			first = false;
			if ((b = scan_add(sc)) == NULL)
				break;
			b->recipient = r;
		}
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p++;
	}
	if (sc->nblk == 0)
		(void)scan_add(sc);
	for (i = 0; i < sc->nblk; i++) {
		sc->blk[i].phase = PHASE_UNKNOWN;
		sc->blk[i].action = "failed";
		sc->blk[i].status = NULL;
		sc->blk[i].dsn_status = NULL;
		sc->blk[i].replycode = NULL;
	}
}

static void
special_kinds(struct scan *sc, const char *s, size_t len,
    const uint64_t *found)
{
	size_t	 i;

	if (!sc->feedback && (HAS(found, NMTA + DOC_FEEDBACK_TYPE) ||
	    HAS(found, NMTA + DOC_HOTMAIL_FBL) ||
	    HAS(found, NMTA + DOC_SES_COMPLAINT)))
		sc->feedback = true;
	/* Amazon SES notifications in JSON. */
	if (HAS(found, NMTA + DOC_SES_DELIVERY))
		for (i = 0; i < sc->nblk; i++)
			sc->blk[i].action = "delivered";
	if (sc->feedback)
		feedback_recipients(sc, s, len);
}

static int
finish(const struct diag_engine *e, struct arena *a, struct scan *sc,
    struct diag_report *out)
{
	pcre2_match_data	*md;
	size_t			 i;

	if ((md = rules_match_data()) == NULL)
		return P_ENOMEM;
	out->rcpt = arena_calloc(a, sc->nblk ? sc->nblk : 1,
	    sizeof(*out->rcpt));
	if (out->rcpt == NULL)
		return P_ENOMEM;
	for (i = 0; i < sc->nblk; i++) {
		struct block		*b = &sc->blk[i];
		struct diag_recipient	*r = &out->rcpt[out->nrcpt];

		if (b->reporting_mta == NULL)
			b->reporting_mta = sc->reporting_mta;
		if (b->recipient == NULL && sc->orig_to != NULL)
			b->recipient = sc->orig_to;
		b->fragment = out->input == DIAG_IN_FRAGMENT;
		if (b->mta_reason == NULL && sc->mta_reason != NULL) {
			b->mta_reason = sc->mta_reason;
			b->mta_reason_why = "header";
		}
		text_extract(e->marks, a, b);
		if (sc->feedback) {
			b->status = NULL;
			b->replycode = NULL;
		}
		classify_block(e, a, b, r, md);
		if (sc->feedback) {
			r->reason = "feedback";
			r->evidence.rule_id = "arf";
			r->evidence.stage = "kind";
		} else if (sc->autoreply && (b->status == NULL ||
		    b->status[0] == '\0')) {
			r->reason = "vacation";
			r->evidence.rule_id = "auto-reply";
			r->evidence.stage = "kind";
		}
		/* A failure with nothing to say why: a report part without
		 * any recipient, or text with no code and no address, is
		 * undefined rather than onhold. */
		if (strcmp(r->reason, "onhold") == 0 && r->status[0] == '\0' &&
		    r->replycode[0] == '\0' && (sc->empty_report ||
		    r->recipient == NULL)) {
			r->reason = "undefined";
			r->evidence.rule_id = "undefined";
		}
		if (strcmp(r->reason, "feedback") == 0 ||
		    strcmp(r->reason, "vacation") == 0) {
			const struct reason_info *ri = reason_find(r->reason);

			r->hardbounce = false;
			r->actor = ri->actor;
			r->explain_fr = ri->explain_fr;
			r->explain_en = ri->explain_en;
			r->steps_fr = ri->steps_fr;
			r->steps_en = ri->steps_en;
			r->faq_tags = ri->tags;
		}
		out->nrcpt++;
		if (strcmp(r->reason, "undefined") != 0)
			out->recognised = true;
	}
	return P_OK;
}

static int
run_headers(struct arena *a, const char *s, size_t len,
    struct diag_report *out)
{
#ifdef DIAG_HAVE_HDRS
	int	 rc;

	rc = hdr_analyse(a, s, len, &out->headers);
	if (rc != P_OK)
		return rc;
	out->recognised = out->headers != NULL;
#else
	(void)a;
	(void)s;
	(void)len;
	(void)out;
#endif
	return P_OK;
}

#define MBOX_MAX	64	/* messages read from one mbox paste */

/* An mbox separator: "From SENDER DATE", the date ending with a year. */
static bool
is_mbox_from(const char *p, size_t len)
{
	const char	*nl = memchr(p, '\n', len), *e;
	size_t		 n;

	n = nl != NULL ? (size_t)(nl - p) : len;
	if (n < 12 || memcmp(p, "From ", 5) != 0 || p[5] == ' ')
		return false;
	e = p + n;
	while (e > p && (e[-1] == '\r' || e[-1] == ' '))
		e--;
	return e - p > 9 && isdigit((unsigned char)e[-1]) &&
	    isdigit((unsigned char)e[-2]) && isdigit((unsigned char)e[-3]) &&
	    isdigit((unsigned char)e[-4]) && e[-5] == ' ';
}

/* Where the next message of an mbox starts, or len. */
static size_t
mbox_next(const char *s, size_t len, size_t from)
{
	size_t	 i;

	for (i = from; i + 6 <= len; i++)
		if (s[i] == '\n' && s[i + 1] == 'F' &&
		    is_mbox_from(s + i + 1, len - i - 1))
			return i + 1;
	return len;
}

static int	run_one(const struct diag_engine *, struct arena *,
		    const char *, size_t, enum diag_input,
		    struct diag_report *);

/* Several messages in one mbox: each is diagnosed, the recipients are
 * put together, the rest of the report is the first message's. */
static int
run_mbox(const struct diag_engine *e, struct arena *a, const char *text,
    size_t len, enum diag_input hint, struct diag_report *out)
{
	struct diag_report	 one;
	struct diag_recipient	*all;
	size_t			 start = 0, next, n = 0, total = 0, i;
	int			 rc;

	if ((all = arena_calloc(a, DIAG_MAX_RCPT, sizeof(*all))) == NULL)
		return P_ENOMEM;
	while (start < len && n < MBOX_MAX) {
		next = mbox_next(text, len, start);
		rc = run_one(e, a, text + start, next - start, hint,
		    n == 0 ? out : &one);
		if (rc != P_OK)
			return rc;
		if (n > 0 && one.recognised)
			out->recognised = true;
		if (n == 0)
			one = *out;
		for (i = 0; i < one.nrcpt && total < DIAG_MAX_RCPT; i++)
			all[total++] = one.rcpt[i];
		n++;
		start = next;
	}
	out->rcpt = all;
	out->nrcpt = total;
	return P_OK;
}

int
diag_run(const struct diag_engine *e, struct arena *a, const char *text,
    size_t len, enum diag_input hint, struct diag_report *out)
{
	memset(out, 0, sizeof(*out));
	if (text == NULL || len == 0)
		return P_EINVAL;
	if (len > DIAG_MAX_INPUT)
		return P_ETOOBIG;
	if (is_mbox_from(text, len) && mbox_next(text, len, 0) < len &&
	    (hint == DIAG_IN_AUTO || hint == DIAG_IN_MESSAGE))
		return run_mbox(e, a, text, len, hint, out);
	return run_one(e, a, text, len, hint, out);
}

static int
run_one(const struct diag_engine *e, struct arena *a, const char *text,
    size_t len, enum diag_input hint, struct diag_report *out)
{
	struct scan	*sc;
	const char	*s;
	size_t		 slen;
	uint64_t	 found[(NMTA + DOC_NMARKS + 63) / 64];
	bool		 scanned = false;
	int		 rc;

	memset(out, 0, sizeof(*out));
	out->input = hint != DIAG_IN_AUTO ? hint :
	    text_detect(e->marks, text, len);
	if (out->input == DIAG_IN_HEADERS)
		return run_headers(a, text, len, out);
	if ((sc = arena_calloc(a, 1, sizeof(*sc))) == NULL)
		return P_ENOMEM;
	sc->arena = a;
	if (out->input == DIAG_IN_MESSAGE) {
		rc = mime_scan(sc, text, len);
		if (rc == P_ENOMEM)
			return rc;
		if (sc->human == NULL) {
			/* Nothing GMime could decode: read it as text. */
			sc->human = text_normalise(a, text, len,
			    &sc->humanlen);
			if (sc->human == NULL)
				return P_ENOMEM;
		}
		s = sc->human;
		slen = sc->humanlen;
		if ((rc = run_text(sc, s, slen, sc->nblk == 0)) != P_OK)
			return rc;
	} else {
		if ((s = text_normalise(a, text, len, &slen)) == NULL)
			return P_ENOMEM;
		acmatch_scan(e->mta, s, slen, found);
		scanned = true;
		if (!HAS(found, NMTA + DOC_FINAL_RECIPIENT) &&
		    !HAS(found, NMTA + DOC_STATUS) &&
		    text_is_autoreply(e->marks, s, slen))
			sc->autoreply = true;
		if ((rc = run_text(sc, s, slen, true)) != P_OK)
			return rc;
		sc->human = s;
		sc->humanlen = slen;
	}
	if (!scanned)
		acmatch_scan(e->mta, s, slen, found);
	if (HAS(found, NMTA + DOC_CLIENT_CODE))
		out->client_code = text_find_client_code(a, s, slen);
	original_from_text(sc, s, slen);
	special_kinds(sc, s, slen, found);
	out->mta = guess_mta(found);
	out->orig_from = sc->orig_from;
	out->orig_to = sc->orig_to;
	out->orig_subject = sc->orig_subject;
	out->orig_message_id = sc->orig_mid;
	return finish(e, a, sc, out);
}

/* ------------------------------------------------------------ JSON --- */

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static struct json_object *
lines_array(const char *s)
{
	struct json_object	*arr = json_object_new_array();
	const char		*p = s, *e;

	while (p != NULL && *p != '\0') {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p)
			json_object_array_add(arr,
			    json_object_new_string_len(p, (int)(e - p)));
		p = *e != '\0' ? e + 1 : e;
	}
	return arr;
}

static struct json_object *
tags_array(const char *s)
{
	struct json_object	*arr = json_object_new_array();
	const char		*p = s, *e;

	while (p != NULL && *p != '\0') {
		while (*p == ',' || *p == ' ')
			p++;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		if (e > p)
			json_object_array_add(arr,
			    json_object_new_string_len(p, (int)(e - p)));
		p = e;
	}
	return arr;
}

static struct json_object *
recipient_json(const struct diag_recipient *r, bool fr)
{
	struct json_object	*o = json_object_new_object(), *ev;

	add_str(o, "recipient", r->recipient);
	add_str(o, "status", r->status);
	add_str(o, "replycode", r->replycode);
	add_str(o, "reason", r->reason);
	json_object_object_add(o, "hardbounce",
	    json_object_new_boolean(r->hardbounce));
	json_object_object_add(o, "permanent",
	    json_object_new_boolean(r->permanent));
	add_str(o, "action", r->action);
	add_str(o, "remote_mta", r->remote_mta);
	add_str(o, "remote_ip", r->remote_ip);
	add_str(o, "phase", diag_phase_name(r->phase));
	add_str(o, "diagnostic", r->diagnostic);
	add_str(o, "reporting_mta", r->reporting_mta);
	add_str(o, "date", r->date);
	add_str(o, "actor", diag_actor_name(r->actor));
	json_object_object_add(o, "ours", json_object_new_boolean(r->ours));
	add_str(o, "blacklist", r->blacklist);
	json_object_object_add(o, "confidence",
	    json_object_new_double(r->confidence));
	ev = json_object_new_object();
	add_str(ev, "rule", r->evidence.rule_id);
	add_str(ev, "stage", r->evidence.stage);
	json_object_object_add(ev, "start",
	    json_object_new_int64((int64_t)r->evidence.start));
	json_object_object_add(ev, "end",
	    json_object_new_int64((int64_t)r->evidence.end));
	add_str(ev, "matched", r->evidence.matched);
	json_object_object_add(o, "evidence", ev);
	add_str(o, "explanation", fr ? r->explain_fr : r->explain_en);
	json_object_object_add(o, "steps",
	    lines_array(fr ? r->steps_fr : r->steps_en));
	json_object_object_add(o, "faq_tags", tags_array(r->faq_tags));
	return o;
}

struct json_object *
diag_report_to_json(const struct diag_report *rep, const char *lang)
{
	struct json_object	*o, *orig, *res;
	bool			 fr = lang != NULL && strcmp(lang, "fr") == 0;
	size_t			 i;

	o = json_object_new_object();
	add_str(o, "input", diag_input_name(rep->input));
	add_str(o, "mta", rep->mta);
	json_object_object_add(o, "recognised",
	    json_object_new_boolean(rep->recognised));
	if (rep->client_code != NULL)
		add_str(o, "client_code", rep->client_code);
	orig = json_object_new_object();
	add_str(orig, "from", rep->orig_from);
	add_str(orig, "to", rep->orig_to);
	add_str(orig, "subject", rep->orig_subject);
	add_str(orig, "message_id", rep->orig_message_id);
	json_object_object_add(o, "original", orig);
	res = json_object_new_array();
	for (i = 0; i < rep->nrcpt; i++)
		json_object_array_add(res, recipient_json(&rep->rcpt[i], fr));
	json_object_object_add(o, "results", res);
#ifdef DIAG_HAVE_HDRS
	if (rep->headers != NULL)
		json_object_object_add(o, "headers",
		    hdr_report_to_json(rep->headers, lang));
#endif
	return o;
}
