/* hdrs_summary.c - why the message probably went to spam: each finding
 * of the other parsers becomes a cause with a weight, strongest first. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define CAUSES_MAX	32

static const struct hdr_cause no_cause = {
	"no-cause", 0, NULL,
	"Nothing in these headers explains a spam filing: no filter verdict, "
	"authentication passed or was not reported. Paste the complete "
	"headers of the message as the recipient received it.",
	"Rien dans ces en-têtes n'explique un classement en spam : aucun "
	"verdict de filtre, authentification réussie ou non indiquée. Collez "
	"les en-têtes complets du message tel que le destinataire l'a reçu."
};

static const struct hdr_cause spam_unknown = {
	"spam-unknown", 10, NULL,
	"A filter marked the message as spam but the headers do not say "
	"why; the receiver's own reputation data is the likely reason.",
	"Un filtre a classé le message en spam sans que les en-têtes disent "
	"pourquoi ; les données de réputation du destinataire en sont "
	"probablement la cause."
};

static void
cause(struct hctx *h, const char *id, int weight, const char *detail,
    const char *en, const char *fr)
{
	struct hdr_report	*r = h->r;
	struct hdr_cause	*c;
	size_t			 i;

	for (i = 0; i < r->ncauses; i++)
		if (strcmp(r->causes[i].id, id) == 0) {
			if (weight > r->causes[i].weight)
				r->causes[i].weight = weight;
			return;
		}
	c = hx_push(h, &r->causes, &r->ncauses, &h->cap_causes, sizeof(*c),
	    CAUSES_MAX);
	if (c == NULL)
		return;
	c->id = id;
	c->weight = weight;
	c->detail = detail;
	c->explain_en = en;
	c->explain_fr = fr;
}

/* Names of the positive tests whose name starts with one of prefixes. */
static char *
tests_with(struct hctx *h, const char *const *prefixes, double min)
{
	const struct hdr_report	*r = h->r;
	char			*s = NULL;
	size_t			 i, j;

	for (i = 0; i < r->ntests; i++) {
		if (!r->tests[i].has_score || r->tests[i].score < min)
			continue;
		for (j = 0; prefixes[j] != NULL; j++)
			if (strncmp(r->tests[i].name, prefixes[j],
			    strlen(prefixes[j])) == 0)
				break;
		if (prefixes[j] == NULL)
			continue;
		s = hx_printf(h, "%s%s%s", s != NULL ? s : "",
		    s != NULL ? ", " : "", r->tests[i].name);
	}
	return s;
}

static void
spamassassin(struct hctx *h)
{
	static const char *const ip_bl[] = { "RCVD_IN_", "RCVD_IP_", NULL };
	static const char *const uri_bl[] = { "URIBL_", "URI_", "SURBL_",
	    NULL };
	static const char *const bayes[] = { "BAYES_", NULL };
	struct hdr_report	*r = h->r;
	char			*top = NULL, *s;
	size_t			 i, n = 0;

	if (r->has_spam_score && (r->spam_flag == 1 || (r->has_spam_required &&
	    r->spam_score >= r->spam_required))) {
		for (i = 0; i < r->ntests && n < 3; i++)
			if (r->tests[i].has_score && r->tests[i].score > 0) {
				top = hx_printf(h, "%s%s%s (%.1f)", top ? top :
				    "", top ? ", " : "", r->tests[i].name,
				    r->tests[i].score);
				n++;
			}
		cause(h, "spam-score", 90, r->has_spam_required ?
		    hx_printf(h, "%.1f / %.1f%s%s", r->spam_score,
		    r->spam_required, top ? ": " : "", top ? top : "") :
		    hx_printf(h, "%.1f%s%s", r->spam_score, top ? ": " : "",
		    top ? top : ""),
		    "The spam filter's score reached its threshold; the tests "
		    "with the highest scores below are what to fix first.",
		    "Le score du filtre antispam a atteint son seuil ; les "
		    "tests aux scores les plus élevés ci-dessous sont à corriger "
		    "en premier.");
	}
	if ((s = tests_with(h, ip_bl, 0.5)) != NULL)
		cause(h, "ip-blacklist", 75, s,
		    "A server of the path (usually the sending IP) is on a DNS "
		    "blacklist. Find out why (infected computer, hacked "
		    "account, open form), fix it, then ask for delisting.",
		    "Un serveur du trajet (souvent l'IP d'envoi) est sur une "
		    "liste noire DNS. Trouvez pourquoi (poste infecté, compte "
		    "piraté, formulaire ouvert), corrigez, puis demandez le "
		    "retrait.");
	if ((s = tests_with(h, uri_bl, 0.5)) != NULL)
		cause(h, "url-blacklist", 75, s,
		    "A link or domain in the message is on a URI blacklist; "
		    "remove it (or clean the listed site) and send again.",
		    "Un lien ou domaine du message est sur une liste noire "
		    "d'URI ; retirez-le (ou assainissez le site listé) et "
		    "renvoyez.");
	if ((s = tests_with(h, bayes, 0.5)) != NULL)
		cause(h, "content-bayes", 50, s,
		    "The wording of the message looks like spam the filter has "
		    "learned; rewrite it more plainly, with fewer sales words "
		    "and links.",
		    "La formulation du message ressemble à du spam appris par "
		    "le filtre ; réécrivez plus simplement, avec moins de mots "
		    "commerciaux et de liens.");
}

static void
microsoft(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	const char		*sfv = r->ms_sfv, *cat = r->ms_cat;
	size_t			 i;

	if (hx_ieq(sfv, "BLK"))
		cause(h, "user-blocked", 95, "SFV:BLK",
		    "The recipient has put this sender in their Blocked "
		    "Senders list; only the recipient can remove it.",
		    "Le destinataire a mis cet expéditeur dans ses expéditeurs "
		    "bloqués ; lui seul peut le retirer.");
	if (hx_ieq(sfv, "SKB") || hx_ieq(sfv, "SKS"))
		cause(h, "org-rule", 90, hx_printf(h, "SFV:%s", sfv),
		    "A rule of the recipient's organisation (block list or "
		    "mail flow rule) marked the message as spam; ask the "
		    "recipient's administrator.",
		    "Une règle de l'organisation destinataire (liste de blocage "
		    "ou règle de flux) a marqué le message comme spam ; "
		    "contactez l'administrateur du destinataire.");
	if (hx_ieq(cat, "PHSH") || hx_ieq(cat, "HPHSH") ||
	    hx_ieq(cat, "HPHISH") || (r->ms_pcl != HDR_UNSET &&
	    r->ms_pcl >= 4))
		cause(h, "ms-phish", 85, cat != NULL ? hx_printf(h, "CAT:%s",
		    cat) : NULL,
		    "Microsoft judged the message to be phishing: links to "
		    "login pages, look-alike domains or urgent payment requests "
		    "trigger this.",
		    "Microsoft a jugé le message comme de l'hameçonnage : liens "
		    "vers des pages de connexion, domaines ressemblants ou "
		    "demandes de paiement urgentes en sont la cause.");
	if (hx_ieq(cat, "SPOOF") || hx_ieq(cat, "DIMP") ||
	    hx_ieq(cat, "UIMP") || hx_ieq(cat, "GIMP"))
		cause(h, "ms-spoof", 85, hx_printf(h, "CAT:%s", cat),
		    "Microsoft thinks the sender is impersonated: the From "
		    "domain did not authenticate. Set up SPF, DKIM and DMARC "
		    "for it.",
		    "Microsoft pense que l'expéditeur est usurpé : le domaine "
		    "du From ne s'est pas authentifié. Configurez SPF, DKIM et "
		    "DMARC pour ce domaine.");
	if (hx_ieq(cat, "BULK") || (r->ms_bcl != HDR_UNSET &&
	    r->ms_bcl >= 7))
		cause(h, "ms-bulk", 70, r->ms_bcl != HDR_UNSET ?
		    hx_printf(h, "BCL:%d", r->ms_bcl) : "CAT:BULK",
		    "Microsoft classed the message as bulk mail with many "
		    "complaints; send only to subscribers, with a visible "
		    "unsubscribe link.",
		    "Microsoft a classé le message comme envoi en nombre avec "
		    "beaucoup de plaintes ; n'écrivez qu'à des inscrits, avec "
		    "un lien de désinscription visible.");
	if ((r->ms_scl != HDR_UNSET && r->ms_scl >= 5) || hx_ieq(sfv, "SPM") ||
	    hx_ieq(cat, "SPM") || hx_ieq(cat, "HSPM"))
		cause(h, "ms-spam", 80, r->ms_scl != HDR_UNSET ?
		    hx_printf(h, "SCL:%d", r->ms_scl) : sfv,
		    "Microsoft's filter scored the message as spam (SCL 5 or "
		    "more); its reasons are not published, but authentication "
		    "failures, the sending IP's reputation and the content "
		    "are the usual ones.",
		    "Le filtre de Microsoft a classé le message en spam (SCL 5 "
		    "ou plus) ; ses raisons ne sont pas publiées, mais les "
		    "échecs d'authentification, la réputation de l'IP d'envoi "
		    "et le contenu sont les causes habituelles.");
	for (i = 0; i < r->nvendor; i++)
		if (r->vendor[i].problem && (hx_ieq(r->vendor[i].key, "dest") ||
		    hx_ieq(r->vendor[i].key, "RF")))
			cause(h, "junk-folder", 60, hx_printf(h, "%s:%s",
			    r->vendor[i].key, r->vendor[i].value),
			    "The recipient's mailbox filed the message in Junk "
			    "Email (its own filter or the recipient's rules).",
			    "La boîte du destinataire a classé le message en "
			    "Courrier indésirable (son propre filtre ou les "
			    "règles du destinataire).");
}

static void
authentication(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	const struct hdr_auth	*a;
	bool			 spf_none = false, dkim_none = false;
	bool			 spf_ok = false, dkim_ok = false;
	bool			 dmarc_none = false, dmarc_seen = false;
	size_t			 i;

	for (i = 0; i < r->nauth; i++) {
		a = &r->auth[i];
		if (strcmp(a->source, "ARC-Authentication-Results") == 0)
			continue;	/* copies from earlier hops */
		if (strcmp(a->method, "spf") == 0) {
			spf_none |= a->verdict == HDR_AR_NONE;
			spf_ok |= a->verdict == HDR_AR_PASS;
		}
		if (strcmp(a->method, "dkim") == 0) {
			dkim_none |= a->verdict == HDR_AR_NONE;
			dkim_ok |= a->verdict == HDR_AR_PASS;
		}
		if (strcmp(a->method, "dmarc") == 0) {
			dmarc_none |= a->verdict == HDR_AR_NONE;
			dmarc_seen |= a->verdict != HDR_AR_NONE;
		}
		if (!a->problem || a->verdict == HDR_AR_NONE)
			continue;
		if (strcmp(a->method, "dmarc") == 0)
			cause(h, "dmarc-fail", 85, a->result, a->explain_en,
			    a->explain_fr);
		else if (strcmp(a->method, "compauth") == 0)
			cause(h, "compauth-fail", 82, a->reason, a->explain_en,
			    a->explain_fr);
		else if (strcmp(a->method, "spf") == 0)
			cause(h, "spf-fail", 65, a->result, a->explain_en,
			    a->explain_fr);
		else if (strcmp(a->method, "dkim") == 0)
			cause(h, "dkim-fail", 60, a->result, a->explain_en,
			    a->explain_fr);
		else if (strcmp(a->method, "iprev") == 0)
			cause(h, "iprev-fail", 45, a->result, a->explain_en,
			    a->explain_fr);
		else if (strcmp(a->method, "arc") == 0)
			cause(h, "arc-fail", 25, a->result, a->explain_en,
			    a->explain_fr);
	}
	if (spf_none && dkim_none && !spf_ok && !dkim_ok)
		cause(h, "no-authentication", 55, NULL,
		    "The message has neither SPF nor DKIM: nothing proves the "
		    "sender's domain, and large receivers file or refuse such "
		    "mail. Publish SPF and enable DKIM signing.",
		    "Le message n'a ni SPF ni DKIM : rien ne prouve le domaine "
		    "de l'expéditeur, et les grands destinataires classent en "
		    "spam ou refusent ces messages. Publiez SPF et activez la "
		    "signature DKIM.");
	else if (dkim_none && !dkim_ok)
		cause(h, "dkim-missing", 35, NULL,
		    hdr_auth_explain("dkim", HDR_AR_NONE, "en"),
		    hdr_auth_explain("dkim", HDR_AR_NONE, "fr"));
	if (dmarc_none && !dmarc_seen)
		cause(h, "dmarc-missing", 30, NULL,
		    hdr_auth_explain("dmarc", HDR_AR_NONE, "en"),
		    hdr_auth_explain("dmarc", HDR_AR_NONE, "fr"));
}

static void
defects(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	const struct hdr_defect	*d;
	size_t			 i, n = r->ndefects;
	int			 w;

	for (i = 0; i < n; i++) {
		d = &r->defects[i];
		if (strcmp(d->id, "from-multiple") == 0)
			w = 60;
		else if (strcmp(d->id, "from-missing") == 0)
			w = 50;
		else if (strcmp(d->id, "message-id-missing") == 0)
			w = 40;
		else if (strncmp(d->id, "date-", 5) == 0)
			w = strcmp(d->id, "date-past") == 0 ? 20 : 35;
		else
			w = 15;
		cause(h, d->id, w, d->detail, d->explain_en, d->explain_fr);
	}
}

static int
cause_cmp(const void *a, const void *b)
{
	const struct hdr_cause	*x = a, *y = b;

	if (x->weight != y->weight)
		return y->weight - x->weight;
	return strcmp(x->id, y->id);
}

void
hdr_do_summary(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	size_t			 i;

	r->looks_spam = r->spam_flag == 1 || (r->has_spam_score &&
	    r->has_spam_required && r->spam_score >= r->spam_required) ||
	    (r->ms_scl != HDR_UNSET && r->ms_scl >= 5);
	for (i = 0; i < r->nvendor; i++)
		if (r->vendor[i].problem && (hx_ieq(r->vendor[i].key, "SFV") ||
		    hx_ieq(r->vendor[i].key, "dest") ||
		    hx_ieq(r->vendor[i].key, "RF")))
			r->looks_spam = true;
	spamassassin(h);
	microsoft(h);
	authentication(h);
	defects(h);
	if (r->ncauses > 1)
		qsort(r->causes, r->ncauses, sizeof(r->causes[0]), cause_cmp);
	if (r->ncauses > 0)
		r->verdict = &r->causes[0];
	else
		r->verdict = r->looks_spam ? &spam_unknown : &no_cause;
}
