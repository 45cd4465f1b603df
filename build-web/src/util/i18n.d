build-web/src/util/i18n.o: src/util/i18n.c include/bouncedesk/i18n.h
include/bouncedesk/i18n.h:
