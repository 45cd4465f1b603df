/* hdrs_ms.c - Microsoft 365 / Exchange Online Protection verdicts:
 * X-Forefront-Antispam-Report(-Untrusted), X-Microsoft-Antispam,
 * X-Microsoft-Antispam-Mailbox-Delivery and X-MS-Exchange-Organization-
 * SCL/PCL/BCL, decoded into plain meanings. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define VENDOR_MAX	64

struct ms_code {
	const char	*key;
	const char	*value;		/* "*": any value */
	bool		 problem;
	const char	*en, *fr;
};

static const struct ms_code codes[] = {
{ "CIP", "*", false, "The IP address that connected to Microsoft.",
  "L'adresse IP qui s'est connectée à Microsoft." },
{ "CTRY", "*", false, "The country of the connecting IP address.",
  "Le pays de l'adresse IP de connexion." },
{ "LANG", "*", false, "The language Microsoft detected in the message.",
  "La langue détectée par Microsoft dans le message." },
{ "H", "*", false, "The name the sending server gave in HELO/EHLO.",
  "Le nom donné par le serveur d'envoi dans HELO/EHLO." },
{ "PTR", "*", false, "The reverse DNS name of the connecting IP.",
  "Le nom DNS inverse de l'IP de connexion." },
{ "DIR", "INB", false, "Inbound: mail coming from outside the "
  "organisation.", "Entrant : message venant de l'extérieur de "
  "l'organisation." },
{ "DIR", "OUT", false, "Outbound: mail sent by the organisation.",
  "Sortant : message envoyé par l'organisation." },
{ "DIR", "INT", false, "Internal: mail between users of the organisation.",
  "Interne : message entre utilisateurs de l'organisation." },
{ "IPV", "CAL", false, "The IP is on the organisation's allow list, so "
  "spam filtering was skipped.", "L'IP est dans la liste d'autorisation "
  "de l'organisation : le filtrage antispam a été sauté." },
{ "IPV", "NLI", false, "The IP is not on any reputation list.",
  "L'IP ne figure sur aucune liste de réputation." },
{ "SRV", "BULK", true, "Microsoft identified the message as bulk mail "
  "(newsletter, marketing) above the bulk threshold.",
  "Microsoft a identifié un envoi en nombre (lettre d'information, "
  "marketing) au-dessus du seuil." },
{ "SFV", "NSPM", false, "Spam filtering found the message clean.",
  "Le filtre antispam a jugé le message sain." },
{ "SFV", "SPM", true, "Spam filtering marked the message as spam.",
  "Le filtre antispam a classé le message comme spam." },
{ "SFV", "SKS", true, "The message was marked as spam before filtering, "
  "by a mail flow rule of the recipient's organisation.",
  "Le message a été marqué comme spam avant le filtrage, par une règle de "
  "flux de l'organisation destinataire." },
{ "SFV", "SKA", false, "Filtering was skipped: the sender is on an allow "
  "list of the anti-spam policy.", "Filtrage sauté : l'expéditeur est "
  "dans une liste d'autorisation de la politique antispam." },
{ "SFV", "SKB", true, "The sender is on a block list of the recipient "
  "organisation's anti-spam policy.", "L'expéditeur est dans une liste de "
  "blocage de la politique antispam de l'organisation destinataire." },
{ "SFV", "SKN", false, "The message was marked as not spam before "
  "filtering (mail flow rule).", "Le message a été marqué comme non spam "
  "avant le filtrage (règle de flux)." },
{ "SFV", "SKI", false, "Intra-organisation mail: filtering was skipped.",
  "Message interne à l'organisation : filtrage sauté." },
{ "SFV", "SKQ", false, "The message was released from quarantine.",
  "Le message a été libéré de la quarantaine." },
{ "SFV", "SFE", false, "The sender is in the recipient's Safe Senders "
  "list.", "L'expéditeur est dans la liste des expéditeurs approuvés du "
  "destinataire." },
{ "SFV", "BLK", true, "The sender is in the recipient's Blocked Senders "
  "list: the recipient blocked this address or domain.",
  "L'expéditeur est dans la liste des expéditeurs bloqués du "
  "destinataire : celui-ci a bloqué cette adresse ou ce domaine." },
{ "CAT", "NONE", false, "No threat category.",
  "Aucune catégorie de menace." },
{ "CAT", "SPM", true, "Category: spam.", "Catégorie : spam." },
{ "CAT", "HSPM", true, "Category: high confidence spam.",
  "Catégorie : spam à haut niveau de confiance." },
{ "CAT", "PHSH", true, "Category: phishing.", "Catégorie : hameçonnage." },
{ "CAT", "HPHSH", true, "Category: high confidence phishing.",
  "Catégorie : hameçonnage à haut niveau de confiance." },
{ "CAT", "HPHISH", true, "Category: high confidence phishing.",
  "Catégorie : hameçonnage à haut niveau de confiance." },
{ "CAT", "BULK", true, "Category: bulk mail (the BCL is above the "
  "recipient's threshold).", "Catégorie : envoi en nombre (le BCL dépasse "
  "le seuil du destinataire)." },
{ "CAT", "MALW", true, "Category: malware.",
  "Catégorie : logiciel malveillant." },
{ "CAT", "AMP", true, "Category: anti-malware policy action.",
  "Catégorie : action de la politique anti-programme malveillant." },
{ "CAT", "SAP", true, "Category: Safe Attachments blocked an attachment.",
  "Catégorie : une pièce jointe a été bloquée par Safe Attachments." },
{ "CAT", "FTBP", true, "Category: a forbidden attachment type.",
  "Catégorie : type de pièce jointe interdit." },
{ "CAT", "SPOOF", true, "Category: spoofing; the From domain failed "
  "authentication (see compauth).", "Catégorie : usurpation ; le domaine "
  "du From a échoué à l'authentification (voir compauth)." },
{ "CAT", "DIMP", true, "Category: domain impersonation (a look-alike of a "
  "protected domain).", "Catégorie : usurpation de domaine (ressemble à un "
  "domaine protégé)." },
{ "CAT", "UIMP", true, "Category: user impersonation (a look-alike of a "
  "protected person).", "Catégorie : usurpation d'utilisateur (ressemble à "
  "une personne protégée)." },
{ "CAT", "GIMP", true, "Category: impersonation detected by mailbox "
  "intelligence.", "Catégorie : usurpation détectée par l'intelligence de "
  "boîte aux lettres." },
{ "CAT", "OSPM", true, "Category: outbound spam.",
  "Catégorie : spam sortant." },
{ "CAT", "INTOS", true, "Category: intra-organisation phishing.",
  "Catégorie : hameçonnage interne à l'organisation." },
{ "SFTY", "9.19", true, "Safety tip: domain impersonation.",
  "Conseil de sécurité : usurpation de domaine." },
{ "SFTY", "9.20", true, "Safety tip: user impersonation.",
  "Conseil de sécurité : usurpation d'utilisateur." },
{ "SFTY", "9.25", false, "Safety tip: first contact with this sender.",
  "Conseil de sécurité : premier contact avec cet expéditeur." },
{ "dest", "I", false, "Delivered to the Inbox.",
  "Distribué dans la boîte de réception." },
{ "dest", "J", true, "Delivered to the Junk Email folder.",
  "Distribué dans le dossier Courrier indésirable." },
{ "dest", "C", false, "Delivered to a custom folder.",
  "Distribué dans un dossier personnalisé." },
{ "RF", "JunkEmail", true, "Filed in the Junk Email folder.",
  "Classé dans le dossier Courrier indésirable." },
};

static const char *
scl_text(int v, bool en, bool *problem)
{
	*problem = v >= 5;
	if (v < 0)
		return en ? "SCL -1: filtering was skipped (trusted or allowed "
		    "sender)." : "SCL -1 : filtrage sauté (expéditeur de "
		    "confiance ou autorisé).";
	if (v <= 1)
		return en ? "SCL 0-1: not spam, delivered to the Inbox." :
		    "SCL 0-1 : pas du spam, distribué en boîte de réception.";
	if (v <= 4)
		return en ? "SCL 2-4: unusual value, treated as not spam." :
		    "SCL 2-4 : valeur inhabituelle, traitée comme non spam.";
	if (v <= 8)
		return en ? "SCL 5-8: spam; the message goes to Junk Email or "
		    "quarantine." : "SCL 5-8 : spam ; le message va dans le "
		    "Courrier indésirable ou en quarantaine.";
	return en ? "SCL 9: high confidence spam." :
	    "SCL 9 : spam à haut niveau de confiance.";
}

static const char *
bcl_text(int v, bool en, bool *problem)
{
	*problem = v >= 7;
	if (v == 0)
		return en ? "BCL 0: not from a bulk sender." :
		    "BCL 0 : pas un expéditeur en nombre.";
	if (v <= 3)
		return en ? "BCL 1-3: bulk sender with few complaints." :
		    "BCL 1-3 : expéditeur en nombre avec peu de plaintes.";
	if (v <= 6)
		return en ? "BCL 4-6: bulk sender with a mixed complaint "
		    "record." : "BCL 4-6 : expéditeur en nombre aux plaintes "
		    "mitigées.";
	return en ? "BCL 7-9: bulk sender with many complaints; at or above "
	    "Microsoft's usual threshold (7) the message goes to Junk. Send "
	    "only to people who asked, with an easy unsubscribe." :
	    "BCL 7-9 : expéditeur en nombre avec beaucoup de plaintes ; à "
	    "partir du seuil habituel de Microsoft (7) le message va en "
	    "indésirable. N'écrivez qu'à des personnes inscrites, avec une "
	    "désinscription facile.";
}

static const char *
pcl_text(int v, bool en, bool *problem)
{
	*problem = v >= 4;
	if (v <= 3)
		return en ? "PCL 0-3: not likely phishing." :
		    "PCL 0-3 : hameçonnage peu probable.";
	return en ? "PCL 4-8: likely phishing." :
	    "PCL 4-8 : hameçonnage probable.";
}

static bool
small_int(const char *s, size_t n, int lo, int hi, int *out)
{
	double	 d;

	if (!hx_number(s, n, &d) || d != (double)(int)d || d < lo || d > hi)
		return false;
	*out = (int)d;
	return true;
}

static void
add(struct hctx *h, const char *header, const char *k, size_t kn,
    const char *v, size_t vn)
{
	struct hdr_report	*r = h->r;
	struct hdr_vendor	*e;
	const struct ms_code	*c = NULL;
	size_t			 i;
	int			 n, *slot;
	bool			 p1, p2, untrusted;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strlen(codes[i].key) == kn &&
		    strncasecmp(codes[i].key, k, kn) == 0 &&
		    (codes[i].value[0] == '*' || (strlen(codes[i].value) ==
		    vn && strncasecmp(codes[i].value, v, vn) == 0))) {
			c = &codes[i];
			break;
		}
	if (c == NULL && !((kn == 3 && (strncasecmp(k, "SCL", 3) == 0 ||
	    strncasecmp(k, "BCL", 3) == 0 || strncasecmp(k, "PCL", 3) == 0))))
		return;		/* opaque (SFS, ARA, ENG...) or unknown */
	e = hx_push(h, &r->vendor, &r->nvendor, &h->cap_vendor, sizeof(*e),
	    VENDOR_MAX);
	if (e == NULL)
		return;
	/* "-Untrusted" copies come from the sender's own tenant: shown, but
	 * they are not the receiver's verdict. */
	untrusted = strlen(header) > 10 &&
	    strcasecmp(header + strlen(header) - 10, "-untrusted") == 0;
	e->vendor = "microsoft";
	e->header = header;
	e->key = hx_strndup(h, k, kn);
	e->value = hx_strndup(h, v, vn);
	if (c != NULL) {
		e->problem = c->problem && !untrusted;
		e->meaning_en = c->en;
		e->meaning_fr = c->fr;
		if (untrusted)
			return;
		if (strncasecmp(k, "SFV", kn) == 0 && kn == 3)
			r->ms_sfv = e->value;
		else if (strncasecmp(k, "CAT", kn) == 0 && kn == 3)
			r->ms_cat = e->value;
		return;
	}
	slot = NULL;
	p1 = false;
	if (strncasecmp(k, "SCL", 3) == 0 && small_int(v, vn, -1, 9, &n)) {
		slot = &r->ms_scl;
		e->meaning_en = scl_text(n, true, &p1);
		e->meaning_fr = scl_text(n, false, &p2);
	} else if (strncasecmp(k, "BCL", 3) == 0 &&
	    small_int(v, vn, 0, 9, &n)) {
		slot = &r->ms_bcl;
		e->meaning_en = bcl_text(n, true, &p1);
		e->meaning_fr = bcl_text(n, false, &p2);
	} else if (strncasecmp(k, "PCL", 3) == 0 &&
	    small_int(v, vn, 0, 8, &n)) {
		slot = &r->ms_pcl;
		e->meaning_en = pcl_text(n, true, &p1);
		e->meaning_fr = pcl_text(n, false, &p2);
	}
	e->problem = p1 && !untrusted;
	if (slot != NULL && !untrusted)
		*slot = n;
}

/* "KEY:VALUE;KEY:VALUE;" (a value may hold ':' as in an IPv6 CIP). */
static void
parse_pairs(struct hctx *h, const char *header, const char *v)
{
	const char	*p = v, *e, *c, *k;

	while (*p != '\0' && h->err == P_OK) {
		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		c = memchr(p, ':', (size_t)(e - p));
		if (c != NULL && c > p) {
			k = p;
			add(h, header, k, (size_t)(c - k), c + 1,
			    (size_t)(e - c - 1));
		}
		p = e;
	}
}

void
hdr_do_microsoft(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	const struct hdr_field	*f;
	size_t			 i;

	for (i = 0; i < r->nfields && h->err == P_OK; i++) {
		f = &r->fields[i];
		if (hx_ieq(f->name, "x-forefront-antispam-report") ||
		    hx_ieq(f->name, "x-forefront-antispam-report-untrusted") ||
		    hx_ieq(f->name, "x-microsoft-antispam") ||
		    hx_ieq(f->name, "x-microsoft-antispam-untrusted") ||
		    hx_ieq(f->name, "x-microsoft-antispam-mailbox-delivery"))
			parse_pairs(h, f->name, f->value);
		else if (hx_ieq(f->name, "x-ms-exchange-organization-scl"))
			add(h, f->name, "SCL", 3, f->value, strlen(f->value));
		else if (hx_ieq(f->name, "x-ms-exchange-organization-pcl"))
			add(h, f->name, "PCL", 3, f->value, strlen(f->value));
		else if (hx_ieq(f->name, "x-ms-exchange-organization-bcl"))
			add(h, f->name, "BCL", 3, f->value, strlen(f->value));
	}
}
