/*
 * The pvpanic register (see pvpanic.h).
 */
#include "pvpanic.h"

uint8_t qemu_pvpanic_read(struct qemu_pvpanic *p, uint64_t offset)
{
    p->read_count++;
    return offset == 0 ? p->supported : 0;
}

void qemu_pvpanic_write(struct qemu_pvpanic *p, uint64_t offset, uint8_t value)
{
    if (offset == 0 && p->write_count < sizeof(p->written))
        p->written[p->write_count++] = value;
}

unsigned qemu_pvpanic_writes_of(const struct qemu_pvpanic *p, uint8_t value)
{
    unsigned n = 0;
    for (unsigned i = 0; i < p->write_count; i++)
        n += p->written[i] == value;
    return n;
}
