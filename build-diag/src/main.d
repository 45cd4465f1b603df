build-diag/src/main.o: src/main.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/diag.h \
 include/bouncedesk/err.h include/bouncedesk/log.h \
 include/bouncedesk/store.h include/bouncedesk/transport.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/diag.h:
include/bouncedesk/err.h:
include/bouncedesk/log.h:
include/bouncedesk/store.h:
include/bouncedesk/transport.h:
