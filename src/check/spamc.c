/* spamc.c - the pre-flight spam score: a REPORT request to SpamAssassin's
 * spamd in the spamc protocol (SPAMC/1.5, Content-length) over TCP or a
 * unix socket, with one deadline for connect, send and receive; the
 * answer's score, threshold and tests; and the result explained with the
 * diagnosis' texts against the provider's threshold. */
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"

#define SPAM_MAX_TESTS	256

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------- parsing --- */

/* A number as spamd writes it ("5.0", "-0.1", "1000"); 0 or -1. */
static int
parse_num(const char *s, const char **end, double *out)
{
	char	*e;

	if (!(isdigit((unsigned char)*s) || ((*s == '-' || *s == '+') &&
	    isdigit((unsigned char)s[1]))))
		return -1;
	*out = strtod(s, &e);
	*end = e;
	return 0;
}

/* "Spam: True ; 15.2 / 5.0" */
static int
parse_spam_header(const char *v, struct spam_result *r)
{
	const char	*p = v, *e;

	while (*p == ' ')
		p++;
	if (strncasecmp(p, "true", 4) == 0 || strncasecmp(p, "yes", 3) == 0)
		r->spamd_spam = true;
	if ((p = strchr(p, ';')) == NULL)
		return -1;
	for (p++; *p == ' '; p++)
		;
	if (parse_num(p, &e, &r->score) != 0)
		return -1;
	for (p = e; *p == ' '; p++)
		;
	if (*p++ != '/')
		return -1;
	while (*p == ' ')
		p++;
	return parse_num(p, &e, &r->required);
}

static int
test_cmp(const void *x, const void *y)
{
	const struct spam_test	*a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->name, b->name);
}

static bool
rule_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* Length of [s, e) without trailing spaces and CR. */
static size_t
trim_len(const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	return (size_t)(e - s);
}

/*
 * The report's table: after a "---- ----" rule line, lines of
 * "  1.2 RULE_NAME   description", with wrapped descriptions on lines
 * that start with spaces and no number.
 */
static int
parse_tests(struct arena *a, const char *s, const char *end,
    struct spam_result *r)
{
	const char	*p, *nl, *q, *ns, *e;
	struct spam_test *t = NULL;
	bool		 in_table = false;
	double		 score;
	char		*d;

	for (p = s; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (!in_table) {
			if (nl - p >= 9 && strncmp(p, "---- ----", 9) == 0)
				in_table = true;
			continue;
		}
		for (q = p; q < nl && (*q == ' ' || *q == '\t'); q++)
			;
		if (q == nl || *q == '\r')
			continue;
		if (parse_num(q, &e, &score) == 0 && e < nl && *e == ' ') {
			for (ns = e; ns < nl && *ns == ' '; ns++)
				;
			for (e = ns; e < nl && *e != ' ' && *e != '\r'; e++)
				;
			if (!rule_name_ok(ns, (size_t)(e - ns)) ||
			    r->ntests == SPAM_MAX_TESTS)
				continue;
			t = &r->tests[r->ntests++];
			t->score = score;
			if ((t->name = arena_strndup(a, ns, (size_t)(e - ns))) ==
			    NULL)
				return P_ENOMEM;
			while (e < nl && *e == ' ')
				e++;
			t->description = arena_strndup(a, e, trim_len(e, nl));
			if (t->description == NULL)
				return P_ENOMEM;
		} else if (t != NULL && q > p) {
			/* A wrapped description. */
			d = arena_printf(a, "%s %.*s", t->description,
			    (int)trim_len(q, nl), q);
			if (d == NULL)
				return P_ENOMEM;
			t->description = d;
		}
	}
	qsort(r->tests, r->ntests, sizeof(*r->tests), test_cmp);
	return P_OK;
}

int
spamc_parse_reply(struct arena *a, const char *reply, size_t len,
    struct spam_result *r, char *err, size_t errlen)
{
	const char	*p, *nl, *end = reply + len, *body = NULL, *e;
	double		 clen = -1;
	bool		 have_spam = false;
	long		 code;
	char		*ep;

	memset(r, 0, sizeof(*r));
	if (len < 12 || strncmp(reply, "SPAMD/", 6) != 0) {
		seterr(err, errlen, "not a spamd answer");
		return P_EINVAL;
	}
	if ((p = memchr(reply, ' ', len)) == NULL) {
		seterr(err, errlen, "bad status line");
		return P_EINVAL;
	}
	errno = 0;
	code = strtol(p + 1, &ep, 10);
	if (errno != 0 || ep == p + 1) {
		seterr(err, errlen, "bad status line");
		return P_EINVAL;
	}
	if (code != 0) {
		nl = memchr(reply, '\n', len);
		seterr(err, errlen, "spamd answered: %.*s", (int)((nl != NULL ?
		    nl : end) - reply), reply);
		return P_EINVAL;
	}
	/* Headers up to the empty line. */
	for (p = memchr(reply, '\n', len); p != NULL && p < end; p = nl) {
		p++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl - p <= 1) {
			body = nl < end ? nl + 1 : end;
			break;
		}
		if (strncasecmp(p, "Spam:", 5) == 0) {
			char	 v[128];

			(void)snprintf(v, sizeof(v), "%.*s", (int)(nl - p - 5),
			    p + 5);
			if (parse_spam_header(v, r) != 0) {
				seterr(err, errlen, "bad Spam: header");
				return P_EINVAL;
			}
			have_spam = true;
		} else if (strncasecmp(p, "Content-length:", 15) == 0)
			(void)parse_num(p + 15 + strspn(p + 15, " "), &e,
			    &clen);
	}
	if (!have_spam) {
		seterr(err, errlen, "spamd gave no Spam: header");
		return P_EINVAL;
	}
	if ((r->tests = arena_calloc(a, SPAM_MAX_TESTS, sizeof(*r->tests))) ==
	    NULL)
		return P_ENOMEM;
	if (body == NULL)
		return P_OK;
	if (clen >= 0 && (size_t)clen < (size_t)(end - body))
		end = body + (size_t)clen;
	return parse_tests(a, body, end, r);
}

/* --------------------------------------------------------- network --- */

/* Fills ss from "/path", "[v6]:port", "ip:port" or "localhost:port". */
static int
parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_un	*un = (struct sockaddr_un *)ss;
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;
	char			 host[64];
	const char		*colon, *h;
	char			*e;
	long			 port;

	memset(ss, 0, sizeof(*ss));
	if (addr[0] == '/') {
		if (strlen(addr) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, addr, strlen(addr) + 1);
		*sl = sizeof(*un);
		return 0;
	}
	if ((colon = strrchr(addr, ':')) == NULL)
		return -1;
	h = addr;
	if (addr[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		h++;
		(void)snprintf(host, sizeof(host), "%.*s",
		    (int)(colon - 1 - h), h);
	} else
		(void)snprintf(host, sizeof(host), "%.*s", (int)(colon - h),
		    h);
	errno = 0;
	port = strtol(colon + 1, &e, 10);
	if (errno != 0 || *e != '\0' || port < 1 || port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		(void)snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		*sl = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		*sl = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* Waits for ev on fd until deadline; 0 ready, -1 timeout or error. */
static int
wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd	 p;
	long long	 left;
	int		 n;

	for (;;) {
		if ((left = deadline - dns_now_ms()) <= 0)
			return -1;
		p.fd = fd;
		p.events = ev;
		p.revents = 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n > 0 ? 0 : -1;
	}
}

static int
connect_to(const char *addr, long long deadline, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 fd, soerr = 0;
	socklen_t		 el = sizeof(soerr);

	if (parse_addr(addr, &ss, &sl) != 0) {
		seterr(err, errlen, "bad spamd address '%s'", addr);
		return -2;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0) {
		seterr(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			seterr(err, errlen, "connect to %s: %s", addr,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (wait_fd(fd, POLLOUT, deadline) != 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 ||
		    soerr != 0) {
			seterr(err, errlen, "connect to %s: %s", addr, soerr ?
			    strerror(soerr) : "timeout");
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n, long long deadline)
{
	ssize_t	 w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (wait_fd(fd, POLLOUT, deadline) != 0)
			return -1;
	}
	return 0;
}

int
spamc_check(const char *addr, long timeout_ms, const char *msg, size_t len,
    struct arena *a, struct spam_result *out, char *err, size_t errlen)
{
	char		 head[128], chunk[8192];
	struct buf	 reply;
	long long	 deadline = dns_now_ms() + timeout_ms;
	ssize_t		 r;
	int		 fd, rc;

	memset(out, 0, sizeof(*out));
	if (len > SPAM_MAX_MESSAGE) {
		seterr(err, errlen, "message over %d bytes", SPAM_MAX_MESSAGE);
		return P_ETOOBIG;
	}
	if ((fd = connect_to(addr, deadline, err, errlen)) < 0)
		return fd == -2 ? P_EINVAL : P_EIO;
	(void)snprintf(head, sizeof(head), "REPORT SPAMC/1.5\r\n"
	    "Content-length: %zu\r\n\r\n", len);
	if (send_all(fd, head, strlen(head), deadline) != 0 ||
	    send_all(fd, msg, len, deadline) != 0) {
		seterr(err, errlen, "sending to spamd: %s", errno ?
		    strerror(errno) : "timeout");
		close(fd);
		return P_EIO;
	}
	(void)shutdown(fd, SHUT_WR);
	buf_init(&reply, SPAM_MAX_REPLY);
	rc = P_OK;
	for (;;) {
		r = recv(fd, chunk, sizeof(chunk), 0);
		if (r > 0) {
			if (buf_append(&reply, chunk, (size_t)r) != P_OK) {
				seterr(err, errlen, "spamd answer too long");
				rc = P_EINVAL;
				break;
			}
			continue;
		}
		if (r == 0)
			break;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			seterr(err, errlen, "reading spamd: %s",
			    strerror(errno));
			rc = P_EIO;
			break;
		}
		if (wait_fd(fd, POLLIN, deadline) != 0) {
			seterr(err, errlen, "spamd did not answer within "
			    "%ld ms", timeout_ms);
			rc = P_EIO;
			break;
		}
	}
	close(fd);
	if (rc == P_OK)
		rc = spamc_parse_reply(a, buf_str(&reply), reply.len, out, err,
		    errlen);
	buf_cleanup(&reply);
	return rc;
}

/* ------------------------------------------------------------ JSON --- */

/* What to change, for the tests that say it most plainly. */
static const struct {
	const char	*prefix, *en, *fr;
} advice[] = {
	{ "MIME_HTML_ONLY", "Add a plain-text part next to the HTML one.",
	  "Ajoutez une partie texte à côté de la partie HTML." },
	{ "HTML_IMAGE_", "Use fewer or smaller images and more text.",
	  "Mettez moins d'images, ou plus petites, et plus de texte." },
	{ "HTML_SHORT_LINK_IMG", "Use fewer or smaller images and more text.",
	  "Mettez moins d'images, ou plus petites, et plus de texte." },
	{ "MISSING_", "Send through a real mail program or server: it adds "
	  "the Date, Message-ID and other required headers.",
	  "Envoyez par un vrai logiciel ou serveur de courrier : il ajoute "
	  "Date, Message-ID et les autres en-têtes requis." },
	{ "SUBJ_ALL_CAPS", "Write the subject in normal case.",
	  "Écrivez l'objet en minuscules normales." },
	{ "URIBL_", "Remove links to domains that are on URI blacklists.",
	  "Retirez les liens vers des domaines inscrits sur des listes "
	  "noires d'URI." },
	{ "URI_", "Check the links: use plain, readable addresses of your "
	  "own domain.",
	  "Vérifiez les liens : utilisez des adresses simples et lisibles "
	  "de votre propre domaine." },
	{ "BAYES_", "Rewrite the text in plain, personal words without "
	  "sales phrases.",
	  "Réécrivez le texte avec des mots simples et personnels, sans "
	  "formules commerciales." },
	{ "GTUBE", "Remove the GTUBE test string from the message.",
	  "Retirez du message la chaîne de test GTUBE." },
	{ "DKIM_", "Sign the message with DKIM for the sender's domain.",
	  "Signez le message avec DKIM pour le domaine de l'expéditeur." },
	{ "SPF_", "Publish an SPF record that authorises the sending server.",
	  "Publiez un enregistrement SPF qui autorise le serveur d'envoi." },
	{ "FREEMAIL_", "Send from an address of your own domain rather than "
	  "a free webmail one.",
	  "Envoyez depuis une adresse de votre domaine plutôt que d'un "
	  "webmail gratuit." },
	{ "LOTS_OF_MONEY", "Avoid sums of money and sales wording.",
	  "Évitez les sommes d'argent et le vocabulaire commercial." },
	{ "RDNS_NONE", "Send through a server whose IP has a reverse DNS.",
	  "Envoyez par un serveur dont l'IP a un DNS inverse." },
};

/* A score as spamd prints it: at most three decimals, no trailing zeros
 * (json-c would print 2.1 as 2.1000000000000001). */
static struct json_object *
num_json(double v)
{
	char	 b[48];
	size_t	 n;

	(void)snprintf(b, sizeof(b), "%.3f", v);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		b[--n] = '\0';
	if (n > 0 && b[n - 1] == '.')
		b[--n] = '\0';
	if (strcmp(b, "-0") == 0)
		(void)snprintf(b, sizeof(b), "0");
	return json_object_new_double_s(v, b);
}

static struct json_object *
advice_json(const struct spam_result *r, bool fr)
{
	struct json_object	*arr = json_object_new_array();
	bool			 used[sizeof(advice) / sizeof(advice[0])] = {
				     false };
	const char		*seen[sizeof(advice) / sizeof(advice[0])];
	size_t			 i, k, m, nseen = 0;

	for (i = 0; arr != NULL && i < r->ntests; i++) {
		if (r->tests[i].score <= 0)
			continue;
		for (k = 0; k < sizeof(advice) / sizeof(advice[0]); k++) {
			if (used[k] || strncmp(r->tests[i].name,
			    advice[k].prefix, strlen(advice[k].prefix)) != 0)
				continue;
			used[k] = true;
			/* Two prefixes may share a text: say it once. */
			for (m = 0; m < nseen; m++)
				if (strcmp(seen[m], advice[k].en) == 0)
					break;
			if (m < nseen)
				break;
			seen[nseen++] = advice[k].en;
			json_object_array_add(arr, json_object_new_string(fr ?
			    advice[k].fr : advice[k].en));
			break;
		}
	}
	return arr;
}

struct json_object *
spam_result_to_json(const struct spam_result *r, double threshold,
    const char *lang)
{
	struct json_object	*o, *arr, *t;
	const struct sa_rule	*rule;
	const char		*ex;
	bool			 fr = lang == NULL || strcmp(lang, "en") != 0;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "score", num_json(r->score));
	json_object_object_add(o, "spamd_required", num_json(r->required));
	json_object_object_add(o, "spamd_spam",
	    json_object_new_boolean(r->spamd_spam));
	json_object_object_add(o, "threshold", num_json(threshold));
	/* Our filter refuses at the threshold and above, as SpamAssassin's
	 * own "required" works. */
	json_object_object_add(o, "over", json_object_new_boolean(
	    r->score >= threshold));
	json_object_object_add(o, "verdict", json_object_new_string(
	    r->score >= threshold ? "blocked" : "ok"));
	json_object_object_add(o, "lang", json_object_new_string(fr ? "fr" :
	    "en"));
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < r->ntests; i++) {
		if ((t = json_object_new_object()) == NULL)
			break;
		json_object_object_add(t, "name",
		    json_object_new_string(r->tests[i].name));
		json_object_object_add(t, "score",
		    num_json(r->tests[i].score));
		rule = sa_find(NULL, r->tests[i].name);
		if (r->tests[i].description != NULL &&
		    r->tests[i].description[0] != '\0')
			json_object_object_add(t, "description",
			    json_object_new_string(r->tests[i].description));
		else if (rule != NULL && rule->description != NULL)
			json_object_object_add(t, "description",
			    json_object_new_string(rule->description));
		if ((ex = sa_explain(r->tests[i].name, fr ? "fr" : "en")) !=
		    NULL)
			json_object_object_add(t, "explanation",
			    json_object_new_string(ex));
		json_object_array_add(arr, t);
	}
	json_object_object_add(o, "tests", arr);
	json_object_object_add(o, "advice", advice_json(r, fr));
	return o;
}
