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

/* The engine run shared by the API and the page: diagnoses text, keeps
 * the analysis when keep is set, and hands back the JSON (caller owns). */
#include "bouncedesk/diag.h"
int	diagnose_request(struct request *, const char *text, size_t len,
	    enum diag_input hint, const char *lang, int keep,
	    struct json_object **out);

#endif /* BOUNCEDESK_HANDLERS_H */
