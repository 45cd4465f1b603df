build-diag/src/diag/diag.o: src/diag/diag.c include/bouncedesk/arena.h \
 include/bouncedesk/err.h src/diag/diag_int.h include/bouncedesk/diag.h \
 include/bouncedesk/hdrs.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
src/diag/diag_int.h:
include/bouncedesk/diag.h:
include/bouncedesk/hdrs.h:
