/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: the virtio-balloon sink, a vhost-user front-end.
 *
 * It owns no memory of its own: it shares a struct pgr_guest_ram with the
 * back-end (SET_MEM_TABLE with the memfd), and reports each batch as
 * device-writable descriptors on the balloon's reporting queue, then waits
 * for the used entry, as Linux's virtballoon_free_page_report() does.
 *
 * Data safety: when a report fails (timeout, protocol error) the sink first
 * stops the reporting queue with GET_VRING_BASE and waits (stop_timeout_ns)
 * for the reply, which guarantees the back-end no longer processes it;
 * only then does report() return an ordinary error and the pages may be
 * reused.  Without that reply report() returns -EOWNERDEAD: the back-end
 * may still discard the pages, so the engine keeps them isolated (see
 * pgr_sink_ops.report).  A closed socket counts as stopped: a back-end
 * closes it only once it can no longer touch guest memory (exit, or after
 * unmapping).  Each connection gets fresh rings.
 */
#ifndef PAGEREPORT_BALLOON_H
#define PAGEREPORT_BALLOON_H

#include <pagereport/sink.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pgr_balloon_config {
	const char *socket_path; /* back-end's listening socket */
	int fd; /* or a connected socket (>= 0); -1 = use path */
	struct pgr_guest_ram *ram; /* guest RAM shared with the back-end */
	unsigned int capacity;	   /* ranges per report; 0 = 32 */
	unsigned int queue_size;   /* reporting vq size; 0 = 32 */
	uint64_t timeout_ns;	   /* wait for the used entry; 0 = 5 s */
	/* after a failed report, wait this long for the back-end to stop
	 * the queue (GET_VRING_BASE); 0 = timeout_ns */
	uint64_t stop_timeout_ns;
};

/*
 * pages_held/bytes_held: reported pages the sink could not get back safely
 * (the back-end neither completed the report nor answered the stop), so
 * report() returned -EOWNERDEAD and they stay isolated for good.  stops:
 * failed reports after which the back-end did confirm it stopped.
 * timeouts: reports that got no used entry in time (each one then ends
 * stopped or held).
 */
struct pgr_balloon_stats {
	uint64_t reports, ranges, bytes, errors, reconnects;
	uint64_t stops, pages_held, bytes_held, timeouts;
};

/**
 * pgr_sink_balloon_create - connect and negotiate with a vhost-user balloon
 * back-end.  Return: the sink, or NULL with errno set (ECONNREFUSED,
 * EPROTO for a peer that breaks the protocol, ETIMEDOUT, ...).
 */
PGR_EXPORT struct pgr_sink *
pgr_sink_balloon_create(const struct pgr_balloon_config *cfg);

/** pgr_sink_balloon_reconnect - drop the connection and negotiate again. */
PGR_EXPORT int pgr_sink_balloon_reconnect(struct pgr_sink *sink);

PGR_EXPORT int pgr_sink_balloon_get_stats(struct pgr_sink *sink,
					  struct pgr_balloon_stats *r);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_BALLOON_H */
