/* Planted for check-style: a routine with no comment above it must be reported. */

/* Tells the caller the answer the device gives. IRQL: any. */
int planted_answer(void)
{
    return 42;
}

int planted_question(void)
{
    return planted_answer() - 1;
}
