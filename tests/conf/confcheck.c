/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/conf/confcheck.c: "sipsad -n -f FILE" for the conf module alone.
 * Loads FILE with the checks of -n (syntax, cross-references, secrecy of
 * the secret files that exist), prints the errors on stderr and then
 * "configuration OK" on stdout (exit 0), or exits 1.  -v also prints the
 * effective configuration.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf/conf.h"

int
main(int argc, char **argv)
{
	struct sipsa_conf *conf;
	const char *path = "sipsa.conf";
	int ch, verbose = 0;

	while ((ch = getopt(argc, argv, "f:nv")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'n':
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			(void)fprintf(stderr, "usage: confcheck [-nv] "
			    "[-f file]\n");
			return 2;
		}
	}
	if (conf_load(path, CONF_SECRETS_CHECK_IF_PRESENT, NULL, NULL,
	    &conf) != 0)
		return 1;
	if (verbose)
		conf_dump(conf, stdout);
	(void)printf("configuration OK\n");
	conf_free(conf);
	return 0;
}
