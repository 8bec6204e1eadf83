/*
 * sim/fault_inject.c - the countdowns of sim/fault_inject.h.
 */
#include "sim/fault_inject.h"

_Thread_local unsigned long sim_fault_countdown[NR_SIM_FAULT_SITES];

void sim_fault_arm(enum sim_fault_site site, unsigned long nth)
{
	sim_fault_countdown[site] = nth;
}
