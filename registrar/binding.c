/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar/binding.c: the binding list of one AOR and its stored record
 * format (version 1, described in doc/registrar.md).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "registrar/internal.h"

void
binding_clear(struct reg_binding *b)
{
	free(b->uri);
	free(b->instance);
	free(b->epid);
	free(b->gruu);
	free(b->call_id);
	free(b->transport);
	memset(b, 0, sizeof(*b));
}

static int
dup_str(char **dst, const char *src)
{
	*dst = strdup(src != NULL ? src : "");
	return *dst == NULL ? ENOMEM : 0;
}

int
binding_copy(struct reg_binding *dst, const struct reg_binding *src)
{
	int err = 0;

	memset(dst, 0, sizeof(*dst));
	dst->cseq = src->cseq;
	dst->q = src->q;
	dst->conn_id = src->conn_id;
	dst->registered = src->registered;
	dst->expires_at = src->expires_at;
	if ((err = dup_str(&dst->uri, src->uri)) != 0 ||
	    (err = dup_str(&dst->instance, src->instance)) != 0 ||
	    (err = dup_str(&dst->epid, src->epid)) != 0 ||
	    (err = dup_str(&dst->gruu, src->gruu)) != 0 ||
	    (err = dup_str(&dst->call_id, src->call_id)) != 0 ||
	    (err = dup_str(&dst->transport, src->transport)) != 0)
		binding_clear(dst);
	return err;
}

void
blist_clear(struct reg_blist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		binding_clear(&l->b[i]);
	free(l->b);
	l->b = NULL;
	l->n = 0;
}

int
blist_add(struct reg_blist *l, const struct reg_binding *b)
{
	struct reg_binding *nb;
	int err;

	if (l->n >= REG_MAX_ENDPOINTS)
		return ENOSPC;
	nb = realloc(l->b, (l->n + 1) * sizeof(*nb));
	if (nb == NULL)
		return ENOMEM;
	l->b = nb;
	if ((err = binding_copy(&l->b[l->n], b)) != 0)
		return err;
	l->n++;
	return 0;
}

void
blist_remove(struct reg_blist *l, size_t i)
{
	if (i >= l->n)
		return;
	binding_clear(&l->b[i]);
	memmove(&l->b[i], &l->b[i + 1], (l->n - i - 1) * sizeof(l->b[0]));
	l->n--;
}

unsigned
blist_prune(struct reg_blist *l, uint64_t now)
{
	unsigned dropped = 0;
	size_t i = 0;

	while (i < l->n) {
		if (l->b[i].expires_at <= now) {
			blist_remove(l, i);
			dropped++;
		} else
			i++;
	}
	return dropped;
}

static int
binding_order(const void *a, const void *b)
{
	const struct reg_binding *x = a, *y = b;

	if (x->q != y->q)
		return x->q > y->q ? -1 : 1;
	if (x->registered != y->registered)
		return x->registered > y->registered ? -1 : 1;
	return strcmp(x->instance, y->instance);
}

void
blist_sort(struct reg_blist *l)
{
	if (l->n > 1)
		qsort(l->b, l->n, sizeof(l->b[0]), binding_order);
}

/*
 * Record version 1, all integers big-endian:
 *
 *	u8 version (1), u16 count (at most REG_MAX_ENDPOINTS), then
 *	count times:
 *	u64 expires_at, u64 registered, u64 conn_id, u32 cseq, u16 q,
 *	six strings, each u16 length + bytes (no NUL): uri, instance, epid,
 *	gruu, call_id, transport.
 *
 * The decoder accepts exactly this: a short read, a string over its
 * limit, an embedded NUL or trailing bytes make the record EBADMSG.
 */
#define FIXED_LEN	(8 + 8 + 8 + 4 + 2)
#define NSTR		6

static char **
string_field(struct reg_binding *b, int i)
{
	char **f[NSTR] = { &b->uri, &b->instance, &b->epid, &b->gruu,
	    &b->call_id, &b->transport };

	return f[i];
}

static unsigned char *
put_be(unsigned char *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	return p + bytes;
}

static uint64_t
get_be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

int
record_encode(const struct reg_blist *l, unsigned char **val_out,
    size_t *len_out)
{
	struct reg_binding *b;
	unsigned char *buf, *p;
	size_t len = 3, i, sl;
	int s;

	*val_out = NULL;
	*len_out = 0;
	if (l->n > REG_MAX_ENDPOINTS)
		return EINVAL;
	for (i = 0; i < l->n; i++) {
		len += FIXED_LEN;
		for (s = 0; s < NSTR; s++) {
			sl = strlen(*string_field(&l->b[i], s));
			if (sl > REG_MAX_URI)
				return EINVAL;
			len += 2 + sl;
		}
	}
	if ((buf = malloc(len)) == NULL)
		return ENOMEM;
	p = buf;
	*p++ = REG_RECORD_V1;
	p = put_be(p, l->n, 2);
	for (i = 0; i < l->n; i++) {
		b = &l->b[i];
		p = put_be(p, b->expires_at, 8);
		p = put_be(p, b->registered, 8);
		p = put_be(p, b->conn_id, 8);
		p = put_be(p, b->cseq, 4);
		p = put_be(p, b->q, 2);
		for (s = 0; s < NSTR; s++) {
			sl = strlen(*string_field(b, s));
			p = put_be(p, sl, 2);
			memcpy(p, *string_field(b, s), sl);
			p += sl;
		}
	}
	*val_out = buf;
	*len_out = len;
	return 0;
}

int
record_decode(const unsigned char *val, size_t len, struct reg_blist *out)
{
	struct reg_blist l = { NULL, 0 };
	struct reg_binding *b;
	size_t count, i, off = 3, sl;
	int s, err = EBADMSG;

	out->b = NULL;
	out->n = 0;
	if (len < 3 || val[0] != REG_RECORD_V1)
		return EBADMSG;
	count = get_be(val + 1, 2);
	if (count > REG_MAX_ENDPOINTS || count > (len - 3) / FIXED_LEN)
		return EBADMSG;
	if (count == 0)
		goto done;
	if ((l.b = calloc(count, sizeof(*l.b))) == NULL)
		return ENOMEM;
	for (i = 0; i < count; i++) {
		b = &l.b[i];
		l.n++;
		if (len - off < FIXED_LEN)
			goto out;
		b->expires_at = get_be(val + off, 8);
		b->registered = get_be(val + off + 8, 8);
		b->conn_id = get_be(val + off + 16, 8);
		b->cseq = (uint32_t)get_be(val + off + 24, 4);
		b->q = (unsigned)get_be(val + off + 28, 2);
		off += FIXED_LEN;
		for (s = 0; s < NSTR; s++) {
			if (len - off < 2)
				goto out;
			sl = get_be(val + off, 2);
			off += 2;
			if (sl > REG_MAX_URI || len - off < sl ||
			    memchr(val + off, '\0', sl) != NULL)
				goto out;
			if ((*string_field(b, s) = strndup((const char *)
			    val + off, sl)) == NULL) {
				err = ENOMEM;
				goto out;
			}
			off += sl;
		}
	}
done:
	if (off != len)
		goto out;
	*out = l;
	return 0;
out:
	blist_clear(&l);
	return err;
}

/*
 * Whether the well-formed records old and nw hold the same bindings in
 * the same order and differ at most in the stamps a refresh moves:
 * expires_at (offset 0 of a binding) and cseq (offset 24).  Every other
 * byte must match.  When they do, st (unless NULL) receives each binding
 * whose stamps differ, with its position and stored expires_at, and *n
 * counts them.
 */
int
record_stamps_only(const unsigned char *old, size_t oldlen,
    const unsigned char *nw, size_t nwlen, struct reg_stamp *st,
    uint32_t *n)
{
	size_t count, i, off = 3, end;
	int s;

	*n = 0;
	if (oldlen != nwlen || oldlen < 3 || memcmp(old, nw, 3) != 0)
		return 0;
	count = get_be(old + 1, 2);
	for (i = 0; i < count; i++) {
		end = off + FIXED_LEN;
		for (s = 0; s < NSTR && end + 2 <= oldlen; s++)
			end += 2 + get_be(old + end, 2);
		if (s != NSTR || end > oldlen ||
		    memcmp(old + off + 8, nw + off + 8, 16) != 0 ||
		    memcmp(old + off + 28, nw + off + 28, end - off - 28) != 0)
			return 0;
		if (memcmp(old + off, nw + off, 8) != 0 ||
		    memcmp(old + off + 24, nw + off + 24, 4) != 0) {
			if (st != NULL) {
				st[*n].expires_at = get_be(nw + off, 8);
				st[*n].stored = get_be(old + off, 8);
				st[*n].idx = (uint32_t)i;
				st[*n].cseq = (uint32_t)get_be(nw + off + 24,
				    4);
			}
			(*n)++;
		}
		off = end;
	}
	return off == oldlen;
}
