/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/mech/userindex.c: NTLM handshakes with real gss-ntlmssp against a
 * user file of 2,000 lines of both formats, through the index of
 * sa/mech_ntlm_index.c: a user in the middle, names in another case than
 * the file's, a wrong password, an unknown user, edits between handshakes
 * (also one that leaves size and mtime as they were), and a file the
 * index declines (a non-ASCII user), where the whole file is read.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sa/mech_int.h"
#include "sipauth/ntlm.h"
#include "tests/mech/mech_test.h"

#define FILE_LINES	2000
#define NO_LM		"AAD3B435B51404EEAAD3B435B51404EE"
#define ACCT		"[U          ]:LCT-00000000"

static char path[4200];

/* An smbpasswd line for name with the NT hash of password, into buf. */
static void
smbpasswd_line(char *buf, size_t bufsz, const char *name, unsigned uid,
    const char *password)
{
	uint8_t h[16];
	char hex[33];
	int i;

	CU_ASSERT_EQUAL_FATAL(sipauth_ntlm_nt_hash(password, h), 0);
	for (i = 0; i < 16; i++)
		(void)snprintf(hex + 2 * i, 3, "%02X", h[i]);
	(void)snprintf(buf, bufsz, "%s:%u:" NO_LM ":%s:" ACCT "\n", name, uid,
	    hex);
}

/*
 * The file: a comment, then FILE_LINES made-up users, smbpasswd and
 * Heimdal lines in turn with names in mixed case; in the middle a Heimdal
 * line for alice in another domain, then DOM\Alice and bob (no domain) in
 * smbpasswd format; extra (may be NULL) at the end.  Rewritten in place,
 * so the inode stays.
 */
static void
write_users(const char *alice_pw, const char *extra)
{
	char name[128], line[256];
	unsigned i;
	FILE *f;

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# sipsa user-index test\n", f);
	for (i = 0; i < FILE_LINES; i++) {
		if (i == FILE_LINES / 2) {
			fputs("OTHERDOM:alice:notthis\n", f);
			(void)snprintf(name, sizeof(name), "%s\\Alice",
			    realm.netbios);
			smbpasswd_line(line, sizeof(line), name, 2001,
			    alice_pw);
			fputs(line, f);
			smbpasswd_line(line, sizeof(line), "bob", 2002,
			    "bobpw");
			fputs(line, f);
		}
		if (i % 2 == 0)
			fprintf(f, "%s\\Filler%u:%u:" NO_LM ":%08X%08X%08X%08X"
			    ":" ACCT "\n", realm.netbios, i, 3000 + i, i,
			    i * 7u, i * 13u, i * 31u);
		else
			fprintf(f, "%s:fILLER%u:pw%u\n", realm.netbios, i, i);
	}
	if (extra != NULL)
		fputs(extra, f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* A full handshake as user; the acceptor's reason. */
static enum mech_reason
login(struct mech_server *s, const char *user, const char *password)
{
	struct mech_ctx *srv = NULL, *cli = NULL;
	struct mech_result r;
	enum mech_reason reason;

	reason = ntlm_handshake(s, user, password, &srv, &cli, NULL, &r);
	mech_ctx_free(srv);
	mech_ctx_free(cli);
	return reason;
}

/*
 * What the index hands gss-ntlmssp for user: the file want ("" for an
 * empty one: a user it does not hold), or NULL when it declines (the
 * whole file is read instead).
 */
static void
check_subset(struct mech_server *s, const char *user, const char *want)
{
	struct mech_ntlm_subset sub;
	char got[1024];
	ssize_t n;
	int rc;

	rc = mech_ntlm_index_subset(s->ntlm_index, path, realm.netbios, user,
	    &sub);
	if (want == NULL) {
		CU_ASSERT_NOT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(sub.fd, -1);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	n = pread(sub.fd, got, sizeof(got) - 1, 0);
	CU_ASSERT_TRUE_FATAL(n >= 0);
	got[n] = '\0';
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL((size_t)n, sub.len);
	mech_ntlm_subset_close(&sub);
	CU_ASSERT_EQUAL(sub.fd, -1);
}

static void
set_mtime(const struct timespec *t)
{
	struct timespec ts[2] = { *t, *t };

	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, 0), 0);
}

void
test_ntlm_user_index(void)
{
	struct mech_server_params sp;
	struct mech_server *s = NULL;
	struct timespec old;
	struct stat st;
	char err[512], want[512], line[256], name[128];

	(void)snprintf(path, sizeof(path), "%s/users-index.txt", realm.dir);
	write_users("alicepw", NULL);
	realm_server_params(&realm, &sp);
	sp.keytab = NULL;
	sp.ntlm_user_file = path;
	CU_ASSERT_EQUAL_FATAL(mech_server_create(&sp, &s, err, sizeof(err)),
	    0);

	/* Both lines named alice, in file order, and nothing else. */
	(void)snprintf(name, sizeof(name), "%s\\Alice", realm.netbios);
	smbpasswd_line(line, sizeof(line), name, 2001, "alicepw");
	(void)snprintf(want, sizeof(want), "OTHERDOM:alice:notthis\n%s",
	    line);
	check_subset(s, "ALICE", want);
	check_subset(s, "nosuchuser", "");
	check_subset(s, "al*ce", NULL);

	CU_ASSERT_EQUAL(login(s, "alice", "alicepw"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "ALICE", "alicepw"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "aLiCe", "wrong"), MECH_R_BAD_PASSWORD);
	CU_ASSERT_EQUAL(login(s, "bob", "bobpw"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "nosuchuser", "x"), MECH_R_UNKNOWN_USER);

	/*
	 * A new password, same inode, size and mtime: only the rule that a
	 * file read within 2 s of its change is read again sees it.
	 */
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	write_users("alicepw2", NULL);
	set_mtime(&st.st_mtim);
	CU_ASSERT_EQUAL(login(s, "alice", "alicepw"), MECH_R_BAD_PASSWORD);
	CU_ASSERT_EQUAL(login(s, "alice", "alicepw2"), MECH_OK);

	/* An old file: a user appended changes its size. */
	(void)clock_gettime(CLOCK_REALTIME, &old);
	old.tv_sec -= 3600;
	set_mtime(&old);
	CU_ASSERT_EQUAL(login(s, "alice", "alicepw2"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "dave", "davepw"), MECH_R_UNKNOWN_USER);
	smbpasswd_line(line, sizeof(line), "Dave", 2004, "davepw");
	write_users("alicepw2", line);
	set_mtime(&old);
	CU_ASSERT_EQUAL(login(s, "dave", "davepw"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "DAVE", "alicepw2"), MECH_R_BAD_PASSWORD);

	/* A non-ASCII user: no index, the whole file, the same answers. */
	(void)snprintf(line, sizeof(line), "%s\\J\xc3\xbcrgen:2003:" NO_LM
	    ":%032d:" ACCT "\n", realm.netbios, 0);
	write_users("alicepw2", line);
	check_subset(s, "alice", NULL);
	CU_ASSERT_EQUAL(login(s, "alice", "alicepw2"), MECH_OK);
	CU_ASSERT_EQUAL(login(s, "alice", "alicepw"), MECH_R_BAD_PASSWORD);
	CU_ASSERT_EQUAL(login(s, "nosuchuser", "x"), MECH_R_UNKNOWN_USER);

	/* Indexable again once that line is gone. */
	write_users("alicepw", NULL);
	check_subset(s, "ALICE", want);
	CU_ASSERT_EQUAL(login(s, "Alice", "alicepw"), MECH_OK);

	mech_server_free(s);
	(void)unlink(path);
}
