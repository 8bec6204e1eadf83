/*
 * traces/elf.c - reading PT_LOAD and PT_INTERP from an ELF64 file.
 *
 * Field offsets are those of Elf64_Ehdr and Elf64_Phdr (elf(5)); the file is
 * read with plain stdio so that no libelf is needed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sim/err.h"
#include "traces/elf.h"

#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4

static uint64_t le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int elf_read(const char *path, struct elf_image *img, char *err, size_t errlen)
{
	unsigned char eh[64], ph[56];
	FILE *fp = fopen(path, "rb");
	int rc = 0;

	memset(img, 0, sizeof(*img));
	snprintf(img->path, sizeof(img->path), "%s", path);
	if (!fp)
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", path, strerror(errno));
	if (fread(eh, 1, sizeof(eh), fp) != sizeof(eh) || memcmp(eh, "\177ELF", 4)) {
		rc = sim_errf(err, errlen, SIM_ETRACE, "%s: not an ELF file", path);
		goto out;
	}
	if (eh[4] != 2 || eh[5] != 1 || le(eh + 18, 2) != EM_X86_64) {
		rc = sim_errf(err, errlen, SIM_ETRACE, "%s: not a 64-bit little-endian x86-64 ELF file", path);
		goto out;
	}
	img->dyn = le(eh + 16, 2) == ET_DYN;
	img->entry = le(eh + 24, 8);
	uint64_t phoff = le(eh + 32, 8), phentsize = le(eh + 54, 2), phnum = le(eh + 56, 2);
	if (phentsize < sizeof(ph)) {
		rc = sim_errf(err, errlen, SIM_ETRACE, "%s: byte 54: program header size %llu, expected 56", path,
			      (unsigned long long)phentsize);
		goto out;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		if (fseek(fp, (long)(phoff + i * phentsize), SEEK_SET) || fread(ph, 1, sizeof(ph), fp) != sizeof(ph)) {
			rc = sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: program header %llu truncated", path,
				      (unsigned long long)(phoff + i * phentsize), (unsigned long long)i);
			goto out;
		}
		uint64_t type = le(ph, 4), flags = le(ph + 4, 4);
		if (type == PT_LOAD) {
			if (img->nr_loads == ELF_MAX_LOADS) {
				rc = sim_errf(err, errlen, SIM_ETRACE, "%s: more than %d PT_LOAD segments", path,
					      ELF_MAX_LOADS);
				goto out;
			}
			struct elf_load *l = &img->load[img->nr_loads++];
			l->offset = le(ph + 8, 8);
			l->vaddr = le(ph + 16, 8);
			l->filesz = le(ph + 32, 8);
			l->memsz = le(ph + 40, 8);
			l->prot = (flags & PF_R ? 1 : 0) | (flags & PF_W ? 2 : 0) | (flags & PF_X ? 4 : 0);
			if ((l->offset & 0xfff) != (l->vaddr & 0xfff) || l->memsz < l->filesz) {
				rc = sim_errf(err, errlen, SIM_ETRACE,
					      "%s: PT_LOAD %u: offset and address disagree modulo the page, or memsz < filesz",
					      path, img->nr_loads - 1);
				goto out;
			}
		} else if (type == PT_INTERP) {
			uint64_t off = le(ph + 8, 8), sz = le(ph + 32, 8);
			if (!sz || sz >= sizeof(img->interp) || fseek(fp, (long)off, SEEK_SET) ||
			    fread(img->interp, 1, sz, fp) != sz) {
				rc = sim_errf(err, errlen, SIM_ETRACE, "%s: byte %llu: unreadable PT_INTERP", path,
					      (unsigned long long)off);
				goto out;
			}
			img->interp[sz - 1] = 0;
		}
	}
	if (!img->nr_loads)
		rc = sim_errf(err, errlen, SIM_ETRACE, "%s: no PT_LOAD segment", path);
out:
	fclose(fp);
	return rc;
}
