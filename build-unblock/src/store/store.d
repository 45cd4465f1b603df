build-unblock/src/store/store.o: src/store/store.c \
 include/bouncedesk/arena.h include/bouncedesk/err.h \
 include/bouncedesk/kb.h include/bouncedesk/log.h src/store/store_int.h \
 include/bouncedesk/store.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/kb.h:
include/bouncedesk/log.h:
src/store/store_int.h:
include/bouncedesk/store.h:
