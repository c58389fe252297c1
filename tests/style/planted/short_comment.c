/* Planted for check-style: a comment that only restates the name must be reported. */

/* planted_count */
int planted_count(void)
{
    return 1;
}
