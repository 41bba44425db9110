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
    uint64_t managed_pages;
};
enum pgr_kernel_profile { PGR_PROFILE_DEFAULT = 0, PGR_PROFILE_5_4 = 1,
    PGR_PROFILE_5_7 = 2, PGR_PROFILE_5_10 = 3, PGR_PROFILE_6_1 = 4 };
enum pgr_pcp_mode { PGR_PCP_PROFILE = 0, PGR_PCP_OFF = 1, PGR_PCP_ON = 2 };
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
    unsigned nr_cpus;
    enum pgr_pcp_mode pcp;
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
    uint64_t managed_pages;
    uint64_t pcp_pages;
    uint64_t pcp_high_pages;
    uint64_t pcp_drains;
    uint64_t pcp_drain_all;
    unsigned pcp_batch, pcp_high;
};
enum pgr_page_state { PGR_PAGE_TAIL = 0, PGR_PAGE_FREE = 1,
                      PGR_PAGE_ALLOCATED = 2, PGR_PAGE_ISOLATED = 3,
                      PGR_PAGE_PCP = 4 };
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
int pgr_alloc_pages_cpu(struct pgr_zone *zone, unsigned cpu, unsigned order,
                        enum pgr_migratetype mt, unsigned flags,
                        uint64_t *r_pfn);
int pgr_free_pages_cpu(struct pgr_zone *zone, unsigned cpu, uint64_t pfn,
                       unsigned order);
#define PGR_PCP_ALL_CPUS -1
#define PGR_PCP_MAX_CPUS 64
int pgr_zone_drain_pages(struct pgr_zone *zone, int cpu);
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
#define PGR_DUMP_MIGRATETYPES 1
int pgr_zone_dump(struct pgr_zone *zone, unsigned nid, FILE *f,
                  unsigned flags);
int pgr_node_dump(struct pgr_node *node, unsigned nid, FILE *f,
                  unsigned flags);
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
                    PGR_STRATEGY_BITMAP = 3, PGR_NR_STRATEGIES = 4 };
enum pgr_clock_kind { PGR_CLOCK_VIRTUAL = 0, PGR_CLOCK_REAL = 1 };
enum pgr_param_type { PGR_PARAM_UINT = 0, PGR_PARAM_BOOL = 1,
                      PGR_PARAM_NS = 2 };
struct pgr_param {
    const char *name;
    const char *text;
    uint64_t value;
};
struct pgr_param_info {
    const char *name, *help;
    enum pgr_param_type type;
    uint64_t def, min, max;
};
struct pgr_reporting_config {
    enum pgr_strategy strategy;
    enum pgr_clock_kind clock;
    unsigned order;
    bool order_set;
    uint64_t delay_ns;
    bool delay_set;
    bool return_to_tail;
    unsigned capacity;
    const char *strategy_name;
    const struct pgr_param *params;
    unsigned nr_params;
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
    uint64_t rereported_pages;
    uint64_t isolate_failures;
    uint64_t requests;
    uint64_t fill_ns, report_ns, drain_ns;
    uint64_t lock_hold_ns;
    uint64_t last_report_time_ns;
    uint64_t pages_held;
};
int pgr_reporting_register(struct pgr_node *node, struct pgr_sink *sink,
                           const struct pgr_reporting_config *cfg);
int pgr_reporting_unregister(struct pgr_node *node);
#define PGR_MAX_SYSTEM_NODES 64
int pgr_reporting_register_system(struct pgr_node *const *nodes,
                                  unsigned nr_nodes, struct pgr_sink *sink,
                                  const struct pgr_reporting_config *cfg);
uint64_t pgr_reporting_now(struct pgr_node *node);
int pgr_reporting_advance(struct pgr_node *node, uint64_t ns);
int pgr_reporting_run_until_idle(struct pgr_node *node, uint64_t max_ns,
                                 uint64_t *r_elapsed);
bool pgr_reporting_pending(struct pgr_node *node);
int pgr_reporting_flush(struct pgr_node *node, uint64_t timeout_ns);
int pgr_reporting_get_stats(struct pgr_node *node,
                            struct pgr_reporting_stats *r_stats);
int pgr_reporting_get_config(struct pgr_node *node,
                             struct pgr_reporting_config *r_cfg);
const char *pgr_strategy_name(enum pgr_strategy s);
int pgr_strategy_from_name(const char *name);
int pgr_reporting_get_param(struct pgr_node *node, const char *name,
                            uint64_t *r_value);
int pgr_reporting_nr_counters(struct pgr_node *node);
int pgr_reporting_counter(struct pgr_node *node, unsigned i,
                          const char **r_name, uint64_t *r_value);
int pgr_reporting_get_counter(struct pgr_node *node, const char *name,
                              uint64_t *r_value);
int pgr_strategy_nr_params(int id);
int pgr_strategy_param_info(int id, unsigned i,
                            struct pgr_param_info *r_info);
int pgr_strategy_nr_counters(int id);
int pgr_strategy_counter_info(int id, unsigned i, const char **r_name,
                              const char **r_help);
int pgr_param_parse(enum pgr_param_type type, const char *text,
                    uint64_t *r_value);
struct pgr_reporting_accounting {
    uint64_t zone_pages;
    uint64_t allocated_pages;
    uint64_t free_pages;
    uint64_t reported_pages;
    uint64_t free_unreported_pages;
    uint64_t isolated_pages;
    uint64_t discarded_pages;
    uint64_t discarded_bytes;
    uint64_t refault_pages;
    uint64_t refault_events;
    uint64_t rereported_pages;
};
int pgr_reporting_get_accounting(struct pgr_node *node, int zone,
                                 struct pgr_reporting_accounting *r_acct);
"""

STRATEGY_H = """
unsigned pgr_strategy_count(void);
int pgr_strategy_load(const char *path);
"""

WORKLOAD_H = """
struct pgr_trace;
enum pgr_workload_kind { PGR_WORKLOAD_CHURN = 0, PGR_WORKLOAD_BUILD = 1,
                         PGR_WORKLOAD_FILL_FREE = 2,
                         PGR_WORKLOAD_PAGE_FAULT1 = 3, PGR_NR_WORKLOADS = 4 };
enum pgr_churn_mix { PGR_CHURN_MIX_THP = 0, PGR_CHURN_MIX_UNIFORM = 1,
                     PGR_CHURN_MIX_SMALL = 2 };
struct pgr_workload_config {
    enum pgr_workload_kind kind;
    uint64_t seed;
    enum pgr_migratetype migratetype;
    bool migratetype_set;
    double rate;
    struct {
        double occupancy;
        enum pgr_churn_mix mix;
        unsigned min_order, max_order;
        bool orders_set;
    } churn;
    struct {
        unsigned jobs;
        unsigned short_pct;
        unsigned long_pct;
        unsigned long_every;
        unsigned ops_per_sec;
        unsigned min_life_ms;
        unsigned max_life_ms;
    } build;
    struct {
        double occupancy;
        unsigned order;
        uint64_t hold_ops;
    } fill;
    struct {
        unsigned order;
    } page_fault1;
    void (*on_alloc)(void *arg, uint64_t pfn, unsigned order);
    void *arg;
    struct pgr_trace *record;
};
struct pgr_workload_stats {
    uint64_t ops;
    uint64_t allocs, frees;
    uint64_t alloc_failures;
    uint64_t live_blocks, live_pages;
    uint64_t target_pages;
    uint64_t cycles;
};
struct pgr_workload;
struct pgr_workload *pgr_workload_create(
    struct pgr_zone *zone, const struct pgr_workload_config *cfg);
void pgr_workload_destroy(struct pgr_workload *w);
int pgr_workload_fill(struct pgr_workload *w);
int pgr_workload_step(struct pgr_workload *w);
int pgr_workload_run(struct pgr_workload *w, uint64_t ns, uint64_t tick_ns);
int pgr_workload_free_fraction(struct pgr_workload *w, double fraction);
int pgr_workload_free_all(struct pgr_workload *w);
int pgr_workload_set_time(struct pgr_workload *w, uint64_t ns);
uint64_t pgr_workload_now(const struct pgr_workload *w);
int pgr_workload_get_stats(const struct pgr_workload *w,
                           struct pgr_workload_stats *r_stats);
const char *pgr_workload_kind_name(enum pgr_workload_kind k);
int pgr_workload_kind_from_name(const char *name);
"""

TRACE_H = """
enum pgr_trace_op { PGR_TRACE_ALLOC = 0, PGR_TRACE_FREE = 1 };
struct pgr_trace_event {
    uint64_t time_ns;
    uint64_t pfn;
    uint8_t op;
    uint8_t order;
    int8_t migratetype;
    int8_t zone;
};
struct pgr_trace *pgr_trace_create(void);
void pgr_trace_destroy(struct pgr_trace *t);
int pgr_trace_append(struct pgr_trace *t, const struct pgr_trace_event *ev);
size_t pgr_trace_nr_events(const struct pgr_trace *t);
const struct pgr_trace_event *pgr_trace_events(const struct pgr_trace *t);
int pgr_trace_clear(struct pgr_trace *t);
int pgr_trace_set_zone(struct pgr_trace *t, unsigned idx, const char *name,
                       uint64_t start_pfn, uint64_t nr_pages);
int pgr_trace_node_config(const struct pgr_trace *t,
                          struct pgr_node_config *r_cfg);
int pgr_trace_write(const struct pgr_trace *t, FILE *f);
int pgr_trace_read(struct pgr_trace *t, FILE *f);
int pgr_trace_load(struct pgr_trace *t, const char *path);
int pgr_trace_save(const struct pgr_trace *t, const char *path);
int pgr_trace_record(struct pgr_trace *t, struct pgr_zone *zone,
                     uint64_t time_ns, enum pgr_trace_op op, uint64_t pfn,
                     unsigned order, int migratetype);
enum pgr_trace_view { PGR_TRACE_VIEW_BUDDY = 0, PGR_TRACE_VIEW_CALLER = 1 };
enum pgr_kmem_event { PGR_KMEM_PAGE_ALLOC = 0,
                      PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED = 1,
                      PGR_KMEM_PAGE_FREE = 2, PGR_KMEM_PAGE_FREE_BATCHED = 3,
                      PGR_KMEM_PAGE_PCPU_DRAIN = 4, PGR_NR_KMEM_EVENTS = 5 };
struct pgr_trace_import_config {
    enum pgr_trace_view view;
    unsigned pcp_max_order, pcp_thp_order;
};
struct pgr_trace_import_stats {
    uint64_t lines;
    uint64_t seen[5];
    uint64_t events;
    uint64_t other_events;
    uint64_t skipped;
    uint64_t pcp_frees;
    uint64_t failed_allocs;
    uint64_t lost_events;
    uint64_t no_time;
};
int pgr_trace_import(struct pgr_trace *t, FILE *f,
                     const struct pgr_trace_import_config *cfg,
                     struct pgr_trace_import_stats *r_stats);
enum pgr_replay_mode { PGR_REPLAY_EXACT = 0, PGR_REPLAY_POLICY = 1 };
struct pgr_replay_config {
    enum pgr_replay_mode mode;
    uint64_t tick_ns;
    int policy_zone;
    bool policy_zone_set;
    bool repair;
    int (*after_event)(void *arg, size_t index,
                       const struct pgr_trace_event *ev);
    void *arg;
};
struct pgr_replay_stats {
    uint64_t events;
    uint64_t allocs, frees;
    uint64_t outside;
    uint64_t free_unestablished;
    uint64_t alloc_conflicts;
    uint64_t free_conflicts;
    uint64_t partial_frees;
    uint64_t alloc_failures;
    uint64_t free_unmatched;
    uint64_t order_mismatch;
    uint64_t realloc_live;
    uint64_t clock_ns;
    uint64_t alloc_repaired;
};
struct pgr_replay;
struct pgr_replay *pgr_replay_create(struct pgr_node *node,
                                     const struct pgr_replay_config *cfg);
void pgr_replay_destroy(struct pgr_replay *r);
int pgr_replay_event(struct pgr_replay *r, const struct pgr_trace_event *ev);
int pgr_replay_run(struct pgr_replay *r, const struct pgr_trace *t);
int pgr_replay_get_stats(const struct pgr_replay *r,
                         struct pgr_replay_stats *r_stats);
const char *pgr_replay_mode_name(enum pgr_replay_mode m);
int pgr_replay_mode_from_name(const char *name);
"""

HOST_H = """
#define PGR_HOST_TICK_NS_DEFAULT 10000000
#define PGR_HOST_SAMPLE_NS_DEFAULT 1000000000
#define PGR_HOST_SWAP_OUT_NS 4000
#define PGR_HOST_SWAP_IN_NS 10000
#define PGR_HOST_REFAULT_NS 1000
#define PGR_HOST_MAX_GUESTS 256
#define PGR_HOST_REAL_MAX_GUEST_BYTES 1073741824
#define PGR_HOST_REAL_MAX_TOTAL_BYTES 4294967296
struct pgr_host_config {
    uint64_t budget_bytes;
    uint64_t seed;
    uint64_t tick_ns;
    uint64_t sample_ns;
    uint64_t swap_out_ns, swap_in_ns, refault_ns;
    bool real_memory;
};
struct pgr_host_guest_config {
    const char *name;
    uint64_t mem_bytes;
    const char *strategy;
    struct pgr_reporting_config reporting;
    struct pgr_workload_config workload;
    uint64_t workload_cycles;
    uint64_t cycle_gap_ns;
    double base_fraction;
    bool fill_at_launch;
};
struct pgr_host_guest_stats {
    uint64_t launch_ns;
    uint64_t resident_pages;
    uint64_t swapped_pages;
    uint64_t touched_pages;
    uint64_t discarded_pages_total;
    uint64_t swap_out_bytes, swap_in_bytes;
    uint64_t refault_pages, refault_events;
    uint64_t host_refault_pages, host_refault_events;
    uint64_t lost_ns;
    struct pgr_reporting_accounting acct;
    struct pgr_workload_stats workload;
};
struct pgr_host_stats {
    uint64_t now_ns;
    unsigned nr_guests;
    uint64_t budget_bytes;
    uint64_t resident_bytes;
    uint64_t in_memory_bytes;
    uint64_t peak_in_memory_bytes;
    uint64_t swap_out_bytes, swap_in_bytes;
    bool swapped;
    uint64_t first_swap_ns;
};
struct pgr_host;
struct pgr_host *pgr_host_create(const struct pgr_host_config *cfg);
void pgr_host_destroy(struct pgr_host *host);
int pgr_host_add_guest(struct pgr_host *host,
                       const struct pgr_host_guest_config *cfg);
int pgr_host_advance(struct pgr_host *host, uint64_t ns);
uint64_t pgr_host_now(const struct pgr_host *host);
unsigned pgr_host_nr_guests(const struct pgr_host *host);
struct pgr_node *pgr_host_guest_node(struct pgr_host *host, unsigned idx);
int pgr_host_get_stats(const struct pgr_host *host,
                       struct pgr_host_stats *r_stats);
int pgr_host_get_guest_stats(struct pgr_host *host, unsigned idx,
                             struct pgr_host_guest_stats *r_stats);
int pgr_host_guest_kernel_bytes(struct pgr_host *host, unsigned idx,
                                uint64_t *r_bytes);
int pgr_host_write_csv(const struct pgr_host *host, FILE *f);
"""

# (header, declarations); the header names the file test_layout compiles.
HEADERS = [
    ("pagereport/mm.h", MM_H),
    ("pagereport/sink.h", SINK_H),
    ("pagereport/reporting.h", REPORTING_H),
    ("pagereport/strategy.h", STRATEGY_H),
    ("pagereport/workload.h", WORKLOAD_H),
    ("pagereport/trace.h", TRACE_H),
    ("pagereport/host.h", HOST_H),
]

# The C library, for FILE * arguments (not a libpagereport header).
LIBC = """
FILE *open_memstream(char **ptr, size_t *sizeloc);
FILE *fmemopen(void *buf, size_t size, const char *mode);
int fclose(FILE *f);
void free(void *p);
"""
