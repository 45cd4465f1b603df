/* mime.c - whole messages through GMime: the delivery-status parts, the
 * human text parts (decoded, in UTF-8), the returned original's headers,
 * and the top-level fields that mark reports and auto-replies. */
#include <iconv.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

#define MIME_TEXT_MAX	(512 * 1024)	/* human text kept */
#define MIME_PART_MAX	(256 * 1024)	/* bytes decoded from one part */

static pthread_once_t	 gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_start(void)
{
	g_mime_init();
}

struct walk {
	struct scan	*sc;
	struct buf	 human;
	struct buf	 dsn;
	struct buf	 html;
	int		 parts;
	bool		 have_orig;
};

/* Appends n bytes of text in charset cs to out as UTF-8, after a blank
 * line when out is not empty. 7-bit text (most reports) and UTF-8 go as
 * they are; anything else through iconv, raw when it cannot convert. */
static int
append_text(struct buf *out, const char *data, size_t n, const char *cs)
{
	iconv_t		 cd;
	char		*conv = NULL, *in, *op;
	size_t		 i, il, ol;
	bool		 ascii = true;
	int		 rc = P_OK;

	if (n > MIME_PART_MAX)
		n = MIME_PART_MAX;
	if (n == 0 || out->len + n + 2 > out->max)
		return P_OK;
	/* 8 bytes at a time for the high bit, memchr for escapes. */
	for (i = 0; i + 8 <= n && ascii; i += 8) {
		uint64_t w;

		memcpy(&w, data + i, 8);
		ascii = (w & 0x8080808080808080ULL) == 0;
	}
	for (; i < n && ascii; i++)
		ascii = (unsigned char)data[i] < 0x80;
	if (ascii && memchr(data, 0x1b, n) != NULL)
		ascii = false;
	if (!ascii && cs != NULL && strcasecmp(cs, "utf-8") != 0 &&
	    strcasecmp(cs, "us-ascii") != 0 &&
	    (cd = iconv_open("UTF-8", cs)) != (iconv_t)-1) {
		ol = n * 4 + 16;
		if ((conv = malloc(ol)) != NULL) {
			in = (char *)(uintptr_t)data;
			il = n;
			op = conv;
			/* What converts goes; the rest stays raw. */
			(void)iconv(cd, &in, &il, &op, &ol);
			if (il == 0) {
				data = conv;
				n = (size_t)(op - conv);
			}
		}
		iconv_close(cd);
	}
	if (out->len + n + 2 <= out->max) {
		if (out->len > 0)
			rc = buf_append(out, "\n\n", 2);
		if (rc == P_OK)
			rc = buf_append(out, data, n);
	}
	free(conv);
	return rc;
}

/* Decodes a leaf part (transfer encoding, charset to UTF-8) into out. */
static int
part_text(GMimePart *part, struct buf *out)
{
	GMimeDataWrapper	*dw;
	GMimeStream		*mem;
	GByteArray		*ba;
	int			 rc = P_OK;

	if ((dw = g_mime_part_get_content(part)) == NULL)
		return P_OK;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (ba != NULL && ba->len > 0)
		rc = append_text(out, (const char *)ba->data, ba->len,
		    g_mime_object_get_content_type_parameter(
		    GMIME_OBJECT(part), "charset"));
	g_object_unref(mem);
	return rc;
}

static bool
strcasestr_ascii(const char *h, const char *n)
{
	size_t	 nl = strlen(n);

	for (; *h != '\0'; h++)
		if (strncasecmp(h, n, nl) == 0)
			return true;
	return false;
}

static const char *
dup_or_null(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* A header value as it is written (RFC 2047 words decoded): the address
 * lists' parsing, with its IDN conversions, costs more than the rest of
 * a diagnosis and nothing here needs it. */
static const char *
header_text(struct arena *a, GMimeObject *o, const char *name)
{
	const char	*v = g_mime_object_get_header(o, name), *r;
	char		*d;

	char		*c;

	if (v == NULL)
		return NULL;
	if (strstr(v, "=?") == NULL)
		r = dup_or_null(a, v);
	else {
		d = g_mime_utils_header_decode_text(NULL, v);
		r = dup_or_null(a, d != NULL ? d : v);
		g_free(d);
	}
	/* Raw 8-bit headers are not always UTF-8. */
	if ((c = (char *)(uintptr_t)r) != NULL)
		text_utf8_sanitize(c, strlen(c));
	return r;
}

static void
take_original(struct walk *w, GMimeMessage *m)
{
	struct scan	*sc = w->sc;
	GMimeObject	*o;

	if (w->have_orig || m == NULL)
		return;
	w->have_orig = true;
	o = GMIME_OBJECT(m);
	sc->orig_from = header_text(sc->arena, o, "From");
	sc->orig_to = header_text(sc->arena, o, "To");
	sc->orig_subject = header_text(sc->arena, o, "Subject");
	sc->orig_mid = dup_or_null(sc->arena,
	    g_mime_message_get_message_id(m));
}

static void	walk(struct walk *, GMimeObject *, int depth);

static void
walk_leaf(struct walk *w, GMimeObject *o)
{
	GMimeContentType	*ct = g_mime_object_get_content_type(o);
	const char		*type, *sub;

	if (ct == NULL)
		return;
	type = g_mime_content_type_get_media_type(ct);
	sub = g_mime_content_type_get_media_subtype(ct);
	if (type == NULL || sub == NULL || !GMIME_IS_PART(o))
		return;
	if (strcasecmp(type, "message") == 0 &&
	    (strcasecmp(sub, "delivery-status") == 0 ||
	    strcasecmp(sub, "global-delivery-status") == 0)) {
		(void)part_text(GMIME_PART(o), &w->dsn);
	} else if (strcasecmp(type, "message") == 0 &&
	    strcasecmp(sub, "feedback-report") == 0) {
		w->sc->feedback = true;
		(void)part_text(GMIME_PART(o), &w->human);
	} else if (strcasecmp(type, "text") == 0 &&
	    strcasecmp(sub, "rfc822-headers") == 0) {
		(void)part_text(GMIME_PART(o), &w->human);
	} else if (strcasecmp(type, "text") == 0 &&
	    strcasecmp(sub, "html") == 0) {
		(void)part_text(GMIME_PART(o), &w->html);
	} else if (strcasecmp(type, "text") == 0 ||
	    (strcasecmp(type, "message") == 0 &&
	    strcasecmp(sub, "disposition-notification") == 0)) {
		if (!g_mime_part_is_attachment(GMIME_PART(o)) ||
		    w->human.len == 0)
			(void)part_text(GMIME_PART(o), &w->human);
	}
}

static void
walk(struct walk *w, GMimeObject *o, int depth)
{
	int	 i, n;

	if (o == NULL || depth > DIAG_MAX_DEPTH || ++w->parts > DIAG_MAX_PARTS)
		return;
	if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n; i++)
			walk(w, g_mime_multipart_get_part(GMIME_MULTIPART(o),
			    i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(o));

		/* The returned original: its headers only, not its text. */
		take_original(w, m);
	} else
		walk_leaf(w, o);
}

/* Crude tag stripping for bounces that come only as HTML. */
static int
html_to_text(const char *s, size_t len, struct buf *out)
{
	size_t	 i;
	bool	 tag = false;
	int	 rc = P_OK;

	for (i = 0; i < len && rc == P_OK; i++) {
		if (s[i] == '<') {
			tag = true;
			if (i + 3 < len && (strncasecmp(s + i, "<br", 3) == 0 ||
			    strncasecmp(s + i, "</p", 3) == 0 ||
			    strncasecmp(s + i, "</d", 3) == 0 ||
			    strncasecmp(s + i, "</t", 3) == 0))
				rc = buf_putc(out, '\n');
		} else if (s[i] == '>' && tag)
			tag = false;
		else if (!tag)
			rc = buf_putc(out, s[i]);
	}
	return rc;
}

/* Subjects that out-of-office replies put in front of the original's. */
static bool
is_autoreply_subject(const char *s)
{
	static const char *const w[] = {
		"automatic reply", "auto reply", "auto-reply", "autoreply",
		"auto response", "auto-response", "autoresponse",
		"out of office", "out of the office", "réponse automatique",
		"reponse automatique", "absence", "abwesenheit", "vacation",
		NULL
	};
	size_t	 i;

	if (s == NULL)
		return false;
	for (i = 0; w[i] != NULL; i++)
		if (strncasecmp(s, w[i], strlen(w[i])) == 0)
			return true;
	return false;
}

/* The top-level fields the scan looks at, read from the raw text once:
 * unfolded, RFC 2047 words left as they are. */
struct tophdr {
	const char	*from, *subject, *ctype, *cte;
	const char	*autosub, *precedence, *spasign;
	bool		 xautoreply;
	size_t		 body;		/* where the body starts */
};

static const char *
unfold(struct arena *a, const char *v, size_t n)
{
	char	*o;
	size_t	 i, k = 0;

	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	if ((o = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (v[i] != '\r' && v[i] != '\n')
			o[k++] = v[i] == '\t' ? ' ' : v[i];
	while (k > 0 && o[k - 1] == ' ')
		k--;
	o[k] = '\0';
	text_utf8_sanitize(o, k);
	return o;
}

static void
read_top(struct arena *a, const char *s, size_t len, struct tophdr *h)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} want[] = {
		{ "from", offsetof(struct tophdr, from) },
		{ "subject", offsetof(struct tophdr, subject) },
		{ "content-type", offsetof(struct tophdr, ctype) },
		{ "content-transfer-encoding", offsetof(struct tophdr, cte) },
		{ "auto-submitted", offsetof(struct tophdr, autosub) },
		{ "precedence", offsetof(struct tophdr, precedence) },
		{ "x-spasign", offsetof(struct tophdr, spasign) },
	};
	const char	*p = s, *end = s + len, *colon, *e, *nl;
	size_t		 i, nlen;

	memset(h, 0, sizeof(*h));
	h->body = len;
	while (p < end) {
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			h->body = (size_t)(p - s) + (*p == '\r' ? 2 : 1);
			return;
		}
		/* The field runs to the next line not starting a blank. */
		for (e = p; (nl = memchr(e, '\n', (size_t)(end - e))) != NULL &&
		    nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t'); e = nl + 1)
			;
		e = nl != NULL ? nl : end;
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon != NULL) {
			nlen = (size_t)(colon - p);
			if ((nlen == 11 && strncasecmp(p, "x-autoreply",
			    11) == 0) || (nlen == 13 &&
			    strncasecmp(p, "x-autorespond", 13) == 0))
				h->xautoreply = true;
			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
				const char **dst = (const char **)(void *)
				    ((char *)h + want[i].off);

				if (*dst == NULL &&
				    strlen(want[i].name) == nlen &&
				    strncasecmp(p, want[i].name, nlen) == 0)
					*dst = unfold(a, colon + 1,
					    (size_t)(e - colon - 1));
			}
		}
		p = e < end ? e + 1 : end;
	}
}

/* A parameter of a Content-Type value ("charset"), or NULL. */
static const char *
ctype_param(struct arena *a, const char *ct, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p, *e;

	for (p = ct; p != NULL && *p != '\0'; p++) {
		if (strncasecmp(p, name, n) != 0 || p[n] != '=' || (p > ct &&
		    p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t'))
			continue;
		p += n + 1;
		if (*p == '"')
			p++;
		for (e = p; *e != '\0' && *e != '"' && *e != ';' && *e != ' ';
		    e++)
			;
		return arena_strndup(a, p, (size_t)(e - p));
	}
	return NULL;
}

static void
top_fields(struct scan *sc, const struct tophdr *h, GMimeMessage *m)
{
	const char	*v;

	sc->top_from = h->from;
	sc->top_subject = h->subject;
	if (m != NULL && h->subject != NULL && strstr(h->subject, "=?"))
		sc->top_subject = dup_or_null(sc->arena,
		    g_mime_message_get_subject(m));
	if (h->ctype != NULL && (v = ctype_param(sc->arena, h->ctype,
	    "report-type")) != NULL && strcasecmp(v, "feedback-report") == 0)
		sc->feedback = true;
	/* au (EZweb) marks the bounces of its recipients' reception filter
	 * with "X-SPASIGN: NG". */
	if (h->spasign != NULL && strncasecmp(h->spasign, "NG", 2) == 0)
		sc->mta_reason = "filtered";
	/* DSNs say Auto-Submitted too: only a non-report from a person's
	 * address is an auto-reply. */
	if (h->ctype != NULL && strncasecmp(h->ctype, "multipart/report",
	    16) == 0)
		return;
	if (sc->top_from != NULL && (strncasecmp(sc->top_from,
	    "mailer-daemon", 13) == 0 || strncasecmp(sc->top_from,
	    "postmaster", 10) == 0 || strcasestr_ascii(sc->top_from,
	    "mailer-daemon")))
		return;
	if ((h->autosub != NULL && strncasecmp(h->autosub, "auto-replied",
	    12) == 0) || is_autoreply_subject(sc->top_subject) ||
	    h->xautoreply || (h->precedence != NULL &&
	    strncasecmp(h->precedence, "auto_reply", 10) == 0))
		sc->autoreply = true;
}

/* A message that needs no MIME decoding: one text part in 7 or 8 bits.
 * Its body is the text as it is. */
static bool
is_plain(const struct tophdr *h)
{
	return (h->ctype == NULL || strncasecmp(h->ctype, "text/", 5) == 0) &&
	    (h->cte == NULL || strncasecmp(h->cte, "7bit", 4) == 0 ||
	    strncasecmp(h->cte, "8bit", 4) == 0 ||
	    strncasecmp(h->cte, "binary", 6) == 0);
}

/* Some MTAs (Verizon's among them) put the boundary parameter of a
 * multipart type on its own unindented line, which makes it a new header
 * field: indent it so that it continues Content-Type. Returns s itself or
 * a repaired copy in the arena. */
static const char *
repair_boundary(struct arena *a, const char *s, size_t *len)
{
	const char	*p, *end = s + *len, *ls;
	char		*o;
	size_t		 n = 0, fixes = 0;

	for (p = s; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if ((size_t)(end - p) > 10 && strncasecmp(p + 1, "boundary=",
		    9) == 0)
			fixes++;
	if (fixes == 0 || (o = arena_alloc(a, *len + fixes + 1)) == NULL)
		return s;
	for (p = s, ls = s; p < end; p++) {
		o[n++] = *p;
		if (*p != '\n')
			continue;
		/* Only after a "Content-Type: multipart/...;" line. */
		if ((size_t)(end - p) > 10 && strncasecmp(p + 1, "boundary=",
		    9) == 0 && (size_t)(p - ls) > 23 &&
		    strncasecmp(ls, "Content-Type: multipart/", 24) == 0)
			o[n++] = '\t';
		ls = p + 1;
	}
	o[n] = '\0';
	*len = n;
	return o;
}

int
mime_scan(struct scan *sc, const char *s, size_t len)
{
	GMimeStream	*st;
	GMimeParser	*p;
	GMimeMessage	*m;
	struct walk	 w;
	struct tophdr	 h;
	const char	*cs;
	int		 rc = P_OK;

	pthread_once(&gmime_once, gmime_start);
	memset(&w, 0, sizeof(w));
	w.sc = sc;
	buf_init(&w.human, MIME_TEXT_MAX);
	buf_init(&w.dsn, MIME_TEXT_MAX);
	buf_init(&w.html, MIME_TEXT_MAX);
	read_top(sc->arena, s, len, &h);
	if (is_plain(&h)) {
		/* No MIME to decode: no parser either. */
		top_fields(sc, &h, NULL);
		cs = h.ctype != NULL ? ctype_param(sc->arena, h.ctype,
		    "charset") : NULL;
		if (h.ctype != NULL && strncasecmp(h.ctype, "text/html",
		    9) == 0) {
			rc = append_text(&w.html, s + h.body, len - h.body, cs);
			if (rc == P_OK)
				rc = html_to_text(w.html.p, w.html.len,
				    &w.human);
		} else
			rc = append_text(&w.human, s + h.body, len - h.body,
			    cs);
		m = NULL;
		goto text;
	}
	s = repair_boundary(sc->arena, s, &len);
	st = g_mime_stream_mem_new_with_buffer(s, len);
	p = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	if (m == NULL) {
		rc = P_EINVAL;
		goto out;
	}
	top_fields(sc, &h, m);
	walk(&w, g_mime_message_get_mime_part(m), 0);
	if (w.human.len == 0 && w.html.len > 0)
		(void)html_to_text(w.html.p, w.html.len, &w.human);
	text_utf8_sanitize(w.dsn.p, w.dsn.len);
	if (w.dsn.len > 0 && (rc = text_scan_dsn(sc, w.dsn.p, w.dsn.len)) !=
	    P_OK)
		goto out;
text:
	if (rc == P_OK && w.human.len > 0) {
		sc->human = text_normalise(sc->arena, w.human.p, w.human.len,
		    &sc->humanlen);
		if (sc->human == NULL)
			rc = P_ENOMEM;
	}
out:
	if (m != NULL)
		g_object_unref(m);
	buf_cleanup(&w.human);
	buf_cleanup(&w.dsn);
	buf_cleanup(&w.html);
	return rc;
}
