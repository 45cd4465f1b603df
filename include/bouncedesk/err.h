/* err.h - the error codes every fallible function returns. */
#ifndef BOUNCEDESK_ERR_H
#define BOUNCEDESK_ERR_H

enum perr_code {
	P_OK = 0,
	P_EINVAL = -1,		/* the input is malformed or out of range */
	P_ENOTFOUND = -2,	/* no such thing */
	P_ETOOBIG = -3,		/* over a stated limit */
	P_ENOMEM = -4,		/* allocation failed */
	P_EDB = -5,		/* the database failed */
	P_ECONFLICT = -6,	/* the state forbids it (duplicate, wrong state) */
	P_EFORBIDDEN = -7,	/* authenticated, but not allowed */
	P_EUNAUTH = -8,		/* no or bad credentials */
	P_EMETHOD = -9,		/* the path exists, not with this method */
	P_EUNSUPP = -10,	/* unsupported media type */
	P_ERATE = -11,		/* rate limit */
	P_EIO = -12		/* an I/O error outside the database */
};

/* Short stable name of a code ("einval"); never NULL. */
const char	*perr_name(int code);
/* Human text of a code; never NULL. */
const char	*perr_str(int code);

#endif /* BOUNCEDESK_ERR_H */
