build-web/web/pages_diag.o: web/pages_diag.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/diag.h include/bouncedesk/err.h \
 include/bouncedesk/handlers.h include/bouncedesk/router.h \
 include/bouncedesk/http.h include/bouncedesk/buf.h \
 include/bouncedesk/i18n.h include/bouncedesk/pages.h \
 include/bouncedesk/store.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/diag.h:
include/bouncedesk/err.h:
include/bouncedesk/handlers.h:
include/bouncedesk/router.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/i18n.h:
include/bouncedesk/pages.h:
include/bouncedesk/store.h:
