/* log.c - one line per event on stderr, as text or as JSON lines.
 * Each line is formatted in a local buffer and written with a single
 * fwrite(), which stdio locks, so threads never interleave within a line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bouncedesk/log.h"

#define LOG_MSG_MAX	1024	/* longer messages are cut and marked */
#define LOG_LINE_MAX	8192	/* enough for LOG_MSG_MAX escaped */

/* Set once by log_init() before any thread starts. */
static int	log_verbose;
static int	log_json;

struct line {
	char	 s[LOG_LINE_MAX];
	size_t	 len;
};

void
log_init(int verbose, int json)
{
	log_verbose = verbose;
	log_json = json;
}

static void
line_add(struct line *l, const char *s, size_t n)
{
	/* Keep room for "\n" (and the NUL) whatever happens. */
	if (n > sizeof(l->s) - 2 - l->len)
		n = sizeof(l->s) - 2 - l->len;
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

static void
line_str(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

static void
line_fmt(struct line *l, const char *fmt, ...)
{
	va_list	 ap;
	char	 tmp[128];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		line_add(l, tmp, (size_t)n < sizeof(tmp) ?
		    (size_t)n : sizeof(tmp) - 1);
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	cp = s[0] & (0x7fu >> len);
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * Appends s so that it cannot break the line: in JSON as the inside of a
 * string (invalid UTF-8 becomes U+FFFD), in text with control bytes shown
 * as \xNN so a logged value cannot forge a second line.
 */
static void
line_esc(struct line *l, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), k;

	while (n > 0) {
		if (*s == '"' && log_json)
			line_str(l, "\\\"");
		else if (*s == '\\')
			line_str(l, "\\\\");
		else if (*s < 0x20 || *s == 0x7f) {
			if (!log_json)
				line_fmt(l, "\\x%02x", *s);
			else if (*s == '\n')
				line_str(l, "\\n");
			else if (*s == '\t')
				line_str(l, "\\t");
			else
				line_fmt(l, "\\u%04x", *s);
		} else if (*s >= 0x80 && log_json &&
		    (k = utf8_len(s, n)) != 0) {
			line_add(l, (const char *)s, k);
			s += k;
			n -= k;
			continue;
		} else if (*s >= 0x80 && log_json)
			line_str(l, "\\ufffd");
		else
			line_add(l, (const char *)s, 1);
		s++;
		n--;
	}
}

static void
line_time(struct line *l)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 tmp[32];

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		line_str(l, "1970-01-01T00:00:00.000Z");
		return;
	}
	line_str(l, tmp);
	line_fmt(l, ".%03ldZ", ts.tv_nsec / 1000000L);
}

static void
line_write(struct line *l)
{
	l->s[l->len++] = '\n';
	(void)fwrite(l->s, 1, l->len, stderr);
}

static void
vlog(const char *level, int errnum, const char *fmt, va_list ap)
{
	struct line	 l;
	char		 msg[LOG_MSG_MAX], errstr[128];
	int		 n;

	/* strerror() may share a static buffer between threads. */
	if (errnum != 0 && strerror_r(errnum, errstr, sizeof(errstr)) != 0)
		(void)snprintf(errstr, sizeof(errstr), "error %d", errnum);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		(void)snprintf(msg, sizeof(msg), "(bad log format: %s)", fmt);
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);

	l.len = 0;
	if (log_json) {
		line_str(&l, "{\"time\":\"");
		line_time(&l);
		line_str(&l, "\",\"level\":\"");
		line_str(&l, level);
		line_str(&l, "\",\"msg\":\"");
		line_esc(&l, msg);
		if (errnum != 0) {
			line_str(&l, ": ");
			line_esc(&l, errstr);
		}
		line_str(&l, "\"}");
	} else {
		line_time(&l);
		line_str(&l, " ");
		line_str(&l, level);
		line_str(&l, " ");
		line_esc(&l, msg);
		if (errnum != 0) {
			line_str(&l, ": ");
			line_esc(&l, errstr);
		}
	}
	line_write(&l);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog("warn", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("warn", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("info", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug", 0, fmt, ap);
	va_end(ap);
}

void
log_access(unsigned long long id, const char *method, const char *route,
    int status, double ms, const char *remote)
{
	struct line	 l;

	if (!isfinite(ms))
		ms = 0;			/* "nan" would not be JSON */
	method = method != NULL ? method : "-";
	route = route != NULL ? route : "-";
	remote = remote != NULL ? remote : "-";
	l.len = 0;
	if (log_json) {
		line_str(&l, "{\"time\":\"");
		line_time(&l);
		line_fmt(&l, "\",\"id\":%llu,\"method\":\"", id);
		line_esc(&l, method);
		line_str(&l, "\",\"route\":\"");
		line_esc(&l, route);
		line_fmt(&l, "\",\"status\":%d,\"ms\":%.3f,\"remote\":\"",
		    status, ms);
		line_esc(&l, remote);
		line_str(&l, "\"}");
	} else {
		line_time(&l);
		line_fmt(&l, " access id=%llu ", id);
		line_esc(&l, method);
		line_str(&l, " ");
		line_esc(&l, route);
		line_fmt(&l, " %d %.3fms ", status, ms);
		line_esc(&l, remote);
	}
	line_write(&l);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog("fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
