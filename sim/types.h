/*
 * sim/types.h - scalar types shared by every layer.
 *
 * Simulated time is an integer count of picoseconds.  Picoseconds let a
 * 2.5 GHz cycle (400 ps) and a DDR4-3200 clock (625 ps) both be exact, and a
 * uint64_t of them lasts 213 simulated days, far beyond any trace.  Floating
 * point never carries time: results must be byte-identical across runs.
 */
#ifndef SIM_TYPES_H
#define SIM_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint64_t sim_time_t;            /* picoseconds */

#define SIM_TIME_MAX   UINT64_MAX
#define PS_PER_NS      1000ULL
#define PS_PER_US      1000000ULL
#define PS_PER_MS      1000000000ULL
#define PS_PER_S       1000000000000ULL

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define SIM_MIN(a, b)  ((a) < (b) ? (a) : (b))
#define SIM_MAX(a, b)  ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)
#define SIM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define likely(x)      (x)
#define unlikely(x)    (x)
#define SIM_PRINTF(a, b)
#endif

/* Memory operations as the hardware sees them. */
enum mem_op {
	MEM_LOAD = 0,
	MEM_STORE = 1,
	MEM_IFETCH = 2,
	MEM_MODIFY = 3,          /* read-modify-write by one instruction (lackey 'M') */
	NR_MEM_OPS
};

static inline unsigned ilog2_u64(uint64_t v)
{
	return v ? 63u - (unsigned)__builtin_clzll(v) : 0;
}

static inline bool is_pow2_u64(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * x % n for a 32-bit x without a divide: magic = fastmod_magic(n) =
 * 2^64 / n rounded up; the low 64 bits of magic * x are the fraction x / n,
 * and scaling the fraction by n gives the exact remainder for every 32-bit
 * x and n (Lemire, Kaser, Kurz, "Faster Remainder by Direct Computation",
 * Software: Practice and Experience 2019).
 */
static inline uint64_t fastmod_magic(uint32_t n)
{
	return UINT64_MAX / n + 1;
}

static inline uint32_t fastmod_u32(uint32_t x, uint32_t n, uint64_t magic)
{
	return (uint32_t)(((unsigned __int128)(magic * x) * n) >> 64);
}

#endif
