/* src/auth/cli.c - `bouncedesk admin ...`: API keys and staff users from
 * the shell, for the first key and the first admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"

static int
usage(void)
{
	fprintf(stderr, "usage: bouncedesk admin create-key NAME --scopes "
	    "a,b,... [--account EXT_ID]\n"
	    "       bouncedesk admin create-staff EMAIL --role agent|admin "
	    "< password\n"
	    "       bouncedesk admin list-keys\n"
	    "       bouncedesk admin revoke-key ID\n");
	return 2;
}

/* The value of --flag in argv, or NULL. */
static const char *
flag(int argc, char **argv, const char *name)
{
	int	 i;

	for (i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int
create_key(struct store *s, int argc, char **argv)
{
	char		 key[AUTH_KEY_LEN + 1];
	const char	*sc, *ext;
	struct arena	*a;
	struct ub_account ac;
	unsigned	 mask;
	long long	 id, acct = 0;
	int		 rc;

	memset(&ac, 0, sizeof(ac));
	sc = flag(argc, argv, "--scopes");
	if (argc < 2 || argv[1][0] == '-' || sc == NULL)
		return usage();
	if (auth_scopes_parse(sc, &mask) != P_OK) {
		fprintf(stderr, "bouncedesk: unknown scope in \"%s\"\n", sc);
		return 1;
	}
	ext = flag(argc, argv, "--account");
	if (ext != NULL) {
		if ((a = arena_new(4096)) == NULL)
			return 1;
		rc = store_account_find_ext(s, a, ext, &ac);
		acct = ac.id;
		arena_free(a);
		if (rc != P_OK) {
			fprintf(stderr, "bouncedesk: no account \"%s\"\n", ext);
			return 1;
		}
	}
	rc = auth_key_create(s, argv[1], mask, key, &id);
	if (rc == P_OK && acct > 0 &&
	    (rc = store_apikey_bind(s, id, acct)) != P_OK)
		/* Never leave behind a key wider than asked for. */
		(void)store_apikey_revoke(s, id, (long long)time(NULL));
	if (rc == P_ECONFLICT) {
		fprintf(stderr, "bouncedesk: a key named \"%s\" exists\n",
		    argv[1]);
		return 1;
	}
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: create-key: %s (%s)\n",
		    perr_str(rc), store_errmsg(s));
		return 1;
	}
	/* Shown once: only its hash is kept. */
	printf("%s\n", key);
	fprintf(stderr, "key %lld \"%s\" created; store it now, it is not "
	    "shown again\n", id, argv[1]);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* Reads the password: the first line of stdin, without its newline. */
static int
read_password(char *pw, size_t len)
{
	size_t	 n;

	if (fgets(pw, (int)len, stdin) == NULL)
		return P_EINVAL;
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n == len - 1)
		return P_ETOOBIG;
	pw[n] = '\0';
	return P_OK;
}

static int
create_staff(struct store *s, int argc, char **argv)
{
	char		 pw[AUTH_PASSWORD_MAX + 2];
	const char	*role;
	long long	 id;
	int		 rc;

	role = flag(argc, argv, "--role");
	if (argc < 2 || argv[1][0] == '-' || role == NULL)
		return usage();
	if (read_password(pw, sizeof(pw)) != P_OK) {
		fprintf(stderr, "bouncedesk: give the password on stdin\n");
		return 1;
	}
	rc = auth_staff_create(s, argv[1], pw, role, &id);
	sodium_memzero(pw, sizeof(pw));
	if (rc == P_EINVAL) {
		fprintf(stderr, "bouncedesk: need an email, a role agent or "
		    "admin and a password of %d to %d characters\n",
		    AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		return 1;
	}
	if (rc == P_ECONFLICT) {
		fprintf(stderr, "bouncedesk: %s exists\n", argv[1]);
		return 1;
	}
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: create-staff: %s (%s)\n",
		    perr_str(rc), store_errmsg(s));
		return 1;
	}
	printf("staff %lld %s (%s)\n", id, argv[1], role);
	return 0;
}

static const char *
day(char *b, size_t len, long long t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b, len, "%Y-%m-%dT%H:%MZ", &tm) == 0)
		return "-";
	return b;
}

static int
list_keys(struct store *s)
{
	struct arena		*a;
	struct store_apikey	*k;
	size_t			 n, i;
	char			 b1[32], b2[32];
	int			 rc;

	if ((a = arena_new(0)) == NULL)
		return 1;
	rc = store_apikey_list(s, a, &k, &n);
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: list-keys: %s (%s)\n",
		    perr_str(rc), store_errmsg(s));
		arena_free(a);
		return 1;
	}
	printf("%-4s %-20s %-20s %-17s %-17s %s\n", "ID", "NAME", "PREFIX",
	    "CREATED", "LAST USED", "SCOPES");
	for (i = 0; i < n; i++)
		printf("%-4lld %-20s " AUTH_KEY_TAG "%-12s %-17s %-17s %s%s\n",
		    k[i].id, k[i].name, k[i].prefix,
		    day(b1, sizeof(b1), k[i].created_at),
		    day(b2, sizeof(b2), k[i].last_used_at), k[i].scopes,
		    k[i].revoked_at != 0 ? " (revoked)" : "");
	arena_free(a);
	return 0;
}

static int
revoke_key(struct store *s, int argc, char **argv)
{
	char		*end;
	long long	 id;
	int		 rc;

	if (argc < 2)
		return usage();
	id = strtoll(argv[1], &end, 10);
	if (end == argv[1] || *end != '\0' || id <= 0)
		return usage();
	rc = store_apikey_revoke(s, id, (long long)time(NULL));
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: revoke-key %lld: %s\n", id,
		    rc == P_ENOTFOUND ? "no such live key" : perr_str(rc));
		return 1;
	}
	printf("key %lld revoked\n", id);
	return 0;
}

int
admin_cli(int argc, char **argv, const char *db_path)
{
	struct store	*s;
	char		 err[256];
	int		 ret;

	if (argc < 1)
		return usage();
	s = store_open(db_path, false, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "bouncedesk: %s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "create-key") == 0)
		ret = create_key(s, argc, argv);
	else if (strcmp(argv[0], "create-staff") == 0)
		ret = create_staff(s, argc, argv);
	else if (strcmp(argv[0], "list-keys") == 0)
		ret = list_keys(s);
	else if (strcmp(argv[0], "revoke-key") == 0)
		ret = revoke_key(s, argc, argv);
	else
		ret = usage();
	store_close(s);
	return ret;
}
