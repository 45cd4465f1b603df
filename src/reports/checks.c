/* src/reports/checks.c - the form checks of the outbound filter (what
 * each one means and what the customer should fix, in French and
 * English), and the meaning of a SpamAssassin test for the report page. */
#include <string.h>

#include "bouncedesk/hdrs.h"
#include "bouncedesk/reports.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Sorted by id: report_check_find searches it in order. */
static const struct rp_check_def checks[] = {
	{ "bad_date", "filtered", false,
	  "Invalid Date header",
	  "En-tête Date invalide",
	  "The Date: header of the message does not follow the date format "
	  "of RFC 5322 (for example a missing time zone or a day name that "
	  "does not match), which robots that send spam often get wrong.",
	  "L'en-tête Date: du message ne respecte pas le format de date de "
	  "la RFC 5322 (par exemple un fuseau horaire absent ou un jour de "
	  "la semaine faux), une erreur fréquente des robots de spam.",
	  "Let your mail software or library write the Date: header itself "
	  "(\"Tue, 1 Jul 2025 10:52:37 +0200\"), and make sure the clock and "
	  "time zone of the server are right.",
	  "Laissez votre logiciel ou votre bibliothèque d'envoi écrire "
	  "lui-même l'en-tête Date: (« Tue, 1 Jul 2025 10:52:37 +0200 ») et "
	  "vérifiez l'horloge et le fuseau horaire du serveur." },
	{ "bad_header", "filtered", false,
	  "Malformed header",
	  "En-tête mal formé",
	  "A header line of the message is malformed: a field without a "
	  "name or a colon, an unencoded non-ASCII character, a line too "
	  "long, or a required field such as From: missing.",
	  "Une ligne d'en-tête du message est mal formée : champ sans nom "
	  "ni deux-points, caractère non ASCII non encodé, ligne trop longue "
	  "ou champ obligatoire comme From: absent.",
	  "If the message comes from a script or a form on your site, build "
	  "it with a maintained mail library (PHPMailer, Symfony Mailer, "
	  "Python's email package...) rather than by hand, and encode "
	  "accented subjects and names (RFC 2047).",
	  "Si le message vient d'un script ou d'un formulaire de votre site, "
	  "construisez-le avec une bibliothèque maintenue (PHPMailer, Symfony "
	  "Mailer, le module email de Python...) plutôt qu'à la main, et "
	  "encodez les sujets et noms accentués (RFC 2047)." },
	{ "blacklisted_ip", "blacklist", false,
	  "Sending IP on a blacklist",
	  "IP d'envoi sur une liste noire",
	  "The IP address that handed the message to our relay is listed by "
	  "a public spam blacklist (Spamhaus, Barracuda, SpamCop...).",
	  "L'adresse IP qui a remis le message à notre relais figure sur une "
	  "liste noire publique de spam (Spamhaus, Barracuda, SpamCop...).",
	  "Look the IP up on the blacklist named in the detail, find and stop "
	  "what sent the spam (a hacked mailbox, a form, a script), then ask "
	  "the list for removal through its own page.",
	  "Vérifiez l'IP sur la liste noire indiquée dans le détail, trouvez "
	  "et arrêtez la source du spam (boîte piratée, formulaire, script), "
	  "puis demandez le retrait sur la page prévue par la liste." },
	{ "dkim_mismatch", "dkim", true,
	  "DKIM signature does not match",
	  "Signature DKIM non conforme",
	  "The message carries a DKIM signature that does not verify against "
	  "the public key published in the DNS of the signing domain: the "
	  "key was changed on one side only, or the message was altered "
	  "after signing.",
	  "Le message porte une signature DKIM qui ne se vérifie pas avec la "
	  "clé publique publiée dans le DNS du domaine signataire : la clé a "
	  "été changée d'un seul côté, ou le message a été modifié après la "
	  "signature.",
	  "Compare the selector and public key published in the DNS with the "
	  "private key your mail server signs with; publish the right one "
	  "(or turn signing off until both match) and send a test message.",
	  "Comparez le sélecteur et la clé publique du DNS avec la clé privée "
	  "utilisée par votre serveur pour signer ; publiez la bonne clé (ou "
	  "coupez la signature le temps de corriger) et envoyez un message "
	  "de test." },
	{ "mixed_case_html", "contenu", false,
	  "Odd HTML tags",
	  "Balises HTML inhabituelles",
	  "The HTML of the message mixes upper and lower case inside tags "
	  "such as CENTER or HREF, a trick used by spam to slip past word "
	  "filters.",
	  "Le HTML du message mélange majuscules et minuscules dans des "
	  "balises comme CENTER ou HREF, une astuce de spam pour échapper "
	  "aux filtres de mots.",
	  "Write the message with an ordinary mail editor or template, and "
	  "avoid HTML pasted from other tools; keep a plain-text part.",
	  "Rédigez le message avec un éditeur ou un modèle ordinaire, évitez "
	  "le HTML copié depuis d'autres outils et gardez une partie en texte "
	  "brut." },
	{ "no_mx", "expediteur-refuse", true,
	  "Sender domain cannot receive mail",
	  "Le domaine expéditeur ne peut pas recevoir de courrier",
	  "The sender's domain has neither an MX nor an A record, so no "
	  "answer or bounce could ever reach it.",
	  "Le domaine de l'expéditeur n'a ni enregistrement MX ni "
	  "enregistrement A : aucune réponse ni aucun retour ne pourrait lui "
	  "parvenir.",
	  "Publish MX records for the domain (ours, if we host its mail) or "
	  "send from an address of a domain that receives mail.",
	  "Publiez des enregistrements MX pour le domaine (les nôtres si nous "
	  "hébergeons sa messagerie) ou envoyez depuis une adresse d'un "
	  "domaine qui reçoit du courrier." },
	{ "no_rdns", "reputation", false,
	  "No reverse DNS",
	  "Pas de DNS inverse",
	  "The IP address that sent the message has no reverse DNS (PTR) "
	  "record, or one that does not point back to it; mail servers treat "
	  "such senders as infected home computers.",
	  "L'adresse IP qui a envoyé le message n'a pas d'enregistrement DNS "
	  "inverse (PTR), ou il ne renvoie pas vers elle ; les serveurs de "
	  "messagerie prennent ces expéditeurs pour des ordinateurs "
	  "infectés.",
	  "Set a PTR record for the server's IP to a name that resolves back "
	  "to the same IP: in your customer area for a virtual server, or "
	  "from the IP address management portal for a dedicated one.",
	  "Définissez pour l'IP du serveur un enregistrement PTR vers un nom "
	  "qui résout vers la même IP : dans l'espace client pour un serveur "
	  "virtuel, ou depuis le portail de gestion des adresses IP pour un "
	  "serveur dédié." },
	{ "recipient_domain_unknown", "userunknown", false,
	  "Recipient domain does not exist",
	  "Le domaine du destinataire n'existe pas",
	  "A recipient's domain does not exist in the DNS: the address is "
	  "mistyped or the domain has expired.",
	  "Le domaine d'un destinataire n'existe pas dans le DNS : l'adresse "
	  "est mal saisie ou le domaine a expiré.",
	  "Check the spelling of the addresses (gmial.com, hotmial.fr...) "
	  "and remove dead addresses from your lists.",
	  "Vérifiez l'orthographe des adresses (gmial.com, hotmial.fr...) et "
	  "retirez les adresses mortes de vos listes." },
	{ "sender_domain_unknown", "expediteur-refuse", true,
	  "Sender domain does not exist",
	  "Le domaine expéditeur n'existe pas",
	  "The domain of the sender's address does not exist in the DNS, so "
	  "no receiver can verify who sent the message.",
	  "Le domaine de l'adresse d'expédition n'existe pas dans le DNS : "
	  "aucun destinataire ne peut vérifier qui a envoyé le message.",
	  "Send from an address of a domain you own and that is published in "
	  "the DNS; check the From: address set in your scripts and forms.",
	  "Envoyez depuis une adresse d'un domaine qui vous appartient et qui "
	  "est publié dans le DNS ; vérifiez l'adresse From: réglée dans vos "
	  "scripts et formulaires." },
	{ "spf_missing", "spf", true,
	  "No SPF record",
	  "Pas d'enregistrement SPF",
	  "The sender's domain publishes no SPF record, so nothing says which "
	  "servers may send its mail.",
	  "Le domaine de l'expéditeur ne publie aucun enregistrement SPF : "
	  "rien n'indique quels serveurs peuvent envoyer son courrier.",
	  "Publish one TXT record starting with \"v=spf1\" that lists your "
	  "servers and our outgoing relays, ending in ~all or -all.",
	  "Publiez un seul enregistrement TXT commençant par « v=spf1 » qui "
	  "liste vos serveurs et nos relais sortants, terminé par ~all ou "
	  "-all." },
	{ "spf_without_provider", "spf", true,
	  "SPF record leaves out our relays",
	  "L'enregistrement SPF oublie nos relais",
	  "The sender's domain has an SPF record, but it does not allow our "
	  "outgoing relays, which are the servers that actually deliver the "
	  "message.",
	  "Le domaine de l'expéditeur a un enregistrement SPF, mais il "
	  "n'autorise pas nos relais sortants, qui sont les serveurs qui "
	  "remettent réellement le message.",
	  "Add our outgoing relays to the record (the include: or the ip4: "
	  "and ip6: addresses given in our help articles) and keep a single "
	  "SPF record for the domain.",
	  "Ajoutez nos relais sortants à l'enregistrement (l'include: ou les "
	  "adresses ip4: et ip6: données dans nos articles d'aide) et gardez "
	  "un seul enregistrement SPF pour le domaine." },
	{ "two_from", "filtered", false,
	  "Two From: headers",
	  "Deux en-têtes From:",
	  "The message has two From: headers with addresses of different "
	  "domains, a common way to hide the real sender.",
	  "Le message contient deux en-têtes From: avec des adresses de "
	  "domaines différents, un moyen courant de masquer le véritable "
	  "expéditeur.",
	  "Make your script or form set the From: header once; put the "
	  "visitor's address in Reply-To: instead.",
	  "Faites en sorte que votre script ou formulaire ne définisse "
	  "l'en-tête From: qu'une fois ; mettez l'adresse du visiteur dans "
	  "Reply-To: à la place." },
};

const struct rp_check_def *
report_check_find(const char *id)
{
	size_t	 i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < NELEM(checks); i++)
		if (strcmp(checks[i].id, id) == 0)
			return &checks[i];
	return NULL;
}

const struct rp_check_def *
report_checks(size_t *n)
{
	*n = NELEM(checks);
	return checks;
}

bool
report_check_id_valid(const char *id)
{
	size_t	 i;

	if (id == NULL || !(id[0] >= 'a' && id[0] <= 'z'))
		return false;
	for (i = 0; id[i] != '\0'; i++) {
		if (i >= RP_CHECK_ID_MAX)
			return false;
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '_'))
			return false;
	}
	return true;
}

bool
report_test_name_valid(const char *name)
{
	size_t	 i;
	char	 c;

	if (name == NULL || name[0] == '\0' ||
	    (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; (c = name[i]) != '\0'; i++) {
		if (i >= RP_TEST_NAME_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

const char *
report_test_explain(const char *name, const char *lang, bool *ours)
{
	const struct sa_rule	*r;
	const char		*s;

	if (ours != NULL)
		*ours = false;
	if (name == NULL)
		return NULL;
	if ((s = sa_explain(name, lang)) != NULL) {
		if (ours != NULL)
			*ours = true;
		return s;
	}
	/* SpamAssassin's own describe line is English only. */
	r = sa_find(NULL, name);
	if (r != NULL && r->description != NULL && r->description[0] != '\0')
		return r->description;
	return NULL;
}
