/* web/pages_diag_check.c - the sender checks run inline on the diagnosis
 * page: when a result's cause is one a DNS check can explain (SPF, DKIM,
 * DMARC, reverse DNS, blacklists), the original sender's domain is checked
 * once, within the check's time limit and the per-client check rate, and
 * each such card gets the findings of its groups. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/pages.h"

#define HEAD_MAX	16384	/* bytes of the paste searched for To: */

/* The finding groups that explain a reason, space-separated and framed by
 * spaces; NULL when no check does. */
static const char *
reason_groups(const char *reason)
{
	if (reason == NULL)
		return NULL;
	if (strcmp(reason, "authfailure") == 0)
		return " spf dkim dmarc domain ";
	if (strcmp(reason, "requireptr") == 0)
		return " ptr domain ";
	if (strcmp(reason, "blocked") == 0 ||
	    strcmp(reason, "badreputation") == 0)
		return " dnsbl domain ";
	return NULL;
}

/* The domain of the first address in s ("Name <a@b.example>"), in the
 * arena; NULL when there is none. */
static char *
addr_domain(struct arena *a, const char *s, size_t len)
{
	const char	*at, *end;
	size_t		 n;

	if (s == NULL || (at = memchr(s, '@', len)) == NULL)
		return NULL;
	at++;
	end = s + len;
	n = strcspn(at, "> \t\r\n,;\"");
	if (n == 0 || at + n > end)
		return NULL;
	return arena_strndup(a, at, n);
}

/* The original sender: the returned message's From:, else the bounce's
 * own To: (a bounce goes back to the sender) in the paste's first header
 * block. */
static char *
sender_domain(struct request *req, struct json_object *rep, const char *text)
{
	struct json_object	*o, *v;
	const char		*s, *p;
	size_t			 len;

	if (json_object_object_get_ex(rep, "original", &o) &&
	    json_object_object_get_ex(o, "from", &v) &&
	    (s = json_object_get_string(v)) != NULL)
		return addr_domain(req->arena, s, strlen(s));
	len = strnlen(text, HEAD_MAX);
	for (p = text; p != NULL && p < text + len; ) {
		if (*p == '\n' || *p == '\r')
			break;		/* end of the first header block */
		if (strncasecmp(p, "To:", 3) == 0)
			return addr_domain(req->arena, p + 3, strcspn(p + 3,
			    "\r\n"));
		if ((p = memchr(p, '\n', (size_t)(text + len - p))) != NULL)
			p++;
	}
	return NULL;
}

/* The findings of the groups, each with its verdict's words. */
static struct json_object *
findings_of(struct request *req, struct json_object *all, const char *groups)
{
	struct json_object	*out, *f, *g, *v;
	char			 key[48], word[24];
	size_t			 i, n;

	if ((out = json_object_new_array()) == NULL)
		return NULL;
	n = json_object_array_length(all);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(all, i);
		if (!json_object_object_get_ex(f, "group", &g) ||
		    !json_object_object_get_ex(f, "verdict", &v))
			continue;
		snprintf(word, sizeof(word), " %s ", json_object_get_string(g));
		if (strstr(groups, word) == NULL)
			continue;
		snprintf(key, sizeof(key), "check_verdict_%s",
		    json_object_get_string(v));
		/* The badges of the check page: pass, softfail, fail. */
		json_object_object_add(f, "badge", json_object_new_string(
		    strcmp(key, "check_verdict_pass") == 0 ? "pass" :
		    strcmp(key, "check_verdict_warn") == 0 ? "softfail" :
		    "fail"));
		json_object_object_add(f, "verdict_text", json_object_new_string(
		    i18n_get(req->app->i18n, req->lang, key)));
		json_object_array_add(out, json_object_get(f));
	}
	return out;
}

void
diag_inline_checks(struct request *req, struct json_object *rep,
    const char *text)
{
	struct check_request	 rq;
	struct check_report	 cr;
	struct response		 scratch;	/* takes the 429's Retry-After */
	struct json_object	*results, *r, *v, *cj = NULL, *all, *mine;
	const char		*groups, *why;
	char			*domain;
	size_t			 i, n;

	if (!json_object_object_get_ex(rep, "results", &results) ||
	    !json_object_is_type(results, json_type_array))
		return;
	memset(&scratch, 0, sizeof(scratch));
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(results, i);
		groups = reason_groups(json_object_object_get_ex(r, "reason",
		    &v) ? json_object_get_string(v) : NULL);
		if (groups == NULL)
			continue;
		if (cj == NULL) {
			/* Once per page, only for a real domain, and within
			 * the check rate (refused: the card keeps its link). */
			if ((domain = sender_domain(req, rep, text)) == NULL ||
			    check_request_build(req->arena, &req->app->cfg,
			    domain, NULL, NULL, &rq, &why) != P_OK ||
			    check_rate_take(req, &scratch, "check") != P_OK ||
			    check_run(req->arena, &req->app->cfg, &rq, &cr) !=
			    P_OK ||
			    (cj = check_report_to_json(&cr, req->lang)) == NULL)
				return;
			json_object_object_add(rep, "sender_domain",
			    json_object_new_string(rq.domain));
		}
		if (!json_object_object_get_ex(cj, "findings", &all) ||
		    (mine = findings_of(req, all, groups)) == NULL)
			break;
		json_object_object_add(r, "has_sender_checks",
		    json_object_new_boolean(json_object_array_length(mine) > 0));
		json_object_object_add(r, "sender_checks", mine);
	}
	json_object_put(cj);
}
