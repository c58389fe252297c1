/*
 * Planted: documented values written down wrong, as a header once had one
 * (SRB_STATUS_UNEXPECTED_BUS_FREE 0x0c, srb.h says 0x13).  compare built
 * with VW_CONSTANTS_PLANTED uses these; run.sh requires a FAIL naming each,
 * in the trees that define it.
 */
PLANT(SRB_STATUS_UNEXPECTED_BUS_FREE, 0x0c) /* drivers only */
PLANT(SRB_STATUS_BUS_RESET, 0x0d)           /* both trees */
PLANT(NDIS_OBJECT_TYPE_OID_REQUEST, 0x95)   /* both trees */
PLANT(IO_TYPE_IRP, 5)                       /* harness only */
PLANT(TcpRecvSegCoalesceInfo, 21)           /* drivers only, differs by arch */
