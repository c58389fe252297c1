/*
 * vioinput: keyboard LEDs to the device.  The LED output report (report
 * ID 1, one byte of LED bits) becomes EV_LED events for the LEDs that
 * changed and the device has, then EV_SYN/SYN_REPORT, on the status queue
 * (virtio spec 5.8.6.2).  Each event is one device-readable buffer from a
 * small pool; finished buffers come back in the DPC or before the next
 * report.
 */
#include "vioinput.h"

/* Take back status buffers the device used (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioinputReclaimStatus(PVIOINPUT_DEVICE Input)
{
    uint32_t len;
    void *cookie;

    while ((cookie = virtqueue_get(&Input->StatusQ, &len)) != NULL) {
        ULONG index = (ULONG)(ULONG_PTR)cookie - 1;
        if (index < VIOINPUT_STATUS_SLOTS)
            Input->StatusBusy[index] = FALSE;
    }
}

/* Number of status buffers not with the device. IRQL: any. */
static ULONG VioinputFreeSlots(PVIOINPUT_DEVICE Input)
{
    ULONG n = 0;
    for (ULONG i = 0; i < VIOINPUT_STATUS_SLOTS; i++)
        n += !Input->StatusBusy[i];
    return n;
}

/* Queue one event (Lock held, a free slot known to exist). IRQL: DISPATCH_LEVEL. */
static int VioinputSendEvent(PVIOINPUT_DEVICE Input, USHORT Type, USHORT Code, ULONG Value)
{
    ULONG i = 0;
    while (Input->StatusBusy[i])
        i++;
    PVIRTIO_INPUT_EVENT ev = (PVIRTIO_INPUT_EVENT)Input->Status.va + i;
    ev->Type = Type;
    ev->Code = Code;
    ev->Value = Value;
    struct virtqueue_sg sg = {
        .addr = Input->Status.pa + i * sizeof(VIRTIO_INPUT_EVENT),
        .len = sizeof(VIRTIO_INPUT_EVENT),
    };
    int rc = virtqueue_add(&Input->StatusQ, &sg, 1, 0, (void *)(ULONG_PTR)(i + 1));
    if (rc == 0)
        Input->StatusBusy[i] = TRUE;
    return rc;
}

/* An output report: the keyboard LEDs that changed go to the status queue as EV_LED events. IRQL <=
 * DISPATCH_LEVEL. */
NTSTATUS VioinputWriteLeds(PVW_DEVICE Device, const UCHAR *Report, ULONG Length)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN notify = FALSE;
    KIRQL irql;
    int rc = 0;

    if (!input->Caps.Leds || Length < 2 || Report[0] != VIOINPUT_ID_KEYBOARD)
        return STATUS_INVALID_PARAMETER;
    UCHAR wanted = Report[1] & input->Caps.LedBits;

    KeAcquireSpinLock(&input->Lock, &irql);
    if (!input->Ready || input->Broken) {
        status = STATUS_DEVICE_NOT_READY;
        goto out;
    }
    UCHAR changed = wanted ^ input->Leds;
    if (changed == 0)
        goto out;
    VioinputReclaimStatus(input);
    ULONG need = 1;
    for (ULONG led = 0; led < LED_COUNT; led++)
        need += (changed >> led) & 1;
    if (VioinputFreeSlots(input) < need || virtqueue_num_free(&input->StatusQ) < need) {
        status = STATUS_DEVICE_BUSY;
        goto out;
    }
    for (USHORT led = 0; led < LED_COUNT && rc == 0; led++)
        if ((changed >> led) & 1)
            rc = VioinputSendEvent(input, EV_LED, led, (wanted >> led) & 1);
    if (rc == 0)
        rc = VioinputSendEvent(input, EV_SYN, SYN_REPORT, 0);
    notify = virtqueue_kick_prepare(&input->StatusQ);
    if (rc != 0) {
        status = VwVirtioStatus(rc);
        goto out;
    }
    input->Leds = wanted;
out:
    KeReleaseSpinLock(&input->Lock, irql);
    if (notify)
        virtqueue_notify(&input->StatusQ);
    return status;
}
