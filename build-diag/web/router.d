build-diag/web/router.o: web/router.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/err.h include/bouncedesk/http.h \
 include/bouncedesk/buf.h include/bouncedesk/router.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/router.h:
