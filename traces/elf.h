/*
 * traces/elf.h - the loadable segments of an ELF executable, as execve(2)
 * maps them.
 *
 * `numasim record` needs the address space a program starts with, which no
 * system call describes: the kernel (or, under Valgrind, Valgrind's own
 * loader) maps the executable's PT_LOAD segments and those of the program
 * interpreter named by PT_INTERP before the first instruction (elf(5);
 * Linux fs/binfmt_elf.c, load_elf_binary).  This module reads those program
 * headers; traces/vglog.c turns them into mmap records once the load
 * addresses are known.  Only 64-bit little-endian x86-64 files are read.
 */
#ifndef TRACES_ELF_H
#define TRACES_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_LOADS 16
#define ELF_PATH_MAX 4096

struct elf_load {
	uint64_t vaddr;          /* p_vaddr (relative to the load bias for ET_DYN) */
	uint64_t offset;         /* p_offset */
	uint64_t filesz, memsz;  /* p_filesz, p_memsz */
	uint32_t prot;           /* PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4, from p_flags */
};

struct elf_image {
	char path[ELF_PATH_MAX];
	char interp[ELF_PATH_MAX];   /* PT_INTERP, "" if none (a static executable) */
	uint64_t entry;              /* e_entry */
	int dyn;                     /* ET_DYN: loaded at a bias chosen by the loader */
	unsigned nr_loads;
	struct elf_load load[ELF_MAX_LOADS];
};

/*
 * Read the ELF header and program headers of `path`.
 * @return 0, or -SIM_EIO / -SIM_ETRACE with "path: ..." in err.
 */
int elf_read(const char *path, struct elf_image *img, char *err, size_t errlen);

#endif
