/* messages.c - the words of every sender-check finding, in English and
 * French, and the delisting procedure of the DNS blacklists we know.
 * Formats take up to three %s, in the same order in both languages. */
#include <string.h>

#include "check_int.h"

static const struct check_msg msgs[] = {
	/* --- the domain itself --- */
	{ "domain-nxdomain", "domain", CHECK_FAIL, "dns",
	  "The domain %s does not exist in the DNS (NXDOMAIN). Receivers "
	  "refuse mail whose sender domain does not exist. Check the "
	  "spelling, the domain's registration and its name servers.",
	  "Le domaine %s n'existe pas dans le DNS (NXDOMAIN). Les serveurs "
	  "destinataires refusent le courrier dont le domaine expéditeur "
	  "n'existe pas. Vérifiez l'orthographe, l'enregistrement du "
	  "domaine et ses serveurs de noms." },
	{ "domain-dnserror", "domain", CHECK_WARN, "dns",
	  "The DNS servers of %s did not give an answer (%s): the checks "
	  "below are incomplete. A receiver that meets the same failure "
	  "answers with a temporary error and tries again later.",
	  "Les serveurs DNS de %s n'ont pas donné de réponse (%s) : les "
	  "vérifications ci-dessous sont incomplètes. Un serveur "
	  "destinataire qui rencontre la même panne répond par une erreur "
	  "temporaire et réessaie plus tard." },

	/* --- MX --- */
	{ "mx-ok", "mx", CHECK_PASS, "mx",
	  "%s receives mail through %s.",
	  "%s reçoit son courrier par %s." },
	{ "mx-none-a", "mx", CHECK_WARN, "mx",
	  "%s has no MX record; mail to it goes to the address of the "
	  "domain itself (%s). This works, but some receivers refuse a "
	  "sender domain without MX. Publish an MX record.",
	  "%s n'a pas d'enregistrement MX ; le courrier qui lui est "
	  "adressé part vers l'adresse du domaine lui-même (%s). Cela "
	  "fonctionne, mais certains serveurs refusent un domaine "
	  "expéditeur sans MX. Publiez un enregistrement MX." },
	{ "mx-none", "mx", CHECK_FAIL, "mx",
	  "%s has neither an MX nor an address record: it cannot receive "
	  "mail, so replies and bounces could not come back, and receivers "
	  "refuse it as a sender domain.",
	  "%s n'a ni enregistrement MX ni adresse : il ne peut pas recevoir "
	  "de courrier, les réponses et les retours ne pourraient pas "
	  "revenir, et les serveurs le refusent comme domaine expéditeur." },
	{ "mx-null", "mx", CHECK_WARN, "mx",
	  "%s publishes a null MX (\"0 .\"): it declares that it receives "
	  "no mail. Many receivers refuse mail sent from such a domain.",
	  "%s publie un MX nul (« 0 . ») : il déclare ne recevoir aucun "
	  "courrier. Beaucoup de serveurs refusent le courrier envoyé "
	  "depuis un tel domaine." },
	{ "mx-ip", "mx", CHECK_FAIL, "mx",
	  "An MX record of %s names an IP address (%s) instead of a host "
	  "name: mail servers ignore it. Publish a host name that has an "
	  "A record for this address.",
	  "Un enregistrement MX de %s indique une adresse IP (%s) au lieu "
	  "d'un nom d'hôte : les serveurs l'ignorent. Publiez un nom "
	  "d'hôte qui a un enregistrement A pour cette adresse." },
	{ "mx-cname", "mx", CHECK_WARN, "mx",
	  "The MX host %s is an alias (CNAME to %s). RFC 2181 forbids it "
	  "and some servers refuse to deliver to it: point the MX record at "
	  "the real host name.",
	  "L'hôte MX %s est un alias (CNAME vers %s). La RFC 2181 "
	  "l'interdit et certains serveurs refusent d'y livrer : faites "
	  "pointer l'enregistrement MX vers le vrai nom d'hôte." },
	{ "mx-unresolvable", "mx", CHECK_FAIL, "mx",
	  "The MX host %s has no address (no A or AAAA record): mail "
	  "cannot reach it.",
	  "L'hôte MX %s n'a pas d'adresse (ni A ni AAAA) : le courrier ne "
	  "peut pas l'atteindre." },
	{ "mx-dnserror", "mx", CHECK_WARN, "mx",
	  "The MX records of %s could not be checked (%s).",
	  "Les enregistrements MX de %s n'ont pas pu être vérifiés (%s)." },

	/* --- SPF --- */
	{ "spf-none", "spf", CHECK_FAIL, "spf",
	  "%s has no SPF record: receivers cannot tell which servers may "
	  "send its mail, and Gmail, Outlook or Yahoo refuse such mail or "
	  "file it as spam. Publish the record below.",
	  "%s n'a pas d'enregistrement SPF : les destinataires ne peuvent "
	  "pas savoir quels serveurs ont le droit d'envoyer son courrier, "
	  "et Gmail, Outlook ou Yahoo le refusent ou le classent en spam. "
	  "Publiez l'enregistrement ci-dessous." },
	{ "spf-multiple", "spf", CHECK_FAIL, "spf",
	  "%s publishes %s SPF records. There must be exactly one: with "
	  "more, every receiver treats SPF as broken (permerror). Replace "
	  "them with the single record below.",
	  "%s publie %s enregistrements SPF. Il en faut exactement un : "
	  "au-delà, tous les destinataires considèrent SPF comme cassé "
	  "(permerror). Remplacez-les par l'enregistrement unique "
	  "ci-dessous." },
	{ "spf-syntax", "spf", CHECK_FAIL, "spf",
	  "The SPF record of %s has an error (%s): receivers treat it as "
	  "broken (permerror), as if the domain had none.",
	  "L'enregistrement SPF de %s contient une erreur (%s) : les "
	  "destinataires le considèrent comme cassé (permerror), comme si "
	  "le domaine n'en avait pas." },
	{ "spf-tree", "spf", CHECK_FAIL, "spf",
	  "The SPF record reached through %s is broken (%s): receivers "
	  "treat the whole SPF record as broken (permerror).",
	  "L'enregistrement SPF atteint par %s est cassé (%s) : les "
	  "destinataires considèrent tout l'enregistrement SPF comme cassé "
	  "(permerror)." },
	{ "spf-lookups", "spf", CHECK_FAIL, "spf",
	  "The SPF record of %s needs %s DNS lookups (include, a, mx, ptr, "
	  "exists and redirect, counted through every include). Receivers "
	  "stop at 10 and treat the record as broken. Remove the includes "
	  "of services you no longer use, or replace a and mx with ip4 and "
	  "ip6.",
	  "L'enregistrement SPF de %s demande %s requêtes DNS (include, a, "
	  "mx, ptr, exists et redirect, comptés à travers chaque include). "
	  "Les destinataires s'arrêtent à 10 et le considèrent comme cassé. "
	  "Retirez les include des services que vous n'utilisez plus, ou "
	  "remplacez a et mx par ip4 et ip6." },
	{ "spf-lookups-near", "spf", CHECK_WARN, "spf",
	  "The SPF record of %s needs %s DNS lookups: that is at the limit "
	  "of 10, and one more include (or a change in one you use) will "
	  "break it.",
	  "L'enregistrement SPF de %s demande %s requêtes DNS : c'est la "
	  "limite de 10, et un include de plus (ou un changement dans l'un "
	  "de ceux que vous utilisez) le cassera." },
	{ "spf-lookups-ok", "spf", CHECK_PASS, "spf",
	  "The SPF record of %s needs %s DNS lookups of the 10 allowed.",
	  "L'enregistrement SPF de %s demande %s requêtes DNS sur les 10 "
	  "permises." },
	{ "spf-all-fail", "spf", CHECK_PASS, "spf",
	  "The SPF record of %s ends with -all: mail from servers it does "
	  "not list is refused.",
	  "L'enregistrement SPF de %s se termine par -all : le courrier "
	  "venant de serveurs non listés est refusé." },
	{ "spf-all-soft", "spf", CHECK_PASS, "spf",
	  "The SPF record of %s ends with ~all: mail from servers it does "
	  "not list is marked suspicious. With DMARC, this is the usual "
	  "choice.",
	  "L'enregistrement SPF de %s se termine par ~all : le courrier "
	  "venant de serveurs non listés est marqué suspect. Avec DMARC, "
	  "c'est le choix habituel." },
	{ "spf-all-neutral", "spf", CHECK_WARN, "spf",
	  "The SPF record of %s ends with ?all, which says nothing about "
	  "other servers: SPF then protects nothing. End it with ~all.",
	  "L'enregistrement SPF de %s se termine par ?all, qui ne dit rien "
	  "des autres serveurs : SPF ne protège alors rien. Terminez-le "
	  "par ~all." },
	{ "spf-all-pass", "spf", CHECK_FAIL, "spf",
	  "The SPF record of %s ends with +all: any server in the world may "
	  "send mail as this domain, and spam filters penalise it. End it "
	  "with ~all.",
	  "L'enregistrement SPF de %s se termine par +all : n'importe quel "
	  "serveur au monde peut envoyer du courrier au nom de ce domaine, "
	  "et les filtres antispam le pénalisent. Terminez-le par ~all." },
	{ "spf-all-none", "spf", CHECK_WARN, "spf",
	  "The SPF record of %s has no \"all\" at the end: servers it does "
	  "not list get a neutral result. End it with ~all.",
	  "L'enregistrement SPF de %s n'a pas de « all » à la fin : les "
	  "serveurs non listés obtiennent un résultat neutre. "
	  "Terminez-le par ~all." },
	{ "spf-ptr", "spf", CHECK_WARN, "spf",
	  "The SPF record of %s uses ptr, which is slow and discouraged "
	  "(RFC 7208 5.5); some receivers ignore it. Use ip4, ip6 or "
	  "include instead.",
	  "L'enregistrement SPF de %s utilise ptr, lent et déconseillé "
	  "(RFC 7208 5.5) ; certains destinataires l'ignorent. Utilisez "
	  "plutôt ip4, ip6 ou include." },
	{ "spf-provider", "spf", CHECK_PASS, "spf",
	  "The SPF record of %s authorises the servers of %s.",
	  "L'enregistrement SPF de %s autorise les serveurs de %s." },
	{ "spf-provider-missing", "spf", CHECK_FAIL, "spf",
	  "The SPF record of %s does not authorise the servers of %s, so "
	  "mail sent through them fails SPF. Replace it with the record "
	  "below.",
	  "L'enregistrement SPF de %s n'autorise pas les serveurs de %s : "
	  "le courrier envoyé par eux échoue à SPF. Remplacez-le par "
	  "l'enregistrement ci-dessous." },
	{ "spf-unknown", "spf", CHECK_WARN, "spf",
	  "Part of the SPF record of %s could not be fetched (%s): the "
	  "lookup count and the authorisation may be incomplete.",
	  "Une partie de l'enregistrement SPF de %s n'a pas pu être lue "
	  "(%s) : le décompte des requêtes et l'autorisation peuvent être "
	  "incomplets." },
	{ "spf-dnserror", "spf", CHECK_WARN, "spf",
	  "The TXT records of %s could not be read (%s), so SPF could not "
	  "be checked.",
	  "Les enregistrements TXT de %s n'ont pas pu être lus (%s) : SPF "
	  "n'a pas pu être vérifié." },

	/* --- DKIM --- */
	{ "dkim-ok", "dkim", CHECK_PASS, "dkim",
	  "The DKIM key %s is published and well formed (%s).",
	  "La clé DKIM %s est publiée et bien formée (%s)." },
	{ "dkim-missing-ours", "dkim", CHECK_FAIL, "dkim",
	  "%s publishes no DKIM key for our selectors (%s): the messages we "
	  "sign for it cannot be verified, and DMARC fails whenever SPF is "
	  "not aligned. Turn DKIM on for the domain in your control panel "
	  "and publish the record it shows.",
	  "%s ne publie pas de clé DKIM pour nos sélecteurs (%s) : les "
	  "messages que nous signons pour lui ne peuvent pas être vérifiés, "
	  "et DMARC échoue dès que SPF n'est pas aligné. Activez DKIM pour "
	  "le domaine dans votre espace client et publiez "
	  "l'enregistrement qu'il indique." },
	{ "dkim-missing", "dkim", CHECK_FAIL, "dkim",
	  "There is no DKIM key at %s: messages signed with the selector %s "
	  "cannot be verified.",
	  "Il n'y a pas de clé DKIM à %s : les messages signés avec le "
	  "sélecteur %s ne peuvent pas être vérifiés." },
	{ "dkim-revoked", "dkim", CHECK_FAIL, "dkim",
	  "The DKIM key %s is revoked (empty p=): every signature made with "
	  "it fails. Publish the current key, or sign with another "
	  "selector.",
	  "La clé DKIM %s est révoquée (p= vide) : toute signature faite "
	  "avec elle échoue. Publiez la clé actuelle, ou signez avec un "
	  "autre sélecteur." },
	{ "dkim-bad", "dkim", CHECK_FAIL, "dkim",
	  "The DKIM record %s cannot be used (%s): signatures made with it "
	  "fail.",
	  "L'enregistrement DKIM %s est inutilisable (%s) : les signatures "
	  "faites avec lui échouent." },
	{ "dkim-weak", "dkim", CHECK_WARN, "dkim",
	  "The DKIM key %s is short (about %s bits): Gmail and others want "
	  "1024 bits at least, and 2048 is advised.",
	  "La clé DKIM %s est courte (environ %s bits) : Gmail et d'autres "
	  "demandent au moins 1024 bits, et 2048 sont conseillés." },
	{ "dkim-testing", "dkim", CHECK_WARN, "dkim",
	  "The DKIM key %s is in test mode (t=y): receivers may disregard "
	  "its signatures. Remove t=y once signing works.",
	  "La clé DKIM %s est en mode test (t=y) : les destinataires "
	  "peuvent ignorer ses signatures. Retirez t=y quand la signature "
	  "fonctionne." },
	{ "dkim-noselector", "dkim", CHECK_WARN, "dkim",
	  "No DKIM selector to check for %s: give the one shown in the s= "
	  "field of the DKIM-Signature header of a message you sent.",
	  "Aucun sélecteur DKIM à vérifier pour %s : indiquez celui du "
	  "champ s= de l'en-tête DKIM-Signature d'un message envoyé." },
	{ "dkim-dnserror", "dkim", CHECK_WARN, "dkim",
	  "The DKIM record %s could not be read (%s).",
	  "L'enregistrement DKIM %s n'a pas pu être lu (%s)." },

	/* --- DMARC --- */
	{ "dmarc-none", "dmarc", CHECK_WARN, "dmarc",
	  "%s has no DMARC record: Gmail and Yahoo require one from bulk "
	  "senders, and you get no report on who sends mail in your name. "
	  "Publish at least the record below.",
	  "%s n'a pas d'enregistrement DMARC : Gmail et Yahoo en exigent "
	  "un des gros expéditeurs, et vous ne recevez aucun rapport sur "
	  "qui envoie du courrier en votre nom. Publiez au moins "
	  "l'enregistrement ci-dessous." },
	{ "dmarc-inherited", "dmarc", CHECK_PASS, "dmarc",
	  "The DMARC record of the parent domain %s applies (policy %s).",
	  "L'enregistrement DMARC du domaine parent %s s'applique "
	  "(politique %s)." },
	{ "dmarc-multiple", "dmarc", CHECK_FAIL, "dmarc",
	  "%s publishes several DMARC records: receivers then ignore DMARC "
	  "altogether. Keep only one.",
	  "%s publie plusieurs enregistrements DMARC : les destinataires "
	  "ignorent alors DMARC complètement. N'en gardez qu'un." },
	{ "dmarc-syntax", "dmarc", CHECK_FAIL, "dmarc",
	  "The DMARC record of %s has an error (%s): receivers may ignore "
	  "it.",
	  "L'enregistrement DMARC de %s contient une erreur (%s) : les "
	  "destinataires peuvent l'ignorer." },
	{ "dmarc-policy-none", "dmarc", CHECK_PASS, "dmarc",
	  "The DMARC policy of %s is p=none (monitoring): mail that fails "
	  "is still delivered, and the reports show who sends in your "
	  "name.",
	  "La politique DMARC de %s est p=none (surveillance) : le courrier "
	  "en échec est quand même distribué, et les rapports montrent qui "
	  "envoie en votre nom." },
	{ "dmarc-policy", "dmarc", CHECK_PASS, "dmarc",
	  "The DMARC policy of %s is p=%s: receivers hold back mail that "
	  "fails both SPF and DKIM alignment. Make sure every service that "
	  "sends for you is aligned.",
	  "La politique DMARC de %s est p=%s : les destinataires écartent "
	  "le courrier qui échoue à l'alignement SPF et DKIM. Vérifiez que "
	  "chaque service qui envoie pour vous est aligné." },
	{ "dmarc-pct", "dmarc", CHECK_WARN, "dmarc",
	  "The DMARC policy of %s applies to %s%% of failing mail only.",
	  "La politique DMARC de %s ne s'applique qu'à %s %% du courrier en "
	  "échec." },
	{ "dmarc-rua", "dmarc", CHECK_PASS, "dmarc",
	  "DMARC aggregate reports for %s go to %s.",
	  "Les rapports DMARC agrégés de %s vont à %s." },
	{ "dmarc-no-rua", "dmarc", CHECK_WARN, "dmarc",
	  "The DMARC record of %s asks for no reports (no rua=): you will "
	  "not see who sends mail in your name or what fails. Add an "
	  "address as below.",
	  "L'enregistrement DMARC de %s ne demande aucun rapport (pas de "
	  "rua=) : vous ne verrez ni qui envoie en votre nom ni ce qui "
	  "échoue. Ajoutez une adresse comme ci-dessous." },
	{ "dmarc-dnserror", "dmarc", CHECK_WARN, "dmarc",
	  "The DMARC record of %s could not be read (%s).",
	  "L'enregistrement DMARC de %s n'a pas pu être lu (%s)." },

	/* --- A / AAAA --- */
	{ "a-ok", "a", CHECK_PASS, "dns",
	  "%s has the addresses %s.",
	  "%s a les adresses %s." },
	{ "a-none", "a", CHECK_WARN, "dns",
	  "%s has no A or AAAA record. Sending mail does not need one, but "
	  "some filters check that a sender domain resolves.",
	  "%s n'a pas d'enregistrement A ni AAAA. L'envoi de courrier n'en "
	  "a pas besoin, mais certains filtres vérifient que le domaine "
	  "expéditeur a une adresse." },
	{ "a-dnserror", "a", CHECK_WARN, "dns",
	  "The addresses of %s could not be read (%s).",
	  "Les adresses de %s n'ont pas pu être lues (%s)." },

	/* --- reverse DNS --- */
	{ "ptr-ok", "ptr", CHECK_PASS, "requireptr",
	  "%s has the reverse name %s, which resolves back to it "
	  "(forward-confirmed reverse DNS).",
	  "%s a le nom inverse %s, qui renvoie bien vers elle (DNS inverse "
	  "confirmé)." },
	{ "ptr-none", "ptr", CHECK_FAIL, "requireptr",
	  "%s has no reverse DNS (PTR record): many servers refuse mail "
	  "from such an address. Ask whoever runs the IP (your host or "
	  "Internet provider) to publish the records below.",
	  "%s n'a pas de DNS inverse (enregistrement PTR) : beaucoup de "
	  "serveurs refusent le courrier d'une telle adresse. Demandez au "
	  "gestionnaire de l'IP (votre hébergeur ou fournisseur d'accès) "
	  "de publier les enregistrements ci-dessous." },
	{ "ptr-mismatch", "ptr", CHECK_FAIL, "requireptr",
	  "The reverse name of %s is %s, but that name does not resolve "
	  "back to the same address: the forward-confirmed reverse DNS "
	  "check fails and servers treat the IP as suspicious.",
	  "Le nom inverse de %s est %s, mais ce nom ne renvoie pas vers la "
	  "même adresse : la vérification du DNS inverse échoue et les "
	  "serveurs jugent l'IP suspecte." },
	{ "ptr-generic", "ptr", CHECK_WARN, "requireptr",
	  "The reverse name of %s (%s) looks generic or residential: "
	  "filters penalise mail from such names. A mail server should have "
	  "a name of its own, such as mail.example.fr.",
	  "Le nom inverse de %s (%s) semble générique ou résidentiel : les "
	  "filtres pénalisent le courrier de tels noms. Un serveur de "
	  "courrier doit avoir son propre nom, comme mail.example.fr." },
	{ "ptr-dnserror", "ptr", CHECK_WARN, "requireptr",
	  "The reverse DNS of %s could not be checked (%s).",
	  "Le DNS inverse de %s n'a pas pu être vérifié (%s)." },

	/* --- blacklists --- */
	{ "dnsbl-clean", "dnsbl", CHECK_PASS, "blacklist",
	  "%s is on none of these lists: %s.",
	  "%s ne figure sur aucune de ces listes : %s." },
	{ "dnsbl-listed", "dnsbl", CHECK_FAIL, "blacklist",
	  "%s is listed on %s (answer %s): receivers that use this list "
	  "refuse its mail.",
	  "%s est listée sur %s (réponse %s) : les serveurs qui utilisent "
	  "cette liste refusent son courrier." },
	{ "dnsbl-listed-ours", "dnsbl", CHECK_FAIL, "blacklist",
	  "Our sending server %s is listed on %s (answer %s). Our team "
	  "handles the delisting; tell support which bounce you got.",
	  "Notre serveur d'envoi %s est listé sur %s (réponse %s). Notre "
	  "équipe s'occupe du retrait ; indiquez au support le retour que "
	  "vous avez reçu." },
	{ "dnsbl-refused", "dnsbl", CHECK_WARN, "blacklist",
	  "%s gave an answer that is not a listing for %s (%s): the list "
	  "probably refuses queries from this resolver, so the result is "
	  "unknown.",
	  "%s a donné une réponse qui n'est pas une inscription pour %s "
	  "(%s) : la liste refuse sans doute les requêtes de ce résolveur, "
	  "le résultat est donc inconnu." },
	{ "dnsbl-dnserror", "dnsbl", CHECK_WARN, "blacklist",
	  "%s could not be checked on %s (%s).",
	  "%s n'a pas pu être vérifiée sur %s (%s)." },
	{ "dbl-listed", "dnsbl", CHECK_FAIL, "blacklist",
	  "The domain %s is listed on %s (answer %s): filters refuse mail "
	  "that names it, as sender or in links.",
	  "Le domaine %s est listé sur %s (réponse %s) : les filtres "
	  "refusent le courrier qui le mentionne, comme expéditeur ou dans "
	  "les liens." },
};

const struct check_msg *
check_msg_find(const char *id)
{
	size_t	 i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(msgs[i].id, id) == 0)
			return &msgs[i];
	return NULL;
}

const struct check_msg *
check_msg_at(size_t i)
{
	return i < sizeof(msgs) / sizeof(msgs[0]) ? &msgs[i] : NULL;
}

/* How to get off each list, by zone suffix; the last entry is the
 * default, whose texts take the zone as %s. */
static const struct check_delist delists[] = {
	{ "dbl.spamhaus.org",
	  "To be removed: look the domain up at check.spamhaus.org, fix "
	  "what it names (a hacked site, links in spam), then use the "
	  "removal link on the result page.",
	  "Pour le retrait : cherchez le domaine sur check.spamhaus.org, "
	  "corrigez ce qui est indiqué (site piraté, liens dans du spam), "
	  "puis utilisez le lien de retrait de la page de résultat." },
	{ "spamhaus.org",
	  "To be removed: look the address up at check.spamhaus.org. Fix "
	  "the cause it names first (an infected computer, an open relay, "
	  "or, for the PBL, an address meant for home use that should send "
	  "through a mail server), then follow the removal link.",
	  "Pour le retrait : cherchez l'adresse sur check.spamhaus.org. "
	  "Corrigez d'abord la cause indiquée (ordinateur infecté, relais "
	  "ouvert, ou, pour la PBL, une adresse résidentielle qui doit "
	  "passer par un serveur de courrier), puis suivez le lien de "
	  "retrait." },
	{ "barracudacentral.org",
	  "To be removed: once the cause is fixed, fill in the removal "
	  "request at barracudacentral.org (RBL removal request); the IP "
	  "needs a working reverse DNS.",
	  "Pour le retrait : une fois la cause corrigée, remplissez la "
	  "demande de retrait sur barracudacentral.org (RBL removal "
	  "request) ; l'IP doit avoir un DNS inverse correct." },
	{ "spamcop.net",
	  "SpamCop has no removal request: a listing ends by itself about "
	  "24 hours after the last spam report. Find and stop what sent "
	  "the spam.",
	  "SpamCop n'a pas de demande de retrait : l'inscription cesse "
	  "d'elle-même environ 24 heures après le dernier signalement. "
	  "Trouvez et arrêtez ce qui a envoyé le spam." },
	{ "",
	  "To be removed: look the address up on the web site of %s and "
	  "follow its removal procedure once the cause is fixed.",
	  "Pour le retrait : cherchez l'adresse sur le site de %s et "
	  "suivez sa procédure de retrait une fois la cause corrigée." },
};

const struct check_delist *
check_delist_find(const char *zone)
{
	size_t	 i, n = sizeof(delists) / sizeof(delists[0]), zl, sl;

	zl = strlen(zone);
	for (i = 0; i + 1 < n; i++) {
		sl = strlen(delists[i].suffix);
		if (zl >= sl && strcmp(zone + zl - sl, delists[i].suffix) ==
		    0 && (zl == sl || zone[zl - sl - 1] == '.'))
			return &delists[i];
	}
	return &delists[n - 1];
}
