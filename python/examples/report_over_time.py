import matplotlib.pyplot as plt
import pagereport as pgr
for name in pgr.strategies():                   # v11-boundary, v11-rescan, upstream, bitmap
    node = pgr.Node.of_size(4 << 30, seed=1)    # a 4 GiB guest, one zone
    zone = node.zones[0]; zone.populate()      # boot: every page free
    blocks = [zone.alloc(9) for _ in range(1800)]        # a workload takes 3.5 GiB
    node.register(pgr.NullSink(), strategy=name)         # reporting, virtual clock
    for pfn in blocks: zone.free(pfn, 9)        # ... and exits at t = 0
    t, gib = [], []
    while node.now < 40 * pgr.SEC:              # 40 virtual seconds in 100 ms steps
        node.advance(100 * pgr.MS)
        t.append(node.now / pgr.SEC); gib.append(node.stats().bytes_reported / 2**30)
    plt.step(t, gib, where="post", label=name)
plt.xlabel("virtual time (s)"); plt.ylabel("GiB reported to the host"); plt.legend()
plt.savefig("report_over_time.png", dpi=90)
