/* codes.h - every SMTP reply code (RFC 5321 and extensions) and every
 * enhanced status code of the IANA registry (RFC 3463 and later), with a
 * short title and a one-sentence meaning in English and French.
 * Static, read-only tables: safe from any thread, nothing to free. */
#ifndef BOUNCEDESK_CODES_H
#define BOUNCEDESK_CODES_H
#include <stdbool.h>
#include <stddef.h>

struct code_info {
	const char	*code;		/* "550", or "X.7.26" (class-free) */
	const char	*title_en, *title_fr;
	const char	*text_en, *text_fr;
};

/* The reply code "550" (also accepts "550-", "550 " prefixes of a longer
 * line: only the first three characters must be digits followed by a
 * non-digit or the end). NULL when unknown or malformed. */
const struct code_info *codes_reply(const char *code);

/* An enhanced status code "5.7.26" (class 2, 4 or 5; a leading "X." is
 * accepted too). The lookup is by subject.detail: the answer's code is
 * "X.7.26"; the class only says success / temporary / permanent (see
 * codes_class_*). NULL when unknown, malformed or out of range (RFC 3463:
 * subject 0-999, detail 0-999, no leading zeros beyond one digit). */
const struct code_info *codes_enhanced(const char *status);

/* The class digit of a status or reply code: 2, 4 or 5 for "5.1.1" /
 * "550"; 0 when it is neither. */
int		 codes_class(const char *code);
/* Title and one sentence for a class (2 success, 4 temporary, 5 permanent),
 * in "en" or "fr" (anything else: "fr"). Never NULL: "" for other digits. */
const char	*codes_class_title(int cls, const char *lang);
const char	*codes_class_text(int cls, const char *lang);

/* Picks the en or fr field of info ("en" -> English, else French). */
const char	*codes_title(const struct code_info *, const char *lang);
const char	*codes_text(const struct code_info *, const char *lang);

/* Table sizes and iteration (sorted by code), for tests and listings.
 * The _at functions return NULL past the end. */
size_t		 codes_reply_count(void);
size_t		 codes_enhanced_count(void);
const struct code_info *codes_reply_at(size_t);
const struct code_info *codes_enhanced_at(size_t);

#endif /* BOUNCEDESK_CODES_H */
