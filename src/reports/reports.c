/* src/reports/reports.c - storing a filter report (with the retention
 * purge), the customer's review request and the staff's false-positive
 * mark (each one transaction with its audit event and outbox rows), and
 * the JSON view shared by the API, the webhooks and the pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Ends a transaction: commit on success, otherwise roll back. */
static int
finish(struct store *s, int rc)
{
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	return rc;
}

long
report_retention_days(struct store *s)
{
	long	 days;

	if (store_setting_long(s, "reports.retention_days", RP_RETENTION_DAYS,
	    &days) != P_OK || days < 1 || days > 3650)
		days = RP_RETENTION_DAYS;
	return days;
}

/* Highest score first, then by name: the order of every read. */
static int
test_cmp(const void *a, const void *b)
{
	const struct rp_test	*x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
report_create(struct store *s, struct rp_report *r, int *purged)
{
	long long	 now = now_s();
	long		 days;
	int		 rc;

	if (purged != NULL)
		*purged = 0;
	if (r->ntests > 1)
		qsort(r->tests, r->ntests, sizeof(*r->tests), test_cmp);
	days = report_retention_days(s);
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = store_report_purge(s, now - days * 86400LL, purged);
	r->created_at = now;
	if (rc == P_OK)
		rc = store_report_insert(s, r);
	return finish(s, rc);
}

/* A score as JSON with a short text form (json-c would print 2.3 as
 * 2.2999999999999998). */
static struct json_object *
score_json(double d)
{
	char	 b[32];
	size_t	 n;

	snprintf(b, sizeof(b), "%.3f", d);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		b[--n] = '\0';
	if (n > 0 && b[n - 1] == '.')
		b[--n] = '\0';
	if (strcmp(b, "-0") == 0)
		snprintf(b, sizeof(b), "0");
	return json_object_new_double_s(d, b);
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static void
add_time(struct arena *a, struct json_object *o, const char *k, long long t)
{
	add_str(o, k, t != 0 ? unblock_time_iso(a, t) : NULL);
}

static struct json_object *
tests_json(const struct rp_report *r, const char *lang)
{
	struct json_object	*arr, *t;
	const char		*ex;
	bool			 ours;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < r->ntests; i++) {
		if ((t = json_object_new_object()) == NULL)
			break;
		add_str(t, "name", r->tests[i].name);
		json_object_object_add(t, "score",
		    score_json(r->tests[i].score));
		ex = report_test_explain(r->tests[i].name, lang, &ours);
		add_str(t, "explanation", ex);
		add_str(t, "source", ex == NULL ? NULL : ours ? "bouncedesk" :
		    "spamassassin");
		json_object_array_add(arr, t);
	}
	return arr;
}

static struct json_object *
checks_json(const struct rp_report *r, const char *lang)
{
	const struct rp_check_def	*d;
	struct json_object		*arr, *c;
	bool				 en = lang != NULL &&
					    strcmp(lang, "en") == 0;
	size_t				 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < r->nchecks; i++) {
		if ((c = json_object_new_object()) == NULL)
			break;
		d = report_check_find(r->checks[i].id);
		add_str(c, "id", r->checks[i].id);
		add_str(c, "detail", r->checks[i].detail);
		add_str(c, "title", d == NULL ? NULL : en ? d->title_en :
		    d->title_fr);
		add_str(c, "explanation", d == NULL ? NULL : en ?
		    d->explain_en : d->explain_fr);
		add_str(c, "fix", d == NULL ? NULL : en ? d->fix_en : d->fix_fr);
		json_object_array_add(arr, c);
	}
	return arr;
}

struct json_object *
report_to_json(struct arena *a, const struct rp_report *r, const char *lang,
    bool full)
{
	struct json_object	*o, *acc, *arr, *rv, *fp;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_int64(r->id));
	if ((acc = json_object_new_object()) != NULL) {
		json_object_object_add(acc, "id",
		    json_object_new_int64(r->account_id));
		add_str(acc, "ext_id", r->account_ext);
	}
	json_object_object_add(o, "account", acc);
	add_str(o, "sender", r->sender);
	add_str(o, "subject", r->subject);
	add_str(o, "message_id", r->message_id);
	add_time(a, o, "time", r->sent_at);
	json_object_object_add(o, "score", score_json(r->score));
	json_object_object_add(o, "threshold", score_json(r->threshold));
	json_object_object_add(o, "over_threshold",
	    json_object_new_boolean(r->score >= r->threshold));
	add_str(o, "relay", r->relay);
	add_str(o, "ip", r->ip);
	add_time(a, o, "created_at", r->created_at);
	if (full) {
		if ((arr = json_object_new_array()) != NULL)
			for (i = 0; i < r->nrcpts; i++)
				json_object_array_add(arr,
				    json_object_new_string(r->rcpts[i]));
		json_object_object_add(o, "recipients", arr);
		json_object_object_add(o, "tests", tests_json(r, lang));
		json_object_object_add(o, "checks", checks_json(r, lang));
		add_str(o, "headers", r->headers);
	} else {
		json_object_object_add(o, "ntests",
		    json_object_new_int64((long long)r->ntests));
		json_object_object_add(o, "nchecks",
		    json_object_new_int64((long long)r->nchecks));
		add_str(o, "top_test", r->ntests > 0 && r->tests != NULL ?
		    r->tests[0].name : NULL);
	}
	rv = NULL;
	if (r->review_at != 0 && (rv = json_object_new_object()) != NULL) {
		add_time(a, rv, "at", r->review_at);
		add_str(rv, "reason", r->review_reason);
		if (full)
			add_str(rv, "note", r->review_note);
	}
	json_object_object_add(o, "review", rv);
	fp = NULL;
	if (r->fp_at != 0 && (fp = json_object_new_object()) != NULL) {
		add_time(a, fp, "at", r->fp_at);
		add_str(fp, "by", r->fp_by);
		if (full)
			add_str(fp, "note", r->fp_note);
	}
	json_object_object_add(o, "false_positive", fp);
	return o;
}

/* Writes the audit event and queues the webhook event of a change to a
 * report (inside the caller's transaction). */
static int
record(struct store *s, struct arena *a, const struct ub_actor *who,
    long long now, const struct rp_report *r, const char *action,
    struct json_object *data)
{
	struct ub_audit		 e;
	struct json_object	*env, *actor, *detail;
	unsigned char		 raw[16];
	char			 id[4 + 33];
	const char		*ts;
	int			 rc;

	if ((detail = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(detail, "report_id",
	    json_object_new_int64(r->id));
	memset(&e, 0, sizeof(e));
	e.at = now;
	e.actor_kind = ub_actor_kind_name(who->kind);
	e.actor_id = who->id;
	e.actor_name = who->name != NULL ? who->name : "";
	e.remote_addr = who->addr;
	e.account_id = r->account_id;
	e.action = action;
	e.detail = plain(detail);
	rc = store_audit_insert(s, &e);
	json_object_put(detail);
	if (rc != P_OK)
		return rc;

	/* The envelope of the unblock events; receivers dedupe on id. */
	randombytes_buf(raw, sizeof(raw));
	memcpy(id, "msg_", 4);
	sodium_bin2hex(id + 4, 33, raw, sizeof(raw));
	if ((ts = unblock_time_iso(a, now)) == NULL ||
	    (env = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(env, "type", json_object_new_string(action));
	json_object_object_add(env, "timestamp", json_object_new_string(ts));
	json_object_object_add(env, "data", json_object_get(data));
	if ((actor = json_object_new_object()) != NULL) {
		json_object_object_add(actor, "kind",
		    json_object_new_string(e.actor_kind));
		json_object_object_add(actor, "name",
		    json_object_new_string(e.actor_name));
	}
	json_object_object_add(env, "actor", actor);
	rc = store_outbox_enqueue(s, id, action, plain(env), now, NULL);
	json_object_put(env);
	return rc;
}

/* What the filter is told about a report: enough to find the message and
 * tune its rules; no recipients, subject nor headers. */
static struct json_object *
event_data(struct arena *a, const struct rp_report *r, const char *note)
{
	struct json_object	*d, *rep, *arr, *t;
	size_t			 i;

	if ((d = json_object_new_object()) == NULL)
		return NULL;
	if ((rep = json_object_new_object()) != NULL) {
		json_object_object_add(rep, "id", json_object_new_int64(r->id));
		add_str(rep, "account", r->account_ext);
		add_str(rep, "sender", r->sender);
		add_str(rep, "message_id", r->message_id);
		add_time(a, rep, "time", r->sent_at);
		add_str(rep, "ip", r->ip);
		add_str(rep, "relay", r->relay);
		json_object_object_add(rep, "score", score_json(r->score));
		json_object_object_add(rep, "threshold",
		    score_json(r->threshold));
		if ((arr = json_object_new_array()) != NULL)
			for (i = 0; i < r->ntests; i++) {
				if ((t = json_object_new_object()) == NULL)
					break;
				add_str(t, "name", r->tests[i].name);
				json_object_object_add(t, "score",
				    score_json(r->tests[i].score));
				json_object_array_add(arr, t);
			}
		json_object_object_add(rep, "tests", arr);
		if ((arr = json_object_new_array()) != NULL)
			for (i = 0; i < r->nchecks; i++)
				json_object_array_add(arr,
				    json_object_new_string(r->checks[i].id));
		json_object_object_add(rep, "checks", arr);
	}
	json_object_object_add(d, "report", rep);
	add_str(d, "note", note);
	return d;
}

static bool
note_ok(const char *note)
{
	return note == NULL || strlen(note) <= RP_NOTE_MAX;
}

int
report_request_review(struct store *s, struct arena *a,
    const struct ub_actor *who, long long id, const char *reason,
    const char *note)
{
	struct rp_report	 r;
	struct json_object	*data;
	long long		 now = now_s();
	int			 rc;

	if (reason == NULL || (strcmp(reason, "fixed") != 0 &&
	    strcmp(reason, "false_positive") != 0) || !note_ok(note))
		return P_EINVAL;
	if (note != NULL && note[0] == '\0')
		note = NULL;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = store_report_set_review(s, id, now, reason, note);
	if (rc == P_OK)
		rc = store_report_get(s, a, id, &r);
	if (rc == P_OK) {
		if ((data = event_data(a, &r, note)) == NULL)
			rc = P_ENOMEM;
		else {
			json_object_object_add(data, "reason",
			    json_object_new_string(reason));
			rc = record(s, a, who, now, &r,
			    "report.review_requested", data);
			json_object_put(data);
		}
	}
	return finish(s, rc);
}

int
report_false_positive(struct store *s, struct arena *a,
    const struct ub_actor *who, long long id, const char *note,
    struct rp_report *out)
{
	struct rp_report	 r;
	struct json_object	*data;
	long long		 now = now_s();
	int			 rc;

	if (!note_ok(note))
		return P_EINVAL;
	if (note != NULL && note[0] == '\0')
		note = NULL;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = store_report_set_fp(s, id, now, who->name != NULL ? who->name :
	    "", note);
	if (rc == P_OK)
		rc = store_report_get(s, a, id, &r);
	if (rc == P_OK) {
		if ((data = event_data(a, &r, note)) == NULL)
			rc = P_ENOMEM;
		else {
			rc = record(s, a, who, now, &r,
			    "report.false_positive", data);
			json_object_put(data);
		}
	}
	rc = finish(s, rc);
	if (rc == P_OK && out != NULL)
		*out = r;
	return rc;
}
