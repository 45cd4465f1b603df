build-kb/src/diag/codes.o: src/diag/codes.c include/bouncedesk/codes.h
include/bouncedesk/codes.h:
