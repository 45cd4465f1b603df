build-web/web/pages.o: web/pages.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/err.h include/bouncedesk/handlers.h \
 include/bouncedesk/router.h include/bouncedesk/http.h \
 include/bouncedesk/buf.h include/bouncedesk/diag.h \
 include/bouncedesk/i18n.h include/bouncedesk/pages.h \
 include/bouncedesk/tmpl.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/handlers.h:
include/bouncedesk/router.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/diag.h:
include/bouncedesk/i18n.h:
include/bouncedesk/pages.h:
include/bouncedesk/tmpl.h:
