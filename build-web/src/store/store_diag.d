build-web/src/store/store_diag.o: src/store/store_diag.c \
 include/bouncedesk/arena.h include/bouncedesk/err.h \
 src/store/store_int.h include/bouncedesk/store.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
src/store/store_int.h:
include/bouncedesk/store.h:
