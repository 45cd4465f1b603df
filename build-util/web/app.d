build-util/web/app.o: web/app.c include/bouncedesk/app.h \
 include/bouncedesk/cfg.h include/bouncedesk/diag.h \
 include/bouncedesk/err.h include/bouncedesk/i18n.h \
 include/bouncedesk/log.h include/bouncedesk/metrics.h \
 include/bouncedesk/store.h include/bouncedesk/tmpl.h
include/bouncedesk/app.h:
include/bouncedesk/cfg.h:
include/bouncedesk/diag.h:
include/bouncedesk/err.h:
include/bouncedesk/i18n.h:
include/bouncedesk/log.h:
include/bouncedesk/metrics.h:
include/bouncedesk/store.h:
include/bouncedesk/tmpl.h:
