build-diag/src/diag/classify.o: src/diag/classify.c \
 include/bouncedesk/arena.h include/bouncedesk/err.h src/diag/diag_int.h \
 include/bouncedesk/diag.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
src/diag/diag_int.h:
include/bouncedesk/diag.h:
