# SPDX-License-Identifier: LGPL-2.1-or-later
"""C declarations of the public headers for cffi's ABI mode, one string
per header (in include order).  They must match the headers exactly:
tests/python/test_layout.py compiles the real headers and compares every
struct's size and field offsets.  A new header (strategy.h, workload.h,
trace.h, a host API) is one more entry in HEADERS; declare only what the
Python side uses, structs in full.
"""

MM_H = """
enum pgr_migratetype {
    PGR_MIGRATE_UNMOVABLE = 0, PGR_MIGRATE_MOVABLE = 1,
    PGR_MIGRATE_RECLAIMABLE = 2, PGR_MIGRATE_HIGHATOMIC = 3,
    PGR_MIGRATE_ISOLATE = 4, PGR_MIGRATE_TYPES = 5,
};
enum pgr_wmark { PGR_WMARK_MIN = 0, PGR_WMARK_LOW = 1, PGR_WMARK_HIGH = 2,
                 PGR_NR_WMARK = 3 };
struct pgr_node;
struct pgr_zone;
struct pgr_zone_config {
    const char *name;
    uint64_t start_pfn;
    uint64_t nr_pages;
    uint64_t watermark[3];
};
enum pgr_kernel_profile { PGR_PROFILE_DEFAULT = 0, PGR_PROFILE_5_4 = 1,
    PGR_PROFILE_5_7 = 2, PGR_PROFILE_5_10 = 3, PGR_PROFILE_6_1 = 4 };
struct pgr_node_config {
    unsigned max_order;
    unsigned pageblock_order;
    bool shuffle;
    uint64_t seed;
    unsigned nr_zones;
    struct pgr_zone_config zones[4];
    enum pgr_kernel_profile profile;
    const char *profile_name;
    bool no_hugetlb;
};
struct pgr_zone_info {
    char name[16];
    uint64_t start_pfn;
    uint64_t nr_pages;
    unsigned max_order;
    unsigned pageblock_order;
    uint64_t nr_free_pages;
    uint64_t nr_free_isolate_pages;
    uint64_t nr_allocated_pages;
    uint64_t nr_isolated_pages;
    uint64_t nr_free[16];
    uint64_t nr_free_mt[16][5];
    uint64_t nr_reported[16];
    uint64_t nr_pageblocks_mt[5];
    uint64_t nr_isolate_pageblock;
    uint64_t watermark[3];
    size_t metadata_bytes;
    uint64_t nr_reserved_highatomic;
};
enum pgr_page_state { PGR_PAGE_TAIL = 0, PGR_PAGE_FREE = 1,
                      PGR_PAGE_ALLOCATED = 2, PGR_PAGE_ISOLATED = 3 };
struct pgr_page_info {
    enum pgr_page_state state;
    unsigned order;
    int migratetype;
    bool reported;
    bool discarded;
};
const char *pgr_errmsg(void);
void pgr_errmsg_clear(void);
struct pgr_node *pgr_node_create(const struct pgr_node_config *cfg);
void pgr_node_destroy(struct pgr_node *node);
struct pgr_zone *pgr_node_zone(struct pgr_node *node, unsigned idx);
unsigned pgr_node_nr_zones(const struct pgr_node *node);
int pgr_zone_populate(struct pgr_zone *zone);
int pgr_zone_offline(struct pgr_zone *zone);
int pgr_alloc_pages(struct pgr_zone *zone, unsigned order,
                    enum pgr_migratetype mt, unsigned flags, uint64_t *r_pfn);
int pgr_free_pages(struct pgr_zone *zone, uint64_t pfn, unsigned order);
int pgr_take_block(struct pgr_zone *zone, uint64_t pfn, unsigned order);
int pgr_zone_shuffle(struct pgr_zone *zone);
int pgr_zone_get_info(struct pgr_zone *zone, struct pgr_zone_info *r_info);
bool pgr_zone_watermark_ok(struct pgr_zone *zone, unsigned order,
                           uint64_t mark);
int pgr_zone_check(struct pgr_zone *zone, char *buf, size_t len);
int pgr_node_check(struct pgr_node *node, char *buf, size_t len);
int pgr_page_get_info(struct pgr_zone *zone, uint64_t pfn,
                      struct pgr_page_info *r_info);
long pgr_free_list_walk(struct pgr_zone *zone, unsigned order,
                        enum pgr_migratetype mt, uint64_t *pfns, size_t max);
const char *pgr_migratetype_name(int mt);
size_t pgr_metadata_bytes_per_page(void);
"""

SINK_H = """
struct pgr_range { uint64_t pfn; uint32_t order; uint32_t zone; };
struct pgr_sink;
struct pgr_sink_ops {
    const char *name;
    int (*report)(struct pgr_sink *sink, const struct pgr_range *ranges,
                  unsigned int n);
    int (*open)(struct pgr_sink *sink, struct pgr_node *node);
    void (*close)(struct pgr_sink *sink);
    void (*destroy)(struct pgr_sink *sink);
};
struct pgr_sink {
    const struct pgr_sink_ops *ops;
    unsigned int capacity;
    void *priv;
};
void pgr_sink_destroy(struct pgr_sink *sink);
struct pgr_sink *pgr_sink_null_create(unsigned int capacity);
struct pgr_sink_recorder_config {
    unsigned int capacity;
    unsigned int fail_nth;
    unsigned int fail_every;
    int fail_err;
};
struct pgr_recorded_batch {
    uint64_t seq;
    unsigned int n;
    int ret;
    const struct pgr_range *ranges;
};
struct pgr_sink *pgr_sink_recorder_create(
    const struct pgr_sink_recorder_config *cfg);
size_t pgr_sink_recorder_nr_batches(struct pgr_sink *sink);
int pgr_sink_recorder_batch(struct pgr_sink *sink, size_t i,
                            struct pgr_recorded_batch *r_batch);
void pgr_sink_recorder_reset(struct pgr_sink *sink);
struct pgr_guest_ram;
struct pgr_guest_ram *pgr_guest_ram_create(uint64_t base_pfn,
                                           uint64_t nr_pages);
struct pgr_guest_ram *pgr_guest_ram_create_for_node(
    const struct pgr_node *node);
void pgr_guest_ram_destroy(struct pgr_guest_ram *ram);
int pgr_guest_ram_fd(const struct pgr_guest_ram *ram);
uint64_t pgr_guest_ram_size(const struct pgr_guest_ram *ram);
int pgr_guest_ram_allocated_bytes(const struct pgr_guest_ram *ram,
                                  uint64_t *r_bytes);
enum pgr_discard_method { PGR_DISCARD_PUNCH_HOLE = 0,
                          PGR_DISCARD_MADV_REMOVE = 1 };
struct pgr_sink_memory_stats {
    uint64_t reports, ranges, bytes_discarded, errors;
};
struct pgr_sink *pgr_sink_memory_create(struct pgr_guest_ram *ram,
                                        enum pgr_discard_method m,
                                        unsigned int capacity);
int pgr_sink_memory_get_stats(struct pgr_sink *sink,
                              struct pgr_sink_memory_stats *r);
"""

REPORTING_H = """
enum pgr_strategy { PGR_STRATEGY_V11_BOUNDARY = 0,
                    PGR_STRATEGY_V11_RESCAN = 1, PGR_STRATEGY_UPSTREAM = 2,
                    PGR_NR_STRATEGIES = 3 };
enum pgr_clock_kind { PGR_CLOCK_VIRTUAL = 0, PGR_CLOCK_REAL = 1 };
struct pgr_reporting_config {
    enum pgr_strategy strategy;
    enum pgr_clock_kind clock;
    unsigned order;
    bool order_set;
    uint64_t delay_ns;
    bool delay_set;
    bool return_to_tail;
    bool v11_skip_mark_on_error;
};
struct pgr_reporting_stats {
    uint64_t passes;
    uint64_t batches;
    uint64_t batch_errors;
    uint64_t pages_reported;
    uint64_t bytes_reported;
    uint64_t blocks_reported;
    uint64_t blocks_marked;
    uint64_t blocks_merged_on_drain;
    uint64_t nodes_visited;
    uint64_t boundary_resets;
    uint64_t rereported_pages;
    uint64_t isolate_failures;
    uint64_t requests;
    uint64_t budget_exhausted;
    uint64_t zones_gated;
    uint64_t fill_ns, report_ns, drain_ns;
    uint64_t lock_hold_ns;
    uint64_t last_report_time_ns;
};
int pgr_reporting_register(struct pgr_node *node, struct pgr_sink *sink,
                           const struct pgr_reporting_config *cfg);
int pgr_reporting_unregister(struct pgr_node *node);
uint64_t pgr_reporting_now(struct pgr_node *node);
int pgr_reporting_advance(struct pgr_node *node, uint64_t ns);
int pgr_reporting_run_until_idle(struct pgr_node *node, uint64_t max_ns,
                                 uint64_t *r_elapsed);
bool pgr_reporting_pending(struct pgr_node *node);
int pgr_reporting_flush(struct pgr_node *node, uint64_t timeout_ns);
int pgr_reporting_get_stats(struct pgr_node *node,
                            struct pgr_reporting_stats *r_stats);
const char *pgr_strategy_name(enum pgr_strategy s);
int pgr_strategy_from_name(const char *name);
"""

# (header, declarations); the header names the file test_layout compiles.
HEADERS = [
    ("pagereport/mm.h", MM_H),
    ("pagereport/sink.h", SINK_H),
    ("pagereport/reporting.h", REPORTING_H),
]
