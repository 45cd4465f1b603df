build-web/src/util/buf.o: src/util/buf.c include/bouncedesk/buf.h \
 include/bouncedesk/err.h
include/bouncedesk/buf.h:
include/bouncedesk/err.h:
