/* web/static.c - files under static/, with ETag / If-None-Match and
 * Cache-Control. Names are checked before any file is opened: only
 * [A-Za-z0-9._-] segments, no "..", no hidden files, no symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"

#define STATIC_MAX	(4 * 1024 * 1024)

static const struct {
	const char	*ext, *type;
} types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".xml", "application/xml" },
	{ ".json", "application/json" },
	{ ".woff2", "font/woff2" },
};

/* True when name is a safe relative path: segments of [A-Za-z0-9._-]
 * that do not start with '.', separated by single '/'. */
static int
safe_name(const char *name)
{
	const char	*p;
	int		 seg_start = 1;

	if (*name == '\0' || strlen(name) > 200)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (*p == '/') {
			if (seg_start)
				return 0;
			seg_start = 1;
			continue;
		}
		if (seg_start && *p == '.')
			return 0;
		seg_start = 0;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	}
	return !seg_start;
}

static const char *
type_of(const char *name)
{
	size_t	 i, n = strlen(name), e;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

int
web_static(struct request *req, struct response *res)
{
	const char	*name, *inm, *etag, *path;
	struct stat	 st;
	char		*data;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd, rc = P_OK;

	name = request_param(req, "*");
	if (name == NULL || !safe_name(name))
		return P_ENOTFOUND;
	path = arena_printf(req->arena, "%s/%s", req->app->static_dir, name);
	if (path == NULL)
		return P_ENOMEM;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOMEM ? P_ENOMEM : P_ENOTFOUND;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = P_ENOTFOUND;
		goto out;
	}
	if (st.st_size > STATIC_MAX) {
		rc = P_ETOOBIG;
		goto out;
	}
	etag = arena_printf(req->arena, "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st.st_mtim.tv_nsec);
	if (etag == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	response_header(res, "ETag", etag);
	response_header(res, "Cache-Control", "public, max-age=3600");
	inm = req->header(req, "If-None-Match");
	if (inm != NULL && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0)) {
		res->status = 304;
		goto out;
	}
	data = arena_alloc(req->arena, (size_t)st.st_size + 1);
	if (data == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, data + got, (size_t)st.st_size - got);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	rc = response_text(res, 200, type_of(name), data, got);
out:
	close(fd);
	return rc;
}
