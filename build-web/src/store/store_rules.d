build-web/src/store/store_rules.o: src/store/store_rules.c \
 include/bouncedesk/buf.h include/bouncedesk/err.h src/store/store_int.h \
 include/bouncedesk/store.h
include/bouncedesk/buf.h:
include/bouncedesk/err.h:
src/store/store_int.h:
include/bouncedesk/store.h:
