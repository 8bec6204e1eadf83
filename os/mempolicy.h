/*
 * os/mempolicy.h - NUMA memory policies (Linux's mm/mempolicy.c).
 *
 * A policy decides, for one page allocation, the preferred node, the
 * allowed node mask and whether interleave_hit is counted; the page
 * allocator (os/page_alloc.h) then walks that node's zonelist filtered by
 * the mask and does the numastat counting (sources.md §5.3, §5.6).
 *
 * Modes and flags use Linux's uapi numbers (§5.1) so traces recorded from
 * set_mempolicy/mbind replay unchanged.  Every mode is an entry of one ops
 * table indexed by mode (mpol_ops[]): creation checks, the per-allocation
 * node choice (policy_nodemask), cpuset-style rebinding and the name used
 * by numa_maps.
 *
 * Policies are small values (no reference counting): a VMA embeds its
 * policy, a process owns its task policy, and a split VMA simply copies it.
 * MPOL_DEFAULT stored in a struct mempolicy means "no policy here": the
 * lookup falls through VMA -> task -> system default (local node, §5.2).
 */
#ifndef OS_MEMPOLICY_H
#define OS_MEMPOLICY_H

#include "os/page_alloc.h"

/* uapi modes (include/uapi/linux/mempolicy.h) */
enum mpol_mode {
	MPOL_DEFAULT = 0,
	MPOL_PREFERRED = 1,
	MPOL_BIND = 2,
	MPOL_INTERLEAVE = 3,
	MPOL_LOCAL = 4,
	MPOL_PREFERRED_MANY = 5,
	MPOL_WEIGHTED_INTERLEAVE = 6,
	MPOL_MAX
};

/* Mode flags ORed into the mode argument of set_mempolicy/mbind. */
#define MPOL_F_STATIC_NODES    (1u << 15)
#define MPOL_F_RELATIVE_NODES  (1u << 14)
#define MPOL_F_NUMA_BALANCING  (1u << 13)
#define MPOL_MODE_FLAGS        (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)

/* mbind flags */
#define MPOL_MF_STRICT    (1u << 0)
#define MPOL_MF_MOVE      (1u << 1)
#define MPOL_MF_MOVE_ALL  (1u << 2)
#define MPOL_MF_VALID     (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

/* Interleave index of allocations without a VMA (page cache, kernel). */
#define NO_INTERLEAVE_INDEX UINT64_MAX

struct mempolicy {
	uint16_t mode;            /* enum mpol_mode; MPOL_DEFAULT: no policy at this level */
	uint16_t flags;           /* MPOL_F_* mode flags */
	int16_t home_node;        /* set_mempolicy_home_node; NUMA_NO_NODE when unset */
	nodemask_t nodes;         /* effective nodes (PREFERRED: exactly one) */
	/*
	 * STATIC/RELATIVE: the mask the user passed; otherwise the allowed set
	 * (N_MEMORY) at creation.  Rebinding works from it (Linux's union w).
	 */
	nodemask_t w;
};

/* Per-task interleave cursor (task_struct il_prev / il_weight). */
struct mpol_task {
	int il_prev;              /* last node chosen without an interleave index */
	uint8_t il_weight;        /* weighted interleave: allocations left on il_prev */
};

/* System-wide state policies read. */
struct mpol_sys {
	unsigned nr_nodes;
	nodemask_t memory_nodes;  /* N_MEMORY: nodes with memory */
	unsigned policy_zone;     /* enum zone_type: BIND only applies to requests at or above it */
	uint8_t iw[HW_MAX_NODES]; /* /sys/kernel/mm/mempolicy/weighted_interleave/nodeN; 0 = default (1) */
};

/* Outcome of policy_nodemask(): what to pass to page_alloc(). */
struct mpol_target {
	int nid;                  /* preferred node */
	bool has_mask;            /* nodemask applies */
	bool interleave;          /* MPOL_INTERLEAVE chose nid: count interleave_hit */
	bool preferred_many;      /* two passes: with the mask (no direct reclaim), then without */
	nodemask_t mask;
};

/* ---- node-mask helpers (Linux's nodemask.h, prefixed to avoid clashes) ---- */

unsigned nm_weight(const nodemask_t *m);
bool nm_empty(const nodemask_t *m);
bool nm_equal(const nodemask_t *a, const nodemask_t *b);
void nm_and(nodemask_t *dst, const nodemask_t *a, const nodemask_t *b);
/* First set node, or HW_MAX_NODES if empty. */
unsigned nm_first(const nodemask_t *m);
/* Next set node after n, or HW_MAX_NODES. */
unsigned nm_next(unsigned n, const nodemask_t *m);
/* next_node_in(): like nm_next but wraps to the first; HW_MAX_NODES if empty. */
unsigned nm_next_in(unsigned n, const nodemask_t *m);
/* Print in Linux's range syntax ("0-3,5") into buf. @return chars written. */
int nm_format(char *buf, size_t len, const nodemask_t *m);
/* Parse range syntax ("0-3,5"); nodes must be < nr_nodes. @return 0 or -SIM_ERANGE with message. */
int nm_parse(const char *s, unsigned nr_nodes, nodemask_t *out, char *err, size_t errlen);

/* ---- creating and changing policies ---------------------------------------- */

/*
 * mpol_new() + mpol_set_nodemask(): build a policy from a uapi mode (flags
 * ORed in) and a user nodemask, as set_mempolicy/mbind do.
 * MPOL_DEFAULT with an empty mask gives mode MPOL_DEFAULT (remove the
 * policy); PREFERRED with an empty mask becomes LOCAL.  Flags are resolved
 * against sys->memory_nodes (the allowed set without cpusets, §5.4).
 * @return 0, or -SIM_ERANGE (Linux's EINVAL) with the reason in err.
 */
int mpol_new(struct mempolicy *out, uint32_t mode_flags, const nodemask_t *user, const struct mpol_sys *sys,
	     char *err, size_t errlen);

/* The "no policy" value. */
void mpol_none(struct mempolicy *out);

/*
 * Rebind to a new allowed set (mpol_rebind_policy on a cpuset mems change
 * or memory hot-plug): no flag remaps positionally, STATIC intersects the
 * user mask, RELATIVE maps the user mask onto the new set (§5.4).
 */
void mpol_rebind(struct mempolicy *pol, const nodemask_t *new_allowed);

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b);

/*
 * policy_nodemask() for one allocation of 2^order pages: `ilx` is the
 * interleave index (NO_INTERLEAVE_INDEX without a VMA), `local_nid` the
 * node of the allocating CPU, `gfp` the request (BIND is ignored below
 * sys->policy_zone).  Advances the task's interleave cursor when used.
 * pol must not be MPOL_DEFAULT (resolve with the task/default first).
 */
void mpol_policy_nodemask(const struct mempolicy *pol, struct mpol_task *task, const struct mpol_sys *sys,
			  gfp_t gfp, uint64_t ilx, int local_nid, struct mpol_target *out);

/*
 * Interleave index of a VMA address (get_vma_policy): vm_pgoff >> order +
 * (addr - vm_start) >> (PAGE_SHIFT + order), plus `bias` (shmem: the inode
 * number).  For private anonymous memory vm_pgoff = vm_start >> 12, so the
 * base-page index is the virtual page number.
 */
static inline uint64_t mpol_ilx(uint64_t vm_start, uint64_t vm_pgoff, uint64_t addr, unsigned order, uint64_t bias)
{
	return bias + (vm_pgoff >> order) + ((addr - vm_start) >> (PAGE_SHIFT + order));
}

/* Reset the interleave cursor as set_mempolicy does (first pick = lowest node). */
void mpol_task_reset(struct mpol_task *task);

/*
 * mpol_to_str() as numa_maps prints it: "default", "local", "prefer:1",
 * "bind:0-1", "interleave=static:0-3", "weighted interleave:0,2",
 * "prefer (many):0,2".  NULL or MPOL_DEFAULT prints "default".
 * @return chars written (truncated to len - 1).
 */
int mpol_to_str(char *buf, size_t len, const struct mempolicy *pol);

/* Name of a mode in numa_maps ("interleave", "prefer (many)"...), "?" if out of range. */
const char *mpol_mode_name(unsigned mode);

/*
 * Weighted interleave "auto" mode (Linux 6.16 mm/mempolicy.c
 * reduce_interleave_weights, fed by mempolicy_set_node_perf from the HMAT):
 * each memory node's weight is 32 * bw / (sum of bw) (at least 1), then
 * all are divided by their GCD.  bw[nid] is the node's bandwidth (Linux
 * takes min(read, write)); nodes without memory keep weight 1.
 */
void mpol_auto_weights(struct mpol_sys *sys, const uint32_t *bw, unsigned nr_nodes);

#endif
