/* reasons.c - the reason names (Sisimai's), who must act by default, and
 * the plain-language explanation and steps used when no specific rule
 * brought its own. */
#include <string.h>

#include "diag_int.h"

static const struct reason_info reasons[] = {
	{ "userunknown", ACTOR_SENDER,
	  "L'adresse du destinataire n'existe pas sur son serveur de "
	  "messagerie : la partie avant le @ est inconnue.",
	  "The recipient's address does not exist on the receiving server: "
	  "the part before the @ is unknown.",
	  "Vérifiez l'orthographe de l'adresse.\nDemandez au destinataire "
	  "une adresse valide par un autre moyen.\nRetirez l'adresse de vos "
	  "listes d'envoi.",
	  "Check the spelling of the address.\nAsk the recipient for a "
	  "working address by another channel.\nRemove the address from your "
	  "mailing lists.", "adresse-inconnue,userunknown" },
	{ "hostunknown", ACTOR_SENDER,
	  "Le domaine du destinataire n'existe pas ou n'a pas de serveur de "
	  "messagerie.",
	  "The recipient's domain does not exist or has no mail server.",
	  "Vérifiez le nom de domaine après le @ (faute de frappe, "
	  "extension).\nSi le domaine est correct, son propriétaire doit "
	  "corriger ses enregistrements MX.",
	  "Check the domain after the @ (typos, wrong extension).\nIf the "
	  "domain is right, its owner must fix its MX records.",
	  "domaine-inconnu,dns,mx" },
	{ "hasmoved", ACTOR_SENDER,
	  "Le destinataire a changé d'adresse et son ancienne adresse ne "
	  "fait pas suivre le courrier.",
	  "The recipient moved to another address and the old one does not "
	  "forward mail.",
	  "Utilisez la nouvelle adresse indiquée dans le message, s'il y en "
	  "a une.\nMettez à jour votre carnet d'adresses.",
	  "Use the new address given in the message, if any.\nUpdate your "
	  "address book.", "adresse-changee" },
	{ "mailboxfull", ACTOR_RECIPIENT,
	  "La boîte du destinataire est pleine : elle a atteint son quota.",
	  "The recipient's mailbox is full: it reached its quota.",
	  "Prévenez le destinataire par un autre moyen.\nRéessayez plus "
	  "tard, quand il aura fait de la place.",
	  "Tell the recipient by another channel.\nTry again later, once "
	  "space has been freed.", "quota,boite-pleine" },
	{ "systemfull", ACTOR_RECIPIENT_ADMIN,
	  "Le disque du serveur du destinataire est plein.",
	  "The receiving server's disk is full.",
	  "Réessayez plus tard.\nSi cela dure, prévenez l'administrateur du "
	  "destinataire.",
	  "Try again later.\nIf it lasts, tell the recipient's "
	  "administrator.", "serveur-plein" },
	{ "suspend", ACTOR_RECIPIENT,
	  "Le compte du destinataire est désactivé ou suspendu.",
	  "The recipient's account is disabled or suspended.",
	  "Contactez le destinataire par un autre moyen.\nRetirez l'adresse "
	  "si le compte est fermé définitivement.",
	  "Contact the recipient by another channel.\nRemove the address if "
	  "the account is closed for good.", "compte-suspendu" },
	{ "notaccept", ACTOR_RECIPIENT_ADMIN,
	  "Le domaine ou le serveur du destinataire n'accepte aucun "
	  "courrier.",
	  "The recipient's domain or server accepts no mail at all.",
	  "Vérifiez l'adresse.\nLe domaine doit publier un vrai serveur MX "
	  "pour recevoir du courrier.",
	  "Check the address.\nThe domain must publish a real MX server to "
	  "receive mail.", "domaine-sans-mx" },
	{ "exceedlimit", ACTOR_SENDER,
	  "Le message dépasse une limite propre au destinataire (taille "
	  "maximale pour sa boîte).",
	  "The message exceeds a limit of the recipient (maximum size for "
	  "this mailbox).",
	  "Réduisez la taille du message ou des pièces jointes.\nEnvoyez "
	  "les gros fichiers par un lien de partage.",
	  "Make the message or its attachments smaller.\nSend large files "
	  "as a sharing link.", "taille,limite" },
	{ "mesgtoobig", ACTOR_SENDER,
	  "Le message est plus gros que ce que le serveur destinataire "
	  "accepte.",
	  "The message is larger than the receiving server accepts.",
	  "Réduisez la taille des pièces jointes (compression, lien de "
	  "partage).\nRenvoyez le message.",
	  "Shrink the attachments (compression, sharing link).\nSend the "
	  "message again.", "taille,piece-jointe" },
	{ "filtered", ACTOR_SENDER,
	  "Le serveur destinataire a refusé le message après l'avoir reçu, "
	  "à cause d'une règle sur ses en-têtes ou son contenu.",
	  "The receiving server refused the message after receiving it, "
	  "because of a header or content rule.",
	  "Relisez le contenu (liens, pièces jointes, mots suspects).\n"
	  "Demandez au destinataire de vous autoriser.",
	  "Review the content (links, attachments, suspicious words).\n"
	  "Ask the recipient to allow you.", "filtrage,contenu" },
	{ "rejected", ACTOR_SENDER_ADMIN,
	  "Le serveur destinataire refuse l'adresse d'expéditeur ou son "
	  "domaine.",
	  "The receiving server refuses the sender address or its domain.",
	  "Vérifiez l'adresse d'expédition configurée dans votre logiciel.\n"
	  "Vérifiez que votre domaine a des enregistrements DNS (MX, SPF) "
	  "valides.",
	  "Check the sender address set in your mail program.\nCheck that "
	  "your domain has valid DNS records (MX, SPF).",
	  "expediteur-refuse,spf" },
	{ "blocked", ACTOR_SENDER_ADMIN,
	  "Le serveur destinataire refuse l'adresse IP ou le nom du serveur "
	  "d'envoi (liste noire, client inconnu).",
	  "The receiving server refuses the sending server's IP address or "
	  "name (blacklist, unknown client).",
	  "Vérifiez si l'IP d'envoi est sur une liste noire.\nDemandez le "
	  "retrait de la liste une fois la cause corrigée.\nContactez le "
	  "support si le serveur d'envoi est le nôtre.",
	  "Check whether the sending IP is on a blacklist.\nAsk for delisting "
	  "once the cause is fixed.\nContact support if the sending server "
	  "is ours.", "liste-noire,blacklist,ip-bloquee" },
	{ "badreputation", ACTOR_SENDER_ADMIN,
	  "La réputation de l'IP ou du domaine d'envoi est jugée mauvaise "
	  "par le destinataire.",
	  "The receiving side judges the sending IP's or domain's "
	  "reputation to be bad.",
	  "Réduisez le volume et envoyez seulement à des destinataires "
	  "consentants.\nAuthentifiez vos envois (SPF, DKIM, DMARC).",
	  "Lower the volume and send only to willing recipients.\n"
	  "Authenticate your mail (SPF, DKIM, DMARC).", "reputation" },
	{ "requireptr", ACTOR_SENDER_ADMIN,
	  "L'IP d'envoi n'a pas de DNS inverse (PTR), ou il ne correspond "
	  "pas au nom du serveur.",
	  "The sending IP has no reverse DNS (PTR) record, or it does not "
	  "match the server's name.",
	  "Faites créer un enregistrement PTR pour l'IP d'envoi par son "
	  "fournisseur.\nLe nom du PTR doit résoudre vers la même IP.",
	  "Have the IP's provider create a PTR record for the sending IP.\n"
	  "The PTR name must resolve back to the same IP.", "ptr,dns-inverse" },
	{ "authfailure", ACTOR_SENDER_ADMIN,
	  "L'authentification du message a échoué : SPF, DKIM ou DMARC.",
	  "Message authentication failed: SPF, DKIM or DMARC.",
	  "Vérifiez l'enregistrement SPF de votre domaine (il doit inclure "
	  "nos serveurs).\nActivez la signature DKIM.\nPubliez une politique "
	  "DMARC cohérente.",
	  "Check your domain's SPF record (it must include our servers).\n"
	  "Turn on DKIM signing.\nPublish a consistent DMARC policy.",
	  "spf,dkim,dmarc" },
	{ "spamdetected", ACTOR_SENDER,
	  "Le filtre antispam du destinataire a classé le message comme "
	  "spam.",
	  "The recipient's spam filter judged the message to be spam.",
	  "Relisez le contenu (liens raccourcis, images seules, mots "
	  "commerciaux).\nTestez le message avec un outil d'analyse de "
	  "spam.\nAuthentifiez vos envois.",
	  "Review the content (short links, image-only mail, sales words).\n"
	  "Test the message with a spam checker.\nAuthenticate your mail.",
	  "spam,antispam" },
	{ "virusdetected", ACTOR_SENDER,
	  "L'antivirus du destinataire a trouvé un logiciel malveillant "
	  "dans le message.",
	  "The recipient's virus scanner found malware in the message.",
	  "Analysez votre ordinateur avec un antivirus à jour.\nN'envoyez "
	  "pas de fichiers exécutables ni d'archives protégées.",
	  "Scan your computer with an up-to-date antivirus.\nDo not send "
	  "executables or password-protected archives.", "virus" },
	{ "policyviolation", ACTOR_SENDER,
	  "Une règle locale du destinataire refuse ce message (pièces "
	  "jointes, contenu, conformité).",
	  "A local rule of the recipient refuses this message "
	  "(attachments, content, compliance).",
	  "Lisez le texte du refus pour la règle en cause.\nContactez le "
	  "destinataire pour qu'il vous autorise.",
	  "Read the refusal text for the rule involved.\nAsk the recipient "
	  "to allow you.", "politique" },
	{ "securityerror", ACTOR_SENDER_ADMIN,
	  "Une exigence de sécurité n'est pas remplie : authentification "
	  "requise, TLS requis ou identifiants faux.",
	  "A security requirement failed: authentication needed, TLS "
	  "required or wrong credentials.",
	  "Vérifiez que votre logiciel de messagerie s'authentifie sur le "
	  "serveur d'envoi.\nVérifiez l'identifiant, le mot de passe et le "
	  "chiffrement (port 587 ou 465).",
	  "Check that your mail program authenticates to the outgoing "
	  "server.\nCheck the login, the password and the encryption (port "
	  "587 or 465).", "authentification-smtp,tls" },
	{ "contenterror", ACTOR_SENDER_ADMIN,
	  "Le format des en-têtes du message est incorrect.",
	  "The message's header format is wrong.",
	  "Envoyez depuis un autre logiciel pour comparer.\nVérifiez le "
	  "script ou le formulaire qui produit le message.",
	  "Send from another program to compare.\nCheck the script or form "
	  "that builds the message.", "format" },
	{ "notcompliantrfc", ACTOR_SENDER_ADMIN,
	  "Le message ne respecte pas les RFC (en-têtes en double, fins de "
	  "ligne invalides...).",
	  "The message does not comply with the RFCs (duplicate headers, "
	  "bad line endings...).",
	  "Corrigez le script ou le logiciel qui produit le message.",
	  "Fix the script or program that builds the message.", "rfc" },
	{ "norelaying", ACTOR_SENDER_ADMIN,
	  "Le serveur a refusé de relayer le message vers ce destinataire.",
	  "The server refused to relay mail to this recipient.",
	  "Activez l'authentification SMTP dans votre logiciel de "
	  "messagerie.\nVérifiez le serveur sortant configuré.",
	  "Turn on SMTP authentication in your mail program.\nCheck the "
	  "outgoing server you configured.", "relais,authentification-smtp" },
	{ "syntaxerror", ACTOR_SENDER_ADMIN,
	  "Une commande de la session SMTP avait une erreur de syntaxe.",
	  "A command of the SMTP session had a syntax error.",
	  "Vérifiez le logiciel ou le script d'envoi.",
	  "Check the sending program or script.", "smtp" },
	{ "toomanyconn", ACTOR_SENDER_ADMIN,
	  "Trop de connexions simultanées depuis le serveur d'envoi : refus "
	  "temporaire.",
	  "Too many simultaneous connections from the sender: refused for "
	  "now.",
	  "Le serveur réessaiera ; réduisez le parallélisme des envois.",
	  "The server will retry; lower the sending parallelism.",
	  "limite,connexions" },
	{ "speeding", ACTOR_SENDER,
	  "Les envois vont trop vite : une limite de débit est atteinte.",
	  "Sending too fast: a rate limit was hit.",
	  "Étalez vos envois dans le temps.\nPour les gros volumes, utilisez "
	  "une liste de diffusion.",
	  "Spread your sending over time.\nFor large volumes, use a mailing "
	  "list tool.", "quota-envoi,limite" },
	{ "networkerror", ACTOR_RECIPIENT_ADMIN,
	  "Erreur réseau : recherche DNS, connexion impossible ou boucle de "
	  "routage.",
	  "A network error: DNS lookup, connection failure or routing loop.",
	  "Réessayez plus tard.\nVérifiez les enregistrements MX du domaine "
	  "destinataire.",
	  "Try again later.\nCheck the recipient domain's MX records.",
	  "reseau,dns" },
	{ "expired", ACTOR_RECIPIENT_ADMIN,
	  "La livraison a échoué pendant trop longtemps et le serveur "
	  "d'envoi a abandonné.",
	  "Delivery kept failing until the sending server gave up.",
	  "Vérifiez que le domaine destinataire reçoit du courrier.\n"
	  "Renvoyez le message plus tard.",
	  "Check that the recipient's domain receives mail.\nSend the "
	  "message again later.", "delai-depasse" },
	{ "systemerror", ACTOR_RECIPIENT_ADMIN,
	  "Une erreur s'est produite sur le serveur distant lui-même.",
	  "An error happened on the remote server itself.",
	  "Réessayez plus tard.\nSi cela dure, prévenez l'administrateur du "
	  "destinataire.",
	  "Try again later.\nIf it lasts, tell the recipient's "
	  "administrator.", "erreur-serveur" },
	{ "mailererror", ACTOR_RECIPIENT_ADMIN,
	  "Un programme de livraison local (pipe, procmail...) a échoué.",
	  "A local delivery program (pipe, procmail...) failed.",
	  "Prévenez l'administrateur du destinataire.",
	  "Tell the recipient's administrator.", "erreur-serveur" },
	{ "onhold", ACTOR_NONE,
	  "Le message indique un échec, sans dire clairement pourquoi.",
	  "The message reports a failure without a clear cause.",
	  "Lisez le texte du diagnostic.\nContactez le support avec le "
	  "message complet.",
	  "Read the diagnostic text.\nContact support with the whole "
	  "message.", "diagnostic" },
	{ "undefined", ACTOR_NONE,
	  "Pas assez d'informations pour trouver une cause.",
	  "Not enough information to find a cause.",
	  "Collez le message complet (« afficher l'original »).",
	  "Paste the whole message (\"show original\").", "diagnostic" },
	{ "delivered", ACTOR_NONE,
	  "Le rapport indique que le message a bien été livré.",
	  "The report says the message was delivered.",
	  "Rien à faire.", "Nothing to do.", "accuse-livraison" },
	{ "feedback", ACTOR_SENDER,
	  "C'est une plainte (rapport ARF) : un destinataire a signalé le "
	  "message comme spam.",
	  "This is a complaint (ARF report): a recipient reported the "
	  "message as spam.",
	  "Retirez le plaignant de vos listes.\nVérifiez que vos "
	  "destinataires ont bien consenti.",
	  "Remove the complainant from your lists.\nCheck that your "
	  "recipients opted in.", "plainte,spam" },
	{ "vacation", ACTOR_NONE,
	  "C'est une réponse automatique (absence), pas un échec.",
	  "This is an automatic reply (out of office), not a failure.",
	  "Rien à faire : le message a été livré.",
	  "Nothing to do: the message was delivered.", "repondeur" },
};

/* The table follows enum reason_id. */
_Static_assert(sizeof(reasons) / sizeof(reasons[0]) == RSN_COUNT,
    "reasons[] and enum reason_id differ");

int
reason_index(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
reason_name(enum reason_id id)
{
	if ((size_t)id >= sizeof(reasons) / sizeof(reasons[0]))
		return "undefined";
	return reasons[id].name;
}

const struct reason_info *
reason_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].name, name) == 0)
			return &reasons[i];
	return NULL;
}

/* REASONS.md: hard for userunknown, hostunknown, hasmoved, and notaccept
 * with a 5xx; never for the non-failures; soft for the rest. */
bool
reason_is_hard(const char *reason, const char *status, const char *code)
{
	if (strcmp(reason, "userunknown") == 0 ||
	    strcmp(reason, "hostunknown") == 0 ||
	    strcmp(reason, "hasmoved") == 0)
		return true;
	if (strcmp(reason, "notaccept") == 0)
		return (status != NULL && status[0] == '5') ||
		    (code != NULL && code[0] == '5') ||
		    ((status == NULL || status[0] == '\0') &&
		    (code == NULL || code[0] == '\0'));
	return false;
}
