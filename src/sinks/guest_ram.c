// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest RAM: the memory a guest's pfns stand for, as QEMU backs a guest with
 * a memfd.  One memfd spans [base_pfn, base_pfn + nr_pages), mapped shared
 * and without swap reservation, so a pfn maps to an address and discarding
 * a range (fallocate PUNCH_HOLE or MADV_REMOVE) really returns memory, which
 * st_blocks of the memfd then shows.  Leaves out hugepage-backed RAM and
 * multiple memory regions.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "errmsg.h"
#include "mm/mmzone.h"
#include "sinks/sinks.h"

struct pgr_guest_ram *pgr_guest_ram_create(uint64_t base_pfn, uint64_t nr_pages)
{
	struct pgr_guest_ram *ram;
	uint64_t size;
	int err;

	if (nr_pages == 0 || nr_pages > (UINT64_MAX >> PGR_PAGE_SHIFT) ||
	    base_pfn > UINT64_MAX - nr_pages ||
	    nr_pages << PGR_PAGE_SHIFT > (uint64_t)SIZE_MAX / 2) {
		pgr__error(EINVAL, "guest ram: bad span %llu+%llu",
			   (unsigned long long)base_pfn,
			   (unsigned long long)nr_pages);
		errno = EINVAL;
		return NULL;
	}
	size = nr_pages << PGR_PAGE_SHIFT;
	ram = calloc(1, sizeof(*ram));
	if (!ram) {
		pgr__error(ENOMEM, "guest ram: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	ram->fd = memfd_create("pagereport-guest", MFD_CLOEXEC);
	if (ram->fd < 0) {
		err = errno;
		pgr__error(err, "guest ram: memfd_create failed");
		goto out_free;
	}
	if (ftruncate(ram->fd, (off_t)size) < 0) {
		err = errno;
		pgr__error(err, "guest ram: ftruncate to %llu bytes failed",
			   (unsigned long long)size);
		goto out_close;
	}
	ram->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, ram->fd, 0);
	if (ram->base == MAP_FAILED) {
		err = errno;
		pgr__error(err, "guest ram: mmap of %llu bytes failed",
			   (unsigned long long)size);
		goto out_close;
	}
	ram->base_pfn = base_pfn;
	ram->nr_pages = nr_pages;
	ram->size = size;
	return ram;

out_close:
	close(ram->fd);
out_free:
	free(ram);
	errno = err;
	return NULL;
}

struct pgr_guest_ram *pgr_guest_ram_create_for_node(const struct pgr_node *node)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	if (!node || node->nr_zones == 0) {
		pgr__error(EINVAL, "guest ram: no node");
		errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < node->nr_zones; i++) {
		const struct zone *z = &node->zones[i];

		if (z->start_pfn < lo)
			lo = z->start_pfn;
		if (z->start_pfn + z->nr_pages > hi)
			hi = z->start_pfn + z->nr_pages;
	}
	return pgr_guest_ram_create(lo, hi - lo);
}

void pgr_guest_ram_destroy(struct pgr_guest_ram *ram)
{
	if (!ram)
		return;
	munmap(ram->base, ram->size);
	close(ram->fd);
	free(ram);
}

void *pgr_guest_ram_addr(struct pgr_guest_ram *ram, uint64_t pfn)
{
	if (!ram || pfn < ram->base_pfn || pfn - ram->base_pfn >= ram->nr_pages)
		return NULL;
	return (char *)ram->base + ((pfn - ram->base_pfn) << PGR_PAGE_SHIFT);
}

int pgr_guest_ram_fd(const struct pgr_guest_ram *ram)
{
	return ram ? ram->fd : pgr__error(EINVAL, "guest ram: NULL");
}

uint64_t pgr_guest_ram_base_pfn(const struct pgr_guest_ram *ram)
{
	return ram ? ram->base_pfn : 0;
}

uint64_t pgr_guest_ram_size(const struct pgr_guest_ram *ram)
{
	return ram ? ram->size : 0;
}

int pgr_guest_ram_allocated_bytes(const struct pgr_guest_ram *ram,
				  uint64_t *r_bytes)
{
	struct stat st;

	if (!ram || !r_bytes)
		return pgr__error(EINVAL, "guest ram: NULL argument");
	if (fstat(ram->fd, &st) < 0)
		return pgr__error(errno, "guest ram: fstat failed");
	*r_bytes = (uint64_t)st.st_blocks * 512;
	return 0;
}

/* Discard [pfn, pfn + 2^order): the host takes the memory back. */
int pgr__guest_ram_discard(struct pgr_guest_ram *ram, uint64_t pfn,
			   unsigned int order, enum pgr_discard_method m)
{
	uint64_t off, len;

	if (order >= 64 - PGR_PAGE_SHIFT || pfn < ram->base_pfn ||
	    pfn - ram->base_pfn >= ram->nr_pages ||
	    (1ULL << order) > ram->nr_pages - (pfn - ram->base_pfn))
		return pgr__error(ERANGE, "guest ram: range %llu/%u outside",
				  (unsigned long long)pfn, order);
	off = (pfn - ram->base_pfn) << PGR_PAGE_SHIFT;
	len = (uint64_t)PGR_PAGE_SIZE << order;
	if (m == PGR_DISCARD_PUNCH_HOLE) {
		if (fallocate(ram->fd,
			      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)off, (off_t)len) < 0)
			return pgr__error(errno,
					  "guest ram: punch hole failed");
	} else {
		if (madvise((char *)ram->base + off, len, MADV_REMOVE) < 0)
			return pgr__error(errno,
					  "guest ram: MADV_REMOVE failed");
	}
	return 0;
}
