/* mime.c - whole messages through GMime: the delivery-status parts, the
 * human text parts (decoded, in UTF-8), the returned original's headers,
 * and the top-level fields that mark reports and auto-replies. */
#include <pthread.h>
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

/* Decodes a leaf part (transfer encoding, charset to UTF-8) into out. */
static int
part_text(GMimePart *part, struct buf *out)
{
	GMimeDataWrapper	*dw;
	GMimeStream		*mem, *filt;
	GMimeFilter		*f;
	GByteArray		*ba;
	const char		*cs;
	int			 rc = P_OK;

	if ((dw = g_mime_part_get_content(part)) == NULL)
		return P_OK;
	mem = g_mime_stream_mem_new();
	filt = g_mime_stream_filter_new(mem);
	cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset");
	if (cs != NULL && strcasecmp(cs, "utf-8") != 0 &&
	    strcasecmp(cs, "us-ascii") != 0 &&
	    (f = g_mime_filter_charset_new(cs, "UTF-8")) != NULL) {
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filt), f);
		g_object_unref(f);
	}
	g_mime_data_wrapper_write_to_stream(dw, filt);
	g_mime_stream_flush(filt);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (ba != NULL && ba->len > 0) {
		size_t n = ba->len > MIME_PART_MAX ? MIME_PART_MAX : ba->len;

		if (out->len + n + 2 <= out->max) {
			if (out->len > 0)
				rc = buf_append(out, "\n\n", 2);
			if (rc == P_OK)
				rc = buf_append(out, ba->data, n);
		}
	}
	g_object_unref(filt);
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

static const char *
addrs(struct arena *a, InternetAddressList *l)
{
	char		*s;
	const char	*r;

	if (l == NULL || internet_address_list_length(l) == 0)
		return NULL;
	s = internet_address_list_to_string(l, NULL, FALSE);
	r = dup_or_null(a, s);
	g_free(s);
	return r;
}

static void
take_original(struct walk *w, GMimeMessage *m)
{
	struct scan	*sc = w->sc;

	if (w->have_orig || m == NULL)
		return;
	w->have_orig = true;
	sc->orig_from = addrs(sc->arena, g_mime_message_get_from(m));
	sc->orig_to = addrs(sc->arena, g_mime_message_get_to(m));
	sc->orig_subject = dup_or_null(sc->arena,
	    g_mime_message_get_subject(m));
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

static void
top_fields(struct scan *sc, GMimeMessage *m)
{
	GMimeObject		*o = GMIME_OBJECT(m);
	GMimeContentType	*ct = g_mime_object_get_content_type(o);
	const char		*v;

	sc->top_from = addrs(sc->arena, g_mime_message_get_from(m));
	sc->top_subject = dup_or_null(sc->arena,
	    g_mime_message_get_subject(m));
	if (ct != NULL && (v = g_mime_content_type_get_parameter(ct,
	    "report-type")) != NULL && strcasecmp(v, "feedback-report") == 0)
		sc->feedback = true;
	/* au (EZweb) marks the bounces of its recipients' reception filter
	 * with "X-SPASIGN: NG". */
	if ((v = g_mime_object_get_header(o, "X-SPASIGN")) != NULL &&
	    strncasecmp(v, "NG", 2) == 0)
		sc->mta_reason = "filtered";
	/* DSNs say Auto-Submitted too: only a non-report from a person's
	 * address is an auto-reply. */
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
	    "report"))
		return;
	if (sc->top_from != NULL && (strncasecmp(sc->top_from,
	    "mailer-daemon", 13) == 0 || strncasecmp(sc->top_from,
	    "postmaster", 10) == 0 || strcasestr_ascii(sc->top_from,
	    "mailer-daemon")))
		return;
	if (((v = g_mime_object_get_header(o, "Auto-Submitted")) != NULL &&
	    strncasecmp(v, "auto-replied", 12) == 0) ||
	    is_autoreply_subject(sc->top_subject) ||
	    g_mime_object_get_header(o, "X-Autoreply") != NULL ||
	    g_mime_object_get_header(o, "X-Autorespond") != NULL ||
	    ((v = g_mime_object_get_header(o, "Precedence")) != NULL &&
	    strncasecmp(v, "auto_reply", 10) == 0))
		sc->autoreply = true;
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
	int		 rc = P_OK;

	pthread_once(&gmime_once, gmime_start);
	memset(&w, 0, sizeof(w));
	w.sc = sc;
	buf_init(&w.human, MIME_TEXT_MAX);
	buf_init(&w.dsn, MIME_TEXT_MAX);
	buf_init(&w.html, MIME_TEXT_MAX);
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
	top_fields(sc, m);
	walk(&w, g_mime_message_get_mime_part(m), 0);
	if (w.human.len == 0 && w.html.len > 0)
		(void)html_to_text(w.html.p, w.html.len, &w.human);
	if (w.dsn.len > 0 && (rc = text_scan_dsn(sc, w.dsn.p, w.dsn.len)) !=
	    P_OK)
		goto out;
	if (w.human.len > 0) {
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
