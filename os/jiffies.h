/*
 * os/jiffies.h - the kernel tick in simulated time (Linux
 * include/linux/jiffies.h, include/asm-generic/param.h, CONFIG_HZ).
 *
 * Every timeout and delay os/ takes from Linux in jiffies (HZ/10,
 * HZ/50, a penalty of n jiffies) is written from HZ here, so one
 * definition fixes them all.
 */
#ifndef OS_JIFFIES_H
#define OS_JIFFIES_H

#include "sim/types.h"

#ifdef HZ
#error "HZ already defined (<sys/param.h>?): os/ keeps the kernel's CONFIG_HZ in os/jiffies.h"
#endif
/* CONFIG_HZ=250: the x86 defconfig and Debian/Ubuntu kernels. */
#define HZ 250u
/* One jiffy in picoseconds (4 ms at HZ=250). */
#define JIFFY_PS (PS_PER_S / HZ)
/* jiffies_to_msecs of one jiffy. */
#define JIFFY_MS (1000u / HZ)

#endif
