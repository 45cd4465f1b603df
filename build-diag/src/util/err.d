build-diag/src/util/err.o: src/util/err.c include/bouncedesk/err.h
include/bouncedesk/err.h:
