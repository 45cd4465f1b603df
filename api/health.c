/* api/health.c - /healthz (the database answers) and /metrics. */
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/metrics.h"
#include "bouncedesk/store.h"

int
api_healthz(struct request *req, struct response *res)
{
	struct json_object	*o;
	int			 version = 0, ok;

	ok = req->db != NULL && store_health(req->db) == P_OK &&
	    store_version(req->db, &version) == P_OK;
	o = json_object_new_object();
	if (o == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "status",
	    json_object_new_string(ok ? "ok" : "unavailable"));
	json_object_object_add(o, "database",
	    json_object_new_string(ok ? "ok" : "error"));
	json_object_object_add(o, "schema_version",
	    json_object_new_int(version));
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, ok ? 200 : 503, o);
}

int
api_metrics(struct request *req, struct response *res)
{
	int	 rc;

	rc = metrics_render(req->app->metrics, &res->body);
	if (rc != P_OK)
		return rc;
	res->status = 200;
	res->content_type = "text/plain; version=0.0.4";
	response_header(res, "Cache-Control", "no-store");
	return P_OK;
}
