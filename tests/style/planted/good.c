/* Planted for check-style (checked as kernel-mode code): a routine that
 * follows the rule must pass, so the check is not failing everything. */

/* Tells the caller how many sprockets the device holds. IRQL <= DISPATCH_LEVEL. */
static int planted_sprockets(int base)
{
    return base + 5;
}

/* Used by the harness of nothing: keeps planted_sprockets referenced. IRQL: PASSIVE_LEVEL. */
int planted_main(void)
{
    return planted_sprockets(1);
}
