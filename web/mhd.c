/* web/mhd.c - the standalone transport: libmicrohttpd with an internal
 * epoll thread pool. Builds struct request from a connection, hands it to
 * http_handle() and queues a copy of the response. On SIGTERM or SIGINT it
 * stops accepting, lets in-flight requests finish, then stops the daemon. */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/log.h"
#include "bouncedesk/transport.h"

#define MHD_DRAIN_MS	10000	/* longest wait for in-flight requests */
#define MHD_ARENA_SLACK	(8u * 1024 * 1024)

/* One open connection, for the head deadline: MHD's own timeout is an
 * idle timeout that every byte resets, so a client trickling its head a
 * byte at a time (slowloris) would hold the connection for ever. */
struct mhd_conn {
	MHD_socket		 fd;
	struct timespec		 head_start;	/* connection or last answer */
	bool			 in_head;	/* waiting for a whole head */
	bool			 used;
};

/* State shared by the callbacks of one daemon. */
struct mhd_server {
	const struct app	*app;
	atomic_int		 inflight;	/* begun, not completed */
	atomic_bool		 stopping;	/* quiesced: answer, close */
	pthread_mutex_t		 lock;		/* conns */
	struct mhd_conn		*conns;		/* max_conns slots */
	size_t			 nconns;
	atomic_ulong		 cut;		/* heads too slow, cut */
};

/* One request: created when its request line arrives (URI log callback),
 * freed by the completion callback and nowhere else. */
struct mhd_req {
	struct mhd_server	*srv;
	struct arena		*arena;
	struct buf		 body;
	char			*raw_uri;	/* as sent, with the query */
	int			 body_rc;	/* P_ETOOBIG over max_body */
	bool			 began;		/* first access call seen */
};

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];
	size_t	 n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warnx("mhd: %s", msg);
}

static size_t
arena_cap(const struct app *app)
{
	return (size_t)app->cfg.max_body * 8 + MHD_ARENA_SLACK;
}

static struct mhd_req *
req_new(struct mhd_server *srv, const char *uri)
{
	struct mhd_req	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->arena = arena_new(arena_cap(srv->app))) == NULL) {
		free(r);
		return NULL;
	}
	if (uri != NULL && (r->raw_uri = arena_strdup(r->arena, uri)) == NULL) {
		arena_free(r->arena);
		free(r);
		return NULL;
	}
	buf_init(&r->body, (size_t)srv->app->cfg.max_body);
	r->srv = srv;
	atomic_fetch_add(&srv->inflight, 1);
	return r;
}

static double
since(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct mhd_server		*srv = cls;
	struct mhd_conn			*slot = *socket_context;
	const union MHD_ConnectionInfo	*ci;
	size_t				 i;

	pthread_mutex_lock(&srv->lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		for (i = 0; ci != NULL && i < srv->nconns; i++) {
			if (srv->conns[i].used)
				continue;
			slot = &srv->conns[i];
			slot->used = true;
			slot->in_head = true;
			slot->fd = ci->connect_fd;
			clock_gettime(CLOCK_MONOTONIC, &slot->head_start);
			*socket_context = slot;
			break;
		}
	} else if (slot != NULL) {
		/* MHD calls this before it closes the socket: after it, the
		 * sweeper never touches the descriptor again. */
		slot->used = false;
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&srv->lock);
}

/* Marks the connection of c as past (head done) or waiting for a head. */
static void
conn_head(struct mhd_server *srv, struct MHD_Connection *c, bool in_head)
{
	const union MHD_ConnectionInfo	*ci;
	struct mhd_conn			*slot;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (slot = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	slot->in_head = in_head;
	if (in_head)
		clock_gettime(CLOCK_MONOTONIC, &slot->head_start);
	pthread_mutex_unlock(&srv->lock);
}

/* Cuts the connections whose head has taken longer than header_timeout.
 * shutdown() only: MHD sees the end of the stream and closes it itself. */
static void
sweep(struct mhd_server *srv)
{
	double	 limit = (double)srv->app->cfg.header_timeout;
	size_t	 i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; i < srv->nconns; i++) {
		if (!srv->conns[i].used || !srv->conns[i].in_head ||
		    since(&srv->conns[i].head_start) <= limit)
			continue;
		shutdown(srv->conns[i].fd, SHUT_RDWR);
		srv->conns[i].in_head = false;
		atomic_fetch_add(&srv->cut, 1);
	}
	pthread_mutex_unlock(&srv->lock);
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)c;
	return req_new(cls, uri);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct mhd_server	*srv = cls;
	struct mhd_req		*r = *con_cls;

	(void)toe;
	conn_head(srv, c, true);	/* the next request's head starts */
	if (r == NULL)
		return;
	*con_cls = NULL;
	buf_cleanup(&r->body);
	arena_free(r->arena);
	free(r);
	atomic_fetch_sub(&srv->inflight, 1);
}

static const char *
mhd_header(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->tctx, MHD_HEADER_KIND, name);
}

static const char *
client_addr(struct arena *a, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	char				 host[INET6_ADDRSTRLEN];
	const void			*src;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return "";
	if (sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr;
	else
		return "";
	if (inet_ntop(sa->sa_family, src, host, sizeof(host)) == NULL)
		return "";
	return arena_strdup(a, host);
}

/* Copies res into an MHD response and queues it. MHD leaves the body out of
 * answers to HEAD by itself and keeps the Content-Length. */
static enum MHD_Result
queue(struct MHD_Connection *c, struct mhd_req *r, struct response *res)
{
	static char		 empty[1];
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;
	size_t			 i;
	int			 status;

	mr = MHD_create_response_from_buffer(res->body.len,
	    res->body.p != NULL ? res->body.p : empty, MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	for (i = 0; i < res->nhdr; i++) {
		if (MHD_add_response_header(mr, res->hdr[i].k,
		    res->hdr[i].v) != MHD_YES)
			log_debug("mhd: header %s refused", res->hdr[i].k);
	}
	if (res->content_type != NULL)
		(void)MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
		    res->content_type);
	if (atomic_load(&r->srv->stopping))
		(void)MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	status = res->status > 0 ? res->status : 500;
	ret = MHD_queue_response(c, (unsigned int)status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Fills what every answer needs, even one the transport gives itself. */
static void
req_fill(struct request *req, struct mhd_req *r, struct MHD_Connection *c,
    const char *method)
{
	memset(req, 0, sizeof(*req));
	req->method = http_method_parse(method);
	req->method_str = method;
	req->path = "";
	req->query = "";
	req->body = "";
	req->header = mhd_header;
	req->tctx = c;
	req->arena = r->arena;
	req->app = r->srv->app;
	req->remote_addr = client_addr(r->arena, c);
}

/* A refusal decided here (413, 400): a problem document, no dispatch. */
static enum MHD_Result
refuse(struct MHD_Connection *c, struct mhd_req *r, const char *method,
    int code, const char *detail)
{
	struct request	 req;
	struct response	 res;
	enum MHD_Result	 ret;

	req_fill(&req, r, c, method);
	if (r->raw_uri != NULL)	/* as sent: it may be what is malformed */
		req.path = arena_strndup(r->arena, r->raw_uri,
		    strcspn(r->raw_uri, "?"));
	if (req.path == NULL)
		req.path = "";
	response_init(&res);
	http_refuse(r->srv->app, &req, &res, code, detail);
	ret = queue(c, r, &res);
	response_cleanup(&res);
	return ret;
}

/* The body is too large when Content-Length says so up front. */
static bool
declared_toobig(struct MHD_Connection *c, long max)
{
	const char		*cl;
	char			*end;
	unsigned long long	 n;

	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (end == cl || *end != '\0' || errno == ERANGE)
		return false;	/* MHD itself rejects a malformed length */
	return n > (unsigned long long)max;
}

/* Splits the raw target into a once-decoded path and the raw query. */
static int
split_target(struct mhd_req *r, const char *url, struct request *req)
{
	const char	*raw, *q;
	size_t		 plen;
	char		*path;

	raw = r->raw_uri != NULL ? r->raw_uri : url;
	q = strchr(raw, '?');
	plen = q != NULL ? (size_t)(q - raw) : strlen(raw);
	if (r->raw_uri == NULL) {
		/* No raw target: MHD's url is decoded already. */
		path = arena_strndup(r->arena, raw, plen);
	} else
		path = http_urldecode(r->arena, raw, plen, false);
	if (path == NULL)
		return P_EINVAL;
	req->path = path;
	if (q != NULL && (req->query = arena_strdup(r->arena, q + 1)) == NULL)
		return P_ENOMEM;
	return P_OK;
}

static enum MHD_Result
dispatch(struct MHD_Connection *c, struct mhd_req *r, const char *url,
    const char *method)
{
	struct request	 req;
	struct response	 res;
	enum MHD_Result	 ret;
	int		 rc;

	if (r->body_rc != P_OK)
		return refuse(c, r, method, r->body_rc,
		    "the request body is larger than the limit");
	req_fill(&req, r, c, method);
	if ((rc = split_target(r, url, &req)) != P_OK)
		return refuse(c, r, method, rc,
		    "the request path is malformed");
	req.body = buf_str(&r->body);
	req.body_len = r->body.len;
	response_init(&res);
	http_handle(r->srv->app, &req, &res);
	ret = queue(c, r, &res);
	response_cleanup(&res);
	return ret;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct mhd_server	*srv = cls;
	struct mhd_req		*r = *con_cls;

	(void)version;
	if (r == NULL) {
		/* The URI callback could not allocate; try once more. */
		if ((r = req_new(srv, NULL)) == NULL)
			return MHD_NO;
		*con_cls = r;
	}
	if (!r->began) {
		r->began = true;
		conn_head(srv, c, false);
		/* Answering now makes MHD skip the body and close. */
		if (declared_toobig(c, srv->app->cfg.max_body))
			return refuse(c, r, method, P_ETOOBIG,
			    "the request body is larger than the limit");
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->body_rc == P_OK &&
		    (r->body_rc = buf_append(&r->body, upload,
		    *upload_size)) != P_OK) {
			/* Over the cap (a chunked upload, or a lying
			 * length): drop what we have, discard the rest and
			 * answer 413 once the upload ends. */
			buf_cleanup(&r->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(c, r, url, method);
}

/* "host:port", "[v6]:port", ":port" or "*:port" into a socket address. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen,
    char *err, size_t errlen)
{
	struct addrinfo	 hints, *ai;
	char		 host[256];
	const char	*colon, *hs, *he;
	char		*end;
	long		 port;
	size_t		 hlen;
	int		 gai;

	if (listen[0] == '[') {
		hs = listen + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			goto bad;
		colon = he + 1;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			goto bad;
		hs = listen;
		he = colon;
	}
	hlen = (size_t)(he - hs);
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535)
		goto bad;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	gai = getaddrinfo(hlen == 0 || strcmp(host, "*") == 0 ? NULL : host,
	    colon + 1, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errlen, "listen %s: %s", listen,
		    gai_strerror(gai));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	snprintf(err, errlen, "listen %s: expected host:port or [v6]:port",
	    listen);
	return -1;
}

static void
print_listening(struct MHD_Daemon *d, const struct sockaddr_storage *ss)
{
	const union MHD_DaemonInfo	*di;
	char				 host[INET6_ADDRSTRLEN];
	unsigned int			 port = 0;
	const void			*src;

	if (ss->ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_addr;
	else
		src = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	if (inet_ntop(ss->ss_family, src, host, sizeof(host)) == NULL)
		host[0] = '\0';
	if ((di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		port = di->port;
	if (ss->ss_family == AF_INET6)
		printf("listening on [%s]:%u\n", host, port);
	else
		printf("listening on %s:%u\n", host, port);
	fflush(stdout);
}

static struct MHD_Daemon *
start(struct mhd_server *srv, const struct sockaddr_storage *ss)
{
	const struct config	*cfg = &srv->app->cfg;
	unsigned int		 flags;

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	    MHD_USE_ITC;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_POLL;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)(const void *)ss,
	    MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)(cfg->threads > 1 ? cfg->threads : 1),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->conn_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->conn_memory,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_conns,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, (void *)srv,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->max_conns_per_ip,
	    MHD_OPTION_END);
}

/* Stops accepting, waits (bounded) for the requests begun to complete. */
static void
drain(struct MHD_Daemon *d, struct mhd_server *srv)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	MHD_socket	 lfd;
	int		 waited, n;

	atomic_store(&srv->stopping, true);
	lfd = MHD_quiesce_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	for (waited = 0; waited < MHD_DRAIN_MS; waited += 10) {
		if ((n = atomic_load(&srv->inflight)) <= 0)
			return;
		nanosleep(&ts, NULL);
	}
	log_warnx("mhd: %d request(s) still running after %d ms, stopping",
	    atomic_load(&srv->inflight), MHD_DRAIN_MS);
}

int
mhd_serve(const struct app *app, const char *listen, char *err,
    size_t errlen)
{
	struct mhd_server	 srv;
	struct sockaddr_storage	 ss;
	struct MHD_Daemon	*d;
	socklen_t		 sslen;
	sigset_t		 set, oset;
	struct timespec		 tick = { 0, 250 * 1000 * 1000 };
	int			 sig, rc;

	memset(&srv, 0, sizeof(srv));
	srv.app = app;
	srv.nconns = (size_t)app->cfg.max_conns;
	if ((srv.conns = calloc(srv.nconns, sizeof(*srv.conns))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&srv.lock, NULL);
	atomic_init(&srv.inflight, 0);
	atomic_init(&srv.stopping, false);
	if (parse_listen(listen, &ss, &sslen, err, errlen) == -1)
		return -1;
	(void)sslen;

	/* Block the stop signals before MHD starts its threads so that they
	 * inherit the mask and only sigwait() below sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if ((rc = pthread_sigmask(SIG_BLOCK, &set, &oset)) != 0) {
		snprintf(err, errlen, "pthread_sigmask: %s", strerror(rc));
		return -1;
	}
	if ((d = start(&srv, &ss)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not "
		    "an address of this host?)", listen);
		pthread_sigmask(SIG_SETMASK, &oset, NULL);
		pthread_mutex_destroy(&srv.lock);
		free(srv.conns);
		return -1;
	}
	print_listening(d, &ss);
	log_info("serving HTTP on %s with %ld thread(s)", listen,
	    app->cfg.threads);

	/* Wait for a stop signal, sweeping slow heads four times a second. */
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig > 0)
			break;
		sweep(&srv);
	}
	log_info("signal %d: finishing in-flight requests", sig);
	drain(d, &srv);
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &oset, NULL);
	if (atomic_load(&srv.cut) > 0)
		log_info("%lu connection(s) cut for a head slower than %lds",
		    atomic_load(&srv.cut), app->cfg.header_timeout);
	pthread_mutex_destroy(&srv.lock);
	free(srv.conns);
	log_info("stopped");
	return 0;
}
