/* handlers.h - every route handler, for the table in web/routes.c.
 * api_* answer JSON (api/), page_* answer HTML (web/pages_*.c). */
#ifndef BOUNCEDESK_HANDLERS_H
#define BOUNCEDESK_HANDLERS_H
#include "bouncedesk/router.h"

/* api/health.c */
handler_fn	api_healthz;
handler_fn	api_metrics;
/* api/diagnoses.c */
handler_fn	api_diagnoses_create;
handler_fn	api_diagnoses_get;
/* web/static.c */
handler_fn	web_static;
/* web/pages.c */
handler_fn	page_home;
/* web/pages_diag.c */
handler_fn	page_diagnose_form;
handler_fn	page_diagnose;
handler_fn	page_diagnosis_shared;
/* api/faq.c */
handler_fn	api_faq_search;
handler_fn	api_faq_suggest;
handler_fn	api_faq_categories;
handler_fn	api_faq_get;
handler_fn	api_faq_vote;
/* web/pages_faq.c */
handler_fn	page_faq;
handler_fn	page_faq_article;
handler_fn	page_faq_vote;
handler_fn	page_faq_rss;
handler_fn	page_opensearch;
handler_fn	page_sitemap;

/* Shared by api/faq.c and web/pages_faq.c. */
struct kb_article;
struct kb_brief;
/* A positive id from text, else 0; "fr"/"en" from text, else NULL. */
long long	 faq_parse_id(const char *);
const char	*faq_lang(const char *);
/* The voter's opaque hash (arena), or NULL out of memory. */
const char	*faq_visitor(struct request *);
/* JSON of an article or a list line; the caller owns the reference. */
struct json_object *faq_article_json(struct request *,
		    const struct kb_article *);
struct json_object *faq_brief_json(struct request *, const struct kb_brief *);

/* api/accounts.c, api/blocks.c, api/requests.c, api/keys.c (unblock) */
handler_fn	api_accounts_create;
handler_fn	api_accounts_list;
handler_fn	api_accounts_get;
handler_fn	api_blocks_create;
handler_fn	api_blocks_list;
handler_fn	api_blocks_get;
handler_fn	api_blocks_state;
handler_fn	api_requests_create;
handler_fn	api_requests_list;
handler_fn	api_requests_get;
handler_fn	api_requests_decision;
handler_fn	api_requests_answer;
handler_fn	api_requests_withdraw;
handler_fn	api_openapi;
handler_fn	api_audit_list;
handler_fn	api_keys_create;
handler_fn	api_keys_list;
handler_fn	api_webhooks_create;
handler_fn	api_webhooks_list;

/* web/pages_unblock.c (customer unblock pages) */
handler_fn	page_unblock;
handler_fn	page_unblock_block;
handler_fn	page_unblock_file;
handler_fn	page_unblock_request;
handler_fn	page_unblock_answer;
handler_fn	page_unblock_withdraw;
/* web/pages_staff.c (staff pages) */
handler_fn	page_staff_login_form;
handler_fn	page_staff_login;
handler_fn	page_staff_logout;
handler_fn	page_staff_queue;
handler_fn	page_staff_request;
handler_fn	page_staff_decide;
handler_fn	page_staff_block;
handler_fn	page_staff_block_state;
/* web/pages_unblock_reports.c (the account's filter reports) */
handler_fn	page_unblock_reports;
/* web/pages_staff_kb.c (knowledge base staff pages) */
handler_fn	page_staff_faq;
handler_fn	page_staff_faq_new;
handler_fn	page_staff_faq_create;
handler_fn	page_staff_faq_preview;
handler_fn	page_staff_faq_view;
handler_fn	page_staff_faq_edit;
handler_fn	page_staff_faq_update;
handler_fn	page_staff_faq_delete;
handler_fn	page_staff_faq_revisions;
handler_fn	page_staff_faq_revision;
handler_fn	page_staff_faq_restore;
handler_fn	page_staff_faq_feedback;
handler_fn	page_staff_searches;
handler_fn	page_staff_searches_forget;
/* web/pages_staff_rules.c (diagnosis rules staff pages) */
handler_fn	page_staff_rules;
handler_fn	page_staff_rules_try_form;
handler_fn	page_staff_rules_try;
handler_fn	page_staff_rules_add;
handler_fn	page_staff_rules_enable;
/* api/faq_admin.c (FAQ writes and sync for ticketing systems) */
handler_fn	api_faq_list;
handler_fn	api_faq_create;
handler_fn	api_faq_replace;
handler_fn	api_faq_delete;
handler_fn	api_faq_export;
/* Shared by every staff page (defined in web/pages_staff.c). */
struct staff_session;
/* P_OK when signed in; P_EUNAUTH when res holds the redirect to the
 * sign-in page (the handler answers P_OK then). */
int		 staff_page_guard(struct request *, struct response *,
		    struct staff_session *);
/* A new page context with the signed-in member and the title of the
 * catalogue key; the caller owns it. */
struct json_object *staff_page_ctx(struct request *,
		    const struct staff_session *, const char *title_key);

/* Shared by web/pages_unblock.c and web/pages_staff.c (defined in the
 * first). Views return new JSON objects (caller owns); strings in the
 * request arena. */
struct ub_audit;
struct ub_block;
struct ub_request;
/* A positive id from text, else 0. */
long long	 portal_parse_id(const char *);
/* 303 See Other to url (arena or static); P_ENOMEM when url is NULL. */
int		 portal_redirect(struct request *, struct response *,
		    const char *url);
/* Cache-Control: no-store and noindex, for pages about one customer. */
void		 portal_nocache(struct response *);
/* The catalogue text of key in the request's language. */
const char	*portal_t(const struct request *, const char *key);
/* "2025-01-31 14:05 UTC", or "" for 0. */
const char	*portal_time(struct request *, long long t);
struct json_object *portal_block_json(struct request *,
		    const struct ub_block *);
struct json_object *portal_request_json(struct request *,
		    const struct ub_block *, const struct ub_request *);
/* The requests of one block (of the account's, oldest first), in the
 * arena. */
int		 portal_block_requests(struct request *, long long account_id,
		    long long block_id, struct ub_request **, size_t *);
/* staff: actor names and addresses; else "you" / "support" only. */
struct json_object *portal_audit_json(struct request *,
		    const struct ub_audit *, bool staff);

/* The engine run shared by the API and the page: diagnoses text, keeps
 * the analysis when keep is set, and hands back the JSON (caller owns). */
#include "bouncedesk/diag.h"
int	diagnose_request(struct request *, const char *text, size_t len,
	    enum diag_input hint, const char *lang, int keep,
	    struct json_object **out);
/* For a FAQ query that looks like an error (kb_looks_like_error): the
 * verdict of its diagnosis (reason, status, replycode, explanation, steps,
 * faq: the articles its rules link), or NULL (api/faq.c; caller owns). */
struct json_object *faq_diagnosis(struct request *, const char *q,
	    const char *lang);
/* A kept analysis in the request's language, or NULL when it is absent or
 * expired. The caller owns the reference. */
struct json_object *diagnosis_load(struct request *, const char *id);

/* api/check.c and web/pages_check.c: sender checks and the spam score. */
handler_fn	api_domain_check;
handler_fn	api_spam_score;
handler_fn	page_check;
handler_fn	page_spam_form;
handler_fn	page_spam_score;
/* Takes a token of the client's bucket for what ("check", "spam"):
 * P_OK, or P_ERATE with Retry-After set on res. */
int	check_rate_take(struct request *, struct response *, const char *what);
/* Adds "faq": [{id, title, url}] to each finding of a check report. */
void	check_link_faq(struct request *, struct json_object *report,
	    const char *lang);
/* Scores msg with spamd: P_OK with *out (caller owns), else *status,
 * *slug and *detail describe the problem to answer. */
int	spam_score_request(struct request *, const char *msg, size_t len,
	    const char *lang, struct json_object **out, int *status,
	    const char **slug, const char **detail);

#endif /* BOUNCEDESK_HANDLERS_H */
