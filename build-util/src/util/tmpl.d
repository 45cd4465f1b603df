build-util/src/util/tmpl.o: src/util/tmpl.c include/bouncedesk/buf.h \
 include/bouncedesk/err.h include/bouncedesk/tmpl.h
include/bouncedesk/buf.h:
include/bouncedesk/err.h:
include/bouncedesk/tmpl.h:
