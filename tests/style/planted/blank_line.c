/* Planted for check-style: a comment separated from its routine by a blank
 * line is not the routine's comment and must be reported. */

/* Tells the caller how many gadgets the device holds. IRQL: any. */

int planted_gadgets(void)
{
    return 3;
}
