build-web/api/health.o: api/health.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/err.h \
 include/bouncedesk/handlers.h include/bouncedesk/router.h \
 include/bouncedesk/http.h include/bouncedesk/buf.h \
 include/bouncedesk/diag.h include/bouncedesk/metrics.h \
 include/bouncedesk/store.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/err.h:
include/bouncedesk/handlers.h:
include/bouncedesk/router.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/diag.h:
include/bouncedesk/metrics.h:
include/bouncedesk/store.h:
