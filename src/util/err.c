/* err.c - names and English text for the P_* codes of err.h. */
#include <stddef.h>

#include "bouncedesk/err.h"

struct err_desc {
	const char	*name;
	const char	*text;
};

/* Indexed by -code: P_OK is 0 and the errors count down from -1. */
static const struct err_desc err_table[] = {
	{ "ok",		"success" },
	{ "einval",	"invalid input" },
	{ "enotfound",	"not found" },
	{ "etoobig",	"too large" },
	{ "enomem",	"out of memory" },
	{ "edb",	"database error" },
	{ "econflict",	"conflict with the current state" },
	{ "eforbidden",	"forbidden" },
	{ "eunauth",	"authentication required" },
	{ "emethod",	"method not allowed" },
	{ "eunsupp",	"unsupported media type" },
	{ "erate",	"too many requests" },
	{ "eio",	"input/output error" },
};

#define ERR_COUNT	((int)(sizeof(err_table) / sizeof(err_table[0])))

static const struct err_desc *
err_find(int code)
{
	if (code > 0 || code <= -ERR_COUNT)
		return NULL;
	return &err_table[-code];
}

const char *
perr_name(int code)
{
	const struct err_desc	*d = err_find(code);

	return d != NULL ? d->name : "eunknown";
}

const char *
perr_str(int code)
{
	const struct err_desc	*d = err_find(code);

	return d != NULL ? d->text : "unknown error";
}
