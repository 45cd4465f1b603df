build-diag/src/diag/reasons.o: src/diag/reasons.c src/diag/diag_int.h \
 include/bouncedesk/diag.h
src/diag/diag_int.h:
include/bouncedesk/diag.h:
