/* unblock.h - blocks of outgoing mail, unblock requests and their state
 * machines, the remediation checklists and the escalation policy
 * (src/unblock), and the store calls behind them
 * (src/store/store_unblock.c). No HTTP types here.
 *
 * Every transition is one transaction that writes the new state, an audit
 * event and one outbox row per matching webhook endpoint. Strings in the
 * structs below are arena memory unless said otherwise. */
#ifndef BOUNCEDESK_UNBLOCK_H
#define BOUNCEDESK_UNBLOCK_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct json_object;
struct store;

enum ub_target { UB_WEBSITE, UB_MAILBOX };
enum ub_cause { UB_QUOTA, UB_SPAM, UB_COMPROMISED };
enum ub_block_state { UB_BLOCK_ACTIVE, UB_BLOCK_LIFTED, UB_BLOCK_PERMANENT };
enum ub_req_state { UB_REQ_SUBMITTED, UB_REQ_INFO, UB_REQ_APPROVED,
    UB_REQ_REJECTED, UB_REQ_WITHDRAWN };
/* What may happen to a request. */
enum ub_req_event { UB_EV_APPROVE, UB_EV_REJECT, UB_EV_ASK_INFO,
    UB_EV_ANSWER, UB_EV_WITHDRAW };
/* What may happen to a block besides its creation. */
enum ub_block_event { UB_BEV_LIFT, UB_BEV_MAKE_PERMANENT };
enum ub_actor_kind { UB_ACTOR_API, UB_ACTOR_STAFF, UB_ACTOR_CUSTOMER,
    UB_ACTOR_SYSTEM };

/* Stable names ("website", "info_requested"...) and their parsers, which
 * return P_OK or P_EINVAL. A state name parser accepts only states. */
const char	*ub_target_name(enum ub_target);
const char	*ub_cause_name(enum ub_cause);
const char	*ub_block_state_name(enum ub_block_state);
const char	*ub_req_state_name(enum ub_req_state);
const char	*ub_req_event_name(enum ub_req_event);
const char	*ub_actor_kind_name(enum ub_actor_kind);
int		 ub_target_parse(const char *, enum ub_target *);
int		 ub_cause_parse(const char *, enum ub_cause *);
int		 ub_block_state_parse(const char *, enum ub_block_state *);
int		 ub_req_state_parse(const char *, enum ub_req_state *);

/* Who acts. admin: a staff admin, or an API key with blocks:admin; only
 * they may lift a permanent block. Strings are borrowed for the call. */
struct ub_actor {
	enum ub_actor_kind	 kind;
	long long		 id;		/* staff / api client id, or 0 */
	const char		*name;
	const char		*addr;		/* remote address, may be NULL */
	bool			 admin;
};

struct ub_account {
	long long	 id;
	const char	*ext_id;	/* the provider's account id */
	const char	*name;
	const char	*contact_email;
	const char	*lang;		/* "fr" or "en" */
	long long	 created_at;
};

struct ub_block {
	long long		 id;
	long long		 account_id;
	enum ub_target		 target_kind;
	const char		*target;	/* site or mailbox address */
	enum ub_cause		 cause;
	const char		*figures;	/* JSON object text */
	long long		 started_at;
	enum ub_block_state	 state;
	long long		 repeat_count;	/* blocks in the window, this one
						   included */
	long long		 updated_at;
};

/* One checklist answer as the customer gives it. */
struct ub_answer {
	const char	*item;		/* a checklist key */
	bool		 confirmed;
	const char	*details;	/* may be NULL */
};

struct ub_request {
	long long		 id;
	long long		 block_id;
	long long		 account_id;
	bool			 self_sent;	/* sent by the customer, legit */
	const char		*answers;	/* JSON object text */
	const char		*message;	/* free text */
	enum ub_req_state	 state;
	const char		*decision_comment;	/* may be NULL */
	long long		 created_at;
	long long		 updated_at;
};

struct ub_audit {
	long long	 id;
	long long	 at;
	const char	*actor_kind;
	long long	 actor_id;
	const char	*actor_name;
	const char	*remote_addr;	/* may be NULL */
	long long	 account_id, block_id, request_id;	/* 0: none */
	const char	*action;	/* "request.approved"... */
	const char	*from_state;	/* may be NULL */
	const char	*to_state;	/* may be NULL */
	const char	*detail;	/* JSON object text */
};

/* Read from the settings table; the defaults are the provider's. */
struct ub_policy {
	long	 window_days;			/* unblock.window_days = 90 */
	long	 threshold;			/* unblock.repeat_threshold = 3 */
	long	 website_per_hour;		/* 1000 messages/recipients */
	long	 mailbox_messages_per_hour;	/* 60 */
	long	 mailbox_recipients_per_hour;	/* 120 */
};

/* What the customer is told when filing. */
struct ub_filing {
	long long	 blocks_in_window;	/* the account's, over the window */
	long		 window_days;
	long		 threshold;
	bool		 repeat;		/* more than one block: warn */
	bool		 permanent;		/* only an admin can lift it */
};

/* Lists: 0 / -1 mean "any"; after is a cursor (the last id seen). */
struct ub_filter {
	long long	 account_id;
	int		 state;		/* an enum value, or -1 */
	long long	 after;
	int		 limit;		/* 1..UB_LIST_MAX */
};
#define UB_LIST_MAX	100

/* ---- policy and state machines (src/unblock/policy.c) ---- */

/* The built-in defaults. */
void	unblock_policy_defaults(struct ub_policy *);
/* Defaults overridden by the settings table; P_OK or P_EDB. */
int	unblock_policy_load(struct store *, struct ub_policy *);
/* The next state of a block, or P_ECONFLICT when ev is illegal in from,
 * or P_EFORBIDDEN when only an admin may do it (lifting a permanent
 * block). */
int	unblock_block_next(enum ub_block_state from, enum ub_block_event ev,
	    bool admin, enum ub_block_state *to);
/* The next state of a request, or P_ECONFLICT. */
int	unblock_request_next(enum ub_req_state from, enum ub_req_event ev,
	    enum ub_req_state *to);
/* True while a request waits for someone (submitted, info_requested). */
bool	unblock_request_is_open(enum ub_req_state);

/* ---- checklists (src/unblock/checklist.c) ---- */

struct ub_check_item {
	const char	*key;		/* "captcha_added" */
	bool		 required;	/* must be confirmed */
	bool		 needs_details;	/* details must be given */
	const char	*label_en;
	const char	*label_fr;
};

/* The checklist fitted to a block and to the customer's answer to "did you
 * send it yourself, legitimately?"; NULL (and *n = 0) when that answer is
 * not acceptable for the cause (a compromise cannot be legitimate). The
 * table is static. */
const struct ub_check_item *unblock_checklist(enum ub_target, enum ub_cause,
	    bool self_sent, size_t *n);
/* P_OK, or P_EINVAL with the reason in why (unknown or repeated item,
 * required item not confirmed, missing details, text over the limit). */
int	unblock_checklist_validate(enum ub_target, enum ub_cause,
	    bool self_sent, const struct ub_answer *, size_t n, char *why,
	    size_t whylen);
/* The checklist as JSON (items with labels in lang); caller owns. */
struct json_object *unblock_checklist_to_json(enum ub_target, enum ub_cause,
	    bool self_sent, const char *lang);

/* ---- transitions (src/unblock/unblock.c) ---- */

/* Provisions an account with its domains and mailboxes in one transaction
 * (and an "account.created" event). ac->lang NULL means "fr". P_EINVAL,
 * P_ECONFLICT (ext_id, a domain or a mailbox already known). */
int	unblock_account_create(struct store *, struct arena *,
	    const struct ub_actor *, struct ub_account *ac,
	    const char *const *domains, size_t ndomains,
	    const char *const *mailboxes, size_t nmailboxes);

/* Limits on what a customer writes. */
#define UB_TEXT_MAX	10000	/* free text, comments */
#define UB_DETAILS_MAX	2000	/* details of one checklist item */

/* Creates a block for b->account_id. Counts the account's blocks over the
 * policy window in the same transaction: at or past the threshold (this
 * block included) it is created permanent. started_at 0 means now;
 * figures NULL means the quotas in force for the target. On return b has
 * id, state, repeat_count and the times. P_ENOTFOUND (no account),
 * P_EINVAL, P_EDB. */
int	unblock_block_create(struct store *, struct arena *,
	    const struct ub_actor *, const struct ub_policy *, struct ub_block *b);
/* Lifts a block or makes it permanent, outside a request (staff, policy).
 * P_ECONFLICT, P_EFORBIDDEN, P_ENOTFOUND. out may be NULL. */
int	unblock_block_change(struct store *, struct arena *,
	    const struct ub_actor *, long long block_id, enum ub_block_event,
	    const char *comment, struct ub_block *out);
/* Files the request of a block: validates the checklist, refuses a second
 * open request (P_ECONFLICT) and closed blocks (P_ECONFLICT). why gets the
 * reason of a P_EINVAL / P_ECONFLICT; info (may be NULL) the warning. */
int	unblock_request_file(struct store *, struct arena *,
	    const struct ub_actor *, const struct ub_policy *, long long block_id,
	    bool self_sent, const struct ub_answer *, size_t nanswers,
	    const char *message, struct ub_request *out, struct ub_filing *info,
	    char *why, size_t whylen);
/* Applies ev to a request: approve (the block is lifted in the same
 * transaction; a permanent block needs an admin), reject or ask for
 * information (a comment is required), answer (the customer's text is
 * required), withdraw. P_ECONFLICT for an illegal transition, P_EINVAL,
 * P_EFORBIDDEN, P_ENOTFOUND. out may be NULL. */
int	unblock_request_apply(struct store *, struct arena *,
	    const struct ub_actor *, long long request_id, enum ub_req_event ev,
	    const char *comment, struct ub_request *out, char *why,
	    size_t whylen);

/* ---- JSON views (src/unblock/json.c); each returns a new object ---- */

struct json_object *unblock_account_to_json(const struct ub_account *);
struct json_object *unblock_block_to_json(const struct ub_block *);
struct json_object *unblock_request_to_json(const struct ub_request *);
struct json_object *unblock_audit_to_json(const struct ub_audit *);
/* "2024-09-20T14:27:23Z" in the arena (NULL when out of memory). */
const char	*unblock_time_iso(struct arena *, long long t);

/* ---- store (src/store/store_unblock.c) ----
 * Reads fill arena memory; writes assume the caller's transaction when
 * they belong to a transition. */

int	store_account_insert(struct store *, struct ub_account *);
int	store_account_get(struct store *, struct arena *, long long id,
	    struct ub_account *);
int	store_account_find_ext(struct store *, struct arena *,
	    const char *ext_id, struct ub_account *);
int	store_account_list(struct store *, struct arena *,
	    const struct ub_filter *, struct ub_account **, size_t *);
int	store_domain_insert(struct store *, long long account_id,
	    const char *name);
int	store_mailbox_insert(struct store *, long long account_id,
	    const char *address);
/* Domain names / mailbox addresses of an account, in the arena. */
int	store_account_names(struct store *, struct arena *, long long account_id,
	    bool mailboxes, const char ***names, size_t *n);

int	store_block_insert(struct store *, struct ub_block *);
int	store_block_get(struct store *, struct arena *, long long id,
	    struct ub_block *);
/* Sets state where it is still from; P_ECONFLICT when it no longer is. */
int	store_block_set_state(struct store *, long long id,
	    enum ub_block_state from, enum ub_block_state to, long long now);
int	store_block_count_since(struct store *, long long account_id,
	    long long since, long long *n);
int	store_block_list(struct store *, struct arena *,
	    const struct ub_filter *, struct ub_block **, size_t *);
/* The same, limited to rows changed (updated_at) at or after since. */
int	store_block_list_since(struct store *, struct arena *,
	    const struct ub_filter *, long long since, struct ub_block **,
	    size_t *);

/* P_ECONFLICT when the block already has an open request. */
int	store_request_insert(struct store *, struct ub_request *);
int	store_request_get(struct store *, struct arena *, long long id,
	    struct ub_request *);
int	store_request_set_state(struct store *, long long id,
	    enum ub_req_state from, enum ub_req_state to, const char *comment,
	    long long now);
/* Oldest first. */
int	store_request_list(struct store *, struct arena *,
	    const struct ub_filter *, struct ub_request **, size_t *);

/* The same, limited to rows changed (updated_at) at or after since. */
int	store_request_list_since(struct store *, struct arena *,
	    const struct ub_filter *, long long since, struct ub_request **,
	    size_t *);

int	store_audit_insert(struct store *, const struct ub_audit *);
/* Filter by account_id (f->account_id) or by request_id when non-zero. */
int	store_audit_list(struct store *, struct arena *,
	    const struct ub_filter *, long long request_id, struct ub_audit **,
	    size_t *);
/* The same, limited to events at or after since. */
int	store_audit_list_since(struct store *, struct arena *,
	    const struct ub_filter *, long long request_id, long long since,
	    struct ub_audit **, size_t *);
/* Queues one outbox row per active endpoint whose filter takes type;
 * *n (may be NULL) gets how many. */
int	store_outbox_enqueue(struct store *, const char *event_id,
	    const char *type, const char *payload, long long now, int *n);
/* Integer setting, or def when absent or not a number. */
int	store_setting_long(struct store *, const char *key, long def,
	    long *out);

#endif /* BOUNCEDESK_UNBLOCK_H */
