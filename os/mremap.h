/*
 * os/mremap.h - mremap (Linux 6.12 mm/mremap.c): resize a mapping in place
 * or move it, page-table entries and all.
 */
#ifndef OS_MREMAP_H
#define OS_MREMAP_H

#include "os/fault.h"

/* include/uapi/linux/mman.h */
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4

/*
 * mremap(old_addr, old_len, new_len, flags, new_addr) of sc->args.  A
 * recorded result (sc->ret) replays the recorded outcome: a failure
 * changes nothing, an address other than old_addr is the move's target.
 * *cost += shootdowns, table allocations, pte_move_cost per entry moved
 * and population faults of a locked mapping's new part.
 * @return 0 or a negative code with err naming Linux's errno.
 */
int mremap_syscall(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
		   sim_time_t *cost, char *err, size_t errlen);

#endif
