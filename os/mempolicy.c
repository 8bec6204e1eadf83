/*
 * os/mempolicy.c - NUMA memory policies: creation, node choice per
 * allocation, rebinding, numa_maps names, and the "--policy" parser.
 *
 * Follows Linux 6.12 mm/mempolicy.c (sources.md §5): sanitize_mpol_flags +
 * mpol_new + mpol_set_nodemask at creation, policy_nodemask with
 * interleave_nid / weighted_interleave_nid (interleave index from the VMA)
 * and interleave_nodes / weighted_interleave_nodes (per-task cursor) at
 * allocation, mpol_rebind_* for allowed-set changes and mpol_to_str for
 * numa_maps.  Each mode is one entry of mpol_ops[].
 *
 * Everything here is pure computation on small values; the caller (the
 * fault path) turns a struct mpol_target into page_alloc() calls.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "os/mempolicy.h"
#include "os/os.h"
#include "sim/err.h"

#define NM_WORDS (HW_MAX_NODES / 64)

/* ---- node masks ------------------------------------------------------------ */

unsigned nm_weight(const nodemask_t *m)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NM_WORDS; i++)
		n += (unsigned)__builtin_popcountll(m->bits[i]);
	return n;
}

bool nm_empty(const nodemask_t *m)
{
	for (unsigned i = 0; i < NM_WORDS; i++)
		if (m->bits[i])
			return false;
	return true;
}

bool nm_equal(const nodemask_t *a, const nodemask_t *b)
{
	for (unsigned i = 0; i < NM_WORDS; i++)
		if (a->bits[i] != b->bits[i])
			return false;
	return true;
}

void nm_and(nodemask_t *dst, const nodemask_t *a, const nodemask_t *b)
{
	for (unsigned i = 0; i < NM_WORDS; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}

unsigned nm_next(unsigned n, const nodemask_t *m)
{
	for (unsigned i = n + 1; i < HW_MAX_NODES; i++)
		if (node_isset(i, m))
			return i;
	return HW_MAX_NODES;
}

unsigned nm_first(const nodemask_t *m)
{
	return node_isset(0, m) ? 0 : nm_next(0, m);
}

unsigned nm_next_in(unsigned n, const nodemask_t *m)
{
	unsigned r = n + 1 < HW_MAX_NODES ? nm_next(n, m) : HW_MAX_NODES;
	return r < HW_MAX_NODES ? r : nm_first(m);
}

/* Position of the ord-th set node (bitmap_ord_to_pos), HW_MAX_NODES if none. */
static unsigned nm_nth(const nodemask_t *m, unsigned ord)
{
	for (unsigned n = nm_first(m); n < HW_MAX_NODES; n = nm_next(n, m))
		if (ord-- == 0)
			return n;
	return HW_MAX_NODES;
}

/* Rank of node n among the set nodes of m (bitmap_pos_to_ord), -1 if absent. */
static int nm_ord(const nodemask_t *m, unsigned n)
{
	if (!node_isset(n, m))
		return -1;
	int ord = 0;
	for (unsigned i = 0; i < n; i++)
		ord += node_isset(i, m);
	return ord;
}

int nm_format(char *buf, size_t len, const nodemask_t *m)
{
	size_t off = 0;
	unsigned n = nm_first(m);

	if (len)
		buf[0] = '\0';
	while (n < HW_MAX_NODES) {
		unsigned end = n;
		while (end + 1 < HW_MAX_NODES && node_isset(end + 1, m))
			end++;
		char *at = buf + SIM_MIN(off, len);
		size_t room = off < len ? len - off : 0;
		int w = end > n ? snprintf(at, room, "%s%u-%u", off ? "," : "", n, end)
				: snprintf(at, room, "%s%u", off ? "," : "", n);
		off += (size_t)w;
		n = end + 1 < HW_MAX_NODES ? nm_next(end, m) : HW_MAX_NODES;
	}
	return (int)(off < len ? off : (len ? len - 1 : 0));
}

static int parse_uint(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned long v = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long)(*p++ - '0');
		if (v > 1000000)
			return -1;
	}
	*pp = p;
	*out = (unsigned)v;
	return 0;
}

/*
 * One list item "a", "a-b", optionally followed by "=w" when weights is
 * non-NULL.  Shared by nm_parse and the weighted-interleave spec.
 */
static int parse_node_list(const char *s, unsigned nr_nodes, nodemask_t *out, uint8_t *weights, char *err,
			   size_t errlen)
{
	const char *p = s;

	nodes_clear(out);
	if (!*p)
		return sim_errf(err, errlen, SIM_ERANGE, "empty node list");
	for (;;) {
		const char *item = p;
		unsigned a, b, w = 0;
		size_t ilen = strcspn(item, ",");

		if (parse_uint(&p, &a))
			return sim_errf(err, errlen, SIM_ERANGE, "bad node list item '%.*s'", (int)ilen, item);
		b = a;
		if (*p == '-') {
			p++;
			if (parse_uint(&p, &b) || b < a)
				return sim_errf(err, errlen, SIM_ERANGE, "bad node range '%.*s'", (int)ilen, item);
		}
		if (*p == '=' && weights) {
			p++;
			if (parse_uint(&p, &w) || w < 1 || w > 255)
				return sim_errf(err, errlen, SIM_ERANGE, "weight in '%.*s' must be 1..255", (int)ilen,
						item);
		}
		if (*p != ',' && *p != '\0')
			return sim_errf(err, errlen, SIM_ERANGE, "bad node list item '%.*s'", (int)ilen, item);
		if (b >= nr_nodes)
			return sim_errf(err, errlen, SIM_ERANGE, "node %u in '%.*s' does not exist (nodes 0-%u)", b,
					(int)ilen, item, nr_nodes ? nr_nodes - 1 : 0);
		for (unsigned n = a; n <= b; n++) {
			node_set(n, out);
			if (weights)
				weights[n] = (uint8_t)w;
		}
		if (*p == '\0')
			return 0;
		p++;
	}
}

int nm_parse(const char *s, unsigned nr_nodes, nodemask_t *out, char *err, size_t errlen)
{
	return parse_node_list(s, nr_nodes, out, NULL, err, errlen);
}

/* ---- the per-mode operations ------------------------------------------------ */

struct mpol_ops {
	const char *name;         /* numa_maps (policy_modes[]) */
	/* Install the (already allowed-filtered) nodes; NULL: no nodes (LOCAL). */
	int (*create)(struct mempolicy *pol, const nodemask_t *nodes);
	/* Choose the preferred node / mask for one allocation; NULL: keep the local node. */
	void (*nodemask)(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys, gfp_t gfp,
			 uint64_t ilx, struct mpol_target *out);
	void (*rebind)(struct mempolicy *pol, const nodemask_t *nodes);
};

static bool store_user_nodemask(const struct mempolicy *pol)
{
	return pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
}

static int new_nodemask(struct mempolicy *pol, const nodemask_t *nodes)
{
	if (nm_empty(nodes))
		return -SIM_ERANGE;
	pol->nodes = *nodes;
	return 0;
}

static int new_preferred(struct mempolicy *pol, const nodemask_t *nodes)
{
	if (nm_empty(nodes))
		return -SIM_ERANGE;
	nodes_clear(&pol->nodes);
	node_set(nm_first(nodes), &pol->nodes);
	return 0;
}

/* nodes_fold + nodes_onto: a user mask relative to the allowed set. */
static void relative_nodemask(nodemask_t *ret, const nodemask_t *orig, const nodemask_t *rel)
{
	unsigned sz = nm_weight(rel);
	nodemask_t tmp;

	nodes_clear(&tmp);
	nodes_clear(ret);
	if (!sz)
		return;
	for (unsigned n = nm_first(orig); n < HW_MAX_NODES; n = nm_next(n, orig))
		node_set(n % sz, &tmp);
	for (unsigned n = nm_first(&tmp); n < HW_MAX_NODES; n = nm_next(n, &tmp)) {
		unsigned to = nm_nth(rel, n);
		if (to < HW_MAX_NODES)
			node_set(to, ret);
	}
}

/* nodes_remap: node at rank k of old moves to rank k mod |new| of new. */
static void remap_nodemask(nodemask_t *dst, const nodemask_t *src, const nodemask_t *old, const nodemask_t *new)
{
	unsigned w = nm_weight(new);

	nodes_clear(dst);
	for (unsigned n = nm_first(src); n < HW_MAX_NODES; n = nm_next(n, src)) {
		int ord = nm_ord(old, n);
		if (ord < 0 || w == 0)
			node_set(n, dst);
		else
			node_set(nm_nth(new, (unsigned)ord % w), dst);
	}
}

static void rebind_nodemask(struct mempolicy *pol, const nodemask_t *nodes)
{
	nodemask_t tmp;

	if (pol->flags & MPOL_F_STATIC_NODES) {
		nm_and(&tmp, &pol->w, nodes);
	} else if (pol->flags & MPOL_F_RELATIVE_NODES) {
		relative_nodemask(&tmp, &pol->w, nodes);
	} else {
		remap_nodemask(&tmp, &pol->nodes, &pol->w, nodes);
		pol->w = *nodes;
	}
	if (nm_empty(&tmp))
		tmp = *nodes;
	pol->nodes = tmp;
}

static void rebind_preferred(struct mempolicy *pol, const nodemask_t *nodes)
{
	pol->w = *nodes;
}

static void nodemask_preferred(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
			       gfp_t gfp, uint64_t ilx, struct mpol_target *out)
{
	(void)task, (void)sys, (void)gfp, (void)ilx;
	out->nid = (int)nm_first(&pol->nodes);
}

static void nodemask_preferred_many(const struct mempolicy *pol, struct mpol_task *task,
				    const struct mpol_sys *sys, gfp_t gfp, uint64_t ilx, struct mpol_target *out)
{
	(void)task, (void)sys, (void)gfp, (void)ilx;
	out->has_mask = true;
	out->mask = pol->nodes;
	out->preferred_many = true;
	if (pol->home_node != NUMA_NO_NODE)
		out->nid = pol->home_node;
}

static void nodemask_bind(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
			  gfp_t gfp, uint64_t ilx, struct mpol_target *out)
{
	(void)task, (void)ilx;
	/*
	 * apply_policy_zone(): BIND does not restrict requests below the
	 * policy zone (GFP_DMA/DMA32), unless none of the nodes has memory
	 * above ZONE_MOVABLE, which numasim's layouts never produce.
	 */
	if ((unsigned)gfp_zone(gfp) >= sys->policy_zone) {
		out->has_mask = true;
		out->mask = pol->nodes;
	}
	if (pol->home_node != NUMA_NO_NODE)
		out->nid = pol->home_node;
}

/* interleave_nid(): the (ilx mod |S|)-th node of S, ascending. */
static unsigned interleave_nid(const struct mempolicy *pol, uint64_t ilx, int local)
{
	unsigned nnodes = nm_weight(&pol->nodes);
	if (!nnodes)
		return (unsigned)local;
	return nm_nth(&pol->nodes, (unsigned)(ilx % nnodes));
}

/* interleave_nodes(): per-task round robin after il_prev. */
static unsigned interleave_nodes(const struct mempolicy *pol, struct mpol_task *task)
{
	unsigned nid = nm_next_in((unsigned)task->il_prev, &pol->nodes);
	if (nid < HW_MAX_NODES)
		task->il_prev = (int)nid;
	return nid;
}

static void nodemask_interleave(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
				gfp_t gfp, uint64_t ilx, struct mpol_target *out)
{
	(void)sys, (void)gfp;
	out->nid = (int)(ilx == NO_INTERLEAVE_INDEX ? interleave_nodes(pol, task) : interleave_nid(pol, ilx, out->nid));
	out->interleave = true;
}

static unsigned il_weight(const struct mpol_sys *sys, unsigned nid)
{
	return sys->iw[nid] ? sys->iw[nid] : 1;
}

/* weighted_interleave_nid(): walk S subtracting weights from ilx mod sum. */
static unsigned weighted_interleave_nid(const struct mempolicy *pol, const struct mpol_sys *sys, uint64_t ilx,
					int local)
{
	unsigned total = 0, nid, target;

	if (nm_empty(&pol->nodes))
		return (unsigned)local;
	for (nid = nm_first(&pol->nodes); nid < HW_MAX_NODES; nid = nm_next(nid, &pol->nodes))
		total += il_weight(sys, nid);
	target = (unsigned)(ilx % total);
	nid = nm_first(&pol->nodes);
	while (target) {
		unsigned w = il_weight(sys, nid);
		if (target < w)
			break;
		target -= w;
		nid = nm_next_in(nid, &pol->nodes);
	}
	return nid;
}

/* weighted_interleave_nodes(): stay on il_prev for its weight, then advance. */
static unsigned weighted_interleave_nodes(const struct mempolicy *pol, struct mpol_task *task,
					  const struct mpol_sys *sys)
{
	unsigned node = (unsigned)task->il_prev;

	if (!task->il_weight || node >= HW_MAX_NODES || !node_isset(node, &pol->nodes)) {
		node = nm_next_in(node, &pol->nodes);
		if (node >= HW_MAX_NODES)
			return node;
		task->il_prev = (int)node;
		task->il_weight = (uint8_t)il_weight(sys, node);
	}
	task->il_weight--;
	return node;
}

static void nodemask_weighted(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
			      gfp_t gfp, uint64_t ilx, struct mpol_target *out)
{
	(void)gfp;
	out->nid = (int)(ilx == NO_INTERLEAVE_INDEX ? weighted_interleave_nodes(pol, task, sys)
						    : weighted_interleave_nid(pol, sys, ilx, out->nid));
}

static const struct mpol_ops mpol_ops[MPOL_MAX] = {
	[MPOL_DEFAULT] = { .name = "default" },
	[MPOL_PREFERRED] = { .name = "prefer", .create = new_preferred, .nodemask = nodemask_preferred,
			     .rebind = rebind_preferred },
	[MPOL_BIND] = { .name = "bind", .create = new_nodemask, .nodemask = nodemask_bind,
			.rebind = rebind_nodemask },
	[MPOL_INTERLEAVE] = { .name = "interleave", .create = new_nodemask, .nodemask = nodemask_interleave,
			      .rebind = rebind_nodemask },
	[MPOL_LOCAL] = { .name = "local" },
	[MPOL_PREFERRED_MANY] = { .name = "prefer (many)", .create = new_nodemask,
				  .nodemask = nodemask_preferred_many, .rebind = rebind_preferred },
	[MPOL_WEIGHTED_INTERLEAVE] = { .name = "weighted interleave", .create = new_nodemask,
				       .nodemask = nodemask_weighted, .rebind = rebind_nodemask },
};

const char *mpol_mode_name(unsigned mode)
{
	return mode < MPOL_MAX ? mpol_ops[mode].name : "?";
}

/* ---- creation ------------------------------------------------------------------- */

void mpol_none(struct mempolicy *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = MPOL_DEFAULT;
	out->home_node = NUMA_NO_NODE;
}

int mpol_new(struct mempolicy *out, uint32_t mode_flags, const nodemask_t *user, const struct mpol_sys *sys,
	     char *err, size_t errlen)
{
	uint32_t flags = mode_flags & MPOL_MODE_FLAGS;
	uint32_t mode = mode_flags & ~MPOL_MODE_FLAGS;
	nodemask_t none, allowed, nodes;

	nodes_clear(&none);
	if (!user)
		user = &none;
	mpol_none(out);
	/* sanitize_mpol_flags() */
	if (mode >= MPOL_MAX)
		return sim_errf(err, errlen, SIM_ERANGE, "unknown policy mode %u", mode);
	if ((flags & MPOL_F_STATIC_NODES) && (flags & MPOL_F_RELATIVE_NODES))
		return sim_errf(err, errlen, SIM_ERANGE, "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES together");
	if ((flags & MPOL_F_NUMA_BALANCING) && mode != MPOL_BIND && mode != MPOL_PREFERRED_MANY)
		return sim_errf(err, errlen, SIM_ERANGE, "MPOL_F_NUMA_BALANCING needs bind or preferred-many");
	/* mpol_new() */
	if (mode == MPOL_DEFAULT) {
		if (!nm_empty(user))
			return sim_errf(err, errlen, SIM_ERANGE, "MPOL_DEFAULT takes an empty nodemask");
		return 0;
	}
	if (mode == MPOL_PREFERRED && nm_empty(user)) {
		if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
			return sim_errf(err, errlen, SIM_ERANGE, "MPOL_PREFERRED with an empty mask takes no flags");
		mode = MPOL_LOCAL;
	} else if (mode == MPOL_LOCAL) {
		if (!nm_empty(user) || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return sim_errf(err, errlen, SIM_ERANGE, "MPOL_LOCAL takes no nodes and no node flags");
	} else if (nm_empty(user)) {
		return sim_errf(err, errlen, SIM_ERANGE, "%s needs a non-empty nodemask", mpol_ops[mode].name);
	}
	out->mode = (uint16_t)mode;
	out->flags = (uint16_t)flags;
	if (mode == MPOL_LOCAL)
		return 0;
	/* mpol_set_nodemask(): allowed = cpuset mems (all) & N_MEMORY */
	allowed = sys->memory_nodes;
	if (flags & MPOL_F_RELATIVE_NODES)
		relative_nodemask(&nodes, user, &allowed);
	else
		nm_and(&nodes, user, &allowed);
	out->w = store_user_nodemask(out) ? *user : allowed;
	if (mpol_ops[mode].create(out, &nodes)) {
		char buf[256];
		nm_format(buf, sizeof(buf), user);
		mpol_none(out);
		return sim_errf(err, errlen, SIM_ERANGE, "no node of {%s} has memory", buf);
	}
	return 0;
}

void mpol_rebind(struct mempolicy *pol, const nodemask_t *new_allowed)
{
	if (pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL)
		return;
	if (!store_user_nodemask(pol) && nm_equal(&pol->w, new_allowed))
		return;
	mpol_ops[pol->mode].rebind(pol, new_allowed);
}

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	if (a->mode != b->mode || a->flags != b->flags || a->home_node != b->home_node)
		return false;
	if (store_user_nodemask(a) && !nm_equal(&a->w, &b->w))
		return false;
	if (a->mode == MPOL_DEFAULT || a->mode == MPOL_LOCAL)
		return true;
	return nm_equal(&a->nodes, &b->nodes);
}

void mpol_task_reset(struct mpol_task *task)
{
	task->il_prev = HW_MAX_NODES - 1;
	task->il_weight = 0;
}

void mpol_policy_nodemask(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
			  gfp_t gfp, uint64_t ilx, int local_nid, struct mpol_target *out)
{
	memset(out, 0, sizeof(*out));
	out->nid = local_nid;
	SIM_BUG_ON(pol->mode >= MPOL_MAX);
	if (mpol_ops[pol->mode].nodemask)
		mpol_ops[pol->mode].nodemask(pol, task, sys, gfp, ilx, out);
	/* an empty interleave set (impossible after mpol_new) falls back to local */
	if (out->nid < 0 || out->nid >= HW_MAX_NODES)
		out->nid = local_nid;
}

int mpol_to_str(char *buf, size_t len, const struct mempolicy *pol)
{
	unsigned mode = pol ? pol->mode : MPOL_DEFAULT;
	unsigned flags = pol ? pol->flags : 0;
	size_t off = 0;

#define PUT(...) off += (size_t)snprintf(buf + SIM_MIN(off, len), off < len ? len - off : 0, __VA_ARGS__)
	if (len)
		buf[0] = '\0';
	PUT("%s", mpol_mode_name(mode));
	if (flags & MPOL_MODE_FLAGS) {
		PUT("=");
		if (flags & MPOL_F_STATIC_NODES)
			PUT("static");
		else if (flags & MPOL_F_RELATIVE_NODES)
			PUT("relative");
		if (flags & MPOL_F_NUMA_BALANCING) {
			if (!is_pow2_u64(flags & MPOL_MODE_FLAGS))
				PUT("|");
			PUT("balancing");
		}
	}
	if (mode != MPOL_DEFAULT && mode != MPOL_LOCAL && !nm_empty(&pol->nodes)) {
		char nodes[256];
		nm_format(nodes, sizeof(nodes), &pol->nodes);
		PUT(":%s", nodes);
	}
#undef PUT
	return (int)(off < len ? off : (len ? len - 1 : 0));
}

/* ---- "--policy" specs ------------------------------------------------------------ */

static const struct {
	const char *name;
	uint32_t mode;
} spec_modes[] = {
	{ "default", MPOL_DEFAULT },
	{ "local", MPOL_LOCAL },
	{ "preferred", MPOL_PREFERRED },
	{ "prefer", MPOL_PREFERRED },
	{ "bind", MPOL_BIND },
	{ "interleave", MPOL_INTERLEAVE },
	{ "preferred-many", MPOL_PREFERRED_MANY },
	{ "weighted-interleave", MPOL_WEIGHTED_INTERLEAVE },
};

int mpol_spec_parse(const char *s, unsigned nr_nodes, struct mpol_spec *out, char *err, size_t errlen)
{
	size_t mlen = strcspn(s, "=:");
	const char *p = s + mlen;
	nodemask_t nodes;
	int rc;

	memset(out, 0, sizeof(*out));
	out->mode = UINT32_MAX;
	for (size_t i = 0; i < ARRAY_SIZE(spec_modes); i++)
		if (strlen(spec_modes[i].name) == mlen && !strncmp(s, spec_modes[i].name, mlen))
			out->mode = spec_modes[i].mode;
	if (out->mode == UINT32_MAX)
		return sim_errf(err, errlen, SIM_EUSAGE,
				"unknown policy mode '%.*s' (expected default, local, preferred, bind, interleave, "
				"preferred-many or weighted-interleave)",
				(int)mlen, s);
	if (*p == '=') {
		size_t flen = strcspn(p + 1, ":");
		if (flen == 6 && !strncmp(p + 1, "static", 6))
			out->flags = MPOL_F_STATIC_NODES;
		else if (flen == 8 && !strncmp(p + 1, "relative", 8))
			out->flags = MPOL_F_RELATIVE_NODES;
		else
			return sim_errf(err, errlen, SIM_EUSAGE, "unknown node flag '%.*s' (expected static or relative)",
					(int)flen, p + 1);
		p += 1 + flen;
	}
	if (out->mode == MPOL_DEFAULT || out->mode == MPOL_LOCAL) {
		if (*p)
			return sim_errf(err, errlen, SIM_EUSAGE, "mode '%.*s' takes no node list (got '%s')", (int)mlen,
					s, p);
		if (out->flags)
			return sim_errf(err, errlen, SIM_EUSAGE, "mode '%.*s' takes no node flags", (int)mlen, s);
		return 0;
	}
	if (*p != ':' || !p[1])
		return sim_errf(err, errlen, SIM_EUSAGE, "mode '%.*s' needs a node list, e.g. '%.*s:0-1'", (int)mlen, s,
				(int)mlen, s);
	p++;
	rc = parse_node_list(p, nr_nodes, &nodes, out->mode == MPOL_WEIGHTED_INTERLEAVE ? out->weights : NULL, err,
			     errlen);
	if (rc) {
		sim_err_prefix(err, errlen, "node list '%s'", p);
		return -SIM_EUSAGE;
	}
	for (unsigned i = 0; i < HW_MAX_NODES / 64; i++)
		out->nodes[i] = nodes.bits[i];
	return 0;
}

/* ---- weighted interleave auto weights (reduce_interleave_weights) ------------------------------- */

#define IW_WEIGHTINESS 32

static unsigned gcd_u(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;
		a = b;
		b = t;
	}
	return a;
}

void mpol_auto_weights(struct mpol_sys *sys, const uint32_t *bw, unsigned nr_nodes)
{
	uint64_t sum = 0;
	unsigned g = 0;

	for (unsigned n = 0; n < nr_nodes; n++)
		if (node_isset(n, &sys->memory_nodes))
			sum += bw[n];
	for (unsigned n = 0; n < nr_nodes; n++) {
		if (!node_isset(n, &sys->memory_nodes)) {
			sys->iw[n] = 1;
			continue;
		}
		uint64_t scaled = (uint64_t)IW_WEIGHTINESS * bw[n];
		sys->iw[n] = (uint8_t)(bw[n] && sum < scaled ? scaled / sum : 1);
		g = g ? gcd_u(g, sys->iw[n]) : sys->iw[n];
	}
	for (unsigned n = 0; g > 1 && n < nr_nodes; n++)
		if (node_isset(n, &sys->memory_nodes))
			sys->iw[n] = (uint8_t)(sys->iw[n] / g);
}
