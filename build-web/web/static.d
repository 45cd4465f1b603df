build-web/web/static.o: web/static.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/err.h include/bouncedesk/handlers.h \
 include/bouncedesk/router.h include/bouncedesk/http.h \
 include/bouncedesk/buf.h include/bouncedesk/diag.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/handlers.h:
include/bouncedesk/router.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/diag.h:
