/*
 * pktlist.h — the packets of a generated scenario, gathered in memory,
 * put in time order and written as one pcap file.
 *
 * Sessions are generated one after another but overlap in time, so every
 * frame goes into this list first; pktlist_write_pcap() sorts by
 * (timestamp, order of addition), which is deterministic, and writes with
 * libpcap (Ethernet link type, snap length 65535). Growth is bounded by
 * PKTLIST_MAX_PACKETS and PKTLIST_MAX_BYTES; going past either, or running
 * out of memory, sets a sticky error that pktlist_failed() reports, so
 * frame builders need not check every addition.
 */
#ifndef ATTRIB_GEN_PKTLIST_H
#define ATTRIB_GEN_PKTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKTLIST_MAX_PACKETS 2000000
#define PKTLIST_MAX_BYTES (256u * 1024 * 1024)
#define PKTLIST_SNAPLEN 65535

struct pktlist;

/* A new empty list, or NULL when out of memory. The caller owns it and
 * frees it with pktlist_destroy(). */
struct pktlist *pktlist_create(void);

/* Frees the list and its frames (NULL is accepted). */
void pktlist_destroy(struct pktlist *list);

/* Copies one frame of len bytes captured at ts_us (µs since the epoch,
 * ≥ 0). On a limit or allocation failure nothing is added and the list
 * is marked failed. */
void pktlist_add(struct pktlist *list, int64_t ts_us, const uint8_t *frame,
		 size_t len);

/* True once an addition has failed; err (static text) says why. */
bool pktlist_failed(const struct pktlist *list, const char **err);

/* Frames added so far. */
size_t pktlist_count(const struct pktlist *list);

/* Sorts the frames by time and writes them to path as a pcap file.
 * Returns 0, or -1 with a one-line reason in err (errlen bytes). */
int pktlist_write_pcap(struct pktlist *list, const char *path, char *err,
		       size_t errlen);

#endif
