/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * src/access.c: the sign-in rules (src/access.h).  Names compare ignoring
 * ASCII case, as AD does: an account "DOMAIN\user" or "user@REALM", its
 * domain (the part before the backslash, or the realm after the last
 * "@"), the names of its groups.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "src/access.h"

/* The account's domain or realm: a pointer into account and a length. */
static const char *
account_domain(const char *account, size_t *len)
{
	const char *p;

	if ((p = strchr(account, '\\')) != NULL) {
		*len = (size_t)(p - account);
		return account;
	}
	if ((p = strrchr(account, '@')) != NULL) {
		*len = strlen(p + 1);
		return p + 1;
	}
	*len = 0;
	return account;
}

static int
matches(const struct conf_access_rule *r, const char *account,
    char *const *groups)
{
	const char *dom;
	size_t len, i;

	switch (r->kind) {
	case CONF_ACCESS_ANY:
		return 1;
	case CONF_ACCESS_USER:
		return strcasecmp(r->name, account) == 0;
	case CONF_ACCESS_DOMAIN:
		dom = account_domain(account, &len);
		return len > 0 && strlen(r->name) == len &&
		    strncasecmp(r->name, dom, len) == 0;
	case CONF_ACCESS_GROUP:
		for (i = 0; groups != NULL && groups[i] != NULL; i++)
			if (strcasecmp(r->name, groups[i]) == 0)
				return 1;
		return 0;
	}
	return 0;
}

int
access_decide(const struct conf_access_rule *listener,
    const struct conf_access *global, const char *account,
    char *const *groups, const struct conf_access_rule **rule)
{
	const struct conf_access_rule *r;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (r = pass == 0 ? listener : global->rules; r != NULL;
		    r = r->next)
			if (matches(r, account, groups)) {
				*rule = r;
				return r->allow;
			}
	*rule = NULL;
	return global->default_allow;
}

const char *
access_rule_name(const struct conf_access_rule *rule)
{
	static const char *const names[2][4] = {
		{ "deny any", "deny user", "deny group", "deny domain" },
		{ "allow any", "allow user", "allow group", "allow domain" },
	};

	return names[rule->allow != 0][rule->kind];
}
