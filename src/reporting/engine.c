// SPDX-License-Identifier: LGPL-2.1-or-later
/* Placeholder hooks until the reporting engine lands (replaced wholesale). */
#include "config.h"
#include "internal.h"

void pgr__reporting_del_reported(struct zone *z, uint32_t id, unsigned int order)
{
	(void)z; (void)id; (void)order;
}
void pgr__reporting_move_reported(struct zone *z, uint32_t id, unsigned int order)
{
	(void)z; (void)id; (void)order;
}
void pgr__reporting_notify_free(struct zone *z, unsigned int order)
{
	(void)z; (void)order;
}
void pgr__reporting_reset_boundary(struct zone *z, unsigned int order, int mt)
{
	(void)z; (void)order; (void)mt;
}
void pgr__reporting_reset_zone(struct zone *z)
{
	(void)z;
}
void pgr__reporting_node_destroy(struct pgr_node *node)
{
	(void)node;
}
int pgr__reporting_check_zone(struct zone *z, char *buf, size_t len)
{
	(void)z; (void)buf; (void)len;
	return 0;
}
