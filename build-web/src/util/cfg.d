build-web/src/util/cfg.o: src/util/cfg.c include/bouncedesk/cfg.h
include/bouncedesk/cfg.h:
