/* src/store/store_reports.c - filter reports with their tests and checks,
 * the retention purge, the review and false-positive marks, and the
 * trend counts of the staff views. */
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/reports.h"
#include "store_int.h"

#define REPORT_COLS \
    "r.id, r.account_id, a.ext_id, r.sender, r.recipients, r.subject, " \
    "r.message_id, r.sent_at, r.score, r.threshold, r.relay, r.ip, " \
    "r.headers, r.created_at, r.review_at, r.review_reason, " \
    "r.review_note, r.fp_at, r.fp_by, r.fp_note"

static const char SQL_REPORT_INSERT[] =
    "INSERT INTO filter_reports (account_id, sender, recipients, subject, "
    "message_id, sent_at, score, threshold, relay, ip, headers, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12)";
static const char SQL_TEST_INSERT[] =
    "INSERT INTO filter_report_tests (report_id, name, score) "
    "VALUES (?1, ?2, ?3)";
static const char SQL_CHECK_INSERT[] =
    "INSERT INTO filter_report_checks (report_id, pos, check_id, detail) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char SQL_REPORT_PURGE[] =
    "DELETE FROM filter_reports WHERE created_at < ?1";
static const char SQL_REPORT_GET[] =
    "SELECT " REPORT_COLS " FROM filter_reports r "
    "JOIN accounts a ON a.id = r.account_id WHERE r.id = ?1";
static const char SQL_TESTS_OF[] =
    "SELECT name, score FROM filter_report_tests WHERE report_id = ?1 "
    "ORDER BY score DESC, name";
static const char SQL_CHECKS_OF[] =
    "SELECT check_id, detail FROM filter_report_checks "
    "WHERE report_id = ?1 ORDER BY pos";
/* The list: the counts and the strongest test ride along. */
static const char SQL_REPORT_LIST[] =
    "SELECT " REPORT_COLS ", "
    "(SELECT count(*) FROM filter_report_tests t WHERE t.report_id = r.id), "
    "(SELECT count(*) FROM filter_report_checks c "
    "WHERE c.report_id = r.id), "
    "(SELECT name FROM filter_report_tests t WHERE t.report_id = r.id "
    "ORDER BY score DESC, name LIMIT 1), "
    "(SELECT max(score) FROM filter_report_tests t "
    "WHERE t.report_id = r.id) "
    "FROM filter_reports r JOIN accounts a ON a.id = r.account_id "
    "WHERE (?1 = 0 OR r.account_id = ?1) AND (?2 = 0 OR r.id < ?2) "
    "ORDER BY r.id DESC LIMIT ?3";
static const char SQL_SET_REVIEW[] =
    "UPDATE filter_reports SET review_at = ?2, review_reason = ?3, "
    "review_note = ?4 WHERE id = ?1 AND review_at IS NULL";
static const char SQL_SET_FP[] =
    "UPDATE filter_reports SET fp_at = ?2, fp_by = ?3, fp_note = ?4 "
    "WHERE id = ?1 AND fp_at IS NULL";
static const char SQL_EXISTS[] =
    "SELECT 1 FROM filter_reports WHERE id = ?1";
static const char SQL_COUNT_SINCE[] =
    "SELECT count(*) FROM filter_reports WHERE account_id = ?1 "
    "AND created_at >= ?2";
static const char SQL_TREND_TOTAL[] =
    "SELECT count(*), count(DISTINCT account_id) FROM filter_reports "
    "WHERE created_at >= ?1";
/* Tests that pushed a message over: only those that added points. */
static const char SQL_TREND_TESTS[] =
    "SELECT t.name, NULL, count(*), sum(t.score) FROM filter_report_tests t "
    "JOIN filter_reports r ON r.id = t.report_id "
    "WHERE r.created_at >= ?1 AND t.score > 0 "
    "GROUP BY t.name ORDER BY count(*) DESC, sum(t.score) DESC, t.name "
    "LIMIT ?2";
static const char SQL_TREND_CHECKS[] =
    "SELECT c.check_id, NULL, count(DISTINCT c.report_id), 0 "
    "FROM filter_report_checks c "
    "JOIN filter_reports r ON r.id = c.report_id "
    "WHERE r.created_at >= ?1 GROUP BY c.check_id "
    "ORDER BY count(DISTINCT c.report_id) DESC, c.check_id LIMIT ?2";
static const char SQL_TREND_ACCOUNTS[] =
    "SELECT a.ext_id, a.name, count(*), avg(r.score) FROM filter_reports r "
    "JOIN accounts a ON a.id = r.account_id WHERE r.created_at >= ?1 "
    "GROUP BY r.account_id ORDER BY count(*) DESC, a.ext_id LIMIT ?2";

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* The recipients as a JSON array text (malloc'd by json-c: copied). */
static char *
rcpts_json(struct arena *a, const struct rp_report *r)
{
	struct json_object	*arr;
	char			*s;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < r->nrcpts; i++)
		json_object_array_add(arr, json_object_new_string(r->rcpts[i]));
	s = arena_strdup(a, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return s;
}

int
store_report_insert(struct store *s, struct rp_report *r)
{
	sqlite3_stmt	*st;
	struct arena	*a;
	char		*rc_json;
	size_t		 i;
	int		 rc;

	if ((a = arena_new(0)) == NULL)
		return P_ENOMEM;
	if ((rc_json = rcpts_json(a, r)) == NULL) {
		arena_free(a);
		return P_ENOMEM;
	}
	if ((st = store_stmt(s, SQL_REPORT_INSERT)) == NULL) {
		arena_free(a);
		return P_EDB;
	}
	sqlite3_bind_int64(st, 1, r->account_id);
	sqlite3_bind_text(st, 2, r->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rc_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->subject != NULL ? r->subject : "", -1,
	    SQLITE_STATIC);
	bind_opt(st, 5, r->message_id);
	sqlite3_bind_int64(st, 6, r->sent_at);
	sqlite3_bind_double(st, 7, r->score);
	sqlite3_bind_double(st, 8, r->threshold);
	bind_opt(st, 9, r->relay);
	sqlite3_bind_text(st, 10, r->ip, -1, SQLITE_STATIC);
	bind_opt(st, 11, r->headers);
	sqlite3_bind_int64(st, 12, r->created_at);
	rc = store_step_fk(st);
	arena_free(a);
	if (rc != P_OK)
		return rc;
	r->id = sqlite3_last_insert_rowid(store_db(s));
	for (i = 0; rc == P_OK && i < r->ntests; i++) {
		if ((st = store_stmt(s, SQL_TEST_INSERT)) == NULL)
			return P_EDB;
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, r->tests[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, r->tests[i].score);
		rc = store_step_fk(st);
	}
	for (i = 0; rc == P_OK && i < r->nchecks; i++) {
		if ((st = store_stmt(s, SQL_CHECK_INSERT)) == NULL)
			return P_EDB;
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, (long long)i);
		sqlite3_bind_text(st, 3, r->checks[i].id, -1, SQLITE_STATIC);
		bind_opt(st, 4, r->checks[i].detail);
		rc = store_step_fk(st);
	}
	return rc;
}

int
store_report_purge(struct store *s, long long before, int *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_REPORT_PURGE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, before);
	rc = store_step_fk(st);
	if (rc == P_OK && n != NULL)
		*n = sqlite3_changes(store_db(s));
	return rc;
}

/* Parses the stored recipients array into the arena. */
static int
rcpts_parse(struct arena *a, const char *text, struct rp_report *r)
{
	struct json_object	*arr, *v;
	size_t			 i, n;
	int			 rc = P_OK;

	r->rcpts = NULL;
	r->nrcpts = 0;
	if (text == NULL || (arr = json_tokener_parse(text)) == NULL)
		return P_EDB;
	if (!json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return P_EDB;
	}
	n = json_object_array_length(arr);
	if (n > 0 && (r->rcpts = arena_calloc(a, n, sizeof(*r->rcpts))) ==
	    NULL)
		rc = P_ENOMEM;
	for (i = 0; rc == P_OK && i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if ((r->rcpts[i] = arena_strdup(a, json_object_get_string(v))) ==
		    NULL)
			rc = P_ENOMEM;
		r->nrcpts++;
	}
	json_object_put(arr);
	return rc;
}

static long long
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(st, i);
}

static int
report_row(struct arena *a, sqlite3_stmt *st, struct rp_report *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->account_id = sqlite3_column_int64(st, 1);
	r->account_ext = store_col_str(a, st, 2);
	r->sender = store_col_str(a, st, 3);
	if (rcpts_parse(a, (const char *)sqlite3_column_text(st, 4), r) !=
	    P_OK)
		return P_ENOMEM;
	r->subject = store_col_str(a, st, 5);
	r->message_id = store_col_str(a, st, 6);
	r->sent_at = sqlite3_column_int64(st, 7);
	r->score = sqlite3_column_double(st, 8);
	r->threshold = sqlite3_column_double(st, 9);
	r->relay = store_col_str(a, st, 10);
	r->ip = store_col_str(a, st, 11);
	r->headers = store_col_str(a, st, 12);
	r->created_at = sqlite3_column_int64(st, 13);
	r->review_at = col_time(st, 14);
	r->review_reason = store_col_str(a, st, 15);
	r->review_note = store_col_str(a, st, 16);
	r->fp_at = col_time(st, 17);
	r->fp_by = store_col_str(a, st, 18);
	r->fp_note = store_col_str(a, st, 19);
	if (r->account_ext == NULL || r->sender == NULL || r->subject == NULL ||
	    r->ip == NULL)
		return P_ENOMEM;
	return P_OK;
}

/* Fills r's tests (highest first) and checks. */
static int
report_parts(struct store *s, struct arena *a, struct rp_report *r)
{
	sqlite3_stmt	*st;
	struct rp_test	*t = NULL, *nt;
	struct rp_check	*c = NULL, *nc;
	size_t		 cap = 0;
	int		 x, rc = P_OK;

	if ((st = store_stmt(s, SQL_TESTS_OF)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, r->id);
	while (rc == P_OK && (x = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->ntests == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nt = arena_calloc(a, cap, sizeof(*nt))) == NULL) {
				rc = P_ENOMEM;
				break;
			}
			if (r->ntests > 0)
				memcpy(nt, t, r->ntests * sizeof(*nt));
			t = nt;
		}
		t[r->ntests].name = store_col_str(a, st, 0);
		t[r->ntests].score = sqlite3_column_double(st, 1);
		if (t[r->ntests++].name == NULL)
			rc = P_ENOMEM;
	}
	if (rc == P_OK && x != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	r->tests = t;
	if (rc != P_OK)
		return rc;
	if ((st = store_stmt(s, SQL_CHECKS_OF)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, r->id);
	cap = 0;
	while (rc == P_OK && (x = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nchecks == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((nc = arena_calloc(a, cap, sizeof(*nc))) == NULL) {
				rc = P_ENOMEM;
				break;
			}
			if (r->nchecks > 0)
				memcpy(nc, c, r->nchecks * sizeof(*nc));
			c = nc;
		}
		c[r->nchecks].id = store_col_str(a, st, 0);
		c[r->nchecks].detail = store_col_str(a, st, 1);
		if (c[r->nchecks++].id == NULL)
			rc = P_ENOMEM;
	}
	if (rc == P_OK && x != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	r->checks = c;
	return rc;
}

int
store_report_get(struct store *s, struct arena *a, long long id,
    struct rp_report *r)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_REPORT_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = report_row(a, st, r);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	if (rc != P_OK)
		return rc;
	return report_parts(s, a, r);
}

int
store_report_list(struct store *s, struct arena *a, const struct rp_filter *f,
    struct rp_report **out, size_t *n)
{
	sqlite3_stmt	*st;
	struct rp_report *r;
	int		 x, rc = P_OK, lim;

	*n = 0;
	lim = f->limit <= 0 || f->limit > RP_LIST_MAX ? RP_LIST_MAX : f->limit;
	if ((*out = arena_calloc(a, (size_t)lim, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = store_stmt(s, SQL_REPORT_LIST)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, f->account_id);
	sqlite3_bind_int64(st, 2, f->before);
	sqlite3_bind_int(st, 3, lim);
	while (rc == P_OK && (x = sqlite3_step(st)) == SQLITE_ROW) {
		r = &(*out)[(*n)++];
		if ((rc = report_row(a, st, r)) != P_OK)
			break;
		r->ntests = (size_t)sqlite3_column_int64(st, 20);
		r->nchecks = (size_t)sqlite3_column_int64(st, 21);
		if (sqlite3_column_type(st, 22) != SQLITE_NULL) {
			if ((r->tests = arena_calloc(a, 1, sizeof(*r->tests))) ==
			    NULL ||
			    (r->tests->name = store_col_str(a, st, 22)) == NULL)
				rc = P_ENOMEM;
			else
				r->tests->score = sqlite3_column_double(st, 23);
		}
	}
	if (rc == P_OK && x != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* An UPDATE ... WHERE not yet set: P_ECONFLICT when it was, P_ENOTFOUND
 * when there is no such report. */
static int
set_once(struct store *s, sqlite3_stmt *st, long long id)
{
	int	 rc;

	if ((rc = store_step_fk(st)) != P_OK)
		return rc;
	if (sqlite3_changes(store_db(s)) == 1)
		return P_OK;
	if ((st = store_stmt(s, SQL_EXISTS)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return P_ECONFLICT;
	return rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
}

int
store_report_set_review(struct store *s, long long id, long long now,
    const char *reason, const char *note)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SET_REVIEW)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	bind_opt(st, 4, note);
	return set_once(s, st, id);
}

int
store_report_set_fp(struct store *s, long long id, long long now,
    const char *by, const char *note)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SET_FP)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	bind_opt(st, 4, note);
	return set_once(s, st, id);
}

int
store_report_count_since(struct store *s, long long account_id,
    long long since, long long *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_COUNT_SINCE)) == NULL)
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

/* Runs one of the trend queries into a list. */
static int
trend_list(struct store *s, struct arena *a, const char *sql,
    long long since, int max, struct rp_count **out, size_t *n)
{
	sqlite3_stmt	*st;
	struct rp_count	*c;
	int		 x, rc = P_OK;

	*n = 0;
	if ((*out = arena_calloc(a, (size_t)max, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = store_stmt(s, sql)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int(st, 2, max);
	while (rc == P_OK && (x = sqlite3_step(st)) == SQLITE_ROW) {
		c = &(*out)[(*n)++];
		c->key = store_col_str(a, st, 0);
		c->label = store_col_str(a, st, 1);
		c->reports = sqlite3_column_int64(st, 2);
		c->score = sqlite3_column_double(st, 3);
		if (c->key == NULL)
			rc = P_ENOMEM;
	}
	if (rc == P_OK && x != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_report_trends(struct store *s, struct arena *a, long long since,
    int max, struct rp_trends *t)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if (max <= 0 || max > RP_LIST_MAX)
		max = RP_LIST_MAX;
	if ((st = store_stmt(s, SQL_TREND_TOTAL)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t->reports = sqlite3_column_int64(st, 0);
		t->accounts = sqlite3_column_int64(st, 1);
		rc = P_OK;
	} else
		rc = P_EDB;
	sqlite3_reset(st);
	if (rc == P_OK)
		rc = trend_list(s, a, SQL_TREND_TESTS, since, max, &t->tests,
		    &t->ntests);
	if (rc == P_OK)
		rc = trend_list(s, a, SQL_TREND_CHECKS, since, max, &t->checks,
		    &t->nchecks);
	if (rc == P_OK)
		rc = trend_list(s, a, SQL_TREND_ACCOUNTS, since, max,
		    &t->by_account, &t->naccounts);
	return rc;
}
