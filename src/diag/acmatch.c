/* acmatch.c - many literal words found in one pass over a text
 * (Aho-Corasick, as a DFA over a reduced alphabet). The rules' "requires"
 * words are all looked for at once, so the prefilter costs one pass per
 * text instead of one strstr per word per rule. */
#include <stdint.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/err.h"
#include "diag_int.h"

#define AC_MAX_STATES	65535	/* state numbers fit in 16 bits */

struct acmatch {
	uint16_t	*delta;		/* nstates * nclass transitions */
	uint16_t	*out;		/* per state: word ending here, +1 */
	uint16_t	*outnext;	/* per state: next output state, +1 */
	uint8_t		 cls[256];	/* byte -> class (0: not in any word) */
	size_t		 nclass, nstates, nwords;
};

/* The trie while it is built: children as a full class table. */
struct build {
	uint16_t	*go;		/* nstates * nclass, 0 = none */
	uint16_t	*fail;
	uint16_t	*out;
	size_t		 nstates, cap, nclass;
};

static int
grow(struct build *b)
{
	size_t		 cap = b->cap * 2;
	uint16_t	*go, *fail, *out;

	if (cap > AC_MAX_STATES)
		return P_ETOOBIG;
	go = realloc(b->go, cap * b->nclass * sizeof(*go));
	if (go == NULL)
		return P_ENOMEM;
	b->go = go;
	memset(go + b->cap * b->nclass, 0,
	    (cap - b->cap) * b->nclass * sizeof(*go));
	if ((fail = realloc(b->fail, cap * sizeof(*fail))) == NULL)
		return P_ENOMEM;
	b->fail = fail;
	if ((out = realloc(b->out, cap * sizeof(*out))) == NULL)
		return P_ENOMEM;
	b->out = out;
	memset(out + b->cap, 0, (cap - b->cap) * sizeof(*out));
	b->cap = cap;
	return P_OK;
}

static int
add_word(struct build *b, const struct acmatch *ac, const char *w,
    size_t id)
{
	size_t	 s = 0, c;
	int	 rc;

	for (; *w != '\0'; w++) {
		c = ac->cls[(unsigned char)*w];
		if (b->go[s * b->nclass + c] == 0) {
			if (b->nstates == b->cap && (rc = grow(b)) != P_OK)
				return rc;
			b->go[s * b->nclass + c] = (uint16_t)b->nstates;
			b->nstates++;
		}
		s = b->go[s * b->nclass + c];
	}
	/* Several rules may share a word: keep the first id, the others
	 * are mapped to it by the caller. */
	if (b->out[s] == 0)
		b->out[s] = (uint16_t)(id + 1);
	return P_OK;
}

/* Breadth-first: fail links, then the full DFA transitions. */
static int
link(struct build *b, struct acmatch *ac)
{
	uint16_t	*queue;
	size_t		 head = 0, tail = 0, s, c, t, f;

	if ((queue = malloc(b->nstates * sizeof(*queue))) == NULL)
		return P_ENOMEM;
	ac->outnext = calloc(b->nstates, sizeof(*ac->outnext));
	if (ac->outnext == NULL) {
		free(queue);
		return P_ENOMEM;
	}
	b->fail[0] = 0;
	for (c = 0; c < b->nclass; c++)
		if ((t = b->go[c]) != 0) {
			b->fail[t] = 0;
			queue[tail++] = (uint16_t)t;
		}
	while (head < tail) {
		s = queue[head++];
		/* The nearest suffix state that ends a word. */
		f = b->fail[s];
		ac->outnext[s] = b->out[f] != 0 ? (uint16_t)(f + 1) :
		    ac->outnext[f];
		for (c = 0; c < b->nclass; c++) {
			t = b->go[s * b->nclass + c];
			if (t != 0) {
				b->fail[t] = b->go[b->fail[s] * b->nclass + c];
				queue[tail++] = (uint16_t)t;
			} else
				b->go[s * b->nclass + c] =
				    b->go[b->fail[s] * b->nclass + c];
		}
	}
	free(queue);
	return P_OK;
}

struct acmatch *
acmatch_new(const char *const *words, size_t nwords)
{
	struct acmatch	*ac;
	struct build	 b;
	size_t		 i;
	const char	*p;

	memset(&b, 0, sizeof(b));
	if (nwords >= AC_MAX_STATES || (ac = calloc(1, sizeof(*ac))) == NULL)
		return NULL;
	ac->nwords = nwords;
	/* Class 0 is every byte no word uses. Words are lowercase; an
	 * upper-case ASCII letter shares its lower-case letter's class, so
	 * texts need no lowercase copy. */
	ac->nclass = 1;
	for (i = 0; i < nwords; i++)
		for (p = words[i]; *p != '\0'; p++)
			if (ac->cls[(unsigned char)*p] == 0) {
				if (ac->nclass > 255)
					goto fail0;
				ac->cls[(unsigned char)*p] =
				    (uint8_t)ac->nclass++;
			}
	for (i = 'A'; i <= 'Z'; i++)
		ac->cls[i] = ac->cls[i - 'A' + 'a'];
	b.nclass = ac->nclass;
	b.cap = 64;
	b.go = calloc(b.cap * b.nclass, sizeof(*b.go));
	b.fail = calloc(b.cap, sizeof(*b.fail));
	b.out = calloc(b.cap, sizeof(*b.out));
	b.nstates = 1;
	if (b.go == NULL || b.fail == NULL || b.out == NULL)
		goto fail;
	for (i = 0; i < nwords; i++)
		if (words[i][0] != '\0' && add_word(&b, ac, words[i], i) !=
		    P_OK)
			goto fail;
	if (link(&b, ac) != P_OK)
		goto fail;
	ac->delta = b.go;
	ac->out = b.out;
	ac->nstates = b.nstates;
	free(b.fail);
	return ac;
fail:
	free(b.go);
	free(b.fail);
	free(b.out);
fail0:
	acmatch_free(ac);
	return NULL;
}

void
acmatch_free(struct acmatch *ac)
{
	if (ac == NULL)
		return;
	free(ac->delta);
	free(ac->out);
	free(ac->outnext);
	free(ac);
}

size_t
acmatch_nwords(const struct acmatch *ac)
{
	return ac->nwords;
}

void
acmatch_scan(const struct acmatch *ac, const char *text, size_t len,
    uint64_t *found)
{
	const uint16_t	*delta = ac->delta;
	const uint8_t	*cls = ac->cls;
	size_t		 i, s = 0, o, nclass = ac->nclass;

	memset(found, 0, ((ac->nwords + 63) / 64) * sizeof(*found));
	for (i = 0; i < len; i++) {
		s = delta[s * nclass + cls[(unsigned char)text[i]]];
		if (ac->out[s] == 0 && ac->outnext[s] == 0)
			continue;
		for (o = s + 1; o != 0; o = ac->outnext[o - 1])
			if (ac->out[o - 1] != 0) {
				size_t w = ac->out[o - 1] - 1u;

				found[w / 64] |= 1ULL << (w % 64);
			}
	}
}

ssize_t
acmatch_first(const struct acmatch *ac, const char *text, size_t len,
    size_t *end)
{
	const uint16_t	*delta = ac->delta;
	const uint8_t	*cls = ac->cls;
	size_t		 i, s = 0, o, nclass = ac->nclass;

	for (i = 0; i < len; i++) {
		s = delta[s * nclass + cls[(unsigned char)text[i]]];
		if (ac->out[s] == 0 && ac->outnext[s] == 0)
			continue;
		for (o = s + 1; o != 0; o = ac->outnext[o - 1])
			if (ac->out[o - 1] != 0) {
				if (end != NULL)
					*end = i + 1;
				return (ssize_t)(ac->out[o - 1] - 1u);
			}
	}
	return -1;
}

ssize_t
acmatch_last(const struct acmatch *ac, const char *text, size_t len,
    size_t *end)
{
	const uint16_t	*delta = ac->delta;
	const uint8_t	*cls = ac->cls;
	size_t		 i, s = 0, o, nclass = ac->nclass;
	ssize_t		 w = -1;

	for (i = 0; i < len; i++) {
		s = delta[s * nclass + cls[(unsigned char)text[i]]];
		if (ac->out[s] == 0 && ac->outnext[s] == 0)
			continue;
		for (o = s + 1; o != 0; o = ac->outnext[o - 1])
			if (ac->out[o - 1] != 0) {
				/* The longest word ending here comes first. */
				w = (ssize_t)(ac->out[o - 1] - 1u);
				if (end != NULL)
					*end = i + 1;
				break;
			}
	}
	return w;
}
