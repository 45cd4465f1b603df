/* hdrs.c - header-block analysis: find and unfold the fields of a pasted
 * header block (stopping where a body begins), then hand them to the
 * Received, authentication, spam-filter and Microsoft parsers, check the
 * RFC 5322 rules, and build the summary. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define FIELD_NAME_MAX	76
#define REWRAP_LOOKAHEAD 3	/* lines re-wrapped by webmail, at most */
#define SNIFF_MAX	4096

/* --- small helpers shared by hdrs_*.c --- */

void *
hx_push(struct hctx *h, void *arrp, size_t *n, size_t *cap, size_t size,
    size_t max)
{
	char	**arr = arrp;
	char	 *na;
	size_t	  ncap;

	if (h->err != P_OK || *n >= max)
		return NULL;
	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 8;
		if (ncap > max)
			ncap = max;
		if ((na = arena_calloc(h->a, ncap, size)) == NULL) {
			h->err = P_ENOMEM;
			return NULL;
		}
		if (*n > 0)
			memcpy(na, *arr, *n * size);
		*arr = na;
		*cap = ncap;
	}
	na = *arr + *n * size;
	memset(na, 0, size);
	(*n)++;
	return na;
}

char *
hx_strndup(struct hctx *h, const char *s, size_t n)
{
	char	*p;

	if (h->err != P_OK)
		return NULL;
	if ((p = arena_strndup(h->a, s, n)) == NULL)
		h->err = P_ENOMEM;
	return p;
}

char *
hx_printf(struct hctx *h, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	if (h->err != P_OK)
		return NULL;
	va_start(ap, fmt);
	p = arena_vprintf(h->a, fmt, ap);
	va_end(ap);
	if (p == NULL)
		h->err = P_ENOMEM;
	return p;
}

bool
hx_ieq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

bool
hx_iprefix(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

const char *
hx_skip_cfws(const char *p)
{
	int	 depth;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		for (depth = 0; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

bool
hx_number(const char *s, size_t n, double *out)
{
	char	 tmp[32], *end;
	double	 v;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* strtod accepts "inf", "nan" and hex: only plain decimals here. */
	if (strspn(tmp, "+-0123456789.") != n)
		return false;
	v = strtod(tmp, &end);
	if (end != tmp + n || end == tmp)
		return false;
	*out = v;
	return true;
}

bool
hx_is_ip(const char *s, size_t n)
{
	char		 tmp[INET6_ADDRSTRLEN + 8];
	unsigned char	 bin[16];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, bin) == 1 ||
	    inet_pton(AF_INET6, tmp, bin) == 1;
}

void
hx_add_defect(struct hctx *h, const char *id, const char *detail,
    const char *en, const char *fr)
{
	struct hdr_report	*r = h->r;
	struct hdr_defect	*d;

	d = hx_push(h, &r->defects, &r->ndefects, &h->cap_defects,
	    sizeof(*d), 64);
	if (d == NULL)
		return;
	d->id = id;
	d->detail = detail;
	d->explain_en = en;
	d->explain_fr = fr;
}

/* --- finding the fields --- */

static const char *const known_fields[] = {
	"received", "from", "to", "cc", "subject", "date", "message-id",
	"return-path", "delivered-to", "reply-to", "sender", "mime-version",
	"content-type", "content-transfer-encoding", "dkim-signature",
	"authentication-results", "arc-", "received-spf", "x-", "list-",
	"thread-", "references", "in-reply-to", "importance", "user-agent",
};

static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* The length of the field name if the line starts a field, else 0. */
static size_t
field_name_len(const char *p, size_t l)
{
	size_t	 i, n;

	for (i = 0; i < l && i <= FIELD_NAME_MAX; i++) {
		if (p[i] == ':' || is_space(p[i]))
			break;
		if ((unsigned char)p[i] < 33 || (unsigned char)p[i] > 126)
			return 0;
	}
	n = i;
	while (i < l && is_space(p[i]))	/* obsolete "Subject :" */
		i++;
	if (n == 0 || n > FIELD_NAME_MAX || i >= l || p[i] != ':')
		return 0;
	return n;
}

static bool
is_known_field(const char *p, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++) {
		k = strlen(known_fields[i]);
		if (known_fields[i][k - 1] == '-' ? (n > k &&
		    strncasecmp(p, known_fields[i], k) == 0) :
		    (n == k && strncasecmp(p, known_fields[i], k) == 0))
			return true;
	}
	return false;
}

struct line {
	const char	*p;
	size_t		 len;		/* without the line break */
	const char	*next;
};

static bool
next_line(const char *p, const char *end, struct line *ln)
{
	const char	*nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	ln->p = p;
	ln->next = nl != NULL ? nl + 1 : end;
	ln->len = (size_t)((nl != NULL ? nl : end) - p);
	if (ln->len > 0 && p[ln->len - 1] == '\r')
		ln->len--;
	return true;
}

static bool
is_blank(const struct line *ln)
{
	size_t	 i;

	for (i = 0; i < ln->len; i++)
		if (!is_space(ln->p[i]))
			return false;
	return true;
}

/* A line that is neither a field nor indented continues the field when a
 * well-known field follows within a few lines: webmail re-wraps long
 * header lines and loses the indentation. */
static bool
is_rewrapped(const char *p, const char *end)
{
	struct line	 ln;
	size_t		 n;
	int		 i;

	for (i = 0; i < REWRAP_LOOKAHEAD && next_line(p, end, &ln); i++) {
		if (is_blank(&ln))
			return false;
		if ((n = field_name_len(ln.p, ln.len)) > 0)
			return is_known_field(ln.p, n);
		if (is_space(ln.p[0]))
			return false;
		p = ln.next;
	}
	return false;
}

/* Builds the unfolded value and the raw text of one field. */
static void
finish_field(struct hctx *h, const char *name, size_t nlen, const char *v,
    const char *vend, size_t offset)
{
	struct hdr_report	*r = h->r;
	struct hdr_field	*f;
	char			*val, *raw;
	size_t			 i, j, k, n = (size_t)(vend - v);

	f = hx_push(h, &r->fields, &r->nfields, &h->cap_fields, sizeof(*f),
	    HDR_MAX_FIELDS);
	if (f == NULL)
		return;
	/* Not strndup: a NUL byte in the input must not shorten the copy. */
	if ((val = arena_alloc(h->a, n + 1)) == NULL ||
	    (raw = arena_alloc(h->a, n + 1)) == NULL) {
		h->err = P_ENOMEM;
		return;
	}
	/* Unfolding removes the line breaks (RFC 5322 2.2.3); a line that
	 * lost its indentation gets one space back. */
	for (i = j = k = 0; i < n; i++) {
		if (v[i] == '\r')
			continue;
		raw[k++] = v[i] == '\0' ? ' ' : v[i];
		if (v[i] == '\n') {
			if (i + 1 < n && !is_space(v[i + 1]))
				val[j++] = ' ';
			continue;
		}
		val[j++] = v[i] == '\0' ? ' ' : v[i];
	}
	while (j > 0 && is_space(val[j - 1]))
		j--;
	val[j] = '\0';
	raw[k] = '\0';
	for (i = 0; is_space(val[i]); i++)
		;
	f->name = hx_strndup(h, name, nlen);
	f->value = val + i;
	f->raw = raw;
	f->offset = offset;
}

static bool
has_content(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!is_space(*p) && *p != '\r' && *p != '\n')
			return true;
	return false;
}

static void
split_fields(struct hctx *h, const char *text, size_t len)
{
	const char	*end = text + len, *p = text, *name = NULL, *v = NULL;
	const char	*vend = NULL;
	struct line	 ln;
	size_t		 nlen = 0, cur = 0, off = 0;

	/* Leading blank lines and an mbox "From " line are not the block. */
	while (next_line(p, end, &ln) && is_blank(&ln))
		p = ln.next;
	if (next_line(p, end, &ln) && ln.len > 5 &&
	    strncmp(ln.p, "From ", 5) == 0)
		p = ln.next;
	for (; next_line(p, end, &ln); p = ln.next) {
		if (is_blank(&ln))
			break;
		if (is_space(ln.p[0]) && name != NULL) {
			vend = ln.p + ln.len;
			continue;
		}
		if ((nlen = field_name_len(ln.p, ln.len)) > 0) {
			if (name != NULL)
				finish_field(h, name, cur, v, vend, off);
			name = ln.p;
			cur = nlen;
			v = memchr(ln.p, ':', ln.len);
			v++;
			vend = ln.p + ln.len;
			off = (size_t)(ln.p - text);
			continue;
		}
		if (name != NULL && !is_space(ln.p[0]) &&
		    is_rewrapped(ln.next, end)) {
			vend = ln.p + ln.len;
			continue;
		}
		break;
	}
	if (name != NULL)
		finish_field(h, name, cur, v, vend, off);
	h->r->header_len = (size_t)(p - text);
	h->r->body_follows = h->r->nfields > 0 && has_content(p, end);
}

/* --- detection --- */

static const char *const trace_fields[] = {
	"received", "authentication-results", "arc-authentication-results",
	"x-spam-status", "x-forefront-antispam-report", "dkim-signature",
	"received-spf", "return-path", "x-ms-exchange-organization-scl",
};

bool
hdr_looks_like_block(const char *text, size_t len)
{
	const char	*p = text, *end;
	struct line	 ln;
	size_t		 n, i, nfields = 0;

	if (text == NULL)
		return false;
	end = text + (len < SNIFF_MAX ? len : SNIFF_MAX);
	while (next_line(p, end, &ln) && is_blank(&ln))
		p = ln.next;
	for (; next_line(p, end, &ln); p = ln.next) {
		if (is_space(ln.p[0]) && nfields > 0)
			continue;
		if ((n = field_name_len(ln.p, ln.len)) == 0)
			break;
		nfields++;
		for (i = 0; i < sizeof(trace_fields) / sizeof(trace_fields[0]);
		    i++)
			if (strlen(trace_fields[i]) == n &&
			    strncasecmp(ln.p, trace_fields[i], n) == 0)
				return true;
		if (nfields >= 2 && is_known_field(ln.p, n))
			return true;
	}
	return false;
}

/* --- originator fields and RFC 5322 defects --- */

static const struct hdr_field *
field_find(const struct hdr_report *r, const char *name, size_t *count)
{
	const struct hdr_field	*first = NULL;
	size_t			 i, c = 0;

	for (i = 0; i < r->nfields; i++)
		if (hx_ieq(r->fields[i].name, name)) {
			if (first == NULL)
				first = &r->fields[i];
			c++;
		}
	if (count != NULL)
		*count = c;
	return first;
}

/* The domain of the address in a From-like value, lower-cased. */
static char *
addr_domain(struct hctx *h, const char *v)
{
	const char	*lt, *at, *e;
	char		*d;
	size_t		 i, n;

	lt = strrchr(v, '<');
	at = strchr(lt != NULL ? lt : v, '@');
	if (at == NULL)
		return NULL;
	at++;
	for (e = at; *e != '\0' && *e != '>' && *e != ' ' && *e != ',' &&
	    *e != ')' && *e != ';'; e++)
		;
	n = (size_t)(e - at);
	if (n == 0 || (d = hx_strndup(h, at, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

static const char *const singletons[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc", "message-id",
	"in-reply-to", "references", "subject", "date"
};

static void
check_multiple(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	char			*d1, *d2;
	size_t			 i, j, c;
	bool			 differ = false;

	for (i = 0; i < sizeof(singletons) / sizeof(singletons[0]); i++) {
		if (field_find(r, singletons[i], &c) == NULL || c < 2)
			continue;
		if (strcmp(singletons[i], "from") != 0) {
			hx_add_defect(h, hx_printf(h, "%s-multiple",
			    singletons[i]), hx_printf(h, "%zu", c),
			    "This field may appear only once (RFC 5322 3.6); "
			    "filters treat repeated fields as a sign of a "
			    "forged or badly generated message.",
			    "Ce champ ne doit apparaître qu'une fois (RFC 5322 "
			    "3.6) ; les filtres voient un champ répété comme le "
			    "signe d'un message falsifié ou mal généré.");
			continue;
		}
		d1 = NULL;
		for (j = 0; j < r->nfields; j++) {
			if (!hx_ieq(r->fields[j].name, "from"))
				continue;
			d2 = addr_domain(h, r->fields[j].value);
			if (d1 == NULL)
				d1 = d2;
			else if (d2 == NULL || strcmp(d1, d2) != 0)
				differ = true;
		}
		if (differ)
			hx_add_defect(h, "from-multiple", hx_printf(h,
			    "%zu From fields, different domains", c),
			    "The message has several From fields with "
			    "different domains: a classic trick to pass DMARC "
			    "with one domain and show another; receivers "
			    "reject or file such mail as spam.",
			    "Le message a plusieurs champs From avec des "
			    "domaines différents : une ruse connue pour passer "
			    "DMARC avec un domaine et en afficher un autre ; "
			    "les destinataires rejettent ou classent en spam.");
		else
			hx_add_defect(h, "from-multiple", hx_printf(h,
			    "%zu From fields", c),
			    "The message has several From fields; only one is "
			    "allowed, and Gmail or Microsoft refuse or file "
			    "such messages as spam. Fix the sending software.",
			    "Le message a plusieurs champs From ; un seul est "
			    "permis, et Gmail ou Microsoft refusent ou classent "
			    "ces messages en spam. Corrigez le logiciel d'envoi.");
	}
}

static bool
is_whole_header(const struct hdr_report *r)
{
	static const char *const originator[] = {
		"from", "to", "subject", "date", "message-id", "mime-version",
		"content-type", "return-path"
	};
	size_t	 i, n = 0;

	for (i = 0; i < sizeof(originator) / sizeof(originator[0]); i++)
		if (field_find(r, originator[i], NULL) != NULL)
			n++;
	return n >= 2;
}

static bool
valid_msgid(const char *v)
{
	const char	*at, *gt;

	if (*v != '<' || (gt = strchr(v, '>')) == NULL)
		return false;
	at = memchr(v, '@', (size_t)(gt - v));
	return at != NULL && at > v + 1 && at + 1 < gt &&
	    strchr(v + 1, '<') == NULL;
}

static void
check_eight_bit(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	const unsigned char	*p;
	size_t			 i;

	for (i = 0; i < r->nfields; i++)
		for (p = (const unsigned char *)r->fields[i].value; *p; p++)
			if (*p >= 0x80) {
				hx_add_defect(h, "header-8bit",
				    r->fields[i].name,
				    "A header field holds raw non-ASCII "
				    "characters instead of RFC 2047 encoded "
				    "words; some servers refuse or mangle it.",
				    "Un champ d'en-tête contient des caractères "
				    "non ASCII bruts au lieu de mots encodés "
				    "RFC 2047 ; certains serveurs le refusent ou "
				    "l'abîment.");
				return;
			}
}

static void
check_defects(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	bool			 whole = is_whole_header(r);

	check_multiple(h);
	if (r->date == NULL && whole)
		hx_add_defect(h, "date-missing", NULL,
		    "The message has no Date field, which RFC 5322 requires; "
		    "spam filters count this against it.",
		    "Le message n'a pas de champ Date, obligatoire selon la "
		    "RFC 5322 ; les filtres antispam le pénalisent.");
	else if (r->date != NULL && !r->has_date_time)
		hx_add_defect(h, "date-invalid", r->date,
		    "The Date field cannot be read as an RFC 5322 date; "
		    "filters treat a broken date as a spam sign. Check the "
		    "sending software and the computer's clock settings.",
		    "Le champ Date n'est pas une date RFC 5322 lisible ; les "
		    "filtres y voient un signe de spam. Vérifiez le logiciel "
		    "d'envoi et le réglage de l'horloge de l'ordinateur.");
	if (r->from == NULL && whole)
		hx_add_defect(h, "from-missing", NULL,
		    "The message has no From field, which RFC 5322 requires; "
		    "most receivers reject or junk it.",
		    "Le message n'a pas de champ From, obligatoire selon la "
		    "RFC 5322 ; la plupart des destinataires le rejettent ou "
		    "le classent en spam.");
	else if (r->from != NULL && strchr(r->from, '@') == NULL)
		hx_add_defect(h, "from-invalid", r->from,
		    "The From field holds no e-mail address.",
		    "Le champ From ne contient pas d'adresse e-mail.");
	if (r->message_id == NULL && whole)
		hx_add_defect(h, "message-id-missing", NULL,
		    "The message has no Message-ID; Gmail rejects such mail "
		    "and other filters add spam points. The sending software "
		    "should create one.",
		    "Le message n'a pas de Message-ID ; Gmail refuse ces "
		    "messages et les autres filtres ajoutent des points de "
		    "spam. Le logiciel d'envoi doit en créer un.");
	else if (r->message_id != NULL && !valid_msgid(r->message_id))
		hx_add_defect(h, "message-id-invalid", r->message_id,
		    "The Message-ID is not of the form <unique@domain>.",
		    "Le Message-ID n'a pas la forme <unique@domaine>.");
	check_eight_bit(h);
}

/* Dates far from the first server's clock: a wrong computer clock. */
static void
check_date_drift(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	const struct hdr_hop	*first = NULL;
	size_t			 i;

	if (!r->has_date_time)
		return;
	for (i = 0; i < r->nhops && first == NULL; i++)
		if (r->hops[i].has_time)
			first = &r->hops[i];
	if (first == NULL)
		return;
	if (r->date_time > first->time + 15 * 60)
		hx_add_defect(h, "date-future", hx_printf(h, "%ld s",
		    (long)(r->date_time - first->time)),
		    "The Date is later than the time the first server "
		    "received the message: the sender's clock or time zone "
		    "is wrong, which spam filters notice (DATE_IN_FUTURE).",
		    "La Date est postérieure à la réception par le premier "
		    "serveur : l'horloge ou le fuseau horaire de l'expéditeur "
		    "est faux, ce que les filtres remarquent "
		    "(DATE_IN_FUTURE).");
	else if (r->date_time + 24 * 3600 < first->time)
		hx_add_defect(h, "date-past", hx_printf(h, "%ld s",
		    (long)(first->time - r->date_time)),
		    "The Date is more than a day before the first server "
		    "received the message: a wrong clock, or a message held "
		    "back before sending (DATE_IN_PAST).",
		    "La Date précède de plus d'un jour la réception par le "
		    "premier serveur : horloge fausse, ou message retenu "
		    "avant l'envoi (DATE_IN_PAST).");
}

static void
originator(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	const struct hdr_field	*f;

	if ((f = field_find(r, "from", NULL)) != NULL)
		r->from = f->value;
	if ((f = field_find(r, "to", NULL)) != NULL)
		r->to = f->value;
	if ((f = field_find(r, "subject", NULL)) != NULL)
		r->subject = f->value;
	if ((f = field_find(r, "message-id", NULL)) != NULL)
		r->message_id = f->value;
	if ((f = field_find(r, "date", NULL)) != NULL) {
		r->date = f->value;
		r->has_date_time = hdr_parse_date(f->value, &r->date_time,
		    NULL) == P_OK;
	}
}

int
hdr_analyse_sa(const struct sa_db *sa, struct arena *a, const char *text,
    size_t len, struct hdr_report **out)
{
	struct hctx		 h;
	struct hdr_report	*r;

	*out = NULL;
	if ((r = arena_calloc(a, 1, sizeof(*r))) == NULL)
		return P_ENOMEM;
	memset(&h, 0, sizeof(h));
	h.a = a;
	h.sa = sa;
	h.r = r;
	r->spam_flag = -1;
	r->spam_level = -1;
	r->ms_scl = r->ms_bcl = r->ms_pcl = HDR_UNSET;
	if (text != NULL && len > 0) {
		if (len > HDR_MAX_INPUT)
			len = HDR_MAX_INPUT;
		split_fields(&h, text, len);
		originator(&h);
		hdr_do_received(&h);
		hdr_do_auth(&h);
		hdr_do_spam(&h);
		hdr_do_microsoft(&h);
		check_defects(&h);
		check_date_drift(&h);
	}
	hdr_do_summary(&h);
	if (h.err != P_OK)
		return h.err;
	*out = r;
	return P_OK;
}

int
hdr_analyse(struct arena *a, const char *text, size_t len,
    struct hdr_report **out)
{
	return hdr_analyse_sa(NULL, a, text, len, out);
}
