build-kb/web/http.o: web/http.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/err.h include/bouncedesk/http.h \
 include/bouncedesk/buf.h include/bouncedesk/i18n.h \
 include/bouncedesk/log.h include/bouncedesk/metrics.h \
 include/bouncedesk/router.h include/bouncedesk/store.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/i18n.h:
include/bouncedesk/log.h:
include/bouncedesk/metrics.h:
include/bouncedesk/router.h:
include/bouncedesk/store.h:
