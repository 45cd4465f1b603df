build-diag/src/diag/text.o: src/diag/text.c include/bouncedesk/arena.h \
 include/bouncedesk/err.h src/diag/diag_int.h include/bouncedesk/diag.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
src/diag/diag_int.h:
include/bouncedesk/diag.h:
