/* run.c - a domain check from end to end: the request built from the
 * configuration and the user's input (validated before any query), the
 * loop of check passes and parallel resolution within the time and query
 * budgets, and the report as JSON. */
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

/* Splits a comma list into items (arena copies, trimmed); at most max. */
static size_t
split(struct arena *a, const char *s, const char **out, size_t max)
{
	const char	*p = s, *e, *b;
	size_t		 n = 0, len;

	while (p != NULL && *p != '\0' && n < max) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (b = p; b < e && *b == ' '; b++)
			;
		for (len = (size_t)(e - b); len > 0 && b[len - 1] == ' '; len--)
			;
		if (len > 0 && (out[n] = arena_strndup(a, b, len)) != NULL)
			n++;
		p = *e == ',' ? e + 1 : e;
	}
	return n;
}

/* A selector: DNS labels (letters, digits, '-', '_'), dots between. */
static bool
selector_ok(const char *s)
{
	const char	*p;
	size_t		 label = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 63)
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
		label++;
	}
	return label > 0;
}

static void
add_selector(struct check_request *rq, const char *s, bool ours)
{
	size_t	 i;

	for (i = 0; i < rq->nsel; i++)
		if (strcasecmp(rq->selectors[i], s) == 0)
			return;
	if (rq->nsel < CHECK_MAX_SELECTORS) {
		rq->selectors[rq->nsel] = s;
		rq->sel_ours[rq->nsel++] = ours;
	}
}

int
check_request_build(struct arena *a, const struct config *cfg,
    const char *domain, const char *ip, const char *sel,
    struct check_request *rq, const char **why)
{
	const char	*items[CHECK_MAX_ZONES * 2], *norm;
	size_t		 i, n;
	int		 rc;

	memset(rq, 0, sizeof(*rq));
	if ((rc = check_domain_normalise(a, domain, &rq->domain, why)) !=
	    P_OK)
		return rc;
	if (ip != NULL && ip[0] != '\0') {
		if (check_ip_normalise(a, ip, &norm, NULL) != P_OK) {
			*why = "the IP is not a public IPv4 or IPv6 address";
			return P_EINVAL;
		}
		rq->ips[rq->nips++] = norm;
	}
	if (sel != NULL && sel[0] != '\0') {
		if (!selector_ok(sel)) {
			*why = "the DKIM selector is not a DNS label";
			return P_EINVAL;
		}
		add_selector(rq, arena_strdup(a, sel), false);
	}
	n = split(a, cfg->provider_dkim_selectors, items, CHECK_MAX_SELECTORS);
	for (i = 0; i < n; i++)
		if (selector_ok(items[i]))
			add_selector(rq, items[i], true);
	n = split(a, cfg->provider_ips, items, CHECK_MAX_IPS);
	for (i = 0; i < n; i++) {
		if (check_ip_normalise(a, items[i], &norm, NULL) != P_OK)
			continue;
		rq->provider_ips[rq->nprovider_ips++] = norm;
		/* Our own IPs are checked when the user named none. */
		if (ip == NULL || ip[0] == '\0') {
			rq->ip_ours[rq->nips] = true;
			rq->ips[rq->nips++] = norm;
		}
	}
	n = split(a, cfg->dnsbl_zones, items, CHECK_MAX_ZONES * 2);
	for (i = 0; i < n; i++) {
		if (!check_is_domain(items[i]) && strchr(items[i], '_') ==
		    NULL)
			continue;
		if (check_zone_is_domain_list(items[i])) {
			if (rq->ndom_zones < CHECK_MAX_ZONES)
				rq->dom_zones[rq->ndom_zones++] = items[i];
		} else if (rq->nip_zones < CHECK_MAX_ZONES)
			rq->ip_zones[rq->nip_zones++] = items[i];
	}
	if (cfg->provider_spf_include[0] != '\0')
		rq->spf_include = cfg->provider_spf_include;
	rq->provider_name = cfg->provider_name;
	*why = NULL;
	return P_OK;
}

int
check_run(struct arena *a, const struct config *cfg,
    const struct check_request *rq, struct check_report *rep)
{
	struct dns_table	 tab;
	struct dns_config	 dc;
	struct dns_stats	 st;
	long long		 t0, deadline;
	unsigned		 round;
	size_t			 i;
	int			 rc;

	memset(rep, 0, sizeof(*rep));
	memset(&st, 0, sizeof(st));
	t0 = dns_now_ms();
	deadline = t0 + cfg->check_timeout_ms;
	dc.servers = cfg->resolver;
	dc.timeout_ms = cfg->dns_timeout_ms;
	dc.tries = cfg->dns_tries;
	dns_table_init(&tab, a);
	rep->complete = true;
	for (round = 1;; round++) {
		tab.nwant = 0;
		if ((rc = check_evaluate(a, rq, &tab, rep)) != P_OK)
			return rc;
		if (tab.final || tab.nwant == 0)
			break;
		/* Out of time, rounds or queries: judge what is there. */
		if (round >= CHECK_MAX_ROUNDS || dns_now_ms() >= deadline ||
		    st.sent + st.cached >= CHECK_MAX_QUERIES) {
			tab.final = true;
			rep->complete = false;
			continue;
		}
		if (st.sent + st.cached + tab.nwant > CHECK_MAX_QUERIES)
			tab.nwant = CHECK_MAX_QUERIES - st.sent - st.cached;
		rc = dns_resolve(&dc, dns_cache_shared(), &tab, deadline, &st);
		if (rc != P_OK)
			return rc;
	}
	for (i = 0; i < tab.n; i++)
		if (tab.e[i].ans.status == DNS_S_TIMEOUT ||
		    tab.e[i].ans.status == DNS_S_SKIPPED)
			rep->complete = false;
	rep->rounds = round;
	rep->queries = st.sent;
	rep->cached = st.cached;
	rep->timeouts = st.timeouts;
	rep->elapsed_ms = (long)(dns_now_ms() - t0);
	return P_OK;
}

/* ------------------------------------------------------------ JSON --- */

static const char *
group_label(const char *g, bool fr)
{
	static const struct {
		const char	*g, *en, *fr;
	} labels[] = {
		{ "domain", "Domain", "Domaine" },
		{ "mx", "MX (incoming mail)", "MX (courrier entrant)" },
		{ "spf", "SPF", "SPF" },
		{ "dkim", "DKIM", "DKIM" },
		{ "dmarc", "DMARC", "DMARC" },
		{ "a", "Addresses (A/AAAA)", "Adresses (A/AAAA)" },
		{ "ptr", "Reverse DNS", "DNS inverse" },
		{ "dnsbl", "Blacklists", "Listes noires" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].g, g) == 0)
			return fr ? labels[i].fr : labels[i].en;
	return g;
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *
str_array(const char *const *v, size_t n)
{
	struct json_object	*arr = json_object_new_array();
	size_t			 i;

	for (i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

struct json_object *
check_report_to_json(const struct check_report *r, const char *lang)
{
	const struct check_request	*rq = r->req;
	const struct check_finding	*f;
	struct json_object		*o, *arr, *x, *sum;
	bool				 fr = lang == NULL ||
					     strcmp(lang, "en") != 0;
	size_t				 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_str(o, "domain", r->domain);
	if (rq != NULL) {
		json_object_object_add(o, "ips", str_array(rq->ips, rq->nips));
		json_object_object_add(o, "selectors", str_array(rq->selectors,
		    rq->nsel));
		json_object_object_add(o, "dnsbl_zones",
		    str_array(rq->ip_zones, rq->nip_zones));
		json_object_object_add(o, "domain_zones",
		    str_array(rq->dom_zones, rq->ndom_zones));
	}
	sum = json_object_new_object();
	json_object_object_add(sum, "pass", json_object_new_int((int)r->npass));
	json_object_object_add(sum, "warn", json_object_new_int((int)r->nwarn));
	json_object_object_add(sum, "fail", json_object_new_int((int)r->nfail));
	json_object_object_add(sum, "verdict", json_object_new_string(
	    r->nfail ? "fail" : r->nwarn ? "warn" : "pass"));
	json_object_object_add(o, "summary", sum);
	json_object_object_add(o, "complete",
	    json_object_new_boolean(r->complete));
	json_object_object_add(o, "elapsed_ms",
	    json_object_new_int64(r->elapsed_ms));
	json_object_object_add(o, "queries", json_object_new_int(
	    (int)r->queries));
	json_object_object_add(o, "cached", json_object_new_int(
	    (int)r->cached));
	json_object_object_add(o, "lang", json_object_new_string(fr ? "fr" :
	    "en"));
	arr = json_object_new_array();
	for (i = 0; arr != NULL && i < r->n; i++) {
		f = &r->f[i];
		if ((x = json_object_new_object()) == NULL)
			break;
		add_str(x, "group", f->group);
		add_str(x, "group_label", group_label(f->group, fr));
		add_str(x, "id", f->id);
		add_str(x, "verdict", check_verdict_name(f->verdict));
		add_str(x, "subject", f->subject);
		add_str(x, "explanation", fr ? f->explain_fr : f->explain_en);
		add_str(x, "fix", f->fix);
		add_str(x, "detail", f->detail);
		add_str(x, "faq_tag", f->faq_tag);
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "findings", arr);
	return o;
}
