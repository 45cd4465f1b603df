/* web/pages_staff_rules.c - the diagnosis rules for staff: the list (id,
 * reason, enabled, source, examples), the "try this rule on a text" box,
 * and, for admins, adding a staff rule and enabling or disabling one. A
 * change is stored, then the running engine is rebuilt and swapped in
 * (app_diag_reload): no restart. A candidate is tried on a temporary
 * engine made of the stored rules plus itself; nothing it does reaches
 * the live engine until an admin adds it and it passes every check. */
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/session.h"
#include "bouncedesk/store.h"

#define RULE_MAX	(64 * 1024)	/* bytes of one candidate rule */
#define SAMPLE_MAX	(256 * 1024)	/* bytes of the sample text */
#define RULE_ID_MAX	64
#define ERR_MAX		1024

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static void
add_flag(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* ---- reading a rule block ---- */

/* The trimmed value of the first line "key: value" of a block, or NULL. */
static const char *
block_value(struct arena *a, const char *body, const char *key)
{
	const char	*p, *e, *v;
	size_t		 klen = strlen(key);

	for (p = body; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		v = p + klen + 1;
		v += strspn(v, " \t");
		if (e == NULL)
			e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'))
			e--;
		return arena_strndup(a, v, (size_t)(e - v));
	}
	return NULL;
}

/* The values of every line "key: value" (examples), at most max. */
static size_t
block_values(struct arena *a, const char *body, const char *key,
    const char **out, size_t max)
{
	const char	*p, *e, *v;
	size_t		 n = 0, klen = strlen(key);

	for (p = body; p != NULL && *p != '\0' && n < max;
	    p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		v = p + klen + 1;
		v += strspn(v, " \t");
		out[n] = arena_strndup(a, v, e != NULL ? (size_t)(e - v) :
		    strlen(v));
		if (out[n] != NULL)
			n++;
	}
	return n;
}

static size_t
count_lines(const char *body, const char *key)
{
	const char	*p;
	size_t		 n = 0, klen = strlen(key);

	for (p = body; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			n++;
	return n;
}

static bool
id_ok(const char *id)
{
	return id != NULL && id[0] != '\0' && strlen(id) <= RULE_ID_MAX &&
	    id[strspn(id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] == '\0';
}

/* The candidate as it will be stored: LF line ends, no trailing blank
 * lines, starting at its "id:" line (leading blank or comment lines go),
 * ending with one newline. NULL when there is no text. */
static char *
normalise(struct arena *a, const char *in)
{
	struct buf	 b;
	const char	*p;
	char		*out;
	size_t		 n;
	int		 rc = P_OK;

	if (in == NULL)
		return NULL;
	/* Skip blank and comment lines up to the first key. */
	for (p = in; *p != '\0'; ) {
		n = strcspn(p, "\n");
		if (p[strspn(p, " \t\r")] != '\n' && p[strspn(p, " \t\r")] !=
		    '\0' && p[0] != '#')
			break;
		p += n + (p[n] == '\n');
	}
	buf_init(&b, RULE_MAX + 2);
	for (; *p != '\0' && rc == P_OK; p++)
		if (*p != '\r')
			rc = buf_putc(&b, *p);
		else if (p[1] != '\n')
			rc = buf_putc(&b, '\n');
	while (rc == P_OK && b.len > 0 && (b.p[b.len - 1] == '\n' ||
	    b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\t'))
		b.len--;
	if (rc == P_OK && b.len > 0)
		rc = buf_putc(&b, '\n');
	out = rc == P_OK && b.len > 0 ? arena_strndup(a, buf_str(&b), b.len) :
	    NULL;
	buf_cleanup(&b);
	return out;
}

/* ---- trying a candidate ---- */

struct trial {
	const char	*rule;		/* normalised candidate */
	const char	*id, *reason;
	const char	*error;		/* why it cannot be used, or NULL */
	bool		 parses;
	int		 alone_fails;	/* its examples, diagnosed by itself */
	int		 set_fails;	/* every example, with the stored set */
	int		 live_fails;	/* the same for the running engine */
	char		 alone_msg[ERR_MAX], set_msg[ERR_MAX];
	struct diag_engine *engine;	/* stored rules + candidate; freed */
	struct json_object *examples;	/* per example: got, ok */
	bool		 examples_ok;
	bool		 replaces;	/* a stored rule has this id */
};

static void
trial_cleanup(struct trial *t)
{
	diag_engine_free(t->engine);
	t->engine = NULL;
	json_object_put(t->examples);
	t->examples = NULL;
}

/* What the candidate's own examples give with the combined engine. */
static void
trial_examples(struct request *req, struct trial *t)
{
	struct diag_report	 rep;
	struct json_object	*o;
	const char		*ex[64], *got, *rule;
	size_t			 n, i;
	bool			 ok;

	t->examples = json_object_new_array();
	t->examples_ok = true;
	n = block_values(req->arena, t->rule, "example", ex, 64);
	if (n == 0)
		t->examples_ok = false;
	for (i = 0; i < n && t->examples != NULL; i++) {
		got = "(none)";
		rule = NULL;
		if (diag_run(t->engine, req->arena, ex[i], strlen(ex[i]),
		    DIAG_IN_FRAGMENT, &rep) == P_OK && rep.nrcpt > 0) {
			got = rep.rcpt[0].reason;
			rule = rep.rcpt[0].evidence.rule_id;
		}
		ok = t->reason != NULL && strcmp(got, t->reason) == 0;
		t->examples_ok = t->examples_ok && ok;
		if ((o = json_object_new_object()) == NULL)
			break;
		add_str(o, "text", ex[i]);
		add_str(o, "got", got);
		add_str(o, "rule", rule);
		add_flag(o, "by_this_rule", rule != NULL && t->id != NULL &&
		    strcmp(rule, t->id) == 0);
		add_flag(o, "ok", ok);
		json_object_array_add(t->examples, o);
	}
}

/* Parses and checks the candidate; builds the combined engine. t->error
 * says what keeps it from being added. */
static int
trial_run(struct request *req, const char *raw, struct trial *t)
{
	struct diag_engine_ref		*ref;
	const struct diag_engine	*live;
	struct store_rule		 cur;
	struct buf			 b;
	char				 err[ERR_MAX];
	int				 rc, n;

	memset(t, 0, sizeof(*t));
	memset(&cur, 0, sizeof(cur));
	if (raw != NULL && strlen(raw) > RULE_MAX) {
		t->error = portal_t(req, "srl_err_too_big");
		return P_OK;
	}
	if ((t->rule = normalise(req->arena, raw)) == NULL ||
	    strncmp(t->rule, "id:", 3) != 0) {
		t->error = portal_t(req, "srl_err_no_id");
		return P_OK;
	}
	t->id = block_value(req->arena, t->rule, "id");
	t->reason = block_value(req->arena, t->rule, "reason");
	if (count_lines(t->rule, "id") != 1) {
		t->error = portal_t(req, "srl_err_one_rule");
		return P_OK;
	}
	if (!id_ok(t->id)) {
		t->error = portal_t(req, "srl_err_bad_id");
		return P_OK;
	}
	/* The candidate alone: does it parse, do its examples match it. */
	t->alone_fails = diag_rules_check_mem(t->rule, strlen(t->rule),
	    t->alone_msg, sizeof(t->alone_msg));
	t->parses = t->alone_fails >= 0;
	if (!t->parses) {
		t->error = portal_t(req, "srl_err_parse");
		return P_OK;
	}
	rc = store_rule_get(req->db, req->arena, t->id, &cur);
	if (rc != P_OK && rc != P_ENOTFOUND)
		return rc;
	t->replaces = rc == P_OK;
	/* The stored set (an edited rule replaces its stored self), then
	 * the candidate last. */
	buf_init(&b, DIAG_MAX_INPUT);
	rc = store_rules_text_except(req->db, t->id, &b, &n);
	if (rc == P_OK && (rc = buf_puts(&b, t->rule)) != P_OK)
		rc = P_ETOOBIG;
	if (rc == P_OK && (t->engine = diag_engine_new_mem(buf_str(&b), b.len,
	    req->app->cfg.provider_hosts, err, sizeof(err))) == NULL)
		t->error = arena_printf(req->arena, "%s %s",
		    portal_t(req, "srl_err_set"), err);
	buf_cleanup(&b);
	if (rc != P_OK || t->engine == NULL)
		return rc;
	trial_examples(req, t);
	/* Every example of every rule, before and with the candidate: one
	 * that now fails is an example the candidate takes from another
	 * rule. */
	t->set_fails = diag_engine_check(t->engine, t->set_msg,
	    sizeof(t->set_msg));
	live = app_diag_get(req->app, &ref);
	t->live_fails = live != NULL ? diag_engine_check(live, err,
	    sizeof(err)) : 0;
	app_diag_put(req->app, ref);
	if (t->replaces && strcmp(cur.source, "staff") != 0)
		t->error = portal_t(req, "srl_err_seed_id");
	else if (t->alone_fails > 0 || !t->examples_ok)
		t->error = portal_t(req, "srl_err_examples");
	else if (t->set_fails > t->live_fails)
		t->error = portal_t(req, "srl_err_steals");
	return P_OK;
}

/* The recipients of a report as the page shows them. */
static struct json_object *
report_json(struct request *req, const struct diag_report *rep,
    const char *cand)
{
	const struct diag_recipient	*r;
	struct json_object		*arr, *o;
	size_t				 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < rep->nrcpt; i++) {
		r = &rep->rcpt[i];
		if ((o = json_object_new_object()) == NULL)
			break;
		add_str(o, "recipient", r->recipient);
		add_str(o, "reason", r->reason);
		add_str(o, "status", r->status);
		add_str(o, "replycode", r->replycode);
		add_str(o, "rule", r->evidence.rule_id);
		add_str(o, "stage", r->evidence.stage);
		add_str(o, "matched", r->evidence.matched);
		add_str(o, "explanation", strcmp(req->lang, "en") == 0 ?
		    r->explain_en : r->explain_fr);
		add_flag(o, "by_this_rule", cand != NULL &&
		    r->evidence.rule_id != NULL &&
		    strcmp(r->evidence.rule_id, cand) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The sample diagnosed by the running engine and by the trial one. The
 * reports are turned into JSON before the engines go: they point into
 * their rules. */
static void
sample_json(struct request *req, struct json_object *ctx,
    const struct trial *t, const char *sample)
{
	struct diag_engine_ref		*ref;
	const struct diag_engine	*live;
	struct diag_report		 rep;
	struct json_object		*o;

	if ((o = json_object_new_object()) == NULL)
		return;
	live = app_diag_get(req->app, &ref);
	if (live != NULL && diag_run(live, req->arena, sample,
	    strlen(sample), DIAG_IN_AUTO, &rep) == P_OK) {
		json_object_object_add(o, "now", report_json(req, &rep, NULL));
		add_str(o, "now_input", diag_input_name(rep.input));
	}
	app_diag_put(req->app, ref);
	if (t->engine != NULL && diag_run(t->engine, req->arena, sample,
	    strlen(sample), DIAG_IN_AUTO, &rep) == P_OK)
		json_object_object_add(o, "with", report_json(req, &rep,
		    t->id));
	json_object_object_add(ctx, "sample_result", o);
}

static const char *
form_value(struct request *req, const char *name)
{
	const char	*v = request_form(req, name);

	return v != NULL ? v : "";
}

static int
render_try(struct request *req, struct response *res, int status,
    const struct staff_session *ss, const char *rule, const char *sample,
    struct trial *t, const char *error)
{
	struct json_object	*ctx, *o;

	if ((ctx = staff_page_ctx(req, ss, "srl_try_title")) == NULL) {
		if (t != NULL)
			trial_cleanup(t);
		return P_ENOMEM;
	}
	add_str(ctx, "rule", rule);
	add_str(ctx, "sample", sample);
	add_str(ctx, "form_error", error);
	if (t != NULL && (o = json_object_new_object()) != NULL) {
		add_str(o, "id", t->id);
		add_str(o, "reason", t->reason);
		add_flag(o, "parses", t->parses);
		add_str(o, "error", t->error);
		add_flag(o, "addable", t->error == NULL);
		add_flag(o, "replaces", t->replaces);
		if (!t->parses)
			add_str(o, "parse_error", t->alone_msg);
		if (t->alone_fails > 0)
			add_str(o, "alone_error", t->alone_msg);
		if (t->engine != NULL && t->set_fails > t->live_fails)
			add_str(o, "set_error", t->set_msg);
		json_object_object_add(o, "examples", t->examples != NULL ?
		    json_object_get(t->examples) : NULL);
		add_flag(o, "examples_ok", t->examples_ok);
		add_flag(o, "checked", t->engine != NULL);
		json_object_object_add(ctx, "trial", o);
		if (sample != NULL && sample[strspn(sample, " \t\r\n")] !=
		    '\0')
			sample_json(req, ctx, t, sample);
	}
	if (t != NULL)
		trial_cleanup(t);
	return page_render(req, res, status, "staff_rules_try", ctx);
}

/* ---- pages ---- */

int
page_staff_rules(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct store_rule	*v;
	struct json_object	*ctx, *arr, *o;
	const char		*done;
	size_t			 n, i, nrules, enabled = 0, staff = 0;
	unsigned long		 gen;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((rc = store_rules_list(req->db, req->arena, &v, &n)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "srl_title")) == NULL)
		return P_ENOMEM;
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++) {
			if ((o = json_object_new_object()) == NULL)
				break;
			add_str(o, "id", v[i].id);
			add_str(o, "reason", block_value(req->arena,
			    v[i].body, "reason"));
			add_str(o, "stage", block_value(req->arena, v[i].body,
			    "stage"));
			add_flag(o, "enabled", v[i].enabled);
			add_flag(o, "staff_rule", strcmp(v[i].source,
			    "staff") == 0);
			json_object_object_add(o, "examples",
			    json_object_new_int((int)count_lines(v[i].body,
			    "example")));
			add_str(o, "updated", portal_time(req,
			    v[i].updated_at));
			json_object_array_add(arr, o);
			enabled += v[i].enabled;
			staff += strcmp(v[i].source, "staff") == 0;
		}
	json_object_object_add(ctx, "rules", arr);
	json_object_object_add(ctx, "count", json_object_new_int((int)n));
	json_object_object_add(ctx, "count_enabled",
	    json_object_new_int((int)enabled));
	json_object_object_add(ctx, "count_staff",
	    json_object_new_int((int)staff));
	gen = app_diag_generation(req->app, &nrules);
	json_object_object_add(ctx, "generation",
	    json_object_new_int64((long long)gen));
	json_object_object_add(ctx, "engine_rules",
	    json_object_new_int64((long long)nrules));
	done = request_query(req, "done");
	if (done != NULL && strcmp(done, "added") == 0)
		add_str(ctx, "notice", portal_t(req, "srl_added"));
	else if (done != NULL && strcmp(done, "enabled") == 0)
		add_str(ctx, "notice", portal_t(req, "srl_enabled_done"));
	else if (done != NULL && strcmp(done, "disabled") == 0)
		add_str(ctx, "notice", portal_t(req, "srl_disabled_done"));
	portal_nocache(res);
	return page_render(req, res, 200, "staff_rules", ctx);
}

/* A sample to start from, or the stored body of ?id=. */
int
page_staff_rules_try_form(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct store_rule	 r;
	const char		*id, *rule;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	rule = portal_t(req, "srl_template");
	id = request_query(req, "id");
	if (id != NULL && id_ok(id)) {
		rc = store_rule_get(req->db, req->arena, id, &r);
		if (rc == P_OK)
			rule = r.body;
		else if (rc != P_ENOTFOUND)
			return rc;
	}
	portal_nocache(res);
	return render_try(req, res, 200, &ss, rule, "", NULL, NULL);
}

int
page_staff_rules_try(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct trial		 t;
	const char		*rule, *sample;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	rule = form_value(req, "rule");
	sample = form_value(req, "sample");
	if (strlen(sample) > SAMPLE_MAX)
		return render_try(req, res, 413, &ss, rule, "", NULL,
		    portal_t(req, "err_too_big"));
	if ((rc = trial_run(req, rule, &t)) != P_OK) {
		trial_cleanup(&t);
		return rc;
	}
	portal_nocache(res);
	return render_try(req, res, 200, &ss, rule, sample, &t, NULL);
}

/* Stores the candidate as a staff rule and rebuilds the engine: admins
 * only, and only a candidate that passes every check of the try box. */
int
page_staff_rules_add(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct trial		 t;
	const char		*rule;
	char			 err[ERR_MAX];
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	rule = form_value(req, "rule");
	if (!ss.admin)
		return render_try(req, res, 403, &ss, rule, "", NULL,
		    portal_t(req, "staff_admin_only"));
	if ((rc = trial_run(req, rule, &t)) != P_OK) {
		trial_cleanup(&t);
		return rc;
	}
	if (t.error != NULL)
		return render_try(req, res, 422, &ss, rule, "", &t,
		    portal_t(req, "srl_err_not_added"));
	trial_cleanup(&t);
	rc = store_rule_put_staff(req->db, t.id, t.rule);
	if (rc == P_ECONFLICT)
		return render_try(req, res, 409, &ss, rule, "", NULL,
		    portal_t(req, "srl_err_seed_id"));
	if (rc != P_OK)
		return rc;
	if (app_diag_reload(req->app, req->db, err, sizeof(err)) != P_OK)
		return render_try(req, res, 500, &ss, rule, "", NULL,
		    arena_printf(req->arena, "%s %s",
		    portal_t(req, "srl_err_reload"), err));
	return portal_redirect(req, res, "/staff/rules?done=added");
}

int
page_staff_rules_enable(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	const char		*id, *on;
	char			 err[ERR_MAX];
	bool			 enable;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if (!ss.admin)
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "staff_admin_only"));
	id = request_form(req, "id");
	on = request_form(req, "enabled");
	if (!id_ok(id) || on == NULL || (strcmp(on, "1") != 0 &&
	    strcmp(on, "0") != 0))
		return P_EINVAL;
	enable = strcmp(on, "1") == 0;
	if ((rc = store_rule_enable(req->db, id, enable)) != P_OK)
		return rc;
	if (app_diag_reload(req->app, req->db, err, sizeof(err)) != P_OK) {
		/* Keep the database and the running engine telling the same
		 * story: a set that does not build must not wait for the
		 * next start to fail. */
		(void)store_rule_enable(req->db, id, !enable);
		return page_error(req, res, P_EINVAL, arena_printf(req->arena,
		    "%s %s", portal_t(req, "srl_err_reload"), err));
	}
	return portal_redirect(req, res, enable ?
	    "/staff/rules?done=enabled" : "/staff/rules?done=disabled");
}
