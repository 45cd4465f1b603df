/* log.h - logging to stderr (OpenSMTPD's split: _warn adds strerror).
 * fatal/fatalx are for start-up only, never on a request path. */
#ifndef BOUNCEDESK_LOG_H
#define BOUNCEDESK_LOG_H

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_init(int verbose, int json);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
/* One access line: time, request id, method, route, status, duration. */
void	log_access(unsigned long long id, const char *method,
	    const char *route, int status, double ms, const char *remote);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif /* BOUNCEDESK_LOG_H */
