build-util/tests/unit/test_util: tests/unit/test_util.c \
 include/bouncedesk/arena.h include/bouncedesk/buf.h \
 include/bouncedesk/cfg.h include/bouncedesk/err.h \
 include/bouncedesk/log.h
include/bouncedesk/arena.h:
include/bouncedesk/buf.h:
include/bouncedesk/cfg.h:
include/bouncedesk/err.h:
include/bouncedesk/log.h:
