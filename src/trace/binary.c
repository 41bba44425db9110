// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pgrtrace binary format, version 1 (doc/trace-format.md): a 32-byte
 * header, a table of 40-byte zone entries and 16-byte records, every
 * field little-endian, so that a large trace is read with large reads and
 * a few shifts per event instead of a parser.  Writer and reader; models
 * no kernel file.
 *
 * The reader decodes straight into the trace's own array, grown (doubling)
 * as records arrive, and makes the new events visible only when the whole
 * input was valid: a bad input changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "errmsg.h"
#include "trace/trace.h"

/* "\x89PGRT\r\n\x1a": a byte with the high bit set, CR LF and ^Z catch
 * transfers that strip bits or rewrite line ends, as PNG's magic does. */
static const unsigned char bin_magic[8] = { 0x89, 'P',	'G',  'R',
					    'T',  '\r', '\n', 0x1a };

#define BIN_HEADER_SIZE 32
#define BIN_ZONE_SIZE	40
#define BIN_RECORD_SIZE 16
#define BIN_PFN_BITS	48
/* records decoded per read: 64 KiB */
#define BIN_CHUNK 4096

/* Field positions in a record's second word. */
#define REC_ORDER_SHIFT 48
#define REC_OP_SHIFT	52
#define REC_MT_SHIFT	53
#define REC_ZONE_SHIFT	56
#define REC_RESERVED	(0xfULL << 60)

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* One load on a little-endian machine (GCC and clang see the pattern). */
static inline uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

bool pgr__trace_is_binary(int first_byte)
{
	return first_byte == bin_magic[0];
}

int pgr_trace_write_binary(const struct pgr_trace *t, FILE *f)
{
	unsigned char hdr[BIN_HEADER_SIZE] = { 0 }, *buf;
	unsigned int nr_zones = 0;

	if (!t || !f)
		return pgr__error(EINVAL, "trace_write_binary: NULL argument");
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].pfn >> BIN_PFN_BITS)
			return pgr__error(EINVAL,
					  "trace_write_binary: event %zu: pfn "
					  "%#llx needs more than %d bits",
					  i + 1,
					  (unsigned long long)t->ev[i].pfn,
					  BIN_PFN_BITS);
	buf = malloc(BIN_CHUNK * BIN_RECORD_SIZE);
	if (!buf)
		return pgr__error(ENOMEM, "trace_write_binary: out of memory");
	for (unsigned int i = 0; i < PGR_MAX_ZONES; i++)
		nr_zones += t->zones[i].set;
	memcpy(hdr, bin_magic, sizeof(bin_magic));
	put_le32(hdr + 8, PGR_TRACE_BINARY_VERSION);
	put_le32(hdr + 12, BIN_HEADER_SIZE + nr_zones * BIN_ZONE_SIZE);
	put_le32(hdr + 16, BIN_RECORD_SIZE);
	put_le32(hdr + 20, nr_zones);
	put_le64(hdr + 24, t->n);
	fwrite(hdr, sizeof(hdr), 1, f);
	for (unsigned int i = 0; i < PGR_MAX_ZONES; i++) {
		unsigned char z[BIN_ZONE_SIZE] = { 0 };

		if (!t->zones[i].set)
			continue;
		put_le32(z, i);
		memcpy(z + 8, t->zones[i].name, strlen(t->zones[i].name));
		put_le64(z + 24, t->zones[i].start_pfn);
		put_le64(z + 32, t->zones[i].nr_pages);
		fwrite(z, sizeof(z), 1, f);
	}
	for (size_t i = 0; i < t->n;) {
		size_t n = t->n - i < BIN_CHUNK ? t->n - i : BIN_CHUNK;

		for (size_t k = 0; k < n; k++) {
			const struct pgr_trace_event *e = &t->ev[i + k];
			uint64_t w =
				e->pfn | (uint64_t)e->order << REC_ORDER_SHIFT |
				(uint64_t)e->op << REC_OP_SHIFT |
				(uint64_t)(e->migratetype + 1) << REC_MT_SHIFT |
				(uint64_t)(e->zone + 1) << REC_ZONE_SHIFT;

			put_le64(buf + BIN_RECORD_SIZE * k, e->time_ns);
			put_le64(buf + BIN_RECORD_SIZE * k + 8, w);
		}
		fwrite(buf, BIN_RECORD_SIZE, n, f);
		i += n;
	}
	free(buf);
	if (fflush(f) || ferror(f))
		return pgr__error(EIO, "trace_write_binary: %s",
				  strerror(errno));
	return 0;
}

int pgr_trace_save_binary(const struct pgr_trace *t, const char *path)
{
	FILE *f;
	int err;

	if (!t || !path)
		return pgr__error(EINVAL, "trace_save_binary: NULL argument");
	f = fopen(path, "wb");
	if (!f)
		return pgr__error(errno, "trace_save_binary: %s: %s", path,
				  strerror(errno));
	err = pgr_trace_write_binary(t, f);
	if (fclose(f) && !err)
		err = pgr__error(EIO, "trace_save_binary: %s: %s", path,
				 strerror(errno));
	return err;
}

static int bad_bin(const char *why)
{
	return pgr__error(EINVAL, "trace_read: binary header: %s", why);
}

/* A zone entry: index, name, span; the same rules as a "z" line. */
static int read_zone_entry(const unsigned char *z, struct trace_zone *zones,
			   unsigned int nth, unsigned int *seen)
{
	uint32_t idx = get_le32(z);
	uint64_t start = get_le64(z + 24), nr = get_le64(z + 32);
	const char *name = (const char *)z + 8;
	size_t len = strnlen(name, 16);

	if (idx >= PGR_MAX_ZONES || (*seen & 1u << idx) || get_le32(z + 4))
		return pgr__error(EINVAL,
				  "trace_read: binary zone entry %u: bad or "
				  "repeated index %u",
				  nth + 1, idx);
	for (size_t i = len; i < 16; i++)
		if (name[i])
			len = 16; /* bytes after the NUL: not padding */
	if (!len || len > 15 || memchr(name, ' ', len) ||
	    memchr(name, '\t', len) || memchr(name, '\n', len) ||
	    memchr(name, '\r', len))
		return pgr__error(EINVAL,
				  "trace_read: binary zone entry %u: name must "
				  "be 1..15 characters without blanks, "
				  "NUL-padded",
				  nth + 1);
	if (!nr || nr >= UINT32_MAX - 1024 || start > UINT64_MAX - nr)
		return pgr__error(EINVAL,
				  "trace_read: binary zone entry %u: bad size "
				  "%llu",
				  nth + 1, (unsigned long long)nr);
	*seen |= 1u << idx;
	zones[idx].set = true;
	memcpy(zones[idx].name, name, len);
	zones[idx].name[len] = '\0';
	zones[idx].start_pfn = start;
	zones[idx].nr_pages = nr;
	return 0;
}

/*
 * Decode @n records from @buf into @ev: two loads and a few shifts each,
 * one test for everything that can be out of range.  Returns the index of
 * the first bad record, or @n.
 */
static size_t decode_records(const unsigned char *buf, size_t n,
			     struct pgr_trace_event *ev)
{
	for (size_t i = 0; i < n; i++) {
		const uint64_t w = get_le64(buf + 16 * i + 8);
		const unsigned int order = (w >> REC_ORDER_SHIFT) & 0xf;
		const unsigned int mt1 = (w >> REC_MT_SHIFT) & 7;
		const unsigned int zone1 = (w >> REC_ZONE_SHIFT) & 0xf;
		const uint64_t pfn = w & ((1ULL << BIN_PFN_BITS) - 1);

		if (unlikely((w & REC_RESERVED) || mt1 > PGR_MIGRATE_TYPES ||
			     zone1 > PGR_MAX_ZONES ||
			     (pfn & ((1ULL << order) - 1))))
			return i;
		ev[i].time_ns = get_le64(buf + 16 * i);
		ev[i].pfn = pfn;
		ev[i].op = (uint8_t)((w >> REC_OP_SHIFT) & 1);
		ev[i].order = (uint8_t)order;
		ev[i].migratetype = (int8_t)((int)mt1 - 1);
		ev[i].zone = (int8_t)((int)zone1 - 1);
	}
	return n;
}

/* Why record @w is bad, for the message. */
static const char *record_error(uint64_t w)
{
	unsigned int order = (w >> REC_ORDER_SHIFT) & 0xf;

	if (w & REC_RESERVED)
		return "reserved bits set";
	if (((w >> REC_MT_SHIFT) & 7) > PGR_MIGRATE_TYPES)
		return "migratetype out of range";
	if (((w >> REC_ZONE_SHIFT) & 0xf) > PGR_MAX_ZONES)
		return "zone out of range";
	if ((w & ((1ULL << BIN_PFN_BITS) - 1)) & ((1ULL << order) - 1))
		return "pfn not aligned to its order";
	return "bad record";
}

int pgr__trace_read_binary(struct pgr_trace *t, FILE *f)
{
	unsigned char hdr[BIN_HEADER_SIZE], *buf = NULL;
	struct trace_zone zones[PGR_MAX_ZONES];
	uint32_t version, hsize, rsize, nr_zones;
	unsigned int seen = 0;
	uint64_t nr, done = 0;
	int err = 0;

	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return ferror(f) ? pgr__error(EIO, "trace_read: read error")
				 : bad_bin("truncated (fewer than 32 bytes)");
	if (memcmp(hdr, bin_magic, sizeof(bin_magic)))
		return bad_bin("wrong magic (not a pgrtrace binary file, or "
			       "mangled in transfer)");
	version = get_le32(hdr + 8);
	hsize = get_le32(hdr + 12);
	rsize = get_le32(hdr + 16);
	nr_zones = get_le32(hdr + 20);
	nr = get_le64(hdr + 24);
	if (version != PGR_TRACE_BINARY_VERSION)
		return pgr__error(EINVAL,
				  "trace_read: binary format version %u, this "
				  "library reads %d",
				  version, PGR_TRACE_BINARY_VERSION);
	if (rsize != BIN_RECORD_SIZE)
		return bad_bin("record size is not 16");
	if (nr_zones > PGR_MAX_ZONES)
		return bad_bin("more zones than PGR_MAX_ZONES");
	if (hsize != BIN_HEADER_SIZE + nr_zones * BIN_ZONE_SIZE)
		return bad_bin("header size does not match the zone count");
	if (nr > (SIZE_MAX / 2 - t->n) / sizeof(struct pgr_trace_event))
		return bad_bin("event count too large");
	memcpy(zones, t->zones, sizeof(zones));
	for (unsigned int i = 0; i < nr_zones; i++) {
		unsigned char z[BIN_ZONE_SIZE];

		if (fread(z, 1, sizeof(z), f) != sizeof(z))
			return ferror(f) ? pgr__error(EIO,
						      "trace_read: read error")
					 : pgr__error(EINVAL,
						      "trace_read: binary "
						      "file truncated in the "
						      "zone table");
		/* like "z" lines: an entry replaces the zone it names */
		err = read_zone_entry(z, zones, i, &seen);
		if (err)
			return err;
	}
	buf = malloc(BIN_CHUNK * BIN_RECORD_SIZE);
	if (!buf)
		return pgr__error(ENOMEM, "trace_read: out of memory");
	while (done < nr) {
		size_t want =
			nr - done < BIN_CHUNK ? (size_t)(nr - done) : BIN_CHUNK;
		size_t got, ok;

		/*
		 * The array grows (doubling) with what the file really
		 * holds, not with the count the header claims: a damaged
		 * count fails as truncated instead of asking for memory.
		 */
		err = pgr__trace_reserve(t, (size_t)done + want);
		if (err)
			break;
		got = fread(buf, BIN_RECORD_SIZE, want, f);
		ok = decode_records(buf, got, t->ev + t->n + done);

		if (ok < got) {
			err = pgr__error(
				EINVAL, "trace_read: record %llu: %s",
				(unsigned long long)(done + ok + 1),
				record_error(get_le64(buf + 16 * ok + 8)));
			break;
		}
		done += got;
		if (got < want) {
			err = ferror(f)
				      ? pgr__error(EIO,
						   "trace_read: read error")
				      : pgr__error(EINVAL,
						   "trace_read: truncated at "
						   "record %llu of %llu",
						   (unsigned long long)done + 1,
						   (unsigned long long)nr);
			break;
		}
	}
	free(buf);
	if (!err && fgetc(f) != EOF)
		err = pgr__error(EINVAL,
				 "trace_read: bytes after record %llu, the "
				 "last the header announces",
				 (unsigned long long)nr);
	if (err)
		return err;
	t->n += (size_t)nr;
	memcpy(t->zones, zones, sizeof(zones));
	return 0;
}
