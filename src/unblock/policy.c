/* src/unblock/policy.c - names of states and kinds, the two state machines
 * as tables, and the escalation policy read from the settings. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "bouncedesk/err.h"
#include "bouncedesk/unblock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const target_names[] = { "website", "mailbox" };
static const char *const cause_names[] = { "quota", "spam", "compromised" };
static const char *const block_state_names[] = { "active", "lifted",
    "permanent" };
static const char *const req_state_names[] = { "submitted",
    "info_requested", "approved", "rejected", "withdrawn" };
static const char *const req_event_names[] = { "approve", "reject", "info",
    "answer", "withdraw" };
static const char *const actor_names[] = { "api", "staff", "customer",
    "system" };

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "unknown";
}

static int
parse_name(const char *const *names, size_t n, const char *s, int *out)
{
	size_t	 i;

	if (s == NULL)
		return P_EINVAL;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = (int)i;
			return P_OK;
		}
	}
	return P_EINVAL;
}

const char *
ub_target_name(enum ub_target v)
{
	return name_of(target_names, NELEM(target_names), (int)v);
}

const char *
ub_cause_name(enum ub_cause v)
{
	return name_of(cause_names, NELEM(cause_names), (int)v);
}

const char *
ub_block_state_name(enum ub_block_state v)
{
	return name_of(block_state_names, NELEM(block_state_names), (int)v);
}

const char *
ub_req_state_name(enum ub_req_state v)
{
	return name_of(req_state_names, NELEM(req_state_names), (int)v);
}

const char *
ub_req_event_name(enum ub_req_event v)
{
	return name_of(req_event_names, NELEM(req_event_names), (int)v);
}

const char *
ub_actor_kind_name(enum ub_actor_kind v)
{
	return name_of(actor_names, NELEM(actor_names), (int)v);
}

int
ub_target_parse(const char *s, enum ub_target *out)
{
	int	 v, rc;

	if ((rc = parse_name(target_names, NELEM(target_names), s, &v)) ==
	    P_OK)
		*out = (enum ub_target)v;
	return rc;
}

int
ub_cause_parse(const char *s, enum ub_cause *out)
{
	int	 v, rc;

	if ((rc = parse_name(cause_names, NELEM(cause_names), s, &v)) == P_OK)
		*out = (enum ub_cause)v;
	return rc;
}

int
ub_block_state_parse(const char *s, enum ub_block_state *out)
{
	int	 v, rc;

	if ((rc = parse_name(block_state_names, NELEM(block_state_names), s,
	    &v)) == P_OK)
		*out = (enum ub_block_state)v;
	return rc;
}

int
ub_req_state_parse(const char *s, enum ub_req_state *out)
{
	int	 v, rc;

	if ((rc = parse_name(req_state_names, NELEM(req_state_names), s,
	    &v)) == P_OK)
		*out = (enum ub_req_state)v;
	return rc;
}

/* The block machine: active -> lifted | permanent; permanent -> lifted by
 * an admin only. Lifted is final: a new offence is a new block. */
static const struct {
	enum ub_block_state	 from;
	enum ub_block_event	 ev;
	enum ub_block_state	 to;
	bool			 admin_only;
} block_moves[] = {
	{ UB_BLOCK_ACTIVE, UB_BEV_LIFT, UB_BLOCK_LIFTED, false },
	{ UB_BLOCK_ACTIVE, UB_BEV_MAKE_PERMANENT, UB_BLOCK_PERMANENT, false },
	{ UB_BLOCK_PERMANENT, UB_BEV_LIFT, UB_BLOCK_LIFTED, true },
};

/* The request machine. Decisions are taken on submitted requests only; a
 * request waiting for the customer goes back to submitted first. */
static const struct {
	enum ub_req_state	 from;
	enum ub_req_event	 ev;
	enum ub_req_state	 to;
} req_moves[] = {
	{ UB_REQ_SUBMITTED, UB_EV_APPROVE, UB_REQ_APPROVED },
	{ UB_REQ_SUBMITTED, UB_EV_REJECT, UB_REQ_REJECTED },
	{ UB_REQ_SUBMITTED, UB_EV_ASK_INFO, UB_REQ_INFO },
	{ UB_REQ_INFO, UB_EV_ANSWER, UB_REQ_SUBMITTED },
	{ UB_REQ_SUBMITTED, UB_EV_WITHDRAW, UB_REQ_WITHDRAWN },
	{ UB_REQ_INFO, UB_EV_WITHDRAW, UB_REQ_WITHDRAWN },
};

int
unblock_block_next(enum ub_block_state from, enum ub_block_event ev,
    bool admin, enum ub_block_state *to)
{
	size_t	 i;

	for (i = 0; i < NELEM(block_moves); i++) {
		if (block_moves[i].from != from || block_moves[i].ev != ev)
			continue;
		if (block_moves[i].admin_only && !admin)
			return P_EFORBIDDEN;
		*to = block_moves[i].to;
		return P_OK;
	}
	return P_ECONFLICT;
}

int
unblock_request_next(enum ub_req_state from, enum ub_req_event ev,
    enum ub_req_state *to)
{
	size_t	 i;

	for (i = 0; i < NELEM(req_moves); i++) {
		if (req_moves[i].from == from && req_moves[i].ev == ev) {
			*to = req_moves[i].to;
			return P_OK;
		}
	}
	return P_ECONFLICT;
}

bool
unblock_request_is_open(enum ub_req_state s)
{
	return s == UB_REQ_SUBMITTED || s == UB_REQ_INFO;
}

void
unblock_policy_defaults(struct ub_policy *p)
{
	p->window_days = 90;
	p->threshold = 3;
	p->website_per_hour = 1000;
	p->mailbox_messages_per_hour = 60;
	p->mailbox_recipients_per_hour = 120;
}

int
unblock_policy_load(struct store *s, struct ub_policy *p)
{
	static const struct {
		const char	*key;
		size_t		 off;
		long		 min, max;
	} keys[] = {
		{ "unblock.window_days",
		    offsetof(struct ub_policy, window_days), 1, 3650 },
		{ "unblock.repeat_threshold",
		    offsetof(struct ub_policy, threshold), 1, 1000 },
		{ "quota.website_per_hour",
		    offsetof(struct ub_policy, website_per_hour), 1, 10000000 },
		{ "quota.mailbox_messages_per_hour",
		    offsetof(struct ub_policy, mailbox_messages_per_hour), 1,
		    10000000 },
		{ "quota.mailbox_recipients_per_hour",
		    offsetof(struct ub_policy, mailbox_recipients_per_hour), 1,
		    10000000 },
	};
	size_t	 i;
	long	*field, v;

	unblock_policy_defaults(p);
	for (i = 0; i < NELEM(keys); i++) {
		field = (long *)(void *)((char *)p + keys[i].off);
		if (store_setting_long(s, keys[i].key, *field, &v) != P_OK)
			return P_EDB;
		/* An out-of-range setting keeps the default. */
		if (v >= keys[i].min && v <= keys[i].max)
			*field = v;
	}
	return P_OK;
}
