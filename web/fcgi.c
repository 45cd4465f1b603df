/* web/fcgi.c - the FastCGI transport: cfg.threads workers, each with its own
 * FCGX_Request, build struct request from the parameters the web server
 * sends, call http_handle() and write a CGI-style answer. Stop signals are
 * taken by the main thread, which then wakes the idle workers. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/log.h"
#include "bouncedesk/transport.h"

#define FCGI_BACKLOG	1024
#define FCGI_STOP_MS	10000	/* longest wait for busy workers */
#define FCGI_KICK_MS	20	/* how often idle workers are woken */
#define FCGI_ARENA_SLACK (8u * 1024 * 1024)
#define FCGI_KICK_SIG	SIGUSR1	/* interrupts a worker's blocking read */

struct fcgi_server;

struct fcgi_worker {
	struct fcgi_server	*srv;
	pthread_t		 tid;
	atomic_bool		 busy;		/* serving a request */
	atomic_bool		 done;		/* left its loop */
};

struct fcgi_server {
	const struct app	*app;
	int			 lfd;
	atomic_bool		 stopping;
};

/* The kick signal only needs to interrupt a blocking accept() or read();
 * libfcgi then sees the pending shutdown and returns. */
static void
on_kick(int sig)
{
	(void)sig;
	FCGX_ShutdownPending();
}

/* Header lookup: CGI passes "X-Foo" as HTTP_X_FOO, except the two body
 * headers, which have names of their own. */
static const char *
fcgi_header(const struct request *req, const char *name)
{
	const FCGX_Request	*fr = req->tctx;
	char			 key[128];
	size_t			 i, n;

	if (strcasecmp(name, "Content-Type") == 0)
		return FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (strcasecmp(name, "Content-Length") == 0)
		return FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	n = strlen(name);
	if (n + sizeof("HTTP_") > sizeof(key))
		return NULL;
	memcpy(key, "HTTP_", 5);
	for (i = 0; i < n; i++) {
		if (name[i] == '-')
			key[5 + i] = '_';
		else
			key[5 + i] = (char)toupper((unsigned char)name[i]);
	}
	key[5 + n] = '\0';
	return FCGX_GetParam(key, fr->envp);
}

static const char *
param(const FCGX_Request *fr, const char *name)
{
	return FCGX_GetParam(name, fr->envp);
}

/* The decoded path. The web server gives DOCUMENT_URI (nginx) or
 * SCRIPT_NAME + PATH_INFO already decoded; only REQUEST_URI is raw, and is
 * decoded here once. NULL on a malformed path, with *rc set. */
static const char *
request_path(struct arena *a, const FCGX_Request *fr, int *rc)
{
	const char	*doc, *sn, *pi, *ru, *q;
	char		*p;

	*rc = P_OK;
	if ((doc = param(fr, "DOCUMENT_URI")) != NULL && *doc != '\0')
		return doc;
	sn = param(fr, "SCRIPT_NAME");
	pi = param(fr, "PATH_INFO");
	if ((sn != NULL && *sn != '\0') || (pi != NULL && *pi != '\0')) {
		p = arena_printf(a, "%s%s", sn != NULL ? sn : "",
		    pi != NULL ? pi : "");
		if (p == NULL)
			*rc = P_ENOMEM;
		return p;
	}
	if ((ru = param(fr, "REQUEST_URI")) != NULL && *ru != '\0') {
		q = strchr(ru, '?');
		p = http_urldecode(a, ru, q != NULL ? (size_t)(q - ru) :
		    strlen(ru), false);
		if (p == NULL)
			*rc = P_EINVAL;
		return p;
	}
	return "/";
}

/* Reads stdin to its end, keeping at most max bytes; a body over the limit
 * (declared or actual) leaves P_ETOOBIG and an empty buffer, but is still
 * consumed so the connection stays usable. */
static int
read_body(FCGX_Request *fr, struct buf *body, long max)
{
	const char		*cl;
	char			 chunk[16384];
	char			*end;
	unsigned long long	 n;
	int			 got, rc = P_OK;

	if ((cl = param(fr, "CONTENT_LENGTH")) != NULL && *cl != '\0') {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*end != '\0' || errno == ERANGE)
			rc = P_EINVAL;
		else if (n > (unsigned long long)max)
			rc = P_ETOOBIG;
	}
	while ((got = FCGX_GetStr(chunk, (int)sizeof(chunk), fr->in)) > 0) {
		if (rc == P_OK &&
		    (rc = buf_append(body, chunk, (size_t)got)) != P_OK)
			buf_cleanup(body);
	}
	return rc;
}

static bool
header_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

/* Status line, headers, blank line, then the body unless it is HEAD. The
 * head is formatted here: libfcgi's own printf knows no %zu. */
static void
write_response(FCGX_Request *fr, const struct request *req,
    const struct response *res)
{
	struct buf	 head;
	size_t		 i, off, n;
	int		 status, rc;

	status = res->status > 0 ? res->status : 500;
	buf_init(&head, 64 * 1024);
	rc = buf_printf(&head, "Status: %d %s\r\n", status,
	    http_reason(status));
	for (i = 0; rc == P_OK && i < res->nhdr; i++) {
		if (!header_ok(res->hdr[i].k) || !header_ok(res->hdr[i].v)) {
			log_warnx("fcgi: header with a line break dropped");
			continue;
		}
		rc = buf_printf(&head, "%s: %s\r\n", res->hdr[i].k,
		    res->hdr[i].v);
	}
	if (rc == P_OK && header_ok(res->content_type))
		rc = buf_printf(&head, "Content-Type: %s\r\n",
		    res->content_type);
	if (rc == P_OK)
		rc = buf_printf(&head, "Content-Length: %zu\r\n\r\n",
		    res->body.len);
	if (rc != P_OK) {
		/* Only a runaway header list gets here. */
		buf_cleanup(&head);
		FCGX_PutS("Status: 500 Internal Server Error\r\n"
		    "Content-Length: 0\r\n\r\n", fr->out);
		return;
	}
	rc = FCGX_PutStr(head.p, (int)head.len, fr->out);
	buf_cleanup(&head);
	if (rc < 0 || req->method == HTTP_HEAD || res->body.p == NULL)
		return;
	for (off = 0; off < res->body.len; off += n) {
		n = res->body.len - off;
		if (n > INT_MAX / 2)
			n = INT_MAX / 2;
		if (FCGX_PutStr(res->body.p + off, (int)n, fr->out) < 0)
			break;	/* the web server went away */
	}
}

static void
serve_one(struct fcgi_server *srv, FCGX_Request *fr)
{
	const struct app	*app = srv->app;
	struct request		 req;
	struct response		 res;
	struct buf		 body;
	struct arena		*a;
	const char		*s;
	int			 rc, prc;

	a = arena_new((size_t)app->cfg.max_body * 8 + FCGI_ARENA_SLACK);
	buf_init(&body, (size_t)app->cfg.max_body);
	response_init(&res);
	memset(&req, 0, sizeof(req));
	req.app = app;
	req.arena = a;
	req.tctx = fr;
	req.header = fcgi_header;
	req.body = "";
	req.query = "";
	req.path = "/";
	s = param(fr, "REQUEST_METHOD");
	req.method_str = s != NULL ? s : "GET";
	req.method = http_method_parse(req.method_str);
	s = param(fr, "REMOTE_ADDR");
	req.remote_addr = s != NULL ? s : "";
	if ((s = param(fr, "QUERY_STRING")) != NULL)
		req.query = s;

	rc = read_body(fr, &body, app->cfg.max_body);	/* always drains */
	if (a == NULL)
		rc = P_ENOMEM;
	else if ((s = request_path(a, fr, &prc)) != NULL) {
		req.path = s;	/* also the instance of a 413 */
		if (rc == P_OK)
			rc = prc;
	} else if (rc == P_OK)
		rc = prc;
	if (rc == P_OK) {
		req.body = buf_str(&body);
		req.body_len = body.len;
		http_handle(app, &req, &res);
	} else if (a == NULL)
		res.status = http_status_from_err(rc);
	else
		http_refuse(app, &req, &res, rc, rc == P_ETOOBIG ?
		    "the request body is larger than the limit" :
		    "the request is malformed");
	write_response(fr, &req, &res);
	response_cleanup(&res);
	buf_cleanup(&body);
	arena_free(a);
}

static void *
worker_main(void *arg)
{
	struct fcgi_worker	*w = arg;
	struct fcgi_server	*srv = w->srv;
	struct timespec		 pause = { 0, 100 * 1000 * 1000 };
	FCGX_Request		 fr;
	int			 rc;

	if (FCGX_InitRequest(&fr, srv->lfd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx("fcgi: FCGX_InitRequest failed");
		atomic_store(&w->done, true);
		return NULL;
	}
	while (!atomic_load(&srv->stopping)) {
		if ((rc = FCGX_Accept_r(&fr)) < 0) {
			if (atomic_load(&srv->stopping))
				break;
			/* EMFILE and the like: wait, do not lose the worker. */
			log_warnx("fcgi: accept: %s", rc > -10000 ?
			    strerror(-rc) : "libfcgi error");
			nanosleep(&pause, NULL);
			continue;
		}
		atomic_store(&w->busy, true);
		serve_one(srv, &fr);
		FCGX_Finish_r(&fr);
		atomic_store(&w->busy, false);
	}
	FCGX_Finish_r(&fr);
	FCGX_Free(&fr, 1);	/* closes a kept-alive upstream connection */
	atomic_store(&w->done, true);
	return NULL;
}

/* A unix path ("/run/x.sock") rather than ":port" or "host:port". */
static bool
is_unix_path(const char *s)
{
	return strchr(s, '/') != NULL || strchr(s, ':') == NULL;
}

/* Removes a socket file left by a process that is gone; refuses to take
 * the place of one that still answers. */
static int
clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, r;

	if (lstat(path, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another server is listening", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_listener(const char *sock, char *err, size_t errlen)
{
	int	 fd;

	if (sock == NULL || *sock == '\0') {
		/* Given by spawn-fcgi or systemd on descriptor 0. */
		if (FCGX_IsCGI()) {
			snprintf(err, errlen, "descriptor 0 is not a FastCGI "
			    "socket: give --socket PATH or start under "
			    "spawn-fcgi");
			return -1;
		}
		return 0;
	}
	if (is_unix_path(sock) && clear_stale(sock, err, errlen) == -1)
		return -1;
	if ((fd = FCGX_OpenSocket(sock, FCGI_BACKLOG)) < 0) {
		snprintf(err, errlen, "cannot listen on %s", sock);
		return -1;
	}
	/* Who may connect is decided by the directory (for example
	 * /run/bouncedesk, mode 0750, group www-data), not by the file. */
	if (is_unix_path(sock) && chmod(sock, 0666) == -1)
		log_warn("chmod %s", sock);
	return fd;
}

/* Wakes idle workers until all have left, busy ones being left to finish
 * their request; gives up after FCGI_STOP_MS. */
static void
stop_workers(struct fcgi_server *srv, struct fcgi_worker *w, size_t n)
{
	struct timespec	 ts = { 0, FCGI_KICK_MS * 1000 * 1000 };
	size_t		 i, left;
	int		 waited;

	atomic_store(&srv->stopping, true);
	FCGX_ShutdownPending();
	shutdown(srv->lfd, SHUT_RDWR);
	for (waited = 0; waited <= FCGI_STOP_MS; waited += FCGI_KICK_MS) {
		for (i = 0, left = 0; i < n; i++) {
			if (atomic_load(&w[i].done))
				continue;
			left++;
			if (!atomic_load(&w[i].busy))
				pthread_kill(w[i].tid, FCGI_KICK_SIG);
		}
		if (left == 0)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < n; i++) {
		if (atomic_load(&w[i].done))
			pthread_join(w[i].tid, NULL);
		else
			log_warnx("fcgi: worker %zu still busy, not waiting",
			    i);
	}
}

/* Runs the workers until a stop signal (blocked by the caller, so the
 * workers inherit the mask); the listener is open. */
static int
run(struct fcgi_server *srv, size_t nthreads, const sigset_t *stop,
    char *err, size_t errlen)
{
	struct fcgi_worker	*w;
	sigset_t		 kick;
	size_t			 i, started;
	int			 sig, rc;

	if ((w = calloc(nthreads, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sigemptyset(&kick);
	sigaddset(&kick, FCGI_KICK_SIG);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	for (started = 0; started < nthreads; started++) {
		w[started].srv = srv;
		atomic_init(&w[started].busy, false);
		atomic_init(&w[started].done, false);
		rc = pthread_create(&w[started].tid, NULL, worker_main,
		    &w[started]);
		if (rc != 0) {
			log_warnx("fcgi: pthread_create: %s", strerror(rc));
			break;
		}
	}
	if (started == 0) {
		snprintf(err, errlen, "no worker thread could start");
		free(w);
		return -1;
	}
	do {
		rc = sigwait(stop, &sig);
	} while (rc == EINTR);
	log_info("signal %d: finishing in-flight requests", sig);
	stop_workers(srv, w, started);
	for (i = 0; i < started; i++)
		if (!atomic_load(&w[i].done))
			break;
	if (i == started)
		free(w);	/* else a stuck worker may still use it */
	return 0;
}

int
fcgi_serve(const struct app *app, const char *sock, char *err,
    size_t errlen)
{
	struct fcgi_server	 srv;
	struct sigaction	 sa;
	sigset_t		 stop, oset;
	size_t			 nthreads;
	int			 rc;

	memset(&srv, 0, sizeof(srv));
	srv.app = app;
	atomic_init(&srv.stopping, false);
	/* Block the stop signals first: libfcgi installs handlers of its own,
	 * and a SIGTERM caught by one before sigwait() would be lost. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, &oset);
	if (FCGX_Init() != 0) {
		snprintf(err, errlen, "FCGX_Init failed");
		pthread_sigmask(SIG_SETMASK, &oset, NULL);
		return -1;
	}
	/* After FCGX_Init, which installs its own handlers when none is set.
	 * No SA_RESTART: the kick must interrupt a blocked accept or read. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_kick;
	sigaction(FCGI_KICK_SIG, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* nginx may close first */

	if ((srv.lfd = open_listener(sock, err, errlen)) < 0) {
		pthread_sigmask(SIG_SETMASK, &oset, NULL);
		return -1;
	}
	nthreads = app->cfg.threads > 0 ? (size_t)app->cfg.threads : 1;
	printf("listening on %s\n", sock != NULL && *sock != '\0' ? sock :
	    "fd 0");
	fflush(stdout);
	log_info("serving FastCGI on %s with %zu thread(s)",
	    sock != NULL && *sock != '\0' ? sock : "fd 0", nthreads);
	rc = run(&srv, nthreads, &stop, err, errlen);
	pthread_sigmask(SIG_SETMASK, &oset, NULL);
	close(srv.lfd);
	if (sock != NULL && *sock != '\0' && is_unix_path(sock))
		unlink(sock);
	if (rc == 0)
		log_info("stopped");
	return rc;
}
