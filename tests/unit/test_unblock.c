/* test_unblock.c - the block and request state machines, checklists,
 * escalation, the audit trail and the outbox, on a real SQLite file
 * migrated with db/migrations. */
#define _GNU_SOURCE	/* strcasestr in the test receiver */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sodium.h>
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"
#include "bouncedesk/webhook.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct fx {
	char		 path[128];
	struct store	*s;
	struct arena	*a;
	sqlite3		*raw;		/* a second connection to look */
	struct ub_policy pol;
	long long	 account;
};

static const struct ub_actor platform = { UB_ACTOR_API, 1, "mail-platform",
    "192.0.2.10", false };
static const struct ub_actor customer = { UB_ACTOR_API, 2, "portal",
    "198.51.100.7", false };
static const struct ub_actor agent = { UB_ACTOR_STAFF, 3, "agent@example.net",
    "203.0.113.5", false };
static const struct ub_actor admin = { UB_ACTOR_STAFF, 4, "admin@example.net",
    "203.0.113.6", true };

static int
setup(void **state)
{
	static int		 n;
	struct fx		*f;
	struct ub_account	 ac;
	char			 err[256];

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/bd_test_unblock_%d_%d.db",
	    (int)getpid(), n++);
	unlink(f->path);
	f->s = store_open(f->path, false, err, sizeof(err));
	if (f->s == NULL ||
	    store_migrate(f->s, "db/migrations", NULL, NULL, err,
	    sizeof(err)) != P_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (sqlite3_open(f->path, &f->raw) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(f->raw, 2000);
	f->a = arena_new(0);
	unblock_policy_defaults(&f->pol);
	memset(&ac, 0, sizeof(ac));
	ac.ext_id = "H-1001";
	ac.name = "Boulangerie Dupont";
	ac.contact_email = "contact@dupont.example";
	ac.lang = "fr";
	ac.created_at = (long long)time(NULL);
	if (store_account_insert(f->s, &ac) != P_OK)
		return -1;
	f->account = ac.id;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	sqlite3_close(f->raw);
	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	free(f);
	return 0;
}

/* One integer from SQL run on the second connection. */
static long long
q1(struct fx *f, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	assert_int_equal(sqlite3_prepare_v2(f->raw, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec_raw(struct fx *f, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(f->raw, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static long long
new_block(struct fx *f, enum ub_target kind, enum ub_cause cause,
    long long started_at, struct ub_block *out)
{
	struct ub_block	 b;

	memset(&b, 0, sizeof(b));
	b.account_id = f->account;
	b.target_kind = kind;
	b.target = kind == UB_WEBSITE ? "www.dupont.example" :
	    "info@dupont.example";
	b.cause = cause;
	b.started_at = started_at;
	assert_int_equal(unblock_block_create(f->s, f->a, &platform, &f->pol,
	    &b), P_OK);
	if (out != NULL)
		*out = b;
	return b.id;
}

static const struct ub_answer website_ok[] = {
	{ "malicious_files_removed", true, "removed wp-content/x.php" },
	{ "captcha_added", true, NULL },
	{ "permissions_fixed", true, NULL },
	{ "admin_protected", true, NULL },
	{ "passwords_changed_panel", true, NULL },
	{ "passwords_changed_ftp", true, NULL },
	{ "passwords_changed_database", true, NULL },
};

static const struct ub_answer mailbox_ok[] = {
	{ "passwords_changed_mailbox", true, NULL },
	{ "devices_checked", true, "two phones and a laptop" },
};

static int
file(struct fx *f, long long block, struct ub_request *r,
    struct ub_filing *info)
{
	char	 why[256];

	return unblock_request_file(f->s, f->a, &customer, &f->pol, block,
	    false, website_ok, NELEM(website_ok), "we cleaned the site", r,
	    info, why, sizeof(why));
}

static int
apply(struct fx *f, const struct ub_actor *who, long long id,
    enum ub_req_event ev, const char *comment)
{
	char	 why[256];

	return unblock_request_apply(f->s, f->a, who, id, ev, comment, NULL,
	    why, sizeof(why));
}

/* ---- the machines as tables ---- */

static void
test_request_machine(void **state)
{
	/* want[from][event]: the next state, or -1 for a conflict. */
	static const int want[5][5] = {
		/* approve	reject		info		answer		withdraw */
		{ UB_REQ_APPROVED, UB_REQ_REJECTED, UB_REQ_INFO, -1,
		    UB_REQ_WITHDRAWN },				/* submitted */
		{ -1, -1, -1, UB_REQ_SUBMITTED, UB_REQ_WITHDRAWN }, /* info */
		{ -1, -1, -1, -1, -1 },				/* approved */
		{ -1, -1, -1, -1, -1 },				/* rejected */
		{ -1, -1, -1, -1, -1 },				/* withdrawn */
	};
	enum ub_req_state	 to;
	int			 from, ev, rc;

	(void)state;
	for (from = 0; from < 5; from++) {
		for (ev = 0; ev < 5; ev++) {
			to = (enum ub_req_state)99;
			rc = unblock_request_next(from, ev, &to);
			if (want[from][ev] < 0 && rc != P_ECONFLICT)
				fail_msg("%s on %s: got %d, want conflict",
				    ub_req_event_name(ev),
				    ub_req_state_name(from), rc);
			if (want[from][ev] >= 0 && (rc != P_OK ||
			    (int)to != want[from][ev]))
				fail_msg("%s on %s: got %d/%s, want %s",
				    ub_req_event_name(ev),
				    ub_req_state_name(from), rc,
				    ub_req_state_name(to),
				    ub_req_state_name(want[from][ev]));
		}
	}
	assert_true(unblock_request_is_open(UB_REQ_SUBMITTED));
	assert_true(unblock_request_is_open(UB_REQ_INFO));
	assert_false(unblock_request_is_open(UB_REQ_APPROVED));
}

static void
test_block_machine(void **state)
{
	enum ub_block_state	 to;

	(void)state;
	assert_int_equal(unblock_block_next(UB_BLOCK_ACTIVE, UB_BEV_LIFT,
	    false, &to), P_OK);
	assert_int_equal(to, UB_BLOCK_LIFTED);
	assert_int_equal(unblock_block_next(UB_BLOCK_ACTIVE,
	    UB_BEV_MAKE_PERMANENT, false, &to), P_OK);
	assert_int_equal(to, UB_BLOCK_PERMANENT);
	assert_int_equal(unblock_block_next(UB_BLOCK_PERMANENT, UB_BEV_LIFT,
	    false, &to), P_EFORBIDDEN);
	assert_int_equal(unblock_block_next(UB_BLOCK_PERMANENT, UB_BEV_LIFT,
	    true, &to), P_OK);
	assert_int_equal(to, UB_BLOCK_LIFTED);
	assert_int_equal(unblock_block_next(UB_BLOCK_PERMANENT,
	    UB_BEV_MAKE_PERMANENT, true, &to), P_ECONFLICT);
	assert_int_equal(unblock_block_next(UB_BLOCK_LIFTED, UB_BEV_LIFT,
	    true, &to), P_ECONFLICT);
	assert_int_equal(unblock_block_next(UB_BLOCK_LIFTED,
	    UB_BEV_MAKE_PERMANENT, true, &to), P_ECONFLICT);
}

static void
test_names(void **state)
{
	enum ub_req_state	 rs;
	enum ub_target		 t;

	(void)state;
	assert_int_equal(ub_req_state_parse("info_requested", &rs), P_OK);
	assert_int_equal(rs, UB_REQ_INFO);
	assert_int_equal(ub_req_state_parse("approve", &rs), P_EINVAL);
	assert_int_equal(ub_target_parse("mailbox", &t), P_OK);
	assert_int_equal(t, UB_MAILBOX);
	assert_int_equal(ub_target_parse("Mailbox", &t), P_EINVAL);
	assert_int_equal(ub_target_parse(NULL, &t), P_EINVAL);
}

/* ---- checklists ---- */

static void
test_checklist(void **state)
{
	struct ub_answer	 v[NELEM(website_ok) + 1];
	char			 why[256];
	const struct ub_answer	 legit_blank[] = {
		{ "sending_changed", true, "  " } };
	const struct ub_answer	 legit_ok[] = {
		{ "sending_changed", true, "newsletter moved to the "
		    "mailing-list service" },
		{ "mailing_list_used", true, NULL } };

	(void)state;
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_SPAM, false,
	    website_ok, NELEM(website_ok), why, sizeof(why)), P_OK);
	/* Each required item, left out in turn, is named. */
	for (size_t skip = 0; skip < NELEM(website_ok); skip++) {
		size_t	 n = 0;

		for (size_t i = 0; i < NELEM(website_ok); i++)
			if (i != skip)
				v[n++] = website_ok[i];
		assert_int_equal(unblock_checklist_validate(UB_WEBSITE,
		    UB_SPAM, false, v, n, why, sizeof(why)), P_EINVAL);
		assert_non_null(strstr(why, website_ok[skip].item));
	}
	/* Not confirmed. */
	memcpy(v, website_ok, sizeof(website_ok));
	v[1].confirmed = false;
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_SPAM, false,
	    v, NELEM(website_ok), why, sizeof(why)), P_EINVAL);
	assert_non_null(strstr(why, "captcha_added"));
	/* Unknown and repeated items. */
	memcpy(v, website_ok, sizeof(website_ok));
	v[NELEM(website_ok)] = (struct ub_answer){ "devices_checked", true,
	    NULL };
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_SPAM, false,
	    v, NELEM(v), why, sizeof(why)), P_EINVAL);
	assert_non_null(strstr(why, "unknown"));
	v[NELEM(website_ok)] = website_ok[0];
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_SPAM, false,
	    v, NELEM(v), why, sizeof(why)), P_EINVAL);
	assert_non_null(strstr(why, "twice"));
	/* The website list does not fit a mailbox, and the other way. */
	assert_int_equal(unblock_checklist_validate(UB_MAILBOX, UB_COMPROMISED,
	    false, website_ok, NELEM(website_ok), why, sizeof(why)), P_EINVAL);
	assert_int_equal(unblock_checklist_validate(UB_MAILBOX, UB_COMPROMISED,
	    false, mailbox_ok, NELEM(mailbox_ok), why, sizeof(why)), P_OK);
	/* Legitimate sending: what changed must be said; never for a
	 * compromise. */
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_QUOTA, true,
	    legit_blank, 1, why, sizeof(why)), P_EINVAL);
	assert_non_null(strstr(why, "details"));
	assert_int_equal(unblock_checklist_validate(UB_WEBSITE, UB_QUOTA, true,
	    legit_ok, 2, why, sizeof(why)), P_OK);
	assert_int_equal(unblock_checklist_validate(UB_MAILBOX, UB_COMPROMISED,
	    true, legit_ok, 2, why, sizeof(why)), P_EINVAL);
}

static void
test_checklist_json(void **state)
{
	struct json_object	*o, *it, *v;

	(void)state;
	o = unblock_checklist_to_json(UB_MAILBOX, UB_SPAM, false, "fr");
	assert_non_null(o);
	assert_int_equal(json_object_array_length(o), 3);
	it = json_object_array_get_idx(o, 0);
	assert_true(json_object_object_get_ex(it, "item", &v));
	assert_string_equal(json_object_get_string(v),
	    "passwords_changed_mailbox");
	assert_true(json_object_object_get_ex(it, "label", &v));
	assert_non_null(strstr(json_object_get_string(v), "Mot de passe"));
	json_object_put(o);
}

/* ---- transitions on the database ---- */

static void
test_lifecycle(void **state)
{
	struct fx		*f = *state;
	struct ub_block		 b;
	struct ub_request	 r;
	struct ub_filing	 info;
	long long		 bid;

	exec_raw(f, "INSERT INTO webhook_endpoints (url, secret, created_at) "
	    "VALUES ('http://127.0.0.1:1/hook', 'whsec_AAAA', 0)");
	bid = new_block(f, UB_WEBSITE, UB_SPAM, 0, &b);
	assert_int_equal(b.state, UB_BLOCK_ACTIVE);
	assert_int_equal(b.repeat_count, 1);
	assert_int_equal(file(f, bid, &r, &info), P_OK);
	assert_int_equal(r.state, UB_REQ_SUBMITTED);
	assert_false(info.repeat);
	assert_int_equal(info.blocks_in_window, 1);

	/* Illegal before legal: nothing to answer yet. */
	assert_int_equal(apply(f, &customer, r.id, UB_EV_ANSWER, "hello"),
	    P_ECONFLICT);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_ASK_INFO, NULL),
	    P_EINVAL);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_ASK_INFO,
	    "Which form sent the mail?"), P_OK);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_APPROVE, NULL),
	    P_ECONFLICT);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_REJECT, "no"),
	    P_ECONFLICT);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_ASK_INFO, "again"),
	    P_ECONFLICT);
	assert_int_equal(apply(f, &customer, r.id, UB_EV_ANSWER,
	    "The contact form; it has a captcha now"), P_OK);
	assert_int_equal(apply(f, &agent, r.id, UB_EV_APPROVE, "ok"), P_OK);

	assert_int_equal(store_request_get(f->s, f->a, r.id, &r), P_OK);
	assert_int_equal(r.state, UB_REQ_APPROVED);
	assert_string_equal(r.decision_comment, "ok");
	assert_int_equal(store_block_get(f->s, f->a, bid, &b), P_OK);
	assert_int_equal(b.state, UB_BLOCK_LIFTED);
	/* Closed: every event is now illegal. */
	for (int ev = 0; ev < 5; ev++)
		assert_int_equal(apply(f, &admin, r.id, ev, "x"), P_ECONFLICT);
	assert_int_equal(apply(f, &agent, 999999, UB_EV_APPROVE, NULL),
	    P_ENOTFOUND);

	/* created, submitted, info, answered, lifted, approved */
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events"), 6);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 6);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'request.approved' AND actor_kind = 'staff' AND "
	    "actor_name = 'agent@example.net' AND remote_addr = "
	    "'203.0.113.5' AND from_state = 'submitted' AND "
	    "to_state = 'approved'"), 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'request.answered' AND json_extract(detail, "
	    "'$.comment') LIKE 'The contact form%'"), 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE event_type "
	    "= 'block.lifted' AND json_extract(payload, '$.data.block.state') "
	    "= 'lifted' AND json_extract(payload, '$.data.account.ext_id') = "
	    "'H-1001'"), 1);
	/* Filing on a lifted block is refused. */
	assert_int_equal(file(f, bid, &r, NULL), P_ECONFLICT);
}

static void
test_reject_withdraw(void **state)
{
	struct fx		*f = *state;
	struct ub_request	 r1, r2;
	long long		 bid;

	bid = new_block(f, UB_WEBSITE, UB_QUOTA, 0, NULL);
	assert_int_equal(file(f, bid, &r1, NULL), P_OK);
	assert_int_equal(apply(f, &agent, r1.id, UB_EV_REJECT, ""), P_EINVAL);
	assert_int_equal(apply(f, &agent, r1.id, UB_EV_REJECT,
	    "files are still there"), P_OK);
	assert_int_equal(apply(f, &customer, r1.id, UB_EV_WITHDRAW, NULL),
	    P_ECONFLICT);
	/* A rejected request is closed: a new one may be filed. */
	assert_int_equal(file(f, bid, &r2, NULL), P_OK);
	assert_int_equal(apply(f, &agent, r2.id, UB_EV_ASK_INFO, "which?"),
	    P_OK);
	assert_int_equal(apply(f, &customer, r2.id, UB_EV_WITHDRAW, NULL),
	    P_OK);
	assert_int_equal(store_request_get(f->s, f->a, r2.id, &r2), P_OK);
	assert_int_equal(r2.state, UB_REQ_WITHDRAWN);
	assert_int_equal(q1(f, "SELECT count(*) FROM blocks WHERE state = "
	    "'active'"), 1);
}

static void
test_one_open_request(void **state)
{
	struct fx		*f = *state;
	struct ub_request	 r1, r2;
	char			 why[256];
	long long		 bid;
	int			 rc;

	bid = new_block(f, UB_MAILBOX, UB_COMPROMISED, 0, NULL);
	rc = unblock_request_file(f->s, f->a, &customer, &f->pol, bid, false,
	    mailbox_ok, NELEM(mailbox_ok), "", &r1, NULL, why, sizeof(why));
	assert_int_equal(rc, P_OK);
	why[0] = '\0';
	rc = unblock_request_file(f->s, f->a, &customer, &f->pol, bid, false,
	    mailbox_ok, NELEM(mailbox_ok), "", &r2, NULL, why, sizeof(why));
	assert_int_equal(rc, P_ECONFLICT);
	assert_non_null(strstr(why, "open request"));
	/* The index holds even for SQL that bypasses the domain. */
	assert_int_not_equal(sqlite3_exec(f->raw, "INSERT INTO "
	    "unblock_requests (block_id, account_id, self_sent, state, "
	    "created_at, updated_at) SELECT block_id, account_id, 0, "
	    "'info_requested', 0, 0 FROM unblock_requests", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(q1(f, "SELECT count(*) FROM unblock_requests"), 1);
	/* The failed filing left no trace. */
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'request.submitted'"), 1);
}

static void
test_audit_immutable(void **state)
{
	struct fx	*f = *state;
	const char	*msg;

	new_block(f, UB_WEBSITE, UB_SPAM, 0, NULL);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events"), 1);
	assert_int_not_equal(sqlite3_exec(f->raw, "UPDATE audit_events SET "
	    "actor_name = 'someone else'", NULL, NULL, NULL), SQLITE_OK);
	msg = sqlite3_errmsg(f->raw);
	assert_non_null(strstr(msg, "immutable"));
	assert_int_not_equal(sqlite3_exec(f->raw, "DELETE FROM audit_events",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "actor_name = 'mail-platform'"), 1);
}

static void
test_escalation(void **state)
{
	struct fx		*f = *state;
	struct ub_block		 b1, b2, b3, old;
	struct ub_request	 r;
	struct ub_filing	 info;
	long long		 now = (long long)time(NULL);

	/* A block 100 days ago is outside the 90-day window. */
	new_block(f, UB_WEBSITE, UB_SPAM, now - 100 * 86400LL, &old);
	assert_int_equal(old.repeat_count, 1);
	new_block(f, UB_WEBSITE, UB_SPAM, 0, &b1);
	assert_int_equal(b1.repeat_count, 1);
	assert_int_equal(b1.state, UB_BLOCK_ACTIVE);
	new_block(f, UB_MAILBOX, UB_COMPROMISED, 0, &b2);
	assert_int_equal(b2.repeat_count, 2);
	assert_int_equal(b2.state, UB_BLOCK_ACTIVE);
	/* The customer is warned on the second block. */
	assert_int_equal(unblock_request_file(f->s, f->a, &customer, &f->pol,
	    b2.id, false, mailbox_ok, NELEM(mailbox_ok), "", &r, &info, NULL,
	    0), P_OK);
	assert_true(info.repeat);
	assert_false(info.permanent);
	assert_int_equal(info.blocks_in_window, 2);
	assert_int_equal(info.threshold, 3);
	/* The third in the window is permanent. */
	new_block(f, UB_WEBSITE, UB_QUOTA, 0, &b3);
	assert_int_equal(b3.repeat_count, 3);
	assert_int_equal(b3.state, UB_BLOCK_PERMANENT);
	assert_int_equal(q1(f, "SELECT json_extract(detail, '$.threshold') "
	    "FROM audit_events WHERE block_id = (SELECT max(id) FROM blocks)"),
	    3);
	assert_int_equal(file(f, b3.id, &r, &info), P_OK);
	assert_true(info.permanent);
	assert_int_equal(info.blocks_in_window, 3);
	/* An agent cannot lift it, and the failed approval changes nothing. */
	assert_int_equal(apply(f, &agent, r.id, UB_EV_APPROVE, NULL),
	    P_EFORBIDDEN);
	assert_int_equal(store_request_get(f->s, f->a, r.id, &r), P_OK);
	assert_int_equal(r.state, UB_REQ_SUBMITTED);
	assert_int_equal(unblock_block_change(f->s, f->a, &agent, b3.id,
	    UB_BEV_LIFT, NULL, NULL), P_EFORBIDDEN);
	assert_int_equal(q1(f, "SELECT count(*) FROM blocks WHERE state = "
	    "'permanent'"), 1);
	assert_int_equal(apply(f, &admin, r.id, UB_EV_APPROVE, "last chance"),
	    P_OK);
	assert_int_equal(store_block_get(f->s, f->a, b3.id, &b3), P_OK);
	assert_int_equal(b3.state, UB_BLOCK_LIFTED);
}

static void
test_policy_settings(void **state)
{
	struct fx	*f = *state;
	struct ub_block	 b1, b2;
	struct ub_policy p;

	exec_raw(f, "UPDATE settings SET value = '2' WHERE key = "
	    "'unblock.repeat_threshold'");
	exec_raw(f, "INSERT OR REPLACE INTO settings (key, value) VALUES "
	    "('quota.mailbox_messages_per_hour', '30')");
	exec_raw(f, "INSERT OR REPLACE INTO settings (key, value) VALUES "
	    "('unblock.window_days', 'not a number')");
	assert_int_equal(unblock_policy_load(f->s, &p), P_OK);
	assert_int_equal(p.threshold, 2);
	assert_int_equal(p.window_days, 90);
	assert_int_equal(p.mailbox_messages_per_hour, 30);
	assert_int_equal(p.mailbox_recipients_per_hour, 120);
	f->pol = p;
	new_block(f, UB_MAILBOX, UB_QUOTA, 0, &b1);
	assert_int_equal(b1.state, UB_BLOCK_ACTIVE);
	assert_int_equal(q1(f, "SELECT json_extract(figures, "
	    "'$.quota.messages_per_hour') FROM blocks"), 30);
	new_block(f, UB_WEBSITE, UB_QUOTA, 0, &b2);
	assert_int_equal(b2.state, UB_BLOCK_PERMANENT);
	assert_int_equal(q1(f, "SELECT json_extract(figures, "
	    "'$.quota.recipients_per_hour') FROM blocks WHERE target_kind = "
	    "'website'"), 1000);
}

static void
test_figures(void **state)
{
	struct fx	*f = *state;
	struct ub_block	 b;

	memset(&b, 0, sizeof(b));
	b.account_id = f->account;
	b.target_kind = UB_MAILBOX;
	b.target = "news@dupont.example";
	b.cause = UB_QUOTA;
	b.figures = "{\"sent_last_hour\": 412}";
	assert_int_equal(unblock_block_create(f->s, f->a, &platform, &f->pol,
	    &b), P_OK);
	assert_int_equal(q1(f, "SELECT json_extract(figures, "
	    "'$.sent_last_hour') + json_extract(figures, "
	    "'$.quota.recipients_per_hour') FROM blocks"), 412 + 120);
	b.figures = "[1, 2]";
	assert_int_equal(unblock_block_create(f->s, f->a, &platform, &f->pol,
	    &b), P_EINVAL);
	b.figures = NULL;
	b.target = "";
	assert_int_equal(unblock_block_create(f->s, f->a, &platform, &f->pol,
	    &b), P_EINVAL);
	b.target = "x@dupont.example";
	b.account_id = 4242;
	assert_int_equal(unblock_block_create(f->s, f->a, &platform, &f->pol,
	    &b), P_ENOTFOUND);
	assert_int_equal(q1(f, "SELECT count(*) FROM blocks"), 1);
}

static void
test_outbox_fanout_and_rollback(void **state)
{
	struct fx		*f = *state;
	struct ub_request	 r;
	long long		 bid;

	exec_raw(f, "INSERT INTO webhook_endpoints (url, secret, events, "
	    "active, created_at) VALUES "
	    "('https://tickets.example/hook', 'whsec_A', '*', 1, 0), "
	    "('https://platform.example/hook', 'whsec_B', "
	    "'block.created, block.lifted', 1, 0), "
	    "('https://old.example/hook', 'whsec_C', '*', 0, 0)");
	bid = new_block(f, UB_WEBSITE, UB_SPAM, 0, NULL);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(file(f, bid, &r, NULL), P_OK);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 3);
	/* Both endpoints got the same event id for the same event. */
	assert_int_equal(q1(f, "SELECT count(DISTINCT event_id) FROM outbox "
	    "WHERE event_type = 'block.created'"), 1);

	/* Make the outbox refuse one event type: the whole transition must
	 * roll back, state and audit row included. */
	exec_raw(f, "CREATE TRIGGER no_reject BEFORE INSERT ON outbox "
	    "WHEN NEW.event_type = 'request.rejected' "
	    "BEGIN SELECT RAISE(ABORT, 'refused'); END");
	assert_int_not_equal(apply(f, &agent, r.id, UB_EV_REJECT, "no"),
	    P_OK);
	assert_int_equal(store_request_get(f->s, f->a, r.id, &r), P_OK);
	assert_int_equal(r.state, UB_REQ_SUBMITTED);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'request.rejected'"), 0);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 3);
	/* The approval writes to the outbox too: two rows for the lift
	 * (both endpoints) and one for the approval. */
	assert_int_equal(apply(f, &agent, r.id, UB_EV_APPROVE, NULL), P_OK);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 6);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE "
	    "delivered_at IS NULL AND attempts = 0 AND next_attempt_at > 0"),
	    6);
}

static void
test_lists(void **state)
{
	struct fx		*f = *state;
	struct ub_filter	 flt = { 0, -1, 0, 0 };
	struct ub_block		*bl;
	struct ub_request	*rl, r;
	struct ub_audit		*al;
	size_t			 n;
	long long		 b1, b2;

	b1 = new_block(f, UB_WEBSITE, UB_SPAM, 0, NULL);
	b2 = new_block(f, UB_MAILBOX, UB_COMPROMISED, 0, NULL);
	assert_int_equal(file(f, b1, &r, NULL), P_OK);
	assert_int_equal(store_block_list(f->s, f->a, &flt, &bl, &n), P_OK);
	assert_int_equal(n, 2);
	assert_true(bl[0].id < bl[1].id);
	flt.state = UB_BLOCK_LIFTED;
	assert_int_equal(store_block_list(f->s, f->a, &flt, &bl, &n), P_OK);
	assert_int_equal(n, 0);
	flt.state = -1;
	flt.after = b1;
	assert_int_equal(store_block_list(f->s, f->a, &flt, &bl, &n), P_OK);
	assert_int_equal(n, 1);
	assert_int_equal(bl[0].id, b2);
	flt.after = 0;
	flt.state = UB_REQ_SUBMITTED;
	assert_int_equal(store_request_list(f->s, f->a, &flt, &rl, &n), P_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rl[0].block_id, b1);
	flt.state = -1;
	flt.account_id = f->account + 1;
	assert_int_equal(store_request_list(f->s, f->a, &flt, &rl, &n), P_OK);
	assert_int_equal(n, 0);
	flt.account_id = 0;
	assert_int_equal(store_audit_list(f->s, f->a, &flt, r.id, &al, &n),
	    P_OK);
	assert_int_equal(n, 1);
	assert_string_equal(al[0].action, "request.submitted");
	assert_string_equal(al[0].remote_addr, "198.51.100.7");
}

/* ---- webhooks ---- */

static void
test_webhook_sign(void **state)
{
	/* The example of the Standard Webhooks specification, checked with
	 * Python's hmac module. */
	static const char body[] = "{\"test\": 2432232314}";
	char	 sig[WEBHOOK_SIG_MAX];

	(void)state;
	assert_int_equal(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330LL, body,
	    strlen(body), sig), P_OK);
	assert_string_equal(sig,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* Any change of id, time or body changes it. */
	assert_int_equal(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331LL, body,
	    strlen(body), sig), P_OK);
	assert_string_not_equal(sig,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	assert_int_equal(webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m",
	    1, "", 0, sig), P_EINVAL);
	assert_int_equal(webhook_sign("whsec_!!!", "m", 1, "", 0, sig),
	    P_EINVAL);
}

static void
test_webhook_rules(void **state)
{
	struct webhook_opts	 o;
	char			 s1[WEBHOOK_SECRET_MAX], s2[WEBHOOK_SECRET_MAX];
	char			 sig[WEBHOOK_SIG_MAX];

	(void)state;
	webhook_opts_defaults(&o);
	assert_int_equal(webhook_url_check("https://tickets.example/h", &o),
	    P_OK);
	assert_int_equal(webhook_url_check("http://127.0.0.1:8080/h", &o),
	    P_EINVAL);
	o.allow_http_loopback = true;
	assert_int_equal(webhook_url_check("http://127.0.0.1:8080/h", &o),
	    P_OK);
	assert_int_equal(webhook_url_check("http://[::1]/h", &o), P_OK);
	assert_int_equal(webhook_url_check("http://tickets.example/h", &o),
	    P_EINVAL);
	assert_int_equal(webhook_url_check("ftp://127.0.0.1/h", &o), P_EINVAL);
	assert_int_equal(webhook_url_check("not a url", &o), P_EINVAL);
	assert_int_equal(webhook_backoff(1, &o), 30);
	assert_int_equal(webhook_backoff(2, &o), 60);
	assert_int_equal(webhook_backoff(5, &o), 480);
	assert_int_equal(webhook_backoff(40, &o), 6 * 3600);
	assert_int_equal(webhook_secret_new(s1), P_OK);
	assert_int_equal(webhook_secret_new(s2), P_OK);
	assert_memory_equal(s1, "whsec_", 6);
	assert_string_not_equal(s1, s2);
	assert_int_equal(webhook_sign(s1, "msg_1", 1, "{}", 2, sig), P_OK);
}

/* A tiny HTTP receiver on 127.0.0.1: answers each request with the next
 * status of its script and keeps what it got. */
#define RX_MAX	8
struct rx {
	int		 fd, port;
	pthread_t	 th;
	volatile int	 stop;
	int		 script[RX_MAX], n;	/* n: requests received */
	char		 got[RX_MAX][4096];
	pthread_mutex_t	 lock;
};

static void *
rx_run(void *arg)
{
	struct rx	*r = arg;
	struct pollfd	 pfd;
	char		 buf[4096], out[128], *cl, *hdr_end;
	size_t		 len;
	ssize_t		 k;
	int		 c, status;
	long		 want;

	while (!r->stop) {
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((c = accept(r->fd, NULL, NULL)) < 0)
			continue;
		len = 0;
		want = -1;
		while (len < sizeof(buf) - 1) {
			k = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
			if (k <= 0)
				break;
			len += (size_t)k;
			buf[len] = '\0';
			hdr_end = strstr(buf, "\r\n\r\n");
			if (hdr_end == NULL)
				continue;
			cl = strcasestr(buf, "content-length:");
			want = cl != NULL ? strtol(cl + 15, NULL, 10) : 0;
			if ((long)len >= (hdr_end - buf) + 4 + want)
				break;
		}
		buf[len] = '\0';
		pthread_mutex_lock(&r->lock);
		status = r->n < RX_MAX ? r->script[r->n] : 500;
		if (r->n < RX_MAX)
			memcpy(r->got[r->n], buf, len + 1);
		r->n++;
		pthread_mutex_unlock(&r->lock);
		snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Length: "
		    "2\r\nConnection: close\r\n\r\nok", status);
		(void)send(c, out, strlen(out), MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void
rx_start(struct rx *r, const int *script, int n)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);

	memset(r, 0, sizeof(*r));
	memcpy(r->script, script, (size_t)n * sizeof(int));
	pthread_mutex_init(&r->lock, NULL);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(r->fd, 8), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sa, &sl), 0);
	r->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&r->th, NULL, rx_run, r), 0);
}

static int
rx_count(struct rx *r)
{
	int	 n;

	pthread_mutex_lock(&r->lock);
	n = r->n;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void
rx_stop(struct rx *r)
{
	r->stop = 1;
	pthread_join(r->th, NULL);
	close(r->fd);
	pthread_mutex_destroy(&r->lock);
}

/* The value of header name in a received request, copied to out. */
static const char *
rx_header(const char *req, const char *name, char *out, size_t len)
{
	const char	*p;
	size_t		 n;

	p = strcasestr(req, name);
	if (p == NULL)
		return NULL;
	p += strlen(name);
	while (*p == ':' || *p == ' ')
		p++;
	n = strcspn(p, "\r\n");
	if (n >= len)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* HMAC-SHA256 with the raw libsodium API, base64 by hand-off to sodium:
 * a second path to the signature, next to webhook_sign's. */
static void
expected_sig(const char *secret_b64, const char *id, const char *ts,
    const char *body, char *out, size_t outlen)
{
	unsigned char	 key[64], mac[32];
	size_t		 klen;
	char		*msg;
	size_t		 mlen;

	assert_int_equal(sodium_base642bin(key, sizeof(key), secret_b64,
	    strlen(secret_b64), NULL, &klen, NULL,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	mlen = strlen(id) + strlen(ts) + strlen(body) + 3;
	msg = malloc(mlen);
	assert_non_null(msg);
	snprintf(msg, mlen, "%s.%s.%s", id, ts, body);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	free(msg);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, outlen - 3, mac, 32,
	    sodium_base64_VARIANT_ORIGINAL);
}

static void
test_webhook_delivery(void **state)
{
	struct fx		*f = *state;
	static const int	 script[] = { 500, 200, 200, 503 };
	struct webhook_opts	 o;
	struct rx		 r;
	struct store		*s2;
	char			 sql[256], id[64], ts[32], sig[128], want[128];
	char			 err[256];
	const char		*body;
	int			 sent;

	rx_start(&r, script, 4);
	snprintf(sql, sizeof(sql), "INSERT INTO webhook_endpoints (url, "
	    "secret, created_at) VALUES ('http://127.0.0.1:%d/hook', "
	    "'whsec_c2VjcmV0LWZvci10aGUtdGVzdA==', 0)", r.port);
	exec_raw(f, sql);
	webhook_opts_defaults(&o);
	o.timeout_ms = 5000;

	new_block(f, UB_WEBSITE, UB_SPAM, 0, NULL);
	/* http to loopback is refused unless allowed: no request made. */
	assert_int_equal(webhook_deliver_due(f->s, 10, &o, &sent), P_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(rx_count(&r), 0);
	assert_int_equal(q1(f, "SELECT attempts FROM outbox"), 1);
	exec_raw(f, "UPDATE outbox SET attempts = 0, next_attempt_at = 0, "
	    "last_error = NULL");

	/* First attempt: the receiver answers 500, a retry is scheduled. */
	o.allow_http_loopback = true;
	assert_int_equal(webhook_deliver_due(f->s, 10, &o, &sent), P_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(rx_count(&r), 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE attempts = 1 "
	    "AND delivered_at IS NULL AND last_status = 500 AND "
	    "next_attempt_at >= strftime('%s', 'now') + 25"), 1);
	/* The headers: id of the row, a fresh timestamp, a valid signature. */
	assert_non_null(rx_header(r.got[0], "webhook-id", id, sizeof(id)));
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE event_id = "
	    "(SELECT event_id FROM outbox LIMIT 1)"), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE "
	    "event_id = '%.40s'", id);
	assert_int_equal(q1(f, sql), 1);
	assert_non_null(rx_header(r.got[0], "webhook-timestamp", ts,
	    sizeof(ts)));
	assert_true(llabs(strtoll(ts, NULL, 10) - (long long)time(NULL)) < 10);
	assert_non_null(rx_header(r.got[0], "webhook-signature", sig,
	    sizeof(sig)));
	body = strstr(r.got[0], "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_non_null(strstr(body, "\"type\":\"block.created\""));
	expected_sig("c2VjcmV0LWZvci10aGUtdGVzdA==", id, ts, body, want,
	    sizeof(want));
	assert_string_equal(sig, want);
	assert_non_null(strcasestr(r.got[0], "content-type: application/json"));

	/* Not due yet: nothing is sent. */
	assert_int_equal(webhook_deliver_due(f->s, 10, &o, &sent), P_OK);
	assert_int_equal(rx_count(&r), 1);

	/* A restart: a new connection finds the row in the table. */
	exec_raw(f, "UPDATE outbox SET next_attempt_at = 0");
	s2 = store_open(f->path, false, err, sizeof(err));
	assert_non_null(s2);
	assert_int_equal(webhook_deliver_due(s2, 10, &o, &sent), P_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(rx_count(&r), 2);
	assert_non_null(rx_header(r.got[1], "webhook-id", sql, sizeof(sql)));
	assert_string_equal(sql, id);	/* same id on the retry */
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE attempts = 2 "
	    "AND delivered_at IS NOT NULL AND last_status = 200"), 1);
	assert_int_equal(webhook_deliver_due(s2, 10, &o, &sent), P_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(rx_count(&r), 2);
	store_close(s2);

	/* The worker thread delivers a new event without being called. */
	struct webhook_worker	*w;
	int			 i;

	w = webhook_worker_start(f->path, &o, 50);
	assert_non_null(w);
	new_block(f, UB_MAILBOX, UB_QUOTA, 0, NULL);
	webhook_worker_kick(w);
	for (i = 0; i < 200 && rx_count(&r) < 3; i++)
		usleep(20000);
	webhook_worker_stop(w);
	assert_int_equal(rx_count(&r), 3);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE "
	    "delivered_at IS NOT NULL"), 2);

	/* Giving up after max_attempts (the receiver answers 503). */
	o.max_attempts = 1;
	new_block(f, UB_MAILBOX, UB_QUOTA, 0, NULL);
	assert_int_equal(webhook_deliver_due(f->s, 10, &o, &sent), P_OK);
	assert_int_equal(rx_count(&r), 4);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox WHERE failed_at "
	    "IS NOT NULL AND last_status = 503 AND delivered_at IS NULL"), 1);
	exec_raw(f, "UPDATE outbox SET next_attempt_at = 0");
	assert_int_equal(webhook_deliver_due(f->s, 10, &o, &sent), P_OK);
	assert_int_equal(rx_count(&r), 4);
	rx_stop(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_machine),
		cmocka_unit_test(test_block_machine),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_checklist),
		cmocka_unit_test(test_checklist_json),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reject_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_open_request, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_immutable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_escalation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_policy_settings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_fanout_and_rollback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test(test_webhook_sign),
		cmocka_unit_test(test_webhook_rules),
		cmocka_unit_test_setup_teardown(test_webhook_delivery, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
