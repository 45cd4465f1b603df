build-kb/web/routes.o: web/routes.c include/bouncedesk/handlers.h \
 include/bouncedesk/router.h include/bouncedesk/http.h \
 include/bouncedesk/buf.h include/bouncedesk/diag.h
include/bouncedesk/handlers.h:
include/bouncedesk/router.h:
include/bouncedesk/http.h:
include/bouncedesk/buf.h:
include/bouncedesk/diag.h:
