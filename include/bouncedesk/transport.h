/* transport.h - the two ways bouncedesk meets HTTP. Each builds struct
 * request, calls http_handle() and writes struct response; nothing else
 * knows libmicrohttpd or libfcgi. */
#ifndef BOUNCEDESK_TRANSPORT_H
#define BOUNCEDESK_TRANSPORT_H
#include <stddef.h>

struct app;

/* Serves HTTP with libmicrohttpd on listen ("host:port", port 0 picks a
 * free one and prints "listening on host:port" on stdout) until SIGTERM
 * or SIGINT, then finishes in-flight requests and returns 0. Returns -1
 * with a message in err when it cannot start. */
int	mhd_serve(const struct app *, const char *listen, char *err,
	    size_t errlen);
/* Serves FastCGI with libfcgi: on socket (a unix path or ":port" /
 * "host:port"), or, when socket is "" , on file descriptor 0 as given by
 * spawn-fcgi or systemd. cfg.threads workers run FCGX_Accept_r. Stops
 * cleanly on SIGTERM/SIGINT. Same return as mhd_serve. */
int	fcgi_serve(const struct app *, const char *socket, char *err,
	    size_t errlen);

#endif /* BOUNCEDESK_TRANSPORT_H */
