/* hdrs_auth_text.c - what each authentication verdict means and what to
 * do about it, in English and French. HDR_AR_UNKNOWN rows are the
 * method's fallback for results without a row of their own. */
#include <string.h>

#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

struct auth_text {
	const char		*method;
	enum hdr_auth_result	 v;
	const char		*en, *fr;
};

static const struct auth_text texts[] = {
{ "spf", HDR_AR_PASS,
  "SPF passed: the sending server is authorised by the sender domain's SPF "
  "record.",
  "SPF réussi : le serveur d'envoi est autorisé par l'enregistrement SPF du "
  "domaine expéditeur." },
{ "spf", HDR_AR_FAIL,
  "SPF failed: the domain's SPF record says this server may not send for "
  "it. Add the sending service (for our relays, our include) to the SPF "
  "record, or send through an authorised server.",
  "SPF en échec : l'enregistrement SPF du domaine interdit à ce serveur "
  "d'envoyer pour lui. Ajoutez le service d'envoi (pour nos relais, notre "
  "include) à l'enregistrement SPF, ou envoyez par un serveur autorisé." },
{ "spf", HDR_AR_SOFTFAIL,
  "SPF soft fail (~all): the server is not in the SPF record; receivers "
  "often file such mail as spam. Add the sending service to the record.",
  "SPF en échec léger (~all) : le serveur n'est pas dans l'enregistrement "
  "SPF ; les destinataires classent souvent ces messages en spam. Ajoutez "
  "le service d'envoi à l'enregistrement." },
{ "spf", HDR_AR_NEUTRAL,
  "SPF neutral (?all): the domain makes no statement about this server, "
  "which gives no protection and no credit.",
  "SPF neutre (?all) : le domaine ne dit rien de ce serveur, ce qui "
  "n'apporte ni protection ni confiance." },
{ "spf", HDR_AR_NONE,
  "No SPF record: the sender domain publishes none. Gmail and Yahoo "
  "require SPF or DKIM; publish an SPF record listing your senders.",
  "Pas d'enregistrement SPF : le domaine expéditeur n'en publie pas. Gmail "
  "et Yahoo exigent SPF ou DKIM ; publiez un enregistrement SPF listant vos "
  "serveurs d'envoi." },
{ "spf", HDR_AR_TEMPERROR,
  "SPF temporary error: a DNS lookup failed during the check; if it "
  "repeats, check that the domain's DNS servers answer reliably.",
  "Erreur SPF temporaire : une requête DNS a échoué pendant le contrôle ; "
  "si cela se répète, vérifiez que les serveurs DNS du domaine répondent "
  "bien." },
{ "spf", HDR_AR_PERMERROR,
  "SPF permanent error: the SPF record is broken (syntax, two records, or "
  "more than 10 DNS lookups). Fix the record; until then it counts as a "
  "failure.",
  "Erreur SPF permanente : l'enregistrement SPF est invalide (syntaxe, deux "
  "enregistrements ou plus de 10 requêtes DNS). Corrigez-le ; en attendant "
  "il compte comme un échec." },
{ "dkim", HDR_AR_PASS,
  "DKIM passed: the message carries a valid signature of the domain shown "
  "in header.d.",
  "DKIM réussi : le message porte une signature valide du domaine indiqué "
  "dans header.d." },
{ "dkim", HDR_AR_FAIL,
  "DKIM failed: the signature does not verify, because the message was "
  "changed after signing (footer, antivirus, list) or the published key "
  "does not match. Check the DKIM key in DNS and what alters the message.",
  "DKIM en échec : la signature ne se vérifie pas, car le message a été "
  "modifié après signature (pied de page, antivirus, liste) ou la clé "
  "publiée ne correspond pas. Vérifiez la clé DKIM dans le DNS et ce qui "
  "modifie le message." },
{ "dkim", HDR_AR_NONE,
  "No DKIM signature: the message is not signed. Enable DKIM signing for "
  "the sender domain; large receivers now expect it.",
  "Pas de signature DKIM : le message n'est pas signé. Activez la signature "
  "DKIM pour le domaine expéditeur ; les grands destinataires l'attendent "
  "désormais." },
{ "dkim", HDR_AR_NEUTRAL,
  "DKIM neutral: a signature was present but could not be used (bad "
  "syntax, expired, or too short a key).",
  "DKIM neutre : une signature était présente mais inutilisable (syntaxe, "
  "expirée, ou clé trop courte)." },
{ "dkim", HDR_AR_POLICY,
  "DKIM policy: the signature verifies but the receiver does not accept "
  "it (for example a key shorter than 1024 bits or a weak algorithm).",
  "DKIM refusé par politique : la signature se vérifie mais le destinataire "
  "ne l'accepte pas (par exemple une clé de moins de 1024 bits ou un "
  "algorithme faible)." },
{ "dkim", HDR_AR_TEMPERROR,
  "DKIM temporary error: the public key could not be fetched from DNS.",
  "Erreur DKIM temporaire : la clé publique n'a pas pu être obtenue dans le "
  "DNS." },
{ "dkim", HDR_AR_PERMERROR,
  "DKIM permanent error: the signature or the published key is malformed, "
  "or the key is missing from DNS. Republish the key for the selector.",
  "Erreur DKIM permanente : la signature ou la clé publiée est mal formée, "
  "ou la clé est absente du DNS. Republiez la clé du sélecteur." },
{ "dmarc", HDR_AR_PASS,
  "DMARC passed: SPF or DKIM passed for a domain aligned with the From "
  "address.",
  "DMARC réussi : SPF ou DKIM a réussi pour un domaine aligné sur l'adresse "
  "From." },
{ "dmarc", HDR_AR_FAIL,
  "DMARC failed: neither SPF nor DKIM passed for the domain of the From "
  "address, so the receiver applies the domain's policy (quarantine = "
  "spam folder, reject = refused). Sign with DKIM for the From domain and "
  "list your servers in SPF.",
  "DMARC en échec : ni SPF ni DKIM n'ont réussi pour le domaine de "
  "l'adresse From, le destinataire applique donc la politique du domaine "
  "(quarantine = dossier spam, reject = refus). Signez en DKIM pour le "
  "domaine du From et listez vos serveurs dans SPF." },
{ "dmarc", HDR_AR_NONE,
  "No DMARC policy: the From domain publishes no DMARC record. Gmail and "
  "Yahoo require one for bulk senders; publish at least v=DMARC1; p=none.",
  "Pas de politique DMARC : le domaine du From ne publie pas "
  "d'enregistrement DMARC. Gmail et Yahoo l'exigent pour les envois en "
  "nombre ; publiez au moins v=DMARC1; p=none." },
{ "dmarc", HDR_AR_BESTGUESSPASS,
  "Microsoft guessed DMARC would pass: the domain has no DMARC record but "
  "the message aligns.",
  "Microsoft estime que DMARC réussirait : le domaine n'a pas "
  "d'enregistrement DMARC mais le message est aligné." },
{ "dmarc", HDR_AR_UNKNOWN,
  "DMARC could not be evaluated (DNS error or broken record).",
  "DMARC n'a pas pu être évalué (erreur DNS ou enregistrement invalide)." },
{ "arc", HDR_AR_PASS,
  "ARC passed: the forwarding servers' record of the original checks is "
  "intact.",
  "ARC réussi : le relevé des contrôles d'origine, laissé par les serveurs "
  "de transfert, est intact." },
{ "arc", HDR_AR_FAIL,
  "ARC failed: the chain added by forwarders or lists was broken, so the "
  "receiver cannot trust the original SPF/DKIM results of a forwarded "
  "message.",
  "ARC en échec : la chaîne ajoutée par les transferts ou listes est "
  "rompue, le destinataire ne peut donc pas se fier aux résultats SPF/DKIM "
  "d'origine d'un message transféré." },
{ "arc", HDR_AR_NONE,
  "No ARC chain: the message was not forwarded through an ARC-aware "
  "server (normal for direct mail).",
  "Pas de chaîne ARC : le message n'a pas transité par un serveur de "
  "transfert compatible ARC (normal pour un envoi direct)." },
{ "auth", HDR_AR_PASS,
  "The sender logged in to the submission server (SMTP AUTH).",
  "L'expéditeur s'est authentifié sur le serveur d'envoi (SMTP AUTH)." },
{ "auth", HDR_AR_UNKNOWN,
  "SMTP authentication did not succeed for this message.",
  "L'authentification SMTP n'a pas réussi pour ce message." },
{ "iprev", HDR_AR_PASS,
  "Reverse DNS passed: the sending IP has a name that resolves back to it.",
  "DNS inverse réussi : l'IP d'envoi a un nom qui pointe de nouveau vers "
  "elle." },
{ "iprev", HDR_AR_UNKNOWN,
  "Reverse DNS failed: the sending IP has no PTR name, or the name does "
  "not point back to the IP. Ask whoever runs the IP (host or ISP) to set "
  "a matching PTR record.",
  "DNS inverse en échec : l'IP d'envoi n'a pas de nom PTR, ou ce nom ne "
  "pointe pas vers l'IP. Demandez au gestionnaire de l'IP (hébergeur ou "
  "FAI) un enregistrement PTR cohérent." },
{ "bimi", HDR_AR_PASS,
  "BIMI passed: the receiver may show the brand logo.",
  "BIMI réussi : le destinataire peut afficher le logo de la marque." },
{ "bimi", HDR_AR_UNKNOWN,
  "No BIMI logo will be shown; this does not affect delivery.",
  "Aucun logo BIMI ne sera affiché ; cela n'affecte pas la distribution." },
{ "compauth", HDR_AR_PASS,
  "Microsoft composite authentication passed: the sender is considered "
  "genuine.",
  "Authentification composite Microsoft réussie : l'expéditeur est jugé "
  "authentique." },
{ "compauth", HDR_AR_UNKNOWN,
  "Microsoft composite authentication failed: SPF, DKIM, DMARC and "
  "Microsoft's own checks did not prove the From domain, so the message is "
  "treated as possible spoofing (reason 000: DMARC fail with reject or "
  "quarantine; 001: implicit failure, usually no DMARC/DKIM). Set up SPF, "
  "DKIM and DMARC for the From domain.",
  "Authentification composite Microsoft en échec : SPF, DKIM, DMARC et les "
  "contrôles propres à Microsoft n'ont pas prouvé le domaine du From, le "
  "message est donc vu comme une usurpation possible (raison 000 : échec "
  "DMARC avec reject ou quarantine ; 001 : échec implicite, souvent sans "
  "DMARC/DKIM). Configurez SPF, DKIM et DMARC pour le domaine du From." },
{ "*", HDR_AR_PASS,
  "This check passed.",
  "Ce contrôle a réussi." },
{ "*", HDR_AR_NONE,
  "This check had nothing to verify.",
  "Ce contrôle n'avait rien à vérifier." },
{ "*", HDR_AR_UNKNOWN,
  "This check did not pass; it may count against the message.",
  "Ce contrôle n'a pas réussi ; il peut pénaliser le message." },
};

static const struct auth_text *
find(const char *method, enum hdr_auth_result v)
{
	size_t	 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].v == v && strcmp(texts[i].method, method) == 0)
			return &texts[i];
	return NULL;
}

const char *
hdr_auth_explain(const char *method, enum hdr_auth_result v,
    const char *lang)
{
	const struct auth_text	*t;
	bool			 en;

	en = lang != NULL && strcmp(lang, "en") == 0;
	if (method == NULL)
		method = "*";
	/* A Microsoft "softpass" and friends map to PASS already. */
	if ((t = find(method, v)) == NULL &&
	    (v == HDR_AR_PASS || (t = find(method, HDR_AR_UNKNOWN)) == NULL) &&
	    (t = find("*", v)) == NULL)
		t = find("*", HDR_AR_UNKNOWN);
	return en ? t->en : t->fr;
}
