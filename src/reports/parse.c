/* src/reports/parse.c - strict validation of a filter report (JSON) into
 * struct rp_report: every bad field is named, unknown fields are refused,
 * strings are bounded and checked, and the headers lose any body. */
#include <arpa/inet.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/reports.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define TIME_MIN	946684800LL	/* 2000-01-01T00:00:00Z */
#define TIME_AHEAD	86400		/* a day of clock skew */

/* Every field a report may carry. */
static const char *const known_fields[] = {
	"account", "sender", "recipients", "subject", "message_id", "time",
	"score", "threshold", "tests", "checks", "relay", "ip", "headers",
};

void
report_invalid_add(struct rp_invalid *inv, const char *field,
    const char *why)
{
	if (inv->n == RP_ERRORS_MAX) {
		inv->more = true;
		return;
	}
	inv->e[inv->n].field = field;
	inv->e[inv->n].why = why;
	inv->n++;
}

/* True when s (len bytes) is well-formed UTF-8 without overlongs or
 * surrogates. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		 i = 0, k, n;
	unsigned	 c;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return false;
		if (len - i <= n)	/* the sequence is cut short */
			return false;
		for (k = 1; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) ||
		    (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) ||
		    (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += n + 1;
	}
	return true;
}

/* The string of field k: P_OK with *out (borrowed from the JSON), or
 * P_ENOTFOUND when absent or null, or P_EINVAL with the reason. */
static int
get_str(struct json_object *o, const char *k, size_t max, bool lines,
    const char **out, const char **why)
{
	struct json_object	*v;
	const char		*s;
	size_t			 len, i;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return P_ENOTFOUND;
	if (!json_object_is_type(v, json_type_string)) {
		*why = "must be a string";
		return P_EINVAL;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len) {
		*why = "contains a NUL character";
		return P_EINVAL;
	}
	if (len > max) {
		*why = "is too long";
		return P_EINVAL;
	}
	if (!utf8_valid((const unsigned char *)s, len)) {
		*why = "is not valid UTF-8";
		return P_EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f || (c < 0x20 && c != '\t' &&
		    !(lines && (c == '\r' || c == '\n')))) {
			*why = "contains a control character";
			return P_EINVAL;
		}
	}
	*out = s;
	return P_OK;
}

/* A number field within [lo, hi]. */
static int
get_num(struct json_object *o, const char *k, double lo, double hi,
    double *out, const char **why)
{
	struct json_object	*v;
	double			 d;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return P_ENOTFOUND;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		*why = "must be a number";
		return P_EINVAL;
	}
	d = json_object_get_double(v);
	if (!isfinite(d) || d < lo || d > hi) {
		*why = "is out of range";
		return P_EINVAL;
	}
	*out = d;
	return P_OK;
}

static bool
is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

bool
report_host_valid(const char *h)
{
	size_t	 i, label = 0;

	if (h == NULL || h[0] == '\0' || strlen(h) > RP_HOST_MAX)
		return false;
	for (i = 0; h[i] != '\0'; i++) {
		if (h[i] == '.') {
			/* No empty label, none ending in a hyphen. */
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_label_char(h[i]) || (label == 0 && h[i] == '-') ||
		    ++label > 63)
			return false;
	}
	return label > 0 && h[i - 1] != '-';
}

const char *
report_addr_domain(const char *addr)
{
	const char	*at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return NULL;
	return at + 1;
}

bool
report_addr_valid(const char *a)
{
	const char	*at, *p;
	size_t		 local;

	if (a == NULL || strlen(a) > RP_ADDR_MAX ||
	    (at = strchr(a, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return false;
	local = (size_t)(at - a);
	if (local == 0 || local > 64 || a[0] == '.' || at[-1] == '.')
		return false;
	for (p = a; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		/* Dot-atom text; UTF-8 (RFC 6531) passes. */
		if (c <= 0x20 || c == 0x7f || strchr("\"(),:;<>@[\\]", c) !=
		    NULL || (c == '.' && p[1] == '.'))
			return false;
	}
	/* A domain with at least two labels. */
	return strchr(at + 1, '.') != NULL && report_host_valid(at + 1);
}

static int
digits(const char *s, int n, int *out)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return P_EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return P_OK;
}

int
report_time_parse(const char *s, long long *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	struct tm	 tm;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char	*p;
	time_t		 t;

	if (s == NULL || strlen(s) < 20 ||
	    digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return P_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60)
		return P_EINVAL;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return P_EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' ||
		    digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return P_EINVAL;
		p += 6;
	} else
		return P_EINVAL;
	if (*p != '\0')
		return P_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return P_EINVAL;
	/* timegm normalises 2023-02-29 into March: refuse it. */
	if (tm.tm_mday != d)
		return P_EINVAL;
	*out = (long long)t - sign * (oh * 3600LL + om * 60LL);
	return P_OK;
}

/* Copies a borrowed string into the arena; false out of memory. */
static bool
keep(struct arena *a, const char **s)
{
	if (*s == NULL)
		return true;
	*s = arena_strdup(a, *s);
	return *s != NULL;
}

/* Field name "base[i]" or "base[i].sub" in the arena (a static fallback
 * out of memory). */
static const char *
item_field(struct arena *a, const char *base, size_t i, const char *sub)
{
	const char	*f;

	f = arena_printf(a, "%s[%zu]%s%s", base, i, sub != NULL ? "." : "",
	    sub != NULL ? sub : "");
	return f != NULL ? f : base;
}

static void
parse_unknown(struct arena *a, struct json_object *body,
    struct rp_invalid *inv)
{
	const char	*f;
	size_t		 i;

	json_object_object_foreach(body, k, v) {
		(void)v;
		for (i = 0; i < NELEM(known_fields); i++)
			if (strcmp(k, known_fields[i]) == 0)
				break;
		if (i < NELEM(known_fields))
			continue;
		f = arena_strdup(a, k);
		report_invalid_add(inv, f != NULL ? f : "?",
		    strcmp(k, "body") == 0 ?
		    "message bodies are never accepted" : "unknown field");
	}
}

static int
parse_recipients(struct arena *a, struct json_object *body,
    struct rp_report *r, struct rp_invalid *inv)
{
	struct json_object	*arr, *v;
	const char		*s;
	size_t			 i, n;

	if (!json_object_object_get_ex(body, "recipients", &arr) ||
	    arr == NULL) {
		report_invalid_add(inv, "recipients", "is required");
		return P_OK;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > RP_RCPTS_MAX) {
		report_invalid_add(inv, "recipients", "must be an array of 1 "
		    "to 100 addresses");
		return P_OK;
	}
	if ((r->rcpts = arena_calloc(a, n, sizeof(*r->rcpts))) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : NULL;
		if (s == NULL || strlen(s) !=
		    (size_t)json_object_get_string_len(v) ||
		    !report_addr_valid(s)) {
			report_invalid_add(inv, item_field(a, "recipients", i,
			    NULL), "is not an address (user@example.com)");
			continue;
		}
		if ((r->rcpts[r->nrcpts++] = arena_strdup(a, s)) == NULL)
			return P_ENOMEM;
	}
	return P_OK;
}

static int
parse_tests(struct arena *a, struct json_object *body, struct rp_report *r,
    struct rp_invalid *inv)
{
	struct json_object	*arr, *t;
	const char		*name, *why;
	struct rp_test		*x;
	double			 sc;
	size_t			 i, j, n, before;

	if (!json_object_object_get_ex(body, "tests", &arr) || arr == NULL) {
		report_invalid_add(inv, "tests", "is required (may be [])");
		return P_OK;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > RP_TESTS_MAX) {
		report_invalid_add(inv, "tests", "must be an array of at most "
		    "200 {name, score}");
		return P_OK;
	}
	if (n > 0 && (r->tests = arena_calloc(a, n, sizeof(*x))) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(t, json_type_object)) {
			report_invalid_add(inv, item_field(a, "tests", i,
			    NULL), "must be an object {name, score}");
			continue;
		}
		before = inv->n;
		name = NULL;
		if (get_str(t, "name", RP_TEST_NAME_MAX, false, &name, &why) !=
		    P_OK || !report_test_name_valid(name))
			report_invalid_add(inv, item_field(a, "tests", i,
			    "name"), "must be a test name (letters, digits, "
			    "_; at most 64)");
		if (get_num(t, "score", -RP_SCORE_MAX, RP_SCORE_MAX, &sc,
		    &why) != P_OK)
			report_invalid_add(inv, item_field(a, "tests", i,
			    "score"), "must be a number within +-1000");
		json_object_object_foreach(t, k, v) {
			(void)v;
			if (strcmp(k, "name") != 0 && strcmp(k, "score") != 0)
				report_invalid_add(inv, item_field(a, "tests",
				    i, NULL), "has fields besides name and "
				    "score");
		}
		if (inv->n != before)
			continue;
		for (j = 0; j < r->ntests; j++)
			if (strcmp(r->tests[j].name, name) == 0)
				break;
		if (j < r->ntests) {
			report_invalid_add(inv, item_field(a, "tests", i,
			    "name"), "is listed twice");
			continue;
		}
		x = &r->tests[r->ntests++];
		x->score = sc;
		if ((x->name = arena_strdup(a, name)) == NULL)
			return P_ENOMEM;
	}
	return P_OK;
}

static int
parse_checks(struct arena *a, struct json_object *body, struct rp_report *r,
    struct rp_invalid *inv)
{
	struct json_object	*arr, *c;
	const char		*id, *detail, *why;
	struct rp_check		*x;
	size_t			 i, n, before;
	int			 rc;

	if (!json_object_object_get_ex(body, "checks", &arr) || arr == NULL)
		return P_OK;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > RP_CHECKS_MAX) {
		report_invalid_add(inv, "checks", "must be an array of at "
		    "most 32 {id, detail}");
		return P_OK;
	}
	if (n > 0 && (r->checks = arena_calloc(a, n, sizeof(*x))) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(c, json_type_object)) {
			report_invalid_add(inv, item_field(a, "checks", i,
			    NULL), "must be an object {id, detail}");
			continue;
		}
		before = inv->n;
		id = detail = NULL;
		if (get_str(c, "id", RP_CHECK_ID_MAX, false, &id, &why) !=
		    P_OK || !report_check_id_valid(id))
			report_invalid_add(inv, item_field(a, "checks", i,
			    "id"), "must be a check id such as no_rdns");
		rc = get_str(c, "detail", RP_DETAIL_MAX, false, &detail, &why);
		if (rc == P_EINVAL)
			report_invalid_add(inv, item_field(a, "checks", i,
			    "detail"), why);
		json_object_object_foreach(c, k, v) {
			(void)v;
			if (strcmp(k, "id") != 0 && strcmp(k, "detail") != 0)
				report_invalid_add(inv, item_field(a, "checks",
				    i, NULL), "has fields besides id and "
				    "detail");
		}
		if (inv->n != before)
			continue;
		x = &r->checks[r->nchecks++];
		x->id = id;
		x->detail = detail != NULL && detail[0] != '\0' ? detail : NULL;
		if (!keep(a, &x->id) || !keep(a, &x->detail))
			return P_ENOMEM;
	}
	return P_OK;
}

/* "time": RFC 3339 text or unix seconds, within the plausible range. */
static void
parse_time(struct json_object *body, long long now, struct rp_report *r,
    struct rp_invalid *inv)
{
	struct json_object	*v;
	long long		 t;

	if (!json_object_object_get_ex(body, "time", &v) || v == NULL) {
		report_invalid_add(inv, "time", "is required");
		return;
	}
	if (json_object_is_type(v, json_type_int))
		t = json_object_get_int64(v);
	else if (!json_object_is_type(v, json_type_string) ||
	    report_time_parse(json_object_get_string(v), &t) != P_OK) {
		report_invalid_add(inv, "time", "must be RFC 3339 "
		    "(2025-03-01T09:30:00Z) or unix seconds");
		return;
	}
	if (t < TIME_MIN || t > now + TIME_AHEAD) {
		report_invalid_add(inv, "time", "is out of range");
		return;
	}
	r->sent_at = t;
}

/* The header block of text: up to the first empty line, which starts the
 * body (never kept). */
static const char *
header_block(struct arena *a, const char *text)
{
	const char	*p;

	if (text[0] == '\n' || (text[0] == '\r' && text[1] == '\n'))
		return "";		/* a body alone */
	for (p = text; *p != '\0'; p++) {
		if (p[0] == '\n' && (p[1] == '\n' || (p[1] == '\r' &&
		    p[2] == '\n')))
			return arena_strndup(a, text, (size_t)(p - text + 1));
	}
	return arena_strdup(a, text);
}

/* A string field: required or not, bounded, checked by valid (may be
 * NULL). *out stays NULL when absent. */
static void
field_str(struct json_object *body, const char *k, size_t max, bool lines,
    bool required, bool (*valid)(const char *), const char *bad,
    const char **out, struct rp_invalid *inv)
{
	const char	*why = NULL;
	int		 rc;

	*out = NULL;
	rc = get_str(body, k, max, lines, out, &why);
	if (rc == P_ENOTFOUND) {
		if (required)
			report_invalid_add(inv, k, "is required");
		return;
	}
	if (rc != P_OK) {
		report_invalid_add(inv, k, why);
		*out = NULL;
	} else if (valid != NULL && !valid(*out)) {
		report_invalid_add(inv, k, bad);
		*out = NULL;
	}
}

static bool
msgid_valid(const char *s)
{
	size_t	 i;

	if (s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static bool
ip_valid(const char *s)
{
	unsigned char	 b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static bool
account_valid(const char *s)
{
	return s[0] != '\0' && strlen(s) <= 128;
}

int
report_parse(struct arena *a, struct json_object *body, long long now,
    struct rp_report *r, struct rp_invalid *inv)
{
	const char	*why;
	int		 rc;

	memset(r, 0, sizeof(*r));
	memset(inv, 0, sizeof(*inv));
	parse_unknown(a, body, inv);
	field_str(body, "account", 128, false, true, account_valid,
	    "must be the provider's account id", &r->account_ext, inv);
	field_str(body, "sender", RP_ADDR_MAX, false, true, report_addr_valid,
	    "is not an address (user@example.com)", &r->sender, inv);
	field_str(body, "subject", RP_SUBJECT_MAX, false, false, NULL, NULL,
	    &r->subject, inv);
	field_str(body, "message_id", RP_MSGID_MAX, false, false, msgid_valid,
	    "must be printable ASCII without spaces", &r->message_id, inv);
	field_str(body, "relay", RP_HOST_MAX, false, false, report_host_valid,
	    "must be a host name", &r->relay, inv);
	field_str(body, "ip", 64, false, true, ip_valid,
	    "must be an IPv4 or IPv6 address", &r->ip, inv);
	field_str(body, "headers", RP_HEADERS_MAX, true, false, NULL, NULL,
	    &r->headers, inv);
	if ((rc = get_num(body, "score", -RP_SCORE_MAX, RP_SCORE_MAX,
	    &r->score, &why)) != P_OK)
		report_invalid_add(inv, "score", rc == P_ENOTFOUND ?
		    "is required" : why);
	if ((rc = get_num(body, "threshold", 0, RP_SCORE_MAX, &r->threshold,
	    &why)) != P_OK)
		report_invalid_add(inv, "threshold", rc == P_ENOTFOUND ?
		    "is required" : why);
	parse_time(body, now, r, inv);
	if ((rc = parse_recipients(a, body, r, inv)) != P_OK ||
	    (rc = parse_tests(a, body, r, inv)) != P_OK ||
	    (rc = parse_checks(a, body, r, inv)) != P_OK)
		return rc;
	if (inv->n == 0 && r->score < r->threshold && r->nchecks == 0)
		report_invalid_add(inv, "score", "is under the threshold and "
		    "no check failed: nothing was blocked");
	if (inv->n > 0)
		return P_EINVAL;
	if (r->subject == NULL)
		r->subject = "";
	if (!keep(a, &r->account_ext) || !keep(a, &r->sender) ||
	    !keep(a, &r->subject) || !keep(a, &r->message_id) ||
	    !keep(a, &r->relay) || !keep(a, &r->ip))
		return P_ENOMEM;
	if (r->headers != NULL) {
		if (r->headers[0] == '\0')
			r->headers = NULL;
		else if ((r->headers = header_block(a, r->headers)) == NULL)
			return P_ENOMEM;
		else if (r->headers[0] == '\0')
			r->headers = NULL;
	}
	return P_OK;
}
