/* hdrs_json.c - a header report as JSON, explanations in one language. */
#include <string.h>

#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

static bool
is_en(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

/* json-c: object_add takes the new object's reference; a NULL value
 * becomes JSON null, which is fine for optional fields. */
static void
put_str(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void
put_bool(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void
put_int(struct json_object *o, const char *k, long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void
put_lang(struct json_object *o, const char *k, const char *en,
    const char *fr, const char *lang)
{
	put_str(o, k, is_en(lang) ? en : fr);
}

static struct json_object *
hop_json(const struct hdr_hop *hp)
{
	struct json_object	*o = json_object_new_object();

	put_str(o, "from", hp->from);
	put_str(o, "from_rdns", hp->from_rdns);
	put_str(o, "from_ip", hp->from_ip);
	put_str(o, "by", hp->by);
	put_str(o, "by_ip", hp->by_ip);
	put_str(o, "with", hp->with);
	put_str(o, "id", hp->id);
	put_str(o, "for", hp->for_addr);
	put_str(o, "tls", hp->tls);
	put_str(o, "comment", hp->comment);
	put_str(o, "date", hp->date_raw);
	if (hp->has_time) {
		put_int(o, "time", (long)hp->time);
		put_int(o, "tz_minutes", hp->tz_minutes);
	}
	if (hp->has_delay)
		put_int(o, "delay", hp->delay);
	if (hp->skew) {
		put_bool(o, "skew", true);
		put_int(o, "skew_seconds", hp->skew_seconds);
	}
	if (hp->tz_artifact) {
		put_bool(o, "tz_artifact", true);
		put_int(o, "tz_artifact_hours", hp->tz_artifact_hours);
	}
	return o;
}

/* "ptype.property" into key; false when it does not fit. */
static bool
prop_key(char *key, size_t size, const struct hdr_prop *p)
{
	size_t	 a = strlen(p->ptype), b = strlen(p->property);

	if (a + b + 2 > size)
		return false;
	memcpy(key, p->ptype, a);
	if (a > 0)
		key[a++] = '.';
	memcpy(key + a, p->property, b + 1);
	return true;
}

static struct json_object *
auth_json(const struct hdr_auth *a, const char *lang)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*props = json_object_new_object();
	char			 key[128];
	size_t			 i;

	put_str(o, "source", a->source);
	put_str(o, "authserv_id", a->authserv_id);
	if (a->arc_instance > 0)
		put_int(o, "arc_instance", a->arc_instance);
	put_str(o, "method", a->method);
	put_str(o, "result", a->result);
	put_str(o, "reason", a->reason);
	put_str(o, "comment", a->comment);
	put_str(o, "action", a->action);
	for (i = 0; i < a->nprops; i++)
		if (a->props[i].value != NULL &&
		    prop_key(key, sizeof(key), &a->props[i]))
			put_str(props, key, a->props[i].value);
	json_object_object_add(o, "props", props);
	put_bool(o, "problem", a->problem);
	put_lang(o, "explain", a->explain_en, a->explain_fr, lang);
	return o;
}

static struct json_object *
test_json(const struct hdr_test *t, const char *lang)
{
	struct json_object	*o = json_object_new_object();

	put_str(o, "name", t->name);
	if (t->has_score) {
		json_object_object_add(o, "score",
		    json_object_new_double(t->score));
		if (t->score_default)
			put_bool(o, "score_default", true);
	}
	put_str(o, "description", t->description);
	put_lang(o, "explain", t->explain_en, t->explain_fr, lang);
	return o;
}

static struct json_object *
vendor_json(const struct hdr_vendor *v, const char *lang)
{
	struct json_object	*o = json_object_new_object();

	put_str(o, "vendor", v->vendor);
	put_str(o, "header", v->header);
	put_str(o, "key", v->key);
	put_str(o, "value", v->value);
	put_bool(o, "problem", v->problem);
	put_lang(o, "meaning", v->meaning_en, v->meaning_fr, lang);
	return o;
}

static struct json_object *
defect_json(const struct hdr_defect *d, const char *lang)
{
	struct json_object	*o = json_object_new_object();

	put_str(o, "id", d->id);
	put_str(o, "detail", d->detail);
	put_lang(o, "explain", d->explain_en, d->explain_fr, lang);
	return o;
}

static struct json_object *
cause_json(const struct hdr_cause *c, const char *lang)
{
	struct json_object	*o = json_object_new_object();

	put_str(o, "id", c->id);
	put_int(o, "weight", c->weight);
	put_str(o, "detail", c->detail);
	put_lang(o, "explain", c->explain_en, c->explain_fr, lang);
	return o;
}

static void
put_spam(struct json_object *root, const struct hdr_report *r,
    const char *lang)
{
	struct json_object	*o, *a;
	size_t			 i;

	if (r->spam_flag < 0 && !r->has_spam_score && r->ntests == 0)
		return;
	o = json_object_new_object();
	if (r->spam_flag >= 0)
		put_bool(o, "flag", r->spam_flag == 1);
	if (r->has_spam_score)
		json_object_object_add(o, "score",
		    json_object_new_double(r->spam_score));
	if (r->has_spam_required)
		json_object_object_add(o, "required",
		    json_object_new_double(r->spam_required));
	if (r->spam_level >= 0)
		put_int(o, "level", r->spam_level);
	a = json_object_new_array();
	for (i = 0; i < r->ntests; i++)
		json_object_array_add(a, test_json(&r->tests[i], lang));
	json_object_object_add(o, "tests", a);
	json_object_object_add(root, "spamassassin", o);
}

static void
put_microsoft(struct json_object *root, const struct hdr_report *r,
    const char *lang)
{
	struct json_object	*o, *a;
	size_t			 i;

	if (r->nvendor == 0)
		return;
	o = json_object_new_object();
	if (r->ms_scl != HDR_UNSET)
		put_int(o, "scl", r->ms_scl);
	if (r->ms_bcl != HDR_UNSET)
		put_int(o, "bcl", r->ms_bcl);
	if (r->ms_pcl != HDR_UNSET)
		put_int(o, "pcl", r->ms_pcl);
	put_str(o, "sfv", r->ms_sfv);
	put_str(o, "cat", r->ms_cat);
	a = json_object_new_array();
	for (i = 0; i < r->nvendor; i++)
		json_object_array_add(a, vendor_json(&r->vendor[i], lang));
	json_object_object_add(o, "fields", a);
	json_object_object_add(root, "microsoft", o);
}

struct json_object *
hdr_report_to_json(const struct hdr_report *r, const char *lang)
{
	struct json_object	*root, *a;
	size_t			 i;

	if ((root = json_object_new_object()) == NULL)
		return NULL;
	if (r == NULL)
		return root;
	put_int(root, "fields", (long)r->nfields);
	put_bool(root, "body_follows", r->body_follows);
	put_str(root, "from", r->from);
	put_str(root, "to", r->to);
	put_str(root, "subject", r->subject);
	put_str(root, "date", r->date);
	put_str(root, "message_id", r->message_id);
	a = json_object_new_array();
	for (i = 0; i < r->nhops; i++)
		json_object_array_add(a, hop_json(&r->hops[i]));
	json_object_object_add(root, "hops", a);
	if (r->has_total_delay)
		put_int(root, "total_delay", r->total_delay);
	put_bool(root, "clock_skew", r->any_skew);
	a = json_object_new_array();
	for (i = 0; i < r->nauth; i++)
		json_object_array_add(a, auth_json(&r->auth[i], lang));
	json_object_object_add(root, "auth", a);
	put_spam(root, r, lang);
	put_microsoft(root, r, lang);
	a = json_object_new_array();
	for (i = 0; i < r->ndefects; i++)
		json_object_array_add(a, defect_json(&r->defects[i], lang));
	json_object_object_add(root, "defects", a);
	a = json_object_new_array();
	for (i = 0; i < r->ncauses; i++)
		json_object_array_add(a, cause_json(&r->causes[i], lang));
	json_object_object_add(root, "causes", a);
	put_bool(root, "looks_spam", r->looks_spam);
	if (r->verdict != NULL)
		json_object_object_add(root, "verdict",
		    cause_json(r->verdict, lang));
	return root;
}
