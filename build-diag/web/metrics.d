build-diag/web/metrics.o: web/metrics.c include/bouncedesk/buf.h \
 include/bouncedesk/err.h include/bouncedesk/metrics.h
include/bouncedesk/buf.h:
include/bouncedesk/err.h:
include/bouncedesk/metrics.h:
