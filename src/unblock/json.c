/* src/unblock/json.c - the JSON views of accounts, blocks, requests and
 * audit events, shared by the API, the webhook payloads and the pages. */
#include <stdio.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/unblock.h"

static void
iso(char out[32], long long t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

const char *
unblock_time_iso(struct arena *a, long long t)
{
	char	 b[32];

	iso(b, t);
	return arena_strdup(a, b);
}

static void
add_time(struct json_object *o, const char *k, long long t)
{
	char	 b[32];

	if (t == 0) {
		json_object_object_add(o, k, NULL);
		return;
	}
	iso(b, t);
	json_object_object_add(o, k, json_object_new_string(b));
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static void
add_id(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, v != 0 ? json_object_new_int64(v) : NULL);
}

/* Stored JSON text as an object; an empty object when it does not parse
 * (the store checks json_valid, so that is a bug, not input). */
static struct json_object *
embedded(const char *text)
{
	struct json_object	*o = NULL;

	if (text != NULL)
		o = json_tokener_parse(text);
	if (o == NULL)
		o = json_object_new_object();
	return o;
}

struct json_object *
unblock_account_to_json(const struct ub_account *a)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_id(o, "id", a->id);
	add_str(o, "ext_id", a->ext_id);
	add_str(o, "name", a->name);
	add_str(o, "contact_email", a->contact_email);
	add_str(o, "lang", a->lang);
	add_time(o, "created_at", a->created_at);
	return o;
}

struct json_object *
unblock_block_to_json(const struct ub_block *b)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_id(o, "id", b->id);
	add_id(o, "account_id", b->account_id);
	add_str(o, "target_kind", ub_target_name(b->target_kind));
	add_str(o, "target", b->target);
	add_str(o, "cause", ub_cause_name(b->cause));
	json_object_object_add(o, "figures", embedded(b->figures));
	add_time(o, "started_at", b->started_at);
	add_str(o, "state", ub_block_state_name(b->state));
	json_object_object_add(o, "repeat_count",
	    json_object_new_int64(b->repeat_count));
	add_time(o, "updated_at", b->updated_at);
	return o;
}

struct json_object *
unblock_request_to_json(const struct ub_request *r)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_id(o, "id", r->id);
	add_id(o, "block_id", r->block_id);
	add_id(o, "account_id", r->account_id);
	json_object_object_add(o, "self_sent",
	    json_object_new_boolean(r->self_sent));
	json_object_object_add(o, "answers", embedded(r->answers));
	add_str(o, "message", r->message);
	add_str(o, "state", ub_req_state_name(r->state));
	add_str(o, "decision_comment", r->decision_comment);
	add_time(o, "created_at", r->created_at);
	add_time(o, "updated_at", r->updated_at);
	return o;
}

struct json_object *
unblock_audit_to_json(const struct ub_audit *e)
{
	struct json_object	*o, *actor;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_id(o, "id", e->id);
	add_time(o, "at", e->at);
	if ((actor = json_object_new_object()) != NULL) {
		add_str(actor, "kind", e->actor_kind);
		add_id(actor, "id", e->actor_id);
		add_str(actor, "name", e->actor_name);
		add_str(actor, "address", e->remote_addr);
	}
	json_object_object_add(o, "actor", actor);
	add_id(o, "account_id", e->account_id);
	add_id(o, "block_id", e->block_id);
	add_id(o, "request_id", e->request_id);
	add_str(o, "action", e->action);
	add_str(o, "from_state", e->from_state);
	add_str(o, "to_state", e->to_state);
	json_object_object_add(o, "detail", embedded(e->detail));
	return o;
}
