build-diag/web/fcgi.o: web/fcgi.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/arena.h \
 include/bouncedesk/buf.h include/bouncedesk/err.h \
 include/bouncedesk/http.h include/bouncedesk/log.h \
 include/bouncedesk/transport.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/arena.h:
include/bouncedesk/buf.h:
include/bouncedesk/err.h:
include/bouncedesk/http.h:
include/bouncedesk/log.h:
include/bouncedesk/transport.h:
