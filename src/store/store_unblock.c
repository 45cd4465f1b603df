/* src/store/store_unblock.c - accounts, blocks, unblock requests, audit
 * events and the outbox queue. Transitions call these inside the caller's
 * transaction (src/unblock/unblock.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/unblock.h"
#include "bouncedesk/webhook.h"
#include "store_int.h"

static const char SQL_ACCOUNT_INSERT[] =
    "INSERT INTO accounts (ext_id, name, contact_email, lang, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ACCOUNT_GET[] =
    "SELECT id, ext_id, name, contact_email, lang, created_at "
    "FROM accounts WHERE id = ?1";
static const char SQL_ACCOUNT_BY_EXT[] =
    "SELECT id, ext_id, name, contact_email, lang, created_at "
    "FROM accounts WHERE ext_id = ?1";
static const char SQL_ACCOUNT_LIST[] =
    "SELECT id, ext_id, name, contact_email, lang, created_at "
    "FROM accounts WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_DOMAIN_INSERT[] =
    "INSERT INTO domains (account_id, name) VALUES (?1, ?2)";
static const char SQL_MAILBOX_INSERT[] =
    "INSERT INTO mailboxes (account_id, address) VALUES (?1, ?2)";
static const char SQL_DOMAIN_NAMES[] =
    "SELECT name FROM domains WHERE account_id = ?1 ORDER BY name";
static const char SQL_MAILBOX_NAMES[] =
    "SELECT address FROM mailboxes WHERE account_id = ?1 ORDER BY address";

#define BLOCK_COLS \
    "id, account_id, target_kind, target, cause, figures, started_at, " \
    "state, repeat_count, updated_at"
static const char SQL_BLOCK_INSERT[] =
    "INSERT INTO blocks (account_id, target_kind, target, cause, figures, "
    "started_at, state, repeat_count, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_BLOCK_GET[] =
    "SELECT " BLOCK_COLS " FROM blocks WHERE id = ?1";
static const char SQL_BLOCK_SET_STATE[] =
    "UPDATE blocks SET state = ?3, updated_at = ?4 "
    "WHERE id = ?1 AND state = ?2";
static const char SQL_BLOCK_COUNT_SINCE[] =
    "SELECT count(*) FROM blocks WHERE account_id = ?1 AND started_at >= ?2";
static const char SQL_BLOCK_LIST[] =
    "SELECT " BLOCK_COLS " FROM blocks WHERE (?1 = 0 OR account_id = ?1) "
    "AND (?2 IS NULL OR state = ?2) AND id > ?3 AND updated_at >= ?5 "
    "ORDER BY id LIMIT ?4";

#define REQUEST_COLS \
    "id, block_id, account_id, self_sent, answers, message, state, " \
    "decision_comment, created_at, updated_at"
static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO unblock_requests (block_id, account_id, self_sent, "
    "answers, message, state, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
static const char SQL_REQUEST_GET[] =
    "SELECT " REQUEST_COLS " FROM unblock_requests WHERE id = ?1";
static const char SQL_REQUEST_SET_STATE[] =
    "UPDATE unblock_requests SET state = ?3, updated_at = ?4, "
    "decision_comment = coalesce(?5, decision_comment) "
    "WHERE id = ?1 AND state = ?2";
static const char SQL_REQUEST_LIST[] =
    "SELECT " REQUEST_COLS " FROM unblock_requests "
    "WHERE (?1 = 0 OR account_id = ?1) AND (?2 IS NULL OR state = ?2) "
    "AND id > ?3 AND updated_at >= ?5 ORDER BY id LIMIT ?4";

#define AUDIT_COLS \
    "id, at, actor_kind, actor_id, actor_name, remote_addr, account_id, " \
    "block_id, request_id, action, from_state, to_state, detail"
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, "
    "remote_addr, account_id, block_id, request_id, action, from_state, "
    "to_state, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12)";
static const char SQL_AUDIT_LIST[] =
    "SELECT " AUDIT_COLS " FROM audit_events "
    "WHERE (?1 = 0 OR account_id = ?1) AND (?2 = 0 OR request_id = ?2) "
    "AND id > ?3 AND at >= ?5 ORDER BY id LIMIT ?4";

/* One row per active endpoint that takes this type ("*" takes all). */
static const char SQL_OUTBOX_ENQUEUE[] =
    "INSERT INTO outbox (event_id, event_type, payload, endpoint_id, "
    "created_at, next_attempt_at) "
    "SELECT ?1, ?2, ?3, id, ?4, ?4 FROM webhook_endpoints WHERE active = 1 "
    "AND (events = '*' OR instr(',' || replace(events, ' ', '') || ',', "
    "',' || ?2 || ',') > 0)";
/* Customer mail about requests, in the same transaction (008_mail.sql). */
static const char SQL_MAIL_ENQUEUE[] =
    "INSERT OR IGNORE INTO mail_outbox (event_id, event_type, payload, "
    "created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?4)";
static const char SQL_SETTING_GET[] =
    "SELECT value FROM settings WHERE key = ?1";

/* Steps a write; maps constraint failures to P_ECONFLICT. */
static void
bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_opt_id(sqlite3_stmt *st, int i, long long v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* Arrays grow in the arena: lists are short (UB_LIST_MAX). */
static int
list_limit(const struct ub_filter *f)
{
	if (f->limit <= 0 || f->limit > UB_LIST_MAX)
		return UB_LIST_MAX;
	return f->limit;
}

/* The lists of blocks, requests and audit events share their parameters:
 * ?1 the account (0: all), ?2 what the caller binds, ?3 the cursor (ids
 * after it), ?4 the limit, ?5 changed at or after. */
static sqlite3_stmt *
list_stmt(struct store *s, const char *sql, const struct ub_filter *f,
    int lim, long long since)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, f->account_id);
	sqlite3_bind_int64(st, 3, f->after);
	sqlite3_bind_int(st, 4, lim);
	sqlite3_bind_int64(st, 5, since);
	return st;
}

/* ---- accounts ---- */

static int
account_row(struct arena *a, sqlite3_stmt *st, struct ub_account *ac)
{
	ac->id = sqlite3_column_int64(st, 0);
	ac->ext_id = store_col_str(a, st, 1);
	ac->name = store_col_str(a, st, 2);
	ac->contact_email = store_col_str(a, st, 3);
	ac->lang = store_col_str(a, st, 4);
	ac->created_at = sqlite3_column_int64(st, 5);
	if (ac->ext_id == NULL || ac->name == NULL ||
	    ac->contact_email == NULL || ac->lang == NULL)
		return P_ENOMEM;
	return P_OK;
}

int
store_account_insert(struct store *s, struct ub_account *ac)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_ACCOUNT_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, ac->ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ac->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ac->contact_email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ac->lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ac->created_at);
	rc = store_step_fk(st);
	if (rc == P_OK)
		ac->id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_account_get(struct store *s, struct arena *a, long long id,
    struct ub_account *ac)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_ACCOUNT_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = account_row(a, st, ac);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_account_find_ext(struct store *s, struct arena *a, const char *ext_id,
    struct ub_account *ac)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_ACCOUNT_BY_EXT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = account_row(a, st, ac);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_account_list(struct store *s, struct arena *a,
    const struct ub_filter *f, struct ub_account **out, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc, lim = list_limit(f);

	*n = 0;
	*out = arena_calloc(a, (size_t)lim, sizeof(**out));
	if (*out == NULL)
		return P_ENOMEM;
	if ((st = store_stmt(s, SQL_ACCOUNT_LIST)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, f->after);
	sqlite3_bind_int(st, 2, lim);
	rc = P_OK;
	while (rc == P_OK && (size_t)lim > *n) {
		int	 r = sqlite3_step(st);

		if (r == SQLITE_DONE)
			break;
		if (r != SQLITE_ROW) {
			rc = P_EDB;
			break;
		}
		rc = account_row(a, st, &(*out)[(*n)++]);
	}
	sqlite3_reset(st);
	return rc;
}

int
store_domain_insert(struct store *s, long long account_id, const char *name)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_DOMAIN_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return store_step_fk(st);
}

int
store_mailbox_insert(struct store *s, long long account_id,
    const char *address)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_MAILBOX_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	return store_step_fk(st);
}

int
store_account_names(struct store *s, struct arena *a, long long account_id,
    bool mailboxes, const char ***names, size_t *n)
{
	sqlite3_stmt	*st;
	const char	**v = NULL, **nv;
	size_t		 cap = 0;
	int		 r, rc = P_OK;

	*n = 0;
	st = store_stmt(s, mailboxes ? SQL_MAILBOX_NAMES : SQL_DOMAIN_NAMES);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			nv = arena_calloc(a, cap, sizeof(*nv));
			if (nv == NULL) {
				rc = P_ENOMEM;
				break;
			}
			if (*n > 0)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		if ((v[*n] = store_col_str(a, st, 0)) == NULL) {
			rc = P_ENOMEM;
			break;
		}
		(*n)++;
	}
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	*names = v;
	return rc;
}

/* ---- blocks ---- */

static int
block_row(struct arena *a, sqlite3_stmt *st, struct ub_block *b)
{
	const char	*kind, *cause, *state;

	b->id = sqlite3_column_int64(st, 0);
	b->account_id = sqlite3_column_int64(st, 1);
	kind = (const char *)sqlite3_column_text(st, 2);
	if (kind == NULL || ub_target_parse(kind, &b->target_kind) != P_OK)
		return P_EDB;
	b->target = store_col_str(a, st, 3);
	cause = (const char *)sqlite3_column_text(st, 4);
	if (cause == NULL || ub_cause_parse(cause, &b->cause) != P_OK)
		return P_EDB;
	b->figures = store_col_str(a, st, 5);
	b->started_at = sqlite3_column_int64(st, 6);
	state = (const char *)sqlite3_column_text(st, 7);
	if (state == NULL || ub_block_state_parse(state, &b->state) != P_OK)
		return P_EDB;
	b->repeat_count = sqlite3_column_int64(st, 8);
	b->updated_at = sqlite3_column_int64(st, 9);
	return b->target != NULL && b->figures != NULL ? P_OK : P_ENOMEM;
}

int
store_block_insert(struct store *s, struct ub_block *b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_BLOCK_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, b->account_id);
	sqlite3_bind_text(st, 2, ub_target_name(b->target_kind), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ub_cause_name(b->cause), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->figures != NULL ? b->figures : "{}", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, b->started_at);
	sqlite3_bind_text(st, 7, ub_block_state_name(b->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, b->repeat_count);
	sqlite3_bind_int64(st, 9, b->updated_at);
	rc = store_step_fk(st);
	if (rc == P_OK)
		b->id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_block_get(struct store *s, struct arena *a, long long id,
    struct ub_block *b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_BLOCK_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = block_row(a, st, b);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_block_set_state(struct store *s, long long id, enum ub_block_state from,
    enum ub_block_state to, long long now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_BLOCK_SET_STATE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ub_block_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ub_block_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step_fk(st);
	if (rc == P_OK && sqlite3_changes(store_db(s)) != 1)
		rc = P_ECONFLICT;
	return rc;
}

int
store_block_count_since(struct store *s, long long account_id,
    long long since, long long *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_BLOCK_COUNT_SINCE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = P_OK;
	} else
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_block_list(struct store *s, struct arena *a, const struct ub_filter *f,
    struct ub_block **out, size_t *n)
{
	return store_block_list_since(s, a, f, 0, out, n);
}

int
store_block_list_since(struct store *s, struct arena *a,
    const struct ub_filter *f, long long since, struct ub_block **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	int		 r, rc = P_OK, lim = list_limit(f);

	*n = 0;
	if ((*out = arena_calloc(a, (size_t)lim, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = list_stmt(s, SQL_BLOCK_LIST, f, lim, since)) == NULL)
		return P_EDB;
	if (f->state >= 0)
		sqlite3_bind_text(st, 2, ub_block_state_name(f->state), -1,
		    SQLITE_STATIC);
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = block_row(a, st, &(*out)[(*n)++]);
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* ---- requests ---- */

static int
request_row(struct arena *a, sqlite3_stmt *st, struct ub_request *r)
{
	const char	*state;

	r->id = sqlite3_column_int64(st, 0);
	r->block_id = sqlite3_column_int64(st, 1);
	r->account_id = sqlite3_column_int64(st, 2);
	r->self_sent = sqlite3_column_int(st, 3) != 0;
	r->answers = store_col_str(a, st, 4);
	r->message = store_col_str(a, st, 5);
	state = (const char *)sqlite3_column_text(st, 6);
	if (state == NULL || ub_req_state_parse(state, &r->state) != P_OK)
		return P_EDB;
	r->decision_comment = store_col_str(a, st, 7);
	r->created_at = sqlite3_column_int64(st, 8);
	r->updated_at = sqlite3_column_int64(st, 9);
	return r->answers != NULL && r->message != NULL ? P_OK : P_ENOMEM;
}

int
store_request_insert(struct store *s, struct ub_request *r)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_REQUEST_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, r->block_id);
	sqlite3_bind_int64(st, 2, r->account_id);
	sqlite3_bind_int(st, 3, r->self_sent ? 1 : 0);
	sqlite3_bind_text(st, 4, r->answers, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->message != NULL ? r->message : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ub_req_state_name(r->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->created_at);
	rc = store_step_fk(st);
	if (rc == P_OK)
		r->id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_request_get(struct store *s, struct arena *a, long long id,
    struct ub_request *r)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_REQUEST_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = request_row(a, st, r);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_request_set_state(struct store *s, long long id, enum ub_req_state from,
    enum ub_req_state to, const char *comment, long long now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_REQUEST_SET_STATE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ub_req_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ub_req_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	bind_opt_text(st, 5, comment);
	rc = store_step_fk(st);
	if (rc == P_OK && sqlite3_changes(store_db(s)) != 1)
		rc = P_ECONFLICT;
	return rc;
}

int
store_request_list(struct store *s, struct arena *a,
    const struct ub_filter *f, struct ub_request **out, size_t *n)
{
	return store_request_list_since(s, a, f, 0, out, n);
}

int
store_request_list_since(struct store *s, struct arena *a,
    const struct ub_filter *f, long long since, struct ub_request **out,
    size_t *n)
{
	sqlite3_stmt	*st;
	int		 r, rc = P_OK, lim = list_limit(f);

	*n = 0;
	if ((*out = arena_calloc(a, (size_t)lim, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = list_stmt(s, SQL_REQUEST_LIST, f, lim, since)) == NULL)
		return P_EDB;
	if (f->state >= 0)
		sqlite3_bind_text(st, 2, ub_req_state_name(f->state), -1,
		    SQLITE_STATIC);
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = request_row(a, st, &(*out)[(*n)++]);
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* ---- audit ---- */

int
store_audit_insert(struct store *s, const struct ub_audit *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_AUDIT_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, e->at);
	sqlite3_bind_text(st, 2, e->actor_kind, -1, SQLITE_STATIC);
	bind_opt_id(st, 3, e->actor_id);
	sqlite3_bind_text(st, 4, e->actor_name, -1, SQLITE_STATIC);
	bind_opt_text(st, 5, e->remote_addr);
	bind_opt_id(st, 6, e->account_id);
	bind_opt_id(st, 7, e->block_id);
	bind_opt_id(st, 8, e->request_id);
	sqlite3_bind_text(st, 9, e->action, -1, SQLITE_STATIC);
	bind_opt_text(st, 10, e->from_state);
	bind_opt_text(st, 11, e->to_state);
	sqlite3_bind_text(st, 12, e->detail != NULL ? e->detail : "{}", -1,
	    SQLITE_STATIC);
	return store_step_fk(st);
}

static int
audit_row(struct arena *a, sqlite3_stmt *st, struct ub_audit *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->at = sqlite3_column_int64(st, 1);
	e->actor_kind = store_col_str(a, st, 2);
	e->actor_id = sqlite3_column_int64(st, 3);
	e->actor_name = store_col_str(a, st, 4);
	e->remote_addr = store_col_str(a, st, 5);
	e->account_id = sqlite3_column_int64(st, 6);
	e->block_id = sqlite3_column_int64(st, 7);
	e->request_id = sqlite3_column_int64(st, 8);
	e->action = store_col_str(a, st, 9);
	e->from_state = store_col_str(a, st, 10);
	e->to_state = store_col_str(a, st, 11);
	e->detail = store_col_str(a, st, 12);
	return e->actor_kind != NULL && e->actor_name != NULL &&
	    e->action != NULL && e->detail != NULL ? P_OK : P_ENOMEM;
}

int
store_audit_list(struct store *s, struct arena *a, const struct ub_filter *f,
    long long request_id, struct ub_audit **out, size_t *n)
{
	return store_audit_list_since(s, a, f, request_id, 0, out, n);
}

int
store_audit_list_since(struct store *s, struct arena *a,
    const struct ub_filter *f, long long request_id, long long since,
    struct ub_audit **out, size_t *n)
{
	sqlite3_stmt	*st;
	int		 r, rc = P_OK, lim = list_limit(f);

	*n = 0;
	if ((*out = arena_calloc(a, (size_t)lim, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = list_stmt(s, SQL_AUDIT_LIST, f, lim, since)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 2, request_id);
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = audit_row(a, st, &(*out)[(*n)++]);
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* ---- outbox and settings ---- */

int
store_outbox_enqueue(struct store *s, const char *event_id, const char *type,
    const char *payload, long long now, int *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_OUTBOX_ENQUEUE)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step_fk(st);
	if (rc == P_OK && n != NULL)
		*n = sqlite3_changes(store_db(s));
	if (rc != P_OK || strncmp(type, "request.", 8) != 0)
		return rc;
	/* The customer hears of every change of their request. */
	if ((st = store_stmt(s, SQL_MAIL_ENQUEUE)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return store_step_fk(st);
}

int
store_setting_long(struct store *s, const char *key, long def, long *out)
{
	sqlite3_stmt	*st;
	const char	*v;
	char		*end;
	long		 n;
	int		 rc;

	*out = def;
	if ((st = store_stmt(s, SQL_SETTING_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		if (v != NULL) {
			errno = 0;
			n = strtol(v, &end, 10);
			if (errno == 0 && end != v && *end == '\0')
				*out = n;
		}
		rc = P_OK;
	} else
		rc = rc == SQLITE_DONE ? P_OK : P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* ---- webhook endpoints and delivery ---- */

static const char SQL_ENDPOINT_INSERT[] =
    "INSERT INTO webhook_endpoints (url, secret, events, created_at) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char SQL_ENDPOINT_LIST[] =
    "SELECT id, url, events, active, created_at FROM webhook_endpoints "
    "ORDER BY id LIMIT 1000";
static const char SQL_OUTBOX_DUE[] =
    "SELECT o.id, o.event_id, o.event_type, o.payload, e.url, e.secret, "
    "o.attempts FROM outbox o JOIN webhook_endpoints e "
    "ON e.id = o.endpoint_id WHERE o.delivered_at IS NULL AND "
    "o.failed_at IS NULL AND o.next_attempt_at <= ?1 "
    "ORDER BY o.next_attempt_at, o.id LIMIT ?2";
static const char SQL_OUTBOX_LEASE[] =
    "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_OUTBOX_DELIVERED[] =
    "UPDATE outbox SET delivered_at = ?2, last_status = ?3, "
    "attempts = attempts + 1, last_error = NULL WHERE id = ?1";
static const char SQL_OUTBOX_FAILED[] =
    "UPDATE outbox SET attempts = ?2, next_attempt_at = "
    "CASE WHEN ?3 = 0 THEN next_attempt_at ELSE ?3 END, "
    "failed_at = CASE WHEN ?3 = 0 THEN ?4 ELSE NULL END, "
    "last_status = ?5, last_error = ?6 WHERE id = ?1";

int
store_webhook_endpoint_insert(struct store *s, const char *url,
    const char *secret, const char *events, long long now, long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_ENDPOINT_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, events != NULL ? events : "*", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step_fk(st);
	if (rc == P_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_webhook_endpoint_list(struct store *s, struct arena *a,
    struct webhook_endpoint **out, size_t *n)
{
	sqlite3_stmt		*st;
	struct webhook_endpoint	*v = NULL, *nv;
	size_t			 cap = 0;
	int			 r, rc = P_OK;

	*n = 0;
	if ((st = store_stmt(s, SQL_ENDPOINT_LIST)) == NULL)
		return P_EDB;
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = arena_calloc(a, cap, sizeof(*nv))) == NULL) {
				rc = P_ENOMEM;
				break;
			}
			if (*n > 0)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].url = store_col_str(a, st, 1);
		v[*n].events = store_col_str(a, st, 2);
		v[*n].active = sqlite3_column_int(st, 3) != 0;
		v[*n].created_at = sqlite3_column_int64(st, 4);
		if (v[*n].url == NULL || v[*n].events == NULL)
			rc = P_ENOMEM;
		(*n)++;
	}
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	*out = v;
	return rc;
}

int
store_outbox_due(struct store *s, struct arena *a, long long now,
    long long lease, int max, struct webhook_delivery **out, size_t *n)
{
	sqlite3_stmt		*st;
	struct webhook_delivery	*v;
	size_t			 i;
	int			 r, rc = P_OK;

	*n = 0;
	if (max <= 0)
		max = 1;
	if ((v = arena_calloc(a, (size_t)max, sizeof(*v))) == NULL)
		return P_ENOMEM;
	*out = v;
	if (store_begin(s) != P_OK)
		return P_EDB;
	if ((st = store_stmt(s, SQL_OUTBOX_DUE)) == NULL) {
		store_rollback(s);
		return P_EDB;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].event_id = store_col_str(a, st, 1);
		v[*n].event_type = store_col_str(a, st, 2);
		v[*n].payload = store_col_str(a, st, 3);
		v[*n].url = store_col_str(a, st, 4);
		v[*n].secret = store_col_str(a, st, 5);
		v[*n].attempts = sqlite3_column_int(st, 6);
		if (v[*n].event_id == NULL || v[*n].payload == NULL ||
		    v[*n].url == NULL || v[*n].secret == NULL ||
		    v[*n].event_type == NULL)
			rc = P_ENOMEM;
		(*n)++;
	}
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	/* The lease: a crash during the send makes the row due again. */
	for (i = 0; rc == P_OK && i < *n; i++) {
		if ((st = store_stmt(s, SQL_OUTBOX_LEASE)) == NULL) {
			rc = P_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, v[i].id);
		sqlite3_bind_int64(st, 2, now + lease);
		rc = store_step_fk(st);
	}
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK) {
		store_rollback(s);
		*n = 0;
	}
	return rc;
}

int
store_outbox_delivered(struct store *s, long long id, long long now,
    int status)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_OUTBOX_DELIVERED)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, status);
	return store_step_fk(st);
}

int
store_outbox_failed(struct store *s, long long id, int attempts,
    long long next, long long now, int status, const char *error)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_OUTBOX_FAILED)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next);
	sqlite3_bind_int64(st, 4, now);
	if (status > 0)
		sqlite3_bind_int(st, 5, status);
	bind_opt_text(st, 6, error);
	return store_step_fk(st);
}
