/* api/openapi.c - GET /api/openapi.json: the OpenAPI 3.1 description of
 * every /api/ route, a static file (static/openapi.json) that the HTTP
 * suite checks against the route table. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"

#define OPENAPI_FILE	"openapi.json"
#define OPENAPI_MAX	(1024 * 1024)

/* Reads the whole file into the arena; P_ENOTFOUND, P_ETOOBIG, P_ENOMEM. */
static int
slurp(struct arena *a, const char *path, char **out, size_t *len)
{
	struct stat	 st;
	ssize_t		 r;
	size_t		 got = 0;
	char		*data;
	int		 fd, rc = P_OK;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOMEM ? P_ENOMEM : P_ENOTFOUND;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = P_ENOTFOUND;
		goto out;
	}
	if (st.st_size > OPENAPI_MAX) {
		rc = P_ETOOBIG;
		goto out;
	}
	if ((data = arena_alloc(a, (size_t)st.st_size + 1)) == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, data + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	data[got] = '\0';
	*out = data;
	*len = got;
out:
	close(fd);
	return rc;
}

int
api_openapi(struct request *req, struct response *res)
{
	const char	*path;
	char		*doc;
	size_t		 len;
	int		 rc;

	path = arena_printf(req->arena, "%s/%s", req->app->static_dir,
	    OPENAPI_FILE);
	if (path == NULL)
		return P_ENOMEM;
	if ((rc = slurp(req->arena, path, &doc, &len)) != P_OK)
		return rc;
	response_header(res, "Cache-Control", "public, max-age=300");
	response_header(res, "Access-Control-Allow-Origin", "*");
	return response_text(res, 200, "application/json", doc, len);
}
