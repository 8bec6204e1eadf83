/* sim/version.h - the program version, printed by `numasim version` and in reports. */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H
#define NUMASIM_VERSION "0.1.0"
#endif
