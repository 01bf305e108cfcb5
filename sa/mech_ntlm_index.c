/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sa/mech_ntlm_index.c: an in-memory index of the NTLM user file, so that
 * gss-ntlmssp reads only the lines of the user who authenticates.
 *
 * gss-ntlmssp 1.2.0 (get_user_file_creds) reads the whole user file on
 * every AUTHENTICATE and compares each line's user with ntlm_casecmp
 * (Unicode case folding): about 3 us a line, 1.5 ms per handshake with
 * 1,000 users and 200 ms with 100,000.  The index is a copy of the file,
 * parsed as gss-ntlmssp parses it and sorted by the user name folded to
 * ASCII lower case.  For each AUTHENTICATE, sa/mech_ntlm.c writes the lines
 * of its user into a memfd and hands gss-ntlmssp that as the user file of
 * a credential made for the handshake.  gss-ntlmssp still makes every
 * decision (domain, first matching line, password or hashes) on a file that
 * holds, in file order, every line it could have matched on the name.
 *
 * That is true only when ASCII folding finds every line Unicode folding
 * would: the name must be plain ASCII ([A-Za-z0-9._-], nothing that
 * gss_import_name splits on) and so must every user field of the file.  A
 * file with a non-ASCII user field, a NUL byte or a line that fgets() would
 * split (1023 bytes or more) is not indexed: every handshake reads the
 * whole file as before.
 *
 * Not thread-safe: a lookup may re-read the file (one server per event
 * loop, as sipsad runs it).
 */
#define _GNU_SOURCE		/* memfd_create(2) */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sa/mech_int.h"

/* fgets(line, 1024, f) in gss-ntlmssp: longer lines come in pieces. */
#define LINE_MAX_LEN	1022
/*
 * A file read less than this long after its last change (or with a change
 * time in the future) is read again at the next lookup: a change within
 * the same timestamp tick (up to 2 s on some file systems) would leave
 * st_mtim as it was.
 */
#define RACY_NS		2000000000LL

/* One line gss-ntlmssp would read; user and domain lie within it. */
struct ntlm_entry {
	const char	*line;		/* into ix->buf, without the newline */
	uint16_t	 line_len;
	uint16_t	 user_off;
	uint16_t	 user_len;
	uint16_t	 dom_len;	/* at line; 0: none or empty */
};

struct mech_ntlm_index {
	char			*buf;	/* the file (passwords, hashes) */
	size_t			 len;
	struct ntlm_entry	*ent;	/* by folded user, then file order */
	size_t			 n;
	int			 usable;
	/* The file the index was made from: re-read when stat() differs. */
	int			 have_id;
	int			 racy;
	dev_t			 dev;
	ino_t			 ino;
	off_t			 size;
	struct timespec		 mtim;
	int			 proc_fd_ok;	/* -1 not tried yet */
};

static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
fold_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;
	int d;

	for (i = 0; i < n; i++)
		if ((d = fold((unsigned char)a[i]) -
		    fold((unsigned char)b[i])) != 0)
			return d;
	return (alen > blen) - (alen < blen);
}

static int
entry_cmp(const void *x, const void *y)
{
	const struct ntlm_entry *a = x, *b = y;
	int d;

	d = fold_cmp(a->line + a->user_off, a->user_len,
	    b->line + b->user_off, b->user_len);
	if (d != 0)
		return d;
	return (a->line > b->line) - (a->line < b->line);
}

int
mech_ntlm_parse_line(const char *l, size_t len, struct mech_ntlm_line *out)
{
	const char *end = l + len, *f2, *f3, *f4, *bs;

	if (len == 0 || l[0] == '#' || (f2 = memchr(l, ':', len)) == NULL)
		return 0;
	f2++;
	if ((f3 = memchr(f2, ':', (size_t)(end - f2))) == NULL)
		return 0;
	f3++;
	if ((f4 = memchr(f3, ':', (size_t)(end - f3))) == NULL) {
		/* Heimdal: DOM:USER:PASSWORD (the password may be empty). */
		out->dom = l;
		out->dom_len = (size_t)(f2 - 1 - l);
		out->user = f2;
		out->user_len = (size_t)(f3 - 1 - f2);
		return 1;
	}
	f4++;
	if (memchr(f4, ':', (size_t)(end - f4)) == NULL)
		return 0;
	/* smbpasswd: [DOM\]USER:UID:LMHASH:NTHASH:... */
	out->user = l;
	out->user_len = (size_t)(f2 - 1 - l);
	out->dom = l;
	out->dom_len = 0;
	if ((bs = memchr(l, '\\', out->user_len)) != NULL) {
		out->dom_len = (size_t)(bs - l);
		out->user = bs + 1;
		out->user_len -= out->dom_len + 1;
	}
	return 1;
}

int
mech_ntlm_domain_matches(const char *dom, size_t dom_len, const char *domain)
{
	size_t dlen = strlen(domain);

	return dom_len == 0 || dlen == 0 || (dom_len == dlen &&
	    strncasecmp(dom, domain, dlen) == 0);
}

/* Wipe and drop the file's copy; the file's identity is kept. */
static void
index_clear(struct mech_ntlm_index *ix)
{
	if (ix->buf != NULL) {
		OPENSSL_cleanse(ix->buf, ix->len);
		free(ix->buf);
	}
	free(ix->ent);
	ix->buf = NULL;
	ix->ent = NULL;
	ix->len = ix->n = 0;
	ix->usable = 0;
}

/*
 * Parse ix->buf into sorted entries.  Returns 1 when the index can answer,
 * 0 when the file has a line gss-ntlmssp would read differently from the
 * index (long line, NUL byte, non-ASCII user), -1 without memory.
 */
static int
index_parse(struct mech_ntlm_index *ix)
{
	struct mech_ntlm_line f;
	const char *p = ix->buf, *end = ix->buf + ix->len, *nl;
	size_t lines = 1, i, len;

	if (memchr(ix->buf, '\0', ix->len) != NULL)
		return 0;
	for (nl = p; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL;
	    nl++)
		lines++;
	if ((ix->ent = calloc(lines, sizeof(*ix->ent))) == NULL)
		return -1;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((len = (size_t)(nl - p)) > LINE_MAX_LEN)
			return 0;
		if (!mech_ntlm_parse_line(p, len, &f))
			continue;
		for (i = 0; i < f.user_len; i++)
			if ((unsigned char)f.user[i] >= 0x80)
				return 0;
		ix->ent[ix->n++] = (struct ntlm_entry){ p, (uint16_t)len,
		    (uint16_t)(f.user - p), (uint16_t)f.user_len,
		    (uint16_t)f.dom_len };
	}
	qsort(ix->ent, ix->n, sizeof(*ix->ent), entry_cmp);
	return 1;
}

/* Read the open file fd (st: its fstat) into ix->buf; 0 or -1. */
static int
index_read(struct mech_ntlm_index *ix, int fd, const struct stat *st)
{
	size_t want = (size_t)st->st_size;
	ssize_t r;

	/* One allocation: a realloc would leave copies behind unwiped. */
	if ((ix->buf = malloc(want + 1)) == NULL)
		return -1;
	while (ix->len < want) {
		r = read(fd, ix->buf + ix->len, want - ix->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;		/* shorter now: the next stat differs */
		ix->len += (size_t)r;
	}
	return 0;
}

static int
same_file(const struct mech_ntlm_index *ix, const struct stat *st)
{
	return ix->dev == st->st_dev && ix->ino == st->st_ino &&
	    ix->size == st->st_size && ix->mtim.tv_sec == st->st_mtim.tv_sec &&
	    ix->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

int
mech_ntlm_index_refresh(struct mech_ntlm_index *ix, const char *path)
{
	struct timespec now;
	struct stat st;
	long long age;
	int fd, rc;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		index_clear(ix);
		ix->have_id = 0;
		return 0;
	}
	if (ix->have_id && !ix->racy && same_file(ix, &st))
		return ix->usable;
	index_clear(ix);
	ix->have_id = 0;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    index_read(ix, fd, &st) != 0 || (rc = index_parse(ix)) < 0) {
		(void)close(fd);
		index_clear(ix);
		return 0;
	}
	(void)close(fd);
	if (rc == 0)
		index_clear(ix);	/* not indexable: no copy needed */
	ix->usable = rc;
	ix->have_id = 1;
	ix->dev = st.st_dev;
	ix->ino = st.st_ino;
	ix->size = st.st_size;
	ix->mtim = st.st_mtim;
	age = (long long)(now.tv_sec - st.st_mtim.tv_sec) * 1000000000LL +
	    (now.tv_nsec - st.st_mtim.tv_nsec);
	ix->racy = age < RACY_NS;
	return ix->usable;
}

/*
 * Can the index answer for DOMAIN\USER?  gss-ntlmssp imports the name as
 * "DOMAIN\USER": an '@' or a second '\' would make it split the name
 * elsewhere, so those are left to the whole file.
 */
static int
plain_name(const char *domain, const char *user)
{
	if (user[0] == '\0' || strpbrk(domain, "\\@") != NULL)
		return 0;
	return strspn(user, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(user);
}

/* The entries of user: *first and the count (0: absent). */
static size_t
index_find(const struct mech_ntlm_index *ix, const char *user,
    size_t *first)
{
	size_t lo = 0, hi = ix->n, n, ulen = strlen(user);
	const struct ntlm_entry *e;

	while (lo < hi) {
		n = lo + (hi - lo) / 2;
		e = &ix->ent[n];
		if (fold_cmp(e->line + e->user_off, e->user_len, user,
		    ulen) < 0)
			lo = n + 1;
		else
			hi = n;
	}
	*first = lo;
	for (n = lo; n < ix->n; n++) {
		e = &ix->ent[n];
		if (fold_cmp(e->line + e->user_off, e->user_len, user,
		    ulen) != 0)
			break;
	}
	return n - lo;
}

struct mech_ntlm_index *
mech_ntlm_index_create(void)
{
	struct mech_ntlm_index *ix;

	if ((ix = calloc(1, sizeof(*ix))) != NULL)
		ix->proc_fd_ok = -1;
	return ix;
}

void
mech_ntlm_index_free(struct mech_ntlm_index *ix)
{
	if (ix == NULL)
		return;
	index_clear(ix);
	free(ix);
}

int
mech_ntlm_index_known(struct mech_ntlm_index *ix, const char *path,
    const char *domain, const char *user)
{
	const struct ntlm_entry *e;
	size_t first, n, i;

	if (ix == NULL || !plain_name(domain, user) ||
	    !mech_ntlm_index_refresh(ix, path))
		return -1;
	n = index_find(ix, user, &first);
	for (i = first; i < first + n; i++) {
		e = &ix->ent[i];
		if (mech_ntlm_domain_matches(e->line, e->dom_len, domain))
			return 1;
	}
	return 0;
}

/*
 * Can gss-ntlmssp open a memfd by its /proc/self/fd path?  Asked once (no
 * /proc in a chroot, for one); without it every lookup uses the whole file.
 */
static int
proc_fd_ok(struct mech_ntlm_index *ix, const char *path)
{
	int fd;

	if (ix->proc_fd_ok < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ix->proc_fd_ok = fd >= 0;
		if (fd >= 0)
			(void)close(fd);
	}
	return ix->proc_fd_ok;
}

int
mech_ntlm_index_subset(struct mech_ntlm_index *ix, const char *path,
    const char *domain, const char *user, struct mech_ntlm_subset *sub)
{
	struct iovec iov[64];
	size_t first, n, i, want = 0;
	ssize_t w;
	int k = 0;

	sub->fd = -1;
	sub->len = 0;
	sub->path[0] = '\0';
	if (ix == NULL || !plain_name(domain, user) ||
	    !mech_ntlm_index_refresh(ix, path))
		return EINVAL;
	/*
	 * A name the index does not hold gets an empty file: gss-ntlmssp
	 * would not have found it in the whole one either, and an unknown
	 * name must not cost a scan of a large file (a cheap way to load
	 * the server).
	 */
	n = index_find(ix, user, &first);
	if ((sub->fd = memfd_create("sipsa-ntlm-user", MFD_CLOEXEC)) == -1)
		return errno;
	(void)snprintf(sub->path, sizeof(sub->path), "/proc/self/fd/%d",
	    sub->fd);
	if (!proc_fd_ok(ix, sub->path)) {
		mech_ntlm_subset_close(sub);
		return EOPNOTSUPP;
	}
	/* Each line verbatim and newline-terminated, in file order. */
	for (i = first; i < first + n; i++) {
		iov[k++] = (struct iovec){ (void *)ix->ent[i].line,
		    ix->ent[i].line_len };
		iov[k++] = (struct iovec){ (void *)"\n", 1 };
		want += ix->ent[i].line_len + 1u;
		if (k < (int)(sizeof(iov) / sizeof(iov[0])) && i + 1 <
		    first + n)
			continue;
		w = writev(sub->fd, iov, k);
		if (w > 0)
			sub->len += (size_t)w;
		if (w < 0 || sub->len != want) {
			mech_ntlm_subset_close(sub);
			return EIO;
		}
		k = 0;
	}
	return 0;
}

void
mech_ntlm_subset_close(struct mech_ntlm_subset *sub)
{
	static const char zero[4096];
	size_t off = 0, n;
	ssize_t w;

	if (sub->fd < 0)
		return;
	/* The lines held hashes or passwords: zero them before closing. */
	while (off < sub->len) {
		n = sub->len - off < sizeof(zero) ? sub->len - off :
		    sizeof(zero);
		if ((w = pwrite(sub->fd, zero, n, (off_t)off)) <= 0)
			break;
		off += (size_t)w;
	}
	(void)close(sub->fd);
	sub->fd = -1;
	sub->len = 0;
}
