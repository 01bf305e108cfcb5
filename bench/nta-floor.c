/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/nta-floor.c: the floor of the Sofia-SIP transaction layer.  A SIP
 * responder on nta that answers every REGISTER with 200 (the request's
 * Contact echoed) at once and everything else with 501; no authentication,
 * no bindings.  What sipsad spends per request above this is sipsad's own.
 * bench/run.sh loads it with SIPp (bench/sipp/register.xml).
 *
 *   nta-floor [-s] [-a ADDR] [-p PORT] [-t udp|tcp|tls] [-c DIR]
 *       [-P PIDFILE]
 *
 * -t tls listens on sips:ADDR:PORT;transport=tls with the certificate of
 * DIR (-c), as Sofia's tport reads it: DIR/agent.pem holds the private key
 * and the certificate chain, DIR/cafile.pem the CA.
 *
 * By default the agent is made the way sipsad makes its own (src/proxy.c:
 * the same agent tags, a default leg without dialogs) and answers through
 * a server transaction, so UDP transactions linger for timer J as sipsad's
 * do.  -s answers statelessly (nta_msg_treply) instead: no transaction at
 * all.  Runs until a signal ends it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct floor;
#define NTA_AGENT_MAGIC_T	struct floor
#define NTA_LEG_MAGIC_T		struct floor
#define SU_ROOT_MAGIC_T		struct floor

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/tport_tag.h>

struct floor {
	su_root_t	*root;
	nta_agent_t	*agent;
	nta_leg_t	*leg;
};

static void
usage(void)
{
	fprintf(stderr, "usage: nta-floor [-s] [-a addr] [-p port]"
	    " [-t udp|tcp|tls] [-c dir] [-P pidfile]\n");
	exit(1);
}

/* Stateful: every request reaches the default leg as a transaction. */
static int
floor_request(struct floor *fl, nta_leg_t *leg, nta_incoming_t *irq,
    sip_t const *sip)
{
	(void)fl;
	(void)leg;
	if (sip->sip_request->rq_method != sip_method_register)
		return 501;
	(void)nta_incoming_treply(irq, SIP_200_OK,
	    SIPTAG_CONTACT(sip->sip_contact), TAG_END());
	/* Replied: nta keeps the transaction only for retransmissions. */
	nta_incoming_destroy(irq);
	return 0;
}

/* Stateless (-s): no leg, so every request comes here as a message. */
static int
floor_message(struct floor *fl, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	(void)fl;
	if (sip == NULL || sip->sip_request == NULL) {
		msg_destroy(msg);	/* a stray response */
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		msg_destroy(msg);
		return 0;
	}
	if (sip->sip_request->rq_method != sip_method_register)
		(void)nta_msg_treply(agent, msg, SIP_501_NOT_IMPLEMENTED,
		    TAG_END());
	else
		(void)nta_msg_treply(agent, msg, SIP_200_OK,
		    SIPTAG_CONTACT(sip->sip_contact), TAG_END());
	return 0;
}

int
main(int argc, char **argv)
{
	struct floor fl;
	const char *addr = "127.0.0.1", *port = "5060", *proto = "udp";
	const char *pidfile = NULL, *certdir = NULL;
	char url[256];
	int ch, stateless = 0, tls, rc = 1;

	while ((ch = getopt(argc, argv, "a:c:p:P:st:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'c':
			certdir = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 's':
			stateless = 1;
			break;
		case 't':
			proto = optarg;
			break;
		default:
			usage();
		}
	}
	tls = strcmp(proto, "tls") == 0;
	if (optind != argc || (strcmp(proto, "udp") != 0 &&
	    strcmp(proto, "tcp") != 0 && !tls) || (tls != (certdir != NULL)))
		usage();
	if ((size_t)snprintf(url, sizeof(url), "%s:%s:%s;transport=%s",
	    tls ? "sips" : "sip", addr, port, proto) >= sizeof(url))
		usage();

	memset(&fl, 0, sizeof(fl));
	if (su_init() != 0) {
		fprintf(stderr, "nta-floor: su_init failed\n");
		return 1;
	}
	if ((fl.root = su_root_create(&fl)) == NULL) {
		fprintf(stderr, "nta-floor: cannot create the event loop\n");
		goto out;
	}
	/* The tags sipsad gives its agent (src/proxy.c). */
	fl.agent = nta_agent_create(fl.root, (url_string_t *)url,
	    stateless ? floor_message : NULL, stateless ? &fl : NULL,
	    NTATAG_SERVER_RPORT(1), NTATAG_UA(0),
	    NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY),
	    TAG_IF(tls, TPTAG_CERTIFICATE(certdir)),
	    TAG_IF(tls, TPTAG_TLS_VERSION(0)), TAG_END());
	if (fl.agent == NULL) {
		fprintf(stderr, "nta-floor: cannot listen on %s: %s\n", url,
		    strerror(errno));
		goto out;
	}
	if (!stateless) {
		fl.leg = nta_leg_tcreate(fl.agent, floor_request, &fl,
		    NTATAG_NO_DIALOG(1), TAG_END());
		if (fl.leg == NULL) {
			fprintf(stderr, "nta-floor: cannot create the leg\n");
			goto out;
		}
	}
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "w");

		if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
		    fclose(f) != 0) {
			fprintf(stderr, "nta-floor: %s: %s\n", pidfile,
			    strerror(errno));
			goto out;
		}
	}
	/* SIGTERM's default action is the way out: nothing to flush. */
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "nta-floor: %s, %s\n", url,
	    stateless ? "stateless" : "stateful");
	su_root_run(fl.root);
	rc = 0;
 out:
	if (fl.leg != NULL)
		nta_leg_destroy(fl.leg);
	if (fl.agent != NULL)
		nta_agent_destroy(fl.agent);
	if (fl.root != NULL)
		su_root_destroy(fl.root);
	su_deinit();
	return rc;
}
