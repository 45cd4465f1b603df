/* codes.c - SMTP reply codes (RFC 5321, 3207, 4954, 7504, 1985) and the
 * enhanced status codes of the IANA registry (RFC 3463, 3886, 4468, 4954,
 * 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689), each with a title and
 * one plain sentence in English and French. Sorted tables, binary search. */
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/codes.h"

/* code, title_en, title_fr, text_en, text_fr */
static const struct code_info replies[] = {
{ "211", "System status", "État du système",
  "The server answers a request for its status or for help.",
  "Le serveur répond à une demande d'état ou d'aide." },
{ "214", "Help message", "Message d'aide",
  "The server returns help text for a person reading the session.",
  "Le serveur renvoie un texte d'aide destiné à une personne." },
{ "220", "Service ready", "Service prêt",
  "The server greets the client and is ready to receive mail.",
  "Le serveur accueille le client et est prêt à recevoir du courrier." },
{ "221", "Closing connection", "Fermeture de la connexion",
  "The server ends the session normally.",
  "Le serveur termine la session normalement." },
{ "235", "Authentication succeeded", "Authentification réussie",
  "The login and password (or other credentials) were accepted.",
  "L'identifiant et le mot de passe (ou autre moyen d'authentification) "
  "ont été acceptés." },
{ "250", "Requested action completed", "Action effectuée",
  "The command succeeded; after the message data it means the server "
  "took responsibility for the message.",
  "La commande a réussi ; après le contenu du message, cela signifie que "
  "le serveur a pris le message en charge." },
{ "251", "User not local, will forward", "Destinataire non local, relayé",
  "The address is not hosted here but the server will forward the message.",
  "L'adresse n'est pas hébergée ici mais le serveur fera suivre le "
  "message." },
{ "252", "Cannot verify, will try", "Vérification impossible, essai",
  "The server cannot confirm that the address exists but accepts the "
  "message and will attempt delivery.",
  "Le serveur ne peut pas confirmer que l'adresse existe mais accepte le "
  "message et tentera de le distribuer." },
{ "334", "Authentication challenge", "Défi d'authentification",
  "The server waits for the next step of the login exchange.",
  "Le serveur attend l'étape suivante de l'échange d'authentification." },
{ "354", "Start message input", "Début du contenu",
  "The server is ready to receive the message content, ended by a line "
  "with a single dot.",
  "Le serveur est prêt à recevoir le contenu du message, terminé par une "
  "ligne contenant un seul point." },
{ "421", "Service not available", "Service indisponible",
  "The server is closing the connection for now (overload, maintenance "
  "or too many connections); the sender will retry later.",
  "Le serveur ferme la connexion pour le moment (surcharge, maintenance "
  "ou trop de connexions) ; l'expéditeur réessaiera plus tard." },
{ "432", "Password transition needed", "Changement de mot de passe requis",
  "The account must change its password or login method before it can "
  "authenticate.",
  "Le compte doit changer de mot de passe ou de méthode de connexion "
  "avant de pouvoir s'authentifier." },
{ "450", "Mailbox unavailable (temporary)", "Boîte indisponible (temporaire)",
  "The mailbox cannot be used right now (busy, locked or greylisted); the "
  "sender will retry.",
  "La boîte ne peut pas être utilisée pour l'instant (occupée, verrouillée "
  "ou liste grise) ; l'expéditeur réessaiera." },
{ "451", "Local error in processing", "Erreur locale de traitement",
  "The receiving server hit a temporary problem and asked to try again "
  "later.",
  "Le serveur destinataire a rencontré un problème temporaire et demande "
  "de réessayer plus tard." },
{ "452", "Insufficient storage or too many recipients",
  "Espace insuffisant ou trop de destinataires",
  "The server lacks space right now, or refuses more recipients in this "
  "session; the rest will be retried.",
  "Le serveur manque de place pour l'instant, ou refuse d'autres "
  "destinataires dans cette session ; le reste sera réessayé." },
{ "453", "No mail waiting", "Aucun message en attente",
  "There is no queued mail to hand over for this client (ATRN).",
  "Il n'y a pas de courrier en attente à remettre à ce client (ATRN)." },
{ "454", "Temporary authentication or TLS failure",
  "Échec temporaire d'authentification ou de TLS",
  "Login or the encrypted connection could not be set up for now; the "
  "sender may retry later.",
  "L'authentification ou le chiffrement de la connexion n'a pas pu être "
  "établi pour le moment ; l'expéditeur peut réessayer plus tard." },
{ "455", "Server cannot accept parameters", "Paramètres refusés (temporaire)",
  "The server cannot handle the parameters given with MAIL or RCPT right "
  "now.",
  "Le serveur ne peut pas traiter pour l'instant les paramètres donnés "
  "avec MAIL ou RCPT." },
{ "458", "Unable to queue for node", "Mise en file impossible",
  "The server could not start sending the queued mail for this node "
  "(ETRN).",
  "Le serveur n'a pas pu lancer l'envoi du courrier en attente pour ce "
  "nœud (ETRN)." },
{ "459", "Node not allowed", "Nœud non autorisé",
  "The server refuses to run its queue for this node (ETRN).",
  "Le serveur refuse de vider sa file d'attente pour ce nœud (ETRN)." },
{ "500", "Syntax error, command unrecognised", "Commande non reconnue",
  "The server did not understand the command, or the line was too long.",
  "Le serveur n'a pas compris la commande, ou la ligne était trop longue." },
{ "501", "Syntax error in parameters", "Erreur de syntaxe des paramètres",
  "The command was understood but its arguments, often an address, are "
  "malformed.",
  "La commande a été comprise mais ses arguments, souvent une adresse, "
  "sont mal formés." },
{ "502", "Command not implemented", "Commande non prise en charge",
  "The server does not support this command.",
  "Le serveur ne prend pas en charge cette commande." },
{ "503", "Bad sequence of commands", "Mauvais ordre des commandes",
  "Commands came in the wrong order, for example sending without logging "
  "in first.",
  "Les commandes sont arrivées dans le mauvais ordre, par exemple un envoi "
  "sans authentification préalable." },
{ "504", "Parameter not implemented", "Paramètre non pris en charge",
  "The server does not support a parameter given with the command.",
  "Le serveur ne prend pas en charge un paramètre donné avec la commande." },
{ "521", "Server does not accept mail", "Serveur n'acceptant pas de courrier",
  "This host never accepts mail (RFC 7504); the address cannot receive "
  "mail here.",
  "Cet hôte n'accepte jamais de courrier (RFC 7504) ; l'adresse ne peut "
  "pas recevoir de courrier ici." },
{ "523", "Encryption needed", "Chiffrement nécessaire",
  "The server requires an encrypted connection for this action.",
  "Le serveur exige une connexion chiffrée pour cette action." },
{ "530", "Authentication or TLS required", "Authentification ou TLS requis",
  "The server requires a login (or STARTTLS) before it accepts this "
  "command.",
  "Le serveur exige une authentification (ou STARTTLS) avant d'accepter "
  "cette commande." },
{ "534", "Authentication mechanism too weak",
  "Méthode d'authentification trop faible",
  "The login method chosen is not secure enough for this server.",
  "La méthode de connexion choisie n'est pas assez sûre pour ce serveur." },
{ "535", "Authentication credentials invalid", "Identifiants refusés",
  "The login or password was refused.",
  "L'identifiant ou le mot de passe a été refusé." },
{ "538", "Encryption required for authentication",
  "Chiffrement requis pour l'authentification",
  "This login method is only allowed over an encrypted connection.",
  "Cette méthode de connexion n'est permise que sur une connexion "
  "chiffrée." },
{ "550", "Mailbox unavailable or refused", "Boîte indisponible ou refus",
  "The action was refused for good: the mailbox does not exist, or the "
  "server refused the message by policy.",
  "L'action est refusée définitivement : la boîte n'existe pas, ou le "
  "serveur a refusé le message par sa politique." },
{ "551", "User not local", "Destinataire non local",
  "The address is not hosted here and the server will not forward it.",
  "L'adresse n'est pas hébergée ici et le serveur ne fera pas suivre." },
{ "552", "Storage allocation exceeded", "Espace de stockage dépassé",
  "The mailbox is full or the message is larger than the server allows.",
  "La boîte est pleine ou le message dépasse la taille permise par le "
  "serveur." },
{ "553", "Mailbox name not allowed", "Nom de boîte non autorisé",
  "The address is malformed or not allowed, often the sender address.",
  "L'adresse est mal formée ou non autorisée, souvent celle de "
  "l'expéditeur." },
{ "554", "Transaction failed", "Transaction échouée",
  "The server refused the message or the connection for good, often "
  "because of spam filtering or a blacklist.",
  "Le serveur a refusé définitivement le message ou la connexion, souvent "
  "à cause d'un filtre antispam ou d'une liste noire." },
{ "555", "MAIL or RCPT parameters not recognised",
  "Paramètres MAIL ou RCPT non reconnus",
  "The server does not know a parameter given with MAIL FROM or RCPT TO.",
  "Le serveur ne connaît pas un paramètre donné avec MAIL FROM ou "
  "RCPT TO." },
{ "556", "Domain does not accept mail", "Domaine n'acceptant pas de courrier",
  "The recipient's domain publishes that it never receives mail "
  "(RFC 7504, null MX).",
  "Le domaine du destinataire indique qu'il ne reçoit jamais de courrier "
  "(RFC 7504, MX nul)." },
};

struct ecode {
	int			 subj, det;
	struct code_info	 info;
};

#define E(s, d, te, tf, xe, xf)	{ s, d, { "X." #s "." #d, te, tf, xe, xf } }

static const struct ecode enhanced[] = {
E(0, 0, "Other undefined status", "Autre état non défini",
  "The server gave no detail about the problem.",
  "Le serveur n'a donné aucun détail sur le problème."),
E(1, 0, "Other address status", "Autre problème d'adresse",
  "Something is wrong with an address, without more detail.",
  "Une adresse pose problème, sans plus de détail."),
E(1, 1, "Bad destination mailbox address", "Adresse du destinataire inconnue",
  "The mailbox named left of the @ does not exist on the receiving "
  "server.",
  "La boîte nommée à gauche du @ n'existe pas sur le serveur "
  "destinataire."),
E(1, 2, "Bad destination system address", "Domaine du destinataire invalide",
  "The domain right of the @ does not exist or cannot receive mail.",
  "Le domaine à droite du @ n'existe pas ou ne peut pas recevoir de "
  "courrier."),
E(1, 3, "Bad destination address syntax", "Adresse du destinataire mal formée",
  "The recipient address is not written correctly.",
  "L'adresse du destinataire n'est pas écrite correctement."),
E(1, 4, "Destination address ambiguous", "Adresse du destinataire ambiguë",
  "The address matches several mailboxes on the receiving server.",
  "L'adresse correspond à plusieurs boîtes sur le serveur destinataire."),
E(1, 5, "Destination address valid", "Adresse du destinataire valide",
  "The recipient address was accepted.",
  "L'adresse du destinataire a été acceptée."),
E(1, 6, "Mailbox has moved", "Boîte déplacée",
  "The mailbox no longer exists here and no forwarding address is known.",
  "La boîte n'existe plus ici et aucune adresse de suivi n'est connue."),
E(1, 7, "Bad sender address syntax", "Adresse de l'expéditeur mal formée",
  "The sender address is malformed or its domain does not exist.",
  "L'adresse de l'expéditeur est mal formée ou son domaine n'existe pas."),
E(1, 8, "Bad sender system address", "Domaine de l'expéditeur invalide",
  "The sender's domain does not exist or cannot receive replies.",
  "Le domaine de l'expéditeur n'existe pas ou ne peut pas recevoir de "
  "réponses."),
E(1, 9, "Relayed to non-compliant mailer", "Relayé vers un serveur non conforme",
  "The message was passed to a system that cannot send delivery reports.",
  "Le message a été transmis à un système qui ne sait pas envoyer "
  "d'accusés de distribution."),
E(1, 10, "Recipient address has null MX", "Adresse destinataire à MX nul",
  "The recipient's domain publishes a null MX: it receives no mail at all.",
  "Le domaine du destinataire publie un MX nul : il ne reçoit aucun "
  "courrier."),
E(2, 0, "Other mailbox status", "Autre problème de boîte",
  "The recipient's mailbox has a problem, without more detail.",
  "La boîte du destinataire a un problème, sans plus de détail."),
E(2, 1, "Mailbox disabled", "Boîte désactivée",
  "The mailbox exists but is disabled or suspended and accepts no mail.",
  "La boîte existe mais elle est désactivée ou suspendue et n'accepte "
  "aucun message."),
E(2, 2, "Mailbox full", "Boîte pleine",
  "The recipient's mailbox is over its quota.",
  "La boîte du destinataire a dépassé son quota."),
E(2, 3, "Message too long for mailbox", "Message trop long pour la boîte",
  "The message is larger than this mailbox accepts.",
  "Le message est plus gros que ce que cette boîte accepte."),
E(2, 4, "Mailing list expansion problem", "Problème de liste de diffusion",
  "The address is a list that could not be expanded to its members.",
  "L'adresse est une liste dont les membres n'ont pas pu être obtenus."),
E(3, 0, "Other mail system status", "Autre problème du système de messagerie",
  "The receiving mail system has a problem, without more detail.",
  "Le système de messagerie destinataire a un problème, sans plus de "
  "détail."),
E(3, 1, "Mail system full", "Système de messagerie plein",
  "The receiving server has run out of storage space.",
  "Le serveur destinataire n'a plus d'espace de stockage."),
E(3, 2, "System not accepting messages", "Système n'acceptant pas de messages",
  "The receiving server is not accepting mail at the moment (shutdown, "
  "maintenance).",
  "Le serveur destinataire n'accepte pas de courrier pour le moment "
  "(arrêt, maintenance)."),
E(3, 3, "System not capable of selected features",
  "Fonction demandée non prise en charge",
  "The message needs a feature the receiving server does not offer.",
  "Le message a besoin d'une fonction que le serveur destinataire "
  "n'offre pas."),
E(3, 4, "Message too big for system", "Message trop gros pour le système",
  "The message exceeds the size limit of the receiving server.",
  "Le message dépasse la taille maximale du serveur destinataire."),
E(3, 5, "System incorrectly configured", "Système mal configuré",
  "The receiving server is misconfigured and cannot deliver the message.",
  "Le serveur destinataire est mal configuré et ne peut pas distribuer "
  "le message."),
E(3, 6, "Requested priority was changed", "Priorité demandée modifiée",
  "The message was accepted with a different priority than requested.",
  "Le message a été accepté avec une autre priorité que celle demandée."),
E(4, 0, "Other network or routing status", "Autre problème réseau ou routage",
  "A network or routing problem occurred, without more detail.",
  "Un problème de réseau ou d'acheminement est survenu, sans plus de "
  "détail."),
E(4, 1, "No answer from host", "Pas de réponse de l'hôte",
  "The receiving server could not be reached or did not answer.",
  "Le serveur destinataire n'a pas pu être joint ou n'a pas répondu."),
E(4, 2, "Bad connection", "Mauvaise connexion",
  "The connection was set up but broke or was too slow during delivery.",
  "La connexion a été établie mais s'est coupée ou était trop lente "
  "pendant l'envoi."),
E(4, 3, "Directory server failure", "Échec du serveur d'annuaire",
  "A lookup (usually DNS) needed for delivery failed.",
  "Une recherche nécessaire à l'envoi (souvent DNS) a échoué."),
E(4, 4, "Unable to route", "Acheminement impossible",
  "No route to the destination was found, often no usable MX record.",
  "Aucun chemin vers la destination n'a été trouvé, souvent faute "
  "d'enregistrement MX utilisable."),
E(4, 5, "Mail system congestion", "Système de messagerie surchargé",
  "The server is too busy right now; delivery will be retried.",
  "Le serveur est trop chargé pour le moment ; l'envoi sera réessayé."),
E(4, 6, "Routing loop detected", "Boucle d'acheminement",
  "The message went round in circles between servers and was stopped.",
  "Le message tournait en rond entre des serveurs et a été arrêté."),
E(4, 7, "Delivery time expired", "Délai de distribution dépassé",
  "The message could not be delivered within the retry period and was "
  "given up.",
  "Le message n'a pas pu être distribué pendant la durée des nouvelles "
  "tentatives et a été abandonné."),
E(5, 0, "Other protocol status", "Autre problème de protocole",
  "The SMTP exchange failed, without more detail.",
  "L'échange SMTP a échoué, sans plus de détail."),
E(5, 1, "Invalid command", "Commande invalide",
  "The server received a command it does not accept at this point.",
  "Le serveur a reçu une commande qu'il n'accepte pas à ce stade."),
E(5, 2, "Syntax error", "Erreur de syntaxe",
  "A command was not written as the protocol requires.",
  "Une commande n'était pas écrite comme le protocole l'exige."),
E(5, 3, "Too many recipients", "Trop de destinataires",
  "The message has more recipients than the server accepts at once.",
  "Le message a plus de destinataires que le serveur n'en accepte en une "
  "fois."),
E(5, 4, "Invalid command arguments", "Arguments de commande invalides",
  "A command had arguments the server considers wrong.",
  "Une commande avait des arguments que le serveur juge incorrects."),
E(5, 5, "Wrong protocol version", "Mauvaise version du protocole",
  "Client and server disagree on the protocol version.",
  "Le client et le serveur ne s'accordent pas sur la version du "
  "protocole."),
E(5, 6, "Authentication exchange line too long",
  "Ligne d'authentification trop longue",
  "A line of the login exchange was longer than the server allows.",
  "Une ligne de l'échange d'authentification dépassait la longueur "
  "permise."),
E(6, 0, "Other media error", "Autre problème de contenu",
  "The content of the message caused a problem, without more detail.",
  "Le contenu du message a posé problème, sans plus de détail."),
E(6, 1, "Media not supported", "Format non pris en charge",
  "The message contains a type of content the destination does not "
  "accept.",
  "Le message contient un type de contenu que la destination n'accepte "
  "pas."),
E(6, 2, "Conversion required and prohibited", "Conversion requise mais interdite",
  "The content must be converted for delivery but conversion is not "
  "allowed.",
  "Le contenu doit être converti pour être distribué mais la conversion "
  "est interdite."),
E(6, 3, "Conversion required but not supported",
  "Conversion requise mais impossible",
  "The content must be converted for delivery but no converter exists.",
  "Le contenu doit être converti pour être distribué mais aucun "
  "convertisseur n'existe."),
E(6, 4, "Conversion with loss performed", "Conversion avec perte",
  "The message was delivered after a conversion that lost some content.",
  "Le message a été distribué après une conversion qui a perdu une partie "
  "du contenu."),
E(6, 5, "Conversion failed", "Échec de conversion",
  "A needed conversion of the content failed.",
  "Une conversion nécessaire du contenu a échoué."),
E(6, 6, "Message content not available", "Contenu du message indisponible",
  "The content referenced by the submission could not be fetched.",
  "Le contenu référencé par l'envoi n'a pas pu être récupéré."),
E(6, 7, "Non-ASCII addresses not permitted",
  "Adresses non ASCII non autorisées",
  "An address with accented or non-Latin characters is not accepted "
  "here.",
  "Une adresse avec des caractères accentués ou non latins n'est pas "
  "acceptée ici."),
E(6, 8, "UTF-8 reply required but not permitted",
  "Réponse UTF-8 requise mais non permise",
  "The server must answer in UTF-8 but the client did not allow it.",
  "Le serveur doit répondre en UTF-8 mais le client ne l'a pas permis."),
E(6, 9, "UTF-8 header cannot be transferred", "En-tête UTF-8 non transmissible",
  "The message has UTF-8 headers that a server on the path cannot "
  "accept.",
  "Le message a des en-têtes UTF-8 qu'un serveur du trajet ne peut pas "
  "accepter."),
E(6, 10, "UTF-8 reply required (deprecated)", "Réponse UTF-8 requise (obsolète)",
  "A deprecated duplicate of X.6.8: a UTF-8 reply was needed but not "
  "permitted.",
  "Doublon obsolète de X.6.8 : une réponse UTF-8 était nécessaire mais "
  "non permise."),
E(7, 0, "Other security or policy status", "Autre refus de sécurité ou politique",
  "The message was refused for a security or policy reason, often "
  "spam filtering.",
  "Le message a été refusé pour une raison de sécurité ou de politique, "
  "souvent un filtre antispam."),
E(7, 1, "Delivery not authorized", "Distribution non autorisée",
  "The receiving server refused the message by policy (filtering, "
  "reputation, relaying denied).",
  "Le serveur destinataire a refusé le message par sa politique (filtre, "
  "réputation, relais refusé)."),
E(7, 2, "Mailing list expansion prohibited", "Envoi à la liste interdit",
  "The sender is not allowed to write to this mailing list.",
  "L'expéditeur n'a pas le droit d'écrire à cette liste de diffusion."),
E(7, 3, "Security conversion required", "Conversion de sécurité impossible",
  "A security conversion needed for delivery is not possible.",
  "Une conversion de sécurité nécessaire à l'envoi n'est pas possible."),
E(7, 4, "Security features not supported",
  "Fonctions de sécurité non prises en charge",
  "The message asks for security features the destination does not "
  "support.",
  "Le message demande des fonctions de sécurité que la destination ne "
  "prend pas en charge."),
E(7, 5, "Cryptographic failure", "Échec cryptographique",
  "A signature or encryption check of the message failed.",
  "Une vérification de signature ou de chiffrement du message a échoué."),
E(7, 6, "Cryptographic algorithm not supported",
  "Algorithme cryptographique non pris en charge",
  "The message uses a cryptographic algorithm the destination does not "
  "support.",
  "Le message utilise un algorithme cryptographique que la destination "
  "ne prend pas en charge."),
E(7, 7, "Message integrity failure", "Intégrité du message compromise",
  "The message was altered or damaged on the way.",
  "Le message a été modifié ou abîmé en chemin."),
E(7, 8, "Authentication credentials invalid", "Identifiants refusés",
  "The login or password was refused.",
  "L'identifiant ou le mot de passe a été refusé."),
E(7, 9, "Authentication mechanism too weak",
  "Méthode d'authentification trop faible",
  "The login method is not secure enough for this server.",
  "La méthode de connexion n'est pas assez sûre pour ce serveur."),
E(7, 10, "Encryption needed", "Chiffrement nécessaire",
  "The server requires an encrypted connection.",
  "Le serveur exige une connexion chiffrée."),
E(7, 11, "Encryption required for authentication mechanism",
  "Chiffrement requis pour l'authentification",
  "This login method is only allowed over an encrypted connection.",
  "Cette méthode de connexion n'est permise que sur une connexion "
  "chiffrée."),
E(7, 12, "Password transition needed", "Changement de mot de passe requis",
  "The account must change its password before logging in.",
  "Le compte doit changer de mot de passe avant de se connecter."),
E(7, 13, "User account disabled", "Compte désactivé",
  "The account has been disabled or suspended.",
  "Le compte a été désactivé ou suspendu."),
E(7, 14, "Trust relationship required", "Relation de confiance requise",
  "The servers need a trust relationship that does not exist.",
  "Les serveurs ont besoin d'une relation de confiance qui n'existe pas."),
E(7, 15, "Priority level too low", "Priorité trop basse",
  "The message's priority is too low to be accepted now.",
  "La priorité du message est trop basse pour qu'il soit accepté "
  "maintenant."),
E(7, 16, "Message too big for priority", "Message trop gros pour sa priorité",
  "The message is too large for the priority it asked for.",
  "Le message est trop gros pour la priorité demandée."),
E(7, 17, "Mailbox owner has changed", "Titulaire de la boîte changé",
  "The mailbox now belongs to someone else than the sender expected.",
  "La boîte appartient désormais à une autre personne que celle prévue "
  "par l'expéditeur."),
E(7, 18, "Domain owner has changed", "Titulaire du domaine changé",
  "The recipient's domain changed hands since the sender last used it.",
  "Le domaine du destinataire a changé de titulaire depuis le dernier "
  "envoi."),
E(7, 19, "RRVS test cannot be completed", "Test RRVS impossible",
  "The server could not check whether the mailbox changed owner.",
  "Le serveur n'a pas pu vérifier si la boîte a changé de titulaire."),
E(7, 20, "No passing DKIM signature", "Aucune signature DKIM valide",
  "The message has no DKIM signature that verifies.",
  "Le message n'a aucune signature DKIM qui se vérifie."),
E(7, 21, "No acceptable DKIM signature", "Aucune signature DKIM acceptable",
  "DKIM signatures verify but none meets the receiver's requirements.",
  "Des signatures DKIM se vérifient mais aucune ne satisfait les "
  "exigences du destinataire."),
E(7, 22, "No valid author-matched DKIM signature",
  "Aucune signature DKIM du domaine de l'auteur",
  "No valid DKIM signature belongs to the domain of the From address.",
  "Aucune signature DKIM valide n'appartient au domaine de l'adresse "
  "From."),
E(7, 23, "SPF validation failed", "Échec de la validation SPF",
  "The sending server is not listed in the SPF record of the sender's "
  "domain.",
  "Le serveur d'envoi ne figure pas dans l'enregistrement SPF du domaine "
  "de l'expéditeur."),
E(7, 24, "SPF validation error", "Erreur de validation SPF",
  "The SPF record of the sender's domain could not be evaluated (DNS "
  "error or broken record).",
  "L'enregistrement SPF du domaine de l'expéditeur n'a pas pu être évalué "
  "(erreur DNS ou enregistrement invalide)."),
E(7, 25, "Reverse DNS validation failed", "Échec du DNS inverse",
  "The sending IP address has no reverse DNS name that matches back.",
  "L'adresse IP d'envoi n'a pas de nom DNS inverse cohérent."),
E(7, 26, "Multiple authentication checks failed",
  "Plusieurs contrôles d'authentification échoués",
  "The message failed several authentication checks (SPF, DKIM, DMARC), "
  "usually a DMARC failure.",
  "Le message a échoué à plusieurs contrôles d'authentification (SPF, "
  "DKIM, DMARC), en général un échec DMARC."),
E(7, 27, "Sender address has null MX", "Adresse expéditrice à MX nul",
  "The sender's domain publishes a null MX, so replies are impossible "
  "and the message is refused.",
  "Le domaine de l'expéditeur publie un MX nul, aucune réponse n'est "
  "possible et le message est refusé."),
E(7, 28, "Mail flood detected", "Afflux de messages détecté",
  "The receiver saw an unusual volume of mail from this sender and "
  "slowed or refused it.",
  "Le destinataire a constaté un volume inhabituel de messages de cet "
  "expéditeur et l'a ralenti ou refusé."),
E(7, 29, "ARC validation failure", "Échec de la validation ARC",
  "The ARC chain added by forwarding servers did not verify.",
  "La chaîne ARC ajoutée par les serveurs de transfert ne s'est pas "
  "vérifiée."),
E(7, 30, "REQUIRETLS support required", "Prise en charge de REQUIRETLS requise",
  "The message demands TLS on every hop but a server on the path does "
  "not support REQUIRETLS.",
  "Le message exige TLS à chaque étape mais un serveur du trajet ne prend "
  "pas en charge REQUIRETLS."),
};

#define NREPLIES	(sizeof(replies) / sizeof(replies[0]))
#define NENHANCED	(sizeof(enhanced) / sizeof(enhanced[0]))

static int
reply_cmp(const void *key, const void *elem)
{
	const struct code_info	*ci = elem;

	return strncmp(key, ci->code, 3);
}

const struct code_info *
codes_reply(const char *code)
{
	if (code == NULL || code[0] < '1' || code[0] > '5' ||
	    code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9')
		return NULL;
	if (code[3] >= '0' && code[3] <= '9')
		return NULL;
	return bsearch(code, replies, NREPLIES, sizeof(replies[0]), reply_cmp);
}

/* Reads 1-3 digits without a leading zero (RFC 3463 grammar). */
static const char *
read_num(const char *p, int *out)
{
	int	 n = 0, i;

	if (*p == '0') {
		*out = 0;
		p++;
		return (*p >= '0' && *p <= '9') ? NULL : p;
	}
	for (i = 0; i < 3 && *p >= '0' && *p <= '9'; i++, p++)
		n = n * 10 + (*p - '0');
	if (i == 0 || (*p >= '0' && *p <= '9'))
		return NULL;
	*out = n;
	return p;
}

static int
ecode_cmp(const void *key, const void *elem)
{
	const int		*k = key;
	const struct ecode	*e = elem;

	if (k[0] != e->subj)
		return k[0] < e->subj ? -1 : 1;
	if (k[1] != e->det)
		return k[1] < e->det ? -1 : 1;
	return 0;
}

const struct code_info *
codes_enhanced(const char *status)
{
	const struct ecode	*e;
	const char		*p;
	int			 key[2];

	if (status == NULL)
		return NULL;
	if (status[0] != '2' && status[0] != '4' && status[0] != '5' &&
	    status[0] != 'X' && status[0] != 'x')
		return NULL;
	if (status[1] != '.')
		return NULL;
	if ((p = read_num(status + 2, &key[0])) == NULL || *p != '.')
		return NULL;
	if ((p = read_num(p + 1, &key[1])) == NULL)
		return NULL;
	/* "5.7.1.2" is not a status (an IP-like run); "5.7.1." is. */
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		return NULL;
	e = bsearch(key, enhanced, NENHANCED, sizeof(enhanced[0]), ecode_cmp);
	return e != NULL ? &e->info : NULL;
}

int
codes_class(const char *code)
{
	if (code == NULL || (code[0] != '2' && code[0] != '4' &&
	    code[0] != '5'))
		return 0;
	if (code[1] == '.' || (code[1] >= '0' && code[1] <= '9'))
		return code[0] - '0';
	return 0;
}

static int
is_en(const char *lang)
{
	return lang != NULL && lang[0] == 'e' && lang[1] == 'n';
}

const char *
codes_class_title(int cls, const char *lang)
{
	switch (cls) {
	case 2:
		return is_en(lang) ? "Success" : "Succès";
	case 4:
		return is_en(lang) ? "Temporary failure" : "Échec temporaire";
	case 5:
		return is_en(lang) ? "Permanent failure" : "Échec définitif";
	}
	return "";
}

const char *
codes_class_text(int cls, const char *lang)
{
	switch (cls) {
	case 2:
		return is_en(lang) ? "The action succeeded." :
		    "L'action a réussi.";
	case 4:
		return is_en(lang) ?
		    "The problem may go away: the sending server keeps the "
		    "message and retries for a while." :
		    "Le problème peut disparaître : le serveur d'envoi garde "
		    "le message et réessaie pendant un certain temps.";
	case 5:
		return is_en(lang) ?
		    "Sending the same message again will fail the same way "
		    "until the cause is fixed." :
		    "Renvoyer le même message échouera de la même façon tant "
		    "que la cause n'est pas corrigée.";
	}
	return "";
}

const char *
codes_title(const struct code_info *ci, const char *lang)
{
	if (ci == NULL)
		return "";
	return is_en(lang) ? ci->title_en : ci->title_fr;
}

const char *
codes_text(const struct code_info *ci, const char *lang)
{
	if (ci == NULL)
		return "";
	return is_en(lang) ? ci->text_en : ci->text_fr;
}

size_t
codes_reply_count(void)
{
	return NREPLIES;
}

size_t
codes_enhanced_count(void)
{
	return NENHANCED;
}

const struct code_info *
codes_reply_at(size_t i)
{
	return i < NREPLIES ? &replies[i] : NULL;
}

const struct code_info *
codes_enhanced_at(size_t i)
{
	return i < NENHANCED ? &enhanced[i].info : NULL;
}
