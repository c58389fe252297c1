/* Planted for check-style (checked as kernel-mode code): a routine whose
 * comment states no IRQL must be reported. */

/* Tells the caller how many widgets the device holds. */
int planted_widgets(void)
{
    return 7;
}
