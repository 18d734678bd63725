/*
 * source_live.h — packets from a network interface through libpcap: an
 * activated capture handle with a snapshot length, a kernel buffer size,
 * immediate delivery and an optional BPF filter; waiting for packets with
 * signals let through only while waiting; the kernel's and libpcap's drop
 * counters.
 *
 * The source fills the record fields of struct packet that libpcap knows
 * (time, lengths, link type, bytes); the caller, which writes the packets
 * to a file, sets frame and file_offset.
 */
#ifndef ATTRIB_SOURCE_LIVE_H
#define ATTRIB_SOURCE_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct live_config {
	const char *ifname;
	const char *filter;     /* BPF filter text; NULL or "" for none */
	uint32_t snaplen;       /* bytes kept per packet */
	uint32_t buffer_bytes;  /* kernel capture buffer */
	bool promisc;
};

/* Which part of the configuration an open failed on. */
enum live_fault {
	LIVE_FAULT_NONE = 0,
	LIVE_FAULT_INTERFACE,   /* no such interface, interface down, ... */
	LIVE_FAULT_PERMISSION,  /* not allowed to capture */
	LIVE_FAULT_FILTER,      /* the filter does not compile or apply */
	LIVE_FAULT_INTERNAL,    /* anything else (out of memory, ...) */
};

/* Counters as libpcap reports them (pcap_stats), since the handle was
 * opened. */
struct live_stats {
	uint64_t received;      /* packets that passed the filter */
	uint64_t dropped;       /* dropped for lack of buffer space */
	uint64_t if_dropped;    /* dropped by the interface or its driver */
};

struct live;

/*
 * Opens and activates a capture on cfg->ifname and applies the filter.
 * Returns NULL with a one-line message in err (naming the interface, or
 * the filter text) and *fault saying what was wrong. The caller owns the
 * result and frees it with live_close().
 */
struct live *live_open(const struct live_config *cfg, char *err,
		       size_t errlen, enum live_fault *fault);

/* Link type of the capture as libpcap's DLT_* number (what struct packet
 * and the decoder get, as when a file is read). */
int live_linktype(const struct live *l);

/* The same link type as numbered in capture files (LINKTYPE_*). */
int live_file_linktype(const struct live *l);

/* Name of the link type, e.g. "EN10MB"; never NULL. */
const char *live_linktype_name(const struct live *l);

/* Snapshot length in effect. */
uint32_t live_snaplen(const struct live *l);

/*
 * Waits up to timeout_ms for packets, with the signal mask replaced by
 * *mask while waiting (ppoll), so blocked signals are taken only here.
 * Returns 1 when packets may be ready, 0 on timeout or a signal, -1 on
 * error (live_error()).
 */
int live_wait(struct live *l, int timeout_ms, const sigset_t *mask);

/* Called for each packet; data stays valid during the call only. A
 * non-zero return stops live_dispatch() after this packet. */
typedef int (*live_packet_fn)(void *ctx, struct packet *pkt);

/*
 * Hands the packets already captured, at most max, to fn without waiting.
 * Returns the number handed over, or -1 on a capture error (the interface
 * went away, ...: live_error()).
 */
int live_dispatch(struct live *l, int max, live_packet_fn fn, void *ctx);

/* Reads the drop counters. 0, or -1 (live_error()). */
int live_stats(struct live *l, struct live_stats *out);

/* Last error, one line naming the interface. */
const char *live_error(const struct live *l);

/* Closes the capture and frees l. NULL is a no-op. */
void live_close(struct live *l);

#endif
