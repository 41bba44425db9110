/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: a userspace model of the Linux buddy allocator and of free
 * page reporting (Duyck's v11 series and the Linux 5.7 design), reporting
 * into pluggable sinks (null, recorder, memfd discard, virtio-balloon over
 * vhost-user).
 *
 * Conventions: functions return 0 or a negative errno and leave the state
 * unchanged on failure (pgr_errmsg() says why); constructors return a
 * pointer or NULL with errno set.  Include this header only.
 */
#ifndef PAGEREPORT_PAGEREPORT_H
#define PAGEREPORT_PAGEREPORT_H

#include <pagereport/version.h>
#include <pagereport/mm.h>
#include <pagereport/sink.h>
#include <pagereport/reporting.h>
#include <pagereport/balloon.h>
#include <pagereport/strategy.h>
#include <pagereport/workload.h>
#include <pagereport/trace.h>
#include <pagereport/host.h>

#endif /* PAGEREPORT_PAGEREPORT_H */
