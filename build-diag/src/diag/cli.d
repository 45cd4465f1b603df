build-diag/src/diag/cli.o: src/diag/cli.c include/bouncedesk/arena.h \
 include/bouncedesk/err.h include/bouncedesk/diag.h
include/bouncedesk/arena.h:
include/bouncedesk/err.h:
include/bouncedesk/diag.h:
