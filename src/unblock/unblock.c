/* src/unblock/unblock.c - the transitions of blocks and unblock requests.
 * Each one is a single transaction: the new state, an audit event and the
 * outbox rows commit together or not at all. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"

#define UB_TARGET_MAX	320	/* an address or a site name */

/* One state change to record: the audit row and the webhook event. */
struct change {
	const char		*action;	/* "request.approved" */
	long long		 account_id, block_id, request_id;
	const char		*from, *to;
	struct json_object	*detail;	/* borrowed; may be NULL */
	struct json_object	*data;		/* borrowed: the payload data */
};

static long long
now_s(void)
{
	return (long long)time(NULL);
}

static void
say(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Writes the audit event and queues the webhook event of one change. */
static int
record(struct store *s, struct arena *a, const struct ub_actor *who,
    long long now, const struct change *c)
{
	struct ub_audit		 e;
	struct json_object	*env, *actor;
	unsigned char		 raw[16];
	char			 id[4 + 33];
	const char		*ts;
	int			 rc;

	memset(&e, 0, sizeof(e));
	e.at = now;
	e.actor_kind = ub_actor_kind_name(who->kind);
	e.actor_id = who->id;
	e.actor_name = who->name != NULL ? who->name : "";
	e.remote_addr = who->addr;
	e.account_id = c->account_id;
	e.block_id = c->block_id;
	e.request_id = c->request_id;
	e.action = c->action;
	e.from_state = c->from;
	e.to_state = c->to;
	e.detail = c->detail != NULL ? plain(c->detail) : "{}";
	if ((rc = store_audit_insert(s, &e)) != P_OK)
		return rc;

	/* Standard Webhooks envelope; the id is what receivers dedupe on. */
	randombytes_buf(raw, sizeof(raw));
	memcpy(id, "msg_", 4);
	sodium_bin2hex(id + 4, 33, raw, sizeof(raw));
	if ((ts = unblock_time_iso(a, now)) == NULL ||
	    (env = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(env, "type", json_object_new_string(c->action));
	json_object_object_add(env, "timestamp", json_object_new_string(ts));
	json_object_object_add(env, "data", json_object_get(c->data));
	if ((actor = json_object_new_object()) != NULL) {
		json_object_object_add(actor, "kind",
		    json_object_new_string(e.actor_kind));
		json_object_object_add(actor, "name",
		    json_object_new_string(e.actor_name));
	}
	json_object_object_add(env, "actor", actor);
	rc = store_outbox_enqueue(s, id, c->action, plain(env), now, NULL);
	json_object_put(env);
	return rc;
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

/* The payload data of an event about a block (and its request). */
static struct json_object *
event_data(const struct ub_account *ac, const struct ub_block *b,
    const struct ub_request *r, const char *comment)
{
	struct json_object	*d, *acc;

	if ((d = json_object_new_object()) == NULL)
		return NULL;
	if ((acc = json_object_new_object()) != NULL) {
		json_object_object_add(acc, "id",
		    json_object_new_int64(ac->id));
		json_object_object_add(acc, "ext_id",
		    json_object_new_string(ac->ext_id));
	}
	json_object_object_add(d, "account", acc);
	if (b != NULL)
		json_object_object_add(d, "block", unblock_block_to_json(b));
	if (r != NULL)
		json_object_object_add(d, "request",
		    unblock_request_to_json(r));
	if (comment != NULL)
		json_object_object_add(d, "comment",
		    json_object_new_string(comment));
	return d;
}

static bool
valid_text(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

int
unblock_account_create(struct store *s, struct arena *a,
    const struct ub_actor *who, struct ub_account *ac,
    const char *const *domains, size_t nd, const char *const *mailboxes,
    size_t nm)
{
	struct json_object	*data = NULL;
	struct change		 c;
	long long		 now = now_s();
	size_t			 i;
	int			 rc;

	if (ac->lang == NULL)
		ac->lang = "fr";
	if (!valid_text(ac->ext_id, 64) || !valid_text(ac->name, 200) ||
	    !valid_text(ac->contact_email, 254) ||
	    strchr(ac->contact_email, '@') == NULL ||
	    (strcmp(ac->lang, "fr") != 0 && strcmp(ac->lang, "en") != 0))
		return P_EINVAL;
	for (i = 0; i < nd; i++)
		if (!valid_text(domains[i], 253))
			return P_EINVAL;
	for (i = 0; i < nm; i++)
		if (!valid_text(mailboxes[i], UB_TARGET_MAX) ||
		    strchr(mailboxes[i], '@') == NULL)
			return P_EINVAL;
	ac->created_at = now;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = store_account_insert(s, ac);
	for (i = 0; rc == P_OK && i < nd; i++)
		rc = store_domain_insert(s, ac->id, domains[i]);
	for (i = 0; rc == P_OK && i < nm; i++)
		rc = store_mailbox_insert(s, ac->id, mailboxes[i]);
	if (rc != P_OK)
		goto out;
	if ((data = json_object_new_object()) == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	json_object_object_add(data, "account", unblock_account_to_json(ac));
	memset(&c, 0, sizeof(c));
	c.action = "account.created";
	c.account_id = ac->id;
	c.data = data;
	rc = record(s, a, who, now, &c);
out:
	json_object_put(data);
	return finish(s, rc);
}

/* The given figures with the quotas in force added under "quota". */
static int
block_figures(struct arena *a, const struct ub_policy *p,
    const struct ub_block *b, const char **out)
{
	struct json_object	*o, *q;

	if (b->figures == NULL)
		o = json_object_new_object();
	else if ((o = json_tokener_parse(b->figures)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return P_EINVAL;
	}
	if (o == NULL)
		return P_ENOMEM;
	if (!json_object_object_get_ex(o, "quota", NULL) &&
	    (q = json_object_new_object()) != NULL) {
		if (b->target_kind == UB_WEBSITE) {
			json_object_object_add(q, "messages_per_hour",
			    json_object_new_int64(p->website_per_hour));
			json_object_object_add(q, "recipients_per_hour",
			    json_object_new_int64(p->website_per_hour));
		} else {
			json_object_object_add(q, "messages_per_hour",
			    json_object_new_int64(p->mailbox_messages_per_hour));
			json_object_object_add(q, "recipients_per_hour",
			    json_object_new_int64(
			    p->mailbox_recipients_per_hour));
		}
		json_object_object_add(o, "quota", q);
	}
	*out = arena_strdup(a, plain(o));
	json_object_put(o);
	return *out != NULL ? P_OK : P_ENOMEM;
}

int
unblock_block_create(struct store *s, struct arena *a,
    const struct ub_actor *who, const struct ub_policy *p, struct ub_block *b)
{
	struct ub_account	 ac;
	struct json_object	*detail = NULL, *data = NULL;
	struct change		 c;
	long long		 now = now_s(), prior;
	int			 rc;

	if (b->target == NULL || b->target[0] == '\0' ||
	    strlen(b->target) > UB_TARGET_MAX)
		return P_EINVAL;
	if ((rc = block_figures(a, p, b, &b->figures)) != P_OK)
		return rc;
	if (b->started_at == 0)
		b->started_at = now;
	b->updated_at = now;
	if (store_begin(s) != P_OK)
		return P_EDB;
	if ((rc = store_account_get(s, a, b->account_id, &ac)) != P_OK)
		goto out;
	/* Escalation reads the history in the transaction that adds to it. */
	rc = store_block_count_since(s, b->account_id,
	    b->started_at - p->window_days * 86400LL, &prior);
	if (rc != P_OK)
		goto out;
	b->repeat_count = prior + 1;
	b->state = b->repeat_count >= p->threshold ? UB_BLOCK_PERMANENT :
	    UB_BLOCK_ACTIVE;
	if ((rc = store_block_insert(s, b)) != P_OK)
		goto out;
	detail = json_object_new_object();
	data = event_data(&ac, b, NULL, NULL);
	if (detail == NULL || data == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	json_object_object_add(detail, "repeat_count",
	    json_object_new_int64(b->repeat_count));
	json_object_object_add(detail, "threshold",
	    json_object_new_int64(p->threshold));
	json_object_object_add(detail, "window_days",
	    json_object_new_int64(p->window_days));
	memset(&c, 0, sizeof(c));
	c.action = "block.created";
	c.account_id = b->account_id;
	c.block_id = b->id;
	c.to = ub_block_state_name(b->state);
	c.detail = detail;
	c.data = data;
	rc = record(s, a, who, now, &c);
out:
	json_object_put(detail);
	json_object_put(data);
	return finish(s, rc);
}

/* Moves a block already read in the caller's transaction and records it
 * (under request_id when a request's approval moves it, else 0). */
static int
block_move(struct store *s, struct arena *a, const struct ub_actor *who,
    const struct ub_account *ac, struct ub_block *b, enum ub_block_event ev,
    const char *comment, long long request_id, long long now)
{
	enum ub_block_state	 to, from = b->state;
	struct json_object	*detail = NULL, *data = NULL;
	struct change		 c;
	int			 rc;

	if ((rc = unblock_block_next(from, ev, who->admin, &to)) != P_OK)
		return rc;
	if ((rc = store_block_set_state(s, b->id, from, to, now)) != P_OK)
		return rc;
	b->state = to;
	b->updated_at = now;
	detail = json_object_new_object();
	data = event_data(ac, b, NULL, comment);
	if (detail == NULL || data == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	if (comment != NULL)
		json_object_object_add(detail, "comment",
		    json_object_new_string(comment));
	memset(&c, 0, sizeof(c));
	c.action = to == UB_BLOCK_LIFTED ? "block.lifted" : "block.permanent";
	c.account_id = b->account_id;
	c.block_id = b->id;
	c.request_id = request_id;
	c.from = ub_block_state_name(from);
	c.to = ub_block_state_name(to);
	c.detail = detail;
	c.data = data;
	rc = record(s, a, who, now, &c);
out:
	json_object_put(detail);
	json_object_put(data);
	return rc;
}

int
unblock_block_change(struct store *s, struct arena *a,
    const struct ub_actor *who, long long block_id, enum ub_block_event ev,
    const char *comment, struct ub_block *out)
{
	struct ub_block		 b;
	struct ub_account	 ac;
	int			 rc;

	if (comment != NULL && strlen(comment) > UB_TEXT_MAX)
		return P_ETOOBIG;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = store_block_get(s, a, block_id, &b);
	if (rc == P_OK)
		rc = store_account_get(s, a, b.account_id, &ac);
	if (rc == P_OK)
		rc = block_move(s, a, who, &ac, &b, ev, comment, 0, now_s());
	rc = finish(s, rc);
	if (rc == P_OK && out != NULL)
		*out = b;
	return rc;
}

/* {"item": {"confirmed": true, "details": "..."}, ...} */
static const char *
answers_json(struct arena *a, const struct ub_answer *ans, size_t n)
{
	struct json_object	*o, *it;
	const char		*out;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((it = json_object_new_object()) == NULL)
			break;
		json_object_object_add(it, "confirmed",
		    json_object_new_boolean(ans[i].confirmed));
		if (ans[i].details != NULL && ans[i].details[0] != '\0')
			json_object_object_add(it, "details",
			    json_object_new_string(ans[i].details));
		json_object_object_add(o, ans[i].item, it);
	}
	out = i == n ? arena_strdup(a, plain(o)) : NULL;
	json_object_put(o);
	return out;
}

int
unblock_request_file(struct store *s, struct arena *a,
    const struct ub_actor *who, const struct ub_policy *p, long long block_id,
    bool self_sent, const struct ub_answer *ans, size_t nans,
    const char *message, struct ub_request *out, struct ub_filing *info,
    char *why, size_t whylen)
{
	struct ub_block		 b;
	struct ub_account	 ac;
	struct ub_request	 r;
	struct ub_filing	 f;
	struct json_object	*detail = NULL, *data = NULL;
	struct change		 c;
	long long		 now = now_s();
	int			 rc;

	if (message != NULL && strlen(message) > UB_TEXT_MAX) {
		say(why, whylen, "the message is too long");
		return P_ETOOBIG;
	}
	if (store_begin(s) != P_OK)
		return P_EDB;
	if ((rc = store_block_get(s, a, block_id, &b)) != P_OK ||
	    (rc = store_account_get(s, a, b.account_id, &ac)) != P_OK)
		goto out;
	if (b.state == UB_BLOCK_LIFTED) {
		say(why, whylen, "the block is already lifted");
		rc = P_ECONFLICT;
		goto out;
	}
	rc = unblock_checklist_validate(b.target_kind, b.cause, self_sent, ans,
	    nans, why, whylen);
	if (rc != P_OK)
		goto out;
	memset(&f, 0, sizeof(f));
	f.window_days = p->window_days;
	f.threshold = p->threshold;
	rc = store_block_count_since(s, b.account_id,
	    now - p->window_days * 86400LL, &f.blocks_in_window);
	if (rc != P_OK)
		goto out;
	f.repeat = f.blocks_in_window > 1;
	f.permanent = b.state == UB_BLOCK_PERMANENT;

	memset(&r, 0, sizeof(r));
	r.block_id = b.id;
	r.account_id = b.account_id;
	r.self_sent = self_sent;
	r.message = message != NULL ? message : "";
	r.state = UB_REQ_SUBMITTED;
	r.created_at = r.updated_at = now;
	if ((r.answers = answers_json(a, ans, nans)) == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	if ((rc = store_request_insert(s, &r)) != P_OK) {
		if (rc == P_ECONFLICT)
			say(why, whylen, "the block already has an open "
			    "request");
		goto out;
	}
	detail = json_object_new_object();
	data = event_data(&ac, &b, &r, NULL);
	if (detail == NULL || data == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	json_object_object_add(detail, "self_sent",
	    json_object_new_boolean(self_sent));
	json_object_object_add(detail, "blocks_in_window",
	    json_object_new_int64(f.blocks_in_window));
	memset(&c, 0, sizeof(c));
	c.action = "request.submitted";
	c.account_id = b.account_id;
	c.block_id = b.id;
	c.request_id = r.id;
	c.to = ub_req_state_name(r.state);
	c.detail = detail;
	c.data = data;
	rc = record(s, a, who, now, &c);
out:
	json_object_put(detail);
	json_object_put(data);
	rc = finish(s, rc);
	if (rc == P_OK) {
		if (out != NULL)
			*out = r;
		if (info != NULL)
			*info = f;
	}
	return rc;
}

static const char *
request_action(enum ub_req_event ev)
{
	switch (ev) {
	case UB_EV_APPROVE:	return "request.approved";
	case UB_EV_REJECT:	return "request.rejected";
	case UB_EV_ASK_INFO:	return "request.info_requested";
	case UB_EV_ANSWER:	return "request.answered";
	case UB_EV_WITHDRAW:	return "request.withdrawn";
	}
	return "request.unknown";
}

/* Checks the text an event needs before any transaction starts. */
static int
check_comment(enum ub_req_event ev, const char *comment, char *why,
    size_t whylen)
{
	bool	 need;

	if (comment != NULL && strlen(comment) > UB_TEXT_MAX) {
		say(why, whylen, "the comment is too long");
		return P_ETOOBIG;
	}
	need = ev == UB_EV_REJECT || ev == UB_EV_ASK_INFO ||
	    ev == UB_EV_ANSWER;
	if (need && (comment == NULL || comment[0] == '\0')) {
		say(why, whylen, ev == UB_EV_ANSWER ? "the answer is empty" :
		    ev == UB_EV_REJECT ? "a rejection needs a reason" :
		    "say what information is needed");
		return P_EINVAL;
	}
	return P_OK;
}

int
unblock_request_apply(struct store *s, struct arena *a,
    const struct ub_actor *who, long long request_id, enum ub_req_event ev,
    const char *comment, struct ub_request *out, char *why, size_t whylen)
{
	struct ub_request	 r;
	struct ub_block		 b;
	struct ub_account	 ac;
	struct json_object	*detail = NULL, *data = NULL;
	struct change		 c;
	enum ub_req_state	 to, from;
	long long		 now = now_s();
	int			 rc;

	if ((rc = check_comment(ev, comment, why, whylen)) != P_OK)
		return rc;
	if (store_begin(s) != P_OK)
		return P_EDB;
	if ((rc = store_request_get(s, a, request_id, &r)) != P_OK ||
	    (rc = store_block_get(s, a, r.block_id, &b)) != P_OK ||
	    (rc = store_account_get(s, a, r.account_id, &ac)) != P_OK)
		goto out;
	from = r.state;
	if ((rc = unblock_request_next(from, ev, &to)) != P_OK) {
		if (why != NULL)
			snprintf(why, whylen, "cannot %s a request that is %s",
			    ev == UB_EV_ASK_INFO ? "ask for information on" :
			    ub_req_event_name(ev), ub_req_state_name(from));
		goto out;
	}
	/* Approval lifts the block; a permanent one needs an admin. */
	if (ev == UB_EV_APPROVE) {
		rc = block_move(s, a, who, &ac, &b, UB_BEV_LIFT, comment,
		    r.id, now);
		if (rc == P_EFORBIDDEN)
			say(why, whylen, "only an admin may lift a permanent "
			    "block");
		else if (rc == P_ECONFLICT)
			say(why, whylen, "the block is no longer active");
		if (rc != P_OK)
			goto out;
	}
	rc = store_request_set_state(s, r.id, from, to,
	    ev == UB_EV_ANSWER || ev == UB_EV_WITHDRAW ? NULL : comment, now);
	if (rc != P_OK)
		goto out;
	r.state = to;
	r.updated_at = now;
	if (comment != NULL && ev != UB_EV_ANSWER && ev != UB_EV_WITHDRAW)
		r.decision_comment = comment;
	detail = json_object_new_object();
	data = event_data(&ac, &b, &r, comment);
	if (detail == NULL || data == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	if (comment != NULL)
		json_object_object_add(detail, "comment",
		    json_object_new_string(comment));
	memset(&c, 0, sizeof(c));
	c.action = request_action(ev);
	c.account_id = r.account_id;
	c.block_id = r.block_id;
	c.request_id = r.id;
	c.from = ub_req_state_name(from);
	c.to = ub_req_state_name(to);
	c.detail = detail;
	c.data = data;
	rc = record(s, a, who, now, &c);
out:
	json_object_put(detail);
	json_object_put(data);
	rc = finish(s, rc);
	if (rc == P_OK && out != NULL)
		*out = r;
	return rc;
}
