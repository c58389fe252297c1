/* The agent's freeze state (freeze.c): what runs while frozen, and the
 * thaw of a freeze the host left behind. */
#ifndef GA_FREEZE_H
#define GA_FREEZE_H

#include "agent.h"

/* Most volumes one freeze-list names (VSS's limit per snapshot set). */
#define GA_FREEZE_MAX_VOLUMES 64

/* True when command name may run now (always, unless frozen). */
bool ga_freeze_allows(const struct ga *ga, const char *name);
/* Thaws a freeze still held (the agent is stopping). */
void ga_freeze_cleanup(struct ga *ga);

#endif
