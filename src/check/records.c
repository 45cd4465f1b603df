/* records.c - DKIM key records (RFC 6376 3.6.1) and DMARC policy records
 * (RFC 7489 6.3): tag=value lists read strictly enough to say what a
 * receiver would reject. Pure. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define TAGS_MAX	32

struct tag {
	const char	*name, *value;
};

static bool
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits "a=1; b = 2;" into tags (arena copies, trimmed). Returns the
 * count, or -1 (bad syntax: *why set), -2 on OOM. */
static int
tag_list(struct arena *a, const char *s, struct tag *tags, const char **why)
{
	const char	*p = s, *ns, *ne, *vs, *ve;
	char		*name;
	int		 n = 0, i;
	size_t		 k;

	while (*p != '\0') {
		while (is_fws(*p) || *p == ';')
			p++;
		if (*p == '\0')
			break;
		for (ns = p; *p != '\0' && *p != '=' && *p != ';'; p++)
			;
		if (*p != '=') {
			*why = "a tag has no '=' (tag=value; ...)";
			return -1;
		}
		for (ne = p; ne > ns && is_fws(ne[-1]); ne--)
			;
		for (vs = ++p; *p != '\0' && *p != ';'; p++)
			;
		for (ve = p; ve > vs && is_fws(ve[-1]); ve--)
			;
		while (vs < ve && is_fws(*vs))
			vs++;
		if (ne == ns) {
			*why = "a tag has no name";
			return -1;
		}
		if (n == TAGS_MAX) {
			*why = "too many tags";
			return -1;
		}
		if ((name = arena_strndup(a, ns, (size_t)(ne - ns))) == NULL ||
		    (tags[n].value = arena_strndup(a, vs, (size_t)(ve - vs))) ==
		    NULL)
			return -2;
		for (k = 0; name[k] != '\0'; k++) {
			if (!isalnum((unsigned char)name[k]) && name[k] != '_') {
				*why = "a tag name has a bad character";
				return -1;
			}
			name[k] = (char)tolower((unsigned char)name[k]);
		}
		for (i = 0; i < n; i++)
			if (strcmp(tags[i].name, name) == 0) {
				*why = "a tag appears twice";
				return -1;
			}
		tags[n++].name = name;
	}
	return n;
}

static const char *
tag_get(const struct tag *tags, int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(tags[i].name, name) == 0)
			return tags[i].value;
	return NULL;
}

long
check_base64_len(const char *s)
{
	long	 chars = 0, pad = 0;

	for (; *s != '\0'; s++) {
		if (is_fws(*s))
			continue;
		if (*s == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || !(isalnum((unsigned char)*s) || *s == '+' ||
		    *s == '/'))
			return -1;	/* data after padding, or junk */
		chars++;
	}
	if (pad > 2 || (chars + pad) % 4 != 0 || (chars == 0 && pad > 0))
		return -1;
	return (chars + pad) / 4 * 3 - pad;
}

int
dkim_key_parse(struct arena *a, const char *txt, struct dkim_key *k)
{
	struct tag	 tags[TAGS_MAX];
	const char	*why = NULL, *f;
	long		 len;
	int		 n;

	memset(k, 0, sizeof(*k));
	if ((n = tag_list(a, txt, tags, &why)) == -2)
		return P_ENOMEM;
	if (n < 0) {
		k->error = why;
		return P_OK;
	}
	k->v = tag_get(tags, n, "v");
	k->k = tag_get(tags, n, "k");
	k->p = tag_get(tags, n, "p");
	k->t = tag_get(tags, n, "t");
	if (k->t != NULL)
		for (f = k->t; *f != '\0'; f++)
			if ((*f == 'y' || *f == 'Y') && (f == k->t ||
			    f[-1] == ':' || is_fws(f[-1])))
				k->testing = true;
	if (k->v != NULL && strcmp(k->v, "DKIM1") != 0) {
		k->error = "v= must be DKIM1";
		return P_OK;
	}
	if (k->k != NULL && strcasecmp(k->k, "rsa") != 0 &&
	    strcasecmp(k->k, "ed25519") != 0) {
		k->error = "k= names an unknown key type (rsa or ed25519)";
		return P_OK;
	}
	if (k->p == NULL) {
		k->error = "the record has no p= tag (the public key)";
		return P_OK;
	}
	if (k->p[0] == '\0') {
		k->revoked = true;
		return P_OK;
	}
	if ((len = check_base64_len(k->p)) <= 0) {
		k->error = "p= is not valid base64";
		return P_OK;
	}
	k->p_base64 = true;
	k->key_bytes = (size_t)len;
	return P_OK;
}

bool
dmarc_is_record(const char *txt)
{
	const char	*p = txt;

	if (txt == NULL)
		return false;
	while (is_fws(*p))
		p++;
	if (strncasecmp(p, "v", 1) != 0)
		return false;
	for (p++; is_fws(*p); p++)
		;
	if (*p++ != '=')
		return false;
	while (is_fws(*p))
		p++;
	return strncasecmp(p, "DMARC1", 6) == 0 && (p[6] == '\0' ||
	    p[6] == ';' || is_fws(p[6]));
}

static bool
policy_ok(const char *p)
{
	return strcasecmp(p, "none") == 0 || strcasecmp(p, "quarantine") ==
	    0 || strcasecmp(p, "reject") == 0;
}

/* Every URI of a comma list is mailto: with an address. */
static bool
uris_ok(const char *s)
{
	const char	*p = s, *e, *at;

	for (;;) {
		while (is_fws(*p))
			p++;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		if (strncasecmp(p, "mailto:", 7) != 0)
			return false;
		at = memchr(p, '@', (size_t)(e - p));
		if (at == NULL || at == p + 7 || at + 1 >= e)
			return false;
		if (*e == '\0')
			return true;
		p = e + 1;
	}
}

int
dmarc_parse(struct arena *a, const char *txt, struct dmarc_record *d)
{
	struct tag	 tags[TAGS_MAX];
	const char	*why = NULL, *pct;
	int		 n, v;

	memset(d, 0, sizeof(*d));
	d->pct = 100;
	if (!dmarc_is_record(txt)) {
		d->error = "the record does not start with v=DMARC1";
		return P_OK;
	}
	if ((n = tag_list(a, txt, tags, &why)) == -2)
		return P_ENOMEM;
	if (n < 0) {
		d->error = why;
		return P_OK;
	}
	d->p = tag_get(tags, n, "p");
	d->sp = tag_get(tags, n, "sp");
	d->rua = tag_get(tags, n, "rua");
	d->ruf = tag_get(tags, n, "ruf");
	d->adkim = tag_get(tags, n, "adkim");
	d->aspf = tag_get(tags, n, "aspf");
	if (d->p == NULL || !policy_ok(d->p))
		why = "p= must be none, quarantine or reject";
	else if (d->sp != NULL && !policy_ok(d->sp))
		why = "sp= must be none, quarantine or reject";
	else if (d->rua != NULL && !uris_ok(d->rua))
		why = "rua= must list mailto: addresses";
	else if (d->ruf != NULL && !uris_ok(d->ruf))
		why = "ruf= must list mailto: addresses";
	if ((pct = tag_get(tags, n, "pct")) != NULL) {
		for (v = 0; *pct >= '0' && *pct <= '9' && v <= 100; pct++)
			v = v * 10 + (*pct - '0');
		if (*pct != '\0' || v > 100)
			why = "pct= must be a number from 0 to 100";
		else
			d->pct = v;
	}
	d->error = why;
	return P_OK;
}
