build-diag/src/util/arena.o: src/util/arena.c include/bouncedesk/arena.h
include/bouncedesk/arena.h:
