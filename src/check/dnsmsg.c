/* dnsmsg.c - the table of DNS answers the checks read, and a bounded
 * parser of DNS responses (RFC 1035 4.1) that turns the records of the
 * asked type into text. Pure: no I/O. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define DNS_HDR		12
#define DNS_MAX_RR	64		/* records kept per answer */
#define DNS_MAX_TXT	4096		/* bytes of one TXT record kept */
#define DNS_MAX_PTRS	32		/* compression pointers followed */

const char *
dns_type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A:		return "A";
	case DNS_T_CNAME:	return "CNAME";
	case DNS_T_PTR:		return "PTR";
	case DNS_T_MX:		return "MX";
	case DNS_T_TXT:		return "TXT";
	case DNS_T_AAAA:	return "AAAA";
	}
	return "?";
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[] = { "ok", "nodata", "nxdomain",
	    "servfail", "refused", "timeout", "error", "skipped" };

	if ((size_t)s < sizeof(names) / sizeof(names[0]))
		return names[s];
	return "error";
}

bool
dns_status_known(enum dns_status s)
{
	return s == DNS_S_OK || s == DNS_S_NODATA || s == DNS_S_NXDOMAIN;
}

/* ------------------------------------------------------------ table --- */

void
dns_table_init(struct dns_table *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
}

static struct dns_entry *
table_find(struct dns_table *t, const char *name, enum dns_type type)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].type == type && strcmp(t->e[i].name, name) == 0)
			return &t->e[i];
	return NULL;
}

/* Grows an arena array of n used items of size sz to hold one more. */
static void *
grow(struct arena *a, void *old, size_t n, size_t *cap, size_t sz)
{
	void	*p;
	size_t	 ncap;

	if (n < *cap)
		return old;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if ((p = arena_calloc(a, ncap, sz)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, old, n * sz);
	*cap = ncap;
	return p;
}

static void
want(struct dns_table *t, const char *name, enum dns_type type)
{
	struct dns_query	*w;
	size_t			 i;

	for (i = 0; i < t->nwant; i++)
		if (t->want[i].type == type &&
		    strcmp(t->want[i].name, name) == 0)
			return;
	w = grow(t->arena, t->want, t->nwant, &t->capwant, sizeof(*w));
	if (w == NULL)
		return;		/* the check then judges it missing */
	t->want = w;
	t->want[t->nwant].name = arena_strdup(t->arena, name);
	t->want[t->nwant].type = type;
	if (t->want[t->nwant].name != NULL)
		t->nwant++;
}

const struct dns_answer *
dns_table_get(struct dns_table *t, const char *name, enum dns_type type)
{
	static const struct dns_answer skipped = { DNS_S_SKIPPED, NULL, 0,
	    NULL, 0, false };
	static const struct dns_answer nx = { DNS_S_NXDOMAIN, NULL, 0, NULL,
	    0, false };
	struct dns_entry	*e;

	if ((e = table_find(t, name, type)) != NULL)
		return &e->ans;
	if (t->complete)
		return &nx;
	if (t->final)
		return &skipped;
	want(t, name, type);
	return NULL;
}

int
dns_table_put(struct dns_table *t, const char *name, enum dns_type type,
    const struct dns_answer *ans)
{
	struct dns_entry	*e, *ne;

	if ((e = table_find(t, name, type)) != NULL) {
		e->ans = *ans;
		return P_OK;
	}
	ne = grow(t->arena, t->e, t->n, &t->cap, sizeof(*ne));
	if (ne == NULL)
		return P_ENOMEM;
	t->e = ne;
	e = &t->e[t->n];
	if ((e->name = arena_strdup(t->arena, name)) == NULL)
		return P_ENOMEM;
	e->type = type;
	e->ans = *ans;
	t->n++;
	return P_OK;
}

int
dns_table_add(struct dns_table *t, const char *name, enum dns_type type,
    enum dns_status st, const char *const *texts)
{
	struct dns_answer	 a;
	const char		*sp, *p;
	size_t			 i, n = 0;

	memset(&a, 0, sizeof(a));
	a.status = st;
	while (texts != NULL && texts[n] != NULL)
		n++;
	if (n > 0 && (a.rr = arena_calloc(t->arena, n, sizeof(*a.rr))) ==
	    NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		a.rr[i].text = texts[i];
		if (type == DNS_T_MX && (sp = strchr(texts[i], ' ')) != NULL) {
			a.rr[i].pref = 0;
			for (p = texts[i]; p < sp && isdigit((unsigned char)*p) &&
			    a.rr[i].pref < 65536; p++)
				a.rr[i].pref = a.rr[i].pref * 10 +
				    (unsigned)(*p - '0');
			a.rr[i].text = sp + 1;
		}
	}
	a.n = n;
	if (st == DNS_S_OK && n == 0)
		a.status = DNS_S_NODATA;
	a.ttl = 60;
	return dns_table_put(t, name, type, &a);
}

/* ----------------------------------------------------------- parser --- */

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Reads the name at *off into out (lower case, dotted, no final dot; "."
 * for the root) and moves *off past it. Compression pointers must point
 * backwards, at most DNS_MAX_PTRS of them. Returns 0 or -1.
 */
static int
read_name(const unsigned char *m, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t	 p = *off, o = 0, next = 0, i;
	int	 jumps = 0;
	unsigned c;

	for (;;) {
		if (p >= len)
			return -1;
		c = m[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++jumps > DNS_MAX_PTRS)
				return -1;
			if (next == 0)
				next = p + 2;
			c = (c & 0x3f) << 8 | m[p + 1];
			if (c >= p)
				return -1;	/* forward: maybe a loop */
			p = c;
			continue;
		}
		if ((c & 0xc0) != 0)
			return -1;		/* extended label types */
		if (c == 0) {
			p++;
			break;
		}
		if (p + 1 + c > len || o + c + 2 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (i = 0; i < c; i++) {
			unsigned char	 ch = m[p + 1 + i];

			/* Names are compared as text: anything odd is
			 * replaced so that it can never match a real name. */
			out[o++] = (ch > ' ' && ch < 0x7f && ch != '.') ?
			    (char)tolower(ch) : '?';
		}
		p += 1 + c;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	*off = next != 0 ? next : p;
	return 0;
}

struct rr_view {
	char		 owner[256];
	unsigned	 type, klass;
	uint32_t	 ttl;
	size_t		 rdoff, rdlen;
};

/* Reads one resource record header at *off. 0 or -1. */
static int
read_rr(const unsigned char *m, size_t len, size_t *off, struct rr_view *rr)
{
	if (read_name(m, len, off, rr->owner, sizeof(rr->owner)) != 0 ||
	    *off + 10 > len)
		return -1;
	rr->type = get16(m + *off);
	rr->klass = get16(m + *off + 2);
	rr->ttl = get32(m + *off + 4);
	rr->rdlen = get16(m + *off + 8);
	rr->rdoff = *off + 10;
	if (rr->rdoff + rr->rdlen > len)
		return -1;
	*off = rr->rdoff + rr->rdlen;
	return 0;
}

/* The text of one record of qtype, in the arena; NULL when malformed. */
static char *
rr_text(struct arena *a, const unsigned char *m, size_t len,
    const struct rr_view *rr, unsigned *pref)
{
	char		 name[256], addr[INET6_ADDRSTRLEN], *s;
	size_t		 off = rr->rdoff, end = rr->rdoff + rr->rdlen, o, i;
	unsigned	 n;

	switch (rr->type) {
	case DNS_T_A:
		if (rr->rdlen != 4 || inet_ntop(AF_INET, m + off, addr,
		    sizeof(addr)) == NULL)
			return NULL;
		return arena_strdup(a, addr);
	case DNS_T_AAAA:
		if (rr->rdlen != 16 || inet_ntop(AF_INET6, m + off, addr,
		    sizeof(addr)) == NULL)
			return NULL;
		return arena_strdup(a, addr);
	case DNS_T_MX:
		if (rr->rdlen < 3)
			return NULL;
		*pref = get16(m + off);
		off += 2;
		/* FALLTHROUGH */
	case DNS_T_PTR:
	case DNS_T_CNAME:
		if (read_name(m, len, &off, name, sizeof(name)) != 0 ||
		    off > end)
			return NULL;
		return arena_strdup(a, name);
	case DNS_T_TXT:
		/* The strings of one record are joined without spaces
		 * (RFC 7208 3.3, RFC 6376 3.6.2.2). */
		if ((s = arena_alloc(a, rr->rdlen + 1)) == NULL)
			return NULL;
		for (o = 0; off < end; off += n) {
			n = m[off++];
			if (off + n > end)
				return NULL;
			for (i = 0; i < n && o < DNS_MAX_TXT; i++) {
				unsigned char	 ch = m[off + i];

				s[o++] = ch >= ' ' && ch < 0x7f ? (char)ch :
				    ch == '\t' ? ' ' : '?';
			}
		}
		s[o] = '\0';
		return s;
	}
	return NULL;
}

#define DNS_MAX_CHAIN	8

int
dns_msg_parse(struct arena *a, const unsigned char *m, size_t len,
    enum dns_type qtype, struct dns_answer *out)
{
	struct rr_view	 rr;
	char		 qname[256], chain[DNS_MAX_CHAIN][256];
	unsigned	 flags, rcode, qd, an, ns, i, pref;
	size_t		 off, ansoff, nchain = 1, k;
	uint32_t	 ttl = UINT32_MAX, negttl = UINT32_MAX;
	char		*text;
	bool		 grew;

	memset(out, 0, sizeof(*out));
	out->status = DNS_S_ERROR;
	if (len < DNS_HDR)
		return P_EINVAL;
	flags = get16(m + 2);
	qd = get16(m + 4);
	an = get16(m + 6);
	ns = get16(m + 8);
	if ((flags & 0x8000) == 0 || qd != 1)
		return P_EINVAL;
	rcode = flags & 0x0f;
	off = DNS_HDR;
	if (read_name(m, len, &off, qname, sizeof(qname)) != 0 ||
	    off + 4 > len)
		return P_EINVAL;
	off += 4;
	ansoff = off;

	/* The CNAME chain from the question's name, in any order. */
	memcpy(chain[0], qname, sizeof(qname));
	do {
		grew = false;
		off = ansoff;
		for (i = 0; i < an; i++) {
			if (read_rr(m, len, &off, &rr) != 0)
				return P_EINVAL;
			if (rr.type != DNS_T_CNAME || qtype == DNS_T_CNAME ||
			    strcmp(rr.owner, chain[nchain - 1]) != 0 ||
			    nchain == DNS_MAX_CHAIN)
				continue;
			k = rr.rdoff;
			if (read_name(m, len, &k, chain[nchain],
			    sizeof(chain[0])) != 0)
				return P_EINVAL;
			if (rr.ttl < ttl)
				ttl = rr.ttl;
			nchain++;
			grew = true;
			break;
		}
	} while (grew && nchain < DNS_MAX_CHAIN);
	if (nchain > 1 && (out->cname = arena_strdup(a,
	    chain[nchain - 1])) == NULL)
		return P_ENOMEM;

	off = ansoff;
	out->rr = arena_calloc(a, an < DNS_MAX_RR ? (an > 0 ? an : 1) :
	    DNS_MAX_RR, sizeof(*out->rr));
	if (out->rr == NULL)
		return P_ENOMEM;
	for (i = 0; i < an; i++) {
		if (read_rr(m, len, &off, &rr) != 0)
			return P_EINVAL;
		if (rr.type != qtype || rr.klass != 1 || out->n == DNS_MAX_RR)
			continue;
		for (k = 0; k < nchain; k++)
			if (strcmp(rr.owner, chain[k]) == 0)
				break;
		if (k == nchain)
			continue;
		pref = 0;
		if ((text = rr_text(a, m, len, &rr, &pref)) == NULL)
			return P_EINVAL;
		out->rr[out->n].text = text;
		out->rr[out->n].pref = pref;
		out->n++;
		if (rr.ttl < ttl)
			ttl = rr.ttl;
	}
	/* A negative answer lives as long as the SOA says (RFC 2308 5). */
	for (i = 0; i < ns; i++) {
		if (read_rr(m, len, &off, &rr) != 0)
			break;
		if (rr.type == 6 && rr.rdlen >= 20) {
			uint32_t	 min = get32(m + rr.rdoff + rr.rdlen -
			    4);

			negttl = rr.ttl < min ? rr.ttl : min;
		}
	}

	switch (rcode) {
	case 0:
		out->status = out->n > 0 ? DNS_S_OK : DNS_S_NODATA;
		if (out->n == 0 && (flags & 0x0200))
			out->status = DNS_S_ERROR;	/* truncated */
		break;
	case 2:
		out->status = DNS_S_SERVFAIL;
		break;
	case 3:
		out->status = DNS_S_NXDOMAIN;
		break;
	case 5:
		out->status = DNS_S_REFUSED;
		break;
	default:
		out->status = DNS_S_ERROR;
		break;
	}
	if (out->status == DNS_S_OK)
		out->ttl = ttl;
	else if (out->status == DNS_S_NODATA || out->status == DNS_S_NXDOMAIN)
		out->ttl = negttl != UINT32_MAX ? negttl : 30;
	else
		out->ttl = 0;
	return P_OK;
}
