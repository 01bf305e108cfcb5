/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/access.h: who may sign in, by the rules of access { } and of the
 * listener (sipsa.conf(5)): the first rule that matches the account
 * decides, the listener's before the access block's; without a match,
 * access { default }.  Plain C over the configuration, no logging.
 */
#ifndef SIPSA_ACCESS_H
#define SIPSA_ACCESS_H

struct conf_access;
struct conf_access_rule;

/*
 * account: "DOMAIN\user" or "user@REALM".  groups: the names of the
 * account's groups (nested ones included), NULL-ended, or NULL when the
 * directory does not know the account (no group rule matches then).
 * Returns 1 (allowed) or 0; *rule gets the rule that decided, or NULL
 * for the default.
 */
int	access_decide(const struct conf_access_rule *listener,
	    const struct conf_access *global, const char *account,
	    char *const *groups, const struct conf_access_rule **rule);

/* "allow group", "deny user", ...: for the log. */
const char *access_rule_name(const struct conf_access_rule *rule);

#endif /* SIPSA_ACCESS_H */
