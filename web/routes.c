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
	{ 0, NULL, NULL, 0 }
};
