/* web/routes.c - the route table: one line per route, first match wins. */
#include "bouncedesk/handlers.h"

const struct route routes[] = {
	{ HTTP_GET, "/", page_home, R_HTML },
	{ HTTP_GET, "/diagnose", page_diagnose_form, R_HTML },
	{ HTTP_POST, "/diagnose", page_diagnose, R_HTML },
	{ HTTP_GET, "/d/{id}", page_diagnosis_shared, R_HTML },
	{ HTTP_GET, "/healthz", api_healthz, 0 },
	{ HTTP_GET, "/metrics", api_metrics, 0 },
	{ HTTP_GET, "/static/*", web_static, R_NOLOG },
	{ HTTP_POST, "/api/v1/diagnoses", api_diagnoses_create, 0 },
	{ HTTP_GET, "/api/v1/diagnoses/{id}", api_diagnoses_get, 0 },
	{ HTTP_GET, "/faq", page_faq, R_HTML },
	{ HTTP_GET, "/faq/rss.xml", page_faq_rss, 0 },
	{ HTTP_GET, "/faq/{id}", page_faq_article, R_HTML },
	{ HTTP_POST, "/faq/{id}/vote", page_faq_vote, R_HTML },
	{ HTTP_GET, "/opensearch.xml", page_opensearch, 0 },
	{ HTTP_GET, "/sitemap.xml", page_sitemap, 0 },
	{ HTTP_GET, "/api/v1/faq/search", api_faq_search, 0 },
	{ HTTP_GET, "/api/v1/faq/suggest", api_faq_suggest, 0 },
	{ HTTP_GET, "/api/v1/faq/categories", api_faq_categories, 0 },
	{ HTTP_GET, "/api/v1/faq/{id}", api_faq_get, 0 },
	{ HTTP_POST, "/api/v1/faq/{id}/vote", api_faq_vote, 0 },
	{ 0, NULL, NULL, 0 }
};
