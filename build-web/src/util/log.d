build-web/src/util/log.o: src/util/log.c include/bouncedesk/log.h
include/bouncedesk/log.h:
