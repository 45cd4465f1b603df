/* src/unblock/checklist.c - the remediation checklists, fitted to what was
 * blocked and why, and their validation when a request is filed. The
 * items follow the provider's unblock procedure. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/err.h"
#include "bouncedesk/unblock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define UB_CHECK_MAX	16	/* no list is longer */

/* Sending from the website that the customer did not intend. */
static const struct ub_check_item website_items[] = {
	{ "malicious_files_removed", true, false,
	    "Malicious files, or files that are not yours, removed",
	    "Fichiers malveillants ou qui ne vous appartiennent pas supprimés" },
	{ "captcha_added", true, false,
	    "Captcha added to the website's forms",
	    "Captcha placés sur les formulaires du site" },
	{ "permissions_fixed", true, false,
	    "Permissions of files that must not be reachable fixed "
	    "(.htaccess deny from all where needed)",
	    "Droits des fichiers qui ne doivent pas être accessibles corrigés "
	    "(.htaccess deny from all si nécessaire)" },
	{ "admin_protected", true, false,
	    "Admin pages protected by a second HTTP authentication "
	    "(.htaccess and .htpasswd)",
	    "Pages d'administration protégées par une seconde authentification "
	    "HTTP (.htaccess et .htpasswd)" },
	{ "passwords_changed_panel", true, false,
	    "Control panel password changed",
	    "Mot de passe de la console client changé" },
	{ "passwords_changed_ftp", true, false,
	    "FTP password changed", "Mot de passe FTP changé" },
	{ "passwords_changed_database", true, false,
	    "Database password changed",
	    "Mot de passe de la base de données changé" },
	{ "passwords_changed_mailbox", false, false,
	    "Mailbox passwords changed",
	    "Mots de passe des comptes mail changés" },
};

/* Sending from a mailbox that the customer did not intend. */
static const struct ub_check_item mailbox_items[] = {
	{ "passwords_changed_mailbox", true, false,
	    "Password of the blocked mailbox changed (a long, complex one)",
	    "Mot de passe du compte mail bloqué changé (long et complexe)" },
	{ "devices_checked", true, false,
	    "Every device using the mailbox checked (computers, phones...)",
	    "Tous les appareils connectés au compte vérifiés (ordinateurs, "
	    "smartphones...)" },
	{ "passwords_changed_panel", false, false,
	    "Control panel password changed",
	    "Mot de passe de la console client changé" },
};

/* The customer sent the mail and it was legitimate: only the volume was
 * too high. They say what they changed to stay under the quota. */
static const struct ub_check_item legit_items[] = {
	{ "sending_changed", true, true,
	    "What was changed to stay under the sending quota",
	    "Ce qui a été changé pour rester sous le quota d'envoi" },
	{ "mailing_list_used", false, false,
	    "Bulk sending moved to the mailing-list service",
	    "Envois en nombre déplacés vers le service de listes de diffusion" },
};

const struct ub_check_item *
unblock_checklist(enum ub_target target, enum ub_cause cause, bool self_sent,
    size_t *n)
{
	if (self_sent) {
		/* A compromise is by definition not the customer's doing. */
		if (cause == UB_COMPROMISED) {
			*n = 0;
			return NULL;
		}
		*n = NELEM(legit_items);
		return legit_items;
	}
	if (target == UB_MAILBOX) {
		*n = NELEM(mailbox_items);
		return mailbox_items;
	}
	*n = NELEM(website_items);
	return website_items;
}

static const struct ub_check_item *
find_item(const struct ub_check_item *items, size_t n, const char *key,
    size_t *idx)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(items[i].key, key) == 0) {
			*idx = i;
			return &items[i];
		}
	}
	return NULL;
}

static bool
blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

int
unblock_checklist_validate(enum ub_target target, enum ub_cause cause,
    bool self_sent, const struct ub_answer *ans, size_t nans, char *why,
    size_t whylen)
{
	const struct ub_check_item	*items, *it;
	bool				 seen[UB_CHECK_MAX] = { false };
	size_t				 n, i, k;

	items = unblock_checklist(target, cause, self_sent, &n);
	if (items == NULL) {
		snprintf(why, whylen, "a %s block cannot be answered as "
		    "legitimate sending", ub_cause_name(cause));
		return P_EINVAL;
	}
	for (i = 0; i < nans; i++) {
		if (ans[i].item == NULL ||
		    (it = find_item(items, n, ans[i].item, &k)) == NULL) {
			snprintf(why, whylen, "unknown checklist item \"%.64s\"",
			    ans[i].item != NULL ? ans[i].item : "");
			return P_EINVAL;
		}
		if (seen[k]) {
			snprintf(why, whylen, "item \"%s\" answered twice",
			    it->key);
			return P_EINVAL;
		}
		seen[k] = true;
		if (ans[i].details != NULL &&
		    strlen(ans[i].details) > UB_DETAILS_MAX) {
			snprintf(why, whylen, "details of \"%s\" are over %d "
			    "characters", it->key, UB_DETAILS_MAX);
			return P_EINVAL;
		}
		if (it->required && !ans[i].confirmed) {
			snprintf(why, whylen, "item \"%s\" must be confirmed",
			    it->key);
			return P_EINVAL;
		}
		if (it->needs_details && ans[i].confirmed &&
		    blank(ans[i].details)) {
			snprintf(why, whylen, "item \"%s\" needs details",
			    it->key);
			return P_EINVAL;
		}
	}
	for (k = 0; k < n; k++) {
		if (items[k].required && !seen[k]) {
			snprintf(why, whylen, "required item \"%s\" is missing",
			    items[k].key);
			return P_EINVAL;
		}
	}
	return P_OK;
}

struct json_object *
unblock_checklist_to_json(enum ub_target target, enum ub_cause cause,
    bool self_sent, const char *lang)
{
	const struct ub_check_item	*items;
	struct json_object		*arr, *o;
	size_t				 n, i;
	bool				 fr;

	fr = lang != NULL && strcmp(lang, "fr") == 0;
	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	items = unblock_checklist(target, cause, self_sent, &n);
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL) {
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "item",
		    json_object_new_string(items[i].key));
		json_object_object_add(o, "required",
		    json_object_new_boolean(items[i].required));
		json_object_object_add(o, "needs_details",
		    json_object_new_boolean(items[i].needs_details));
		json_object_object_add(o, "label", json_object_new_string(
		    fr ? items[i].label_fr : items[i].label_en));
		json_object_array_add(arr, o);
	}
	return arr;
}
