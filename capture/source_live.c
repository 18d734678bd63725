/*
 * source_live.c — live capture through libpcap (see source_live.h).
 *
 * The handle is made with pcap_create() so that every setting is applied
 * before activation: snapshot length, kernel buffer size, promiscuous
 * mode and immediate mode (each packet is delivered as it arrives, not
 * when a kernel block fills, so evidence and the status line keep up with
 * a quiet lab network). It is then non-blocking: live_wait() sleeps in
 * ppoll() on its descriptor, which is also where the caller's signals are
 * let in, and live_dispatch() takes what is ready.
 *
 * libpcap's counters are 32-bit and wrap; live_stats() keeps 64-bit
 * totals by adding the difference since the last reading.
 */
#include "source_live.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

enum { LIVE_ERR_MAX = 1024 + PCAP_ERRBUF_SIZE, PCAP_FILE_HEADER_BYTES = 24 };

struct live {
	pcap_t *pcap;
	char *ifname;
	int fd;                 /* pollable descriptor of the handle */
	int linktype;           /* DLT_* */
	int file_linktype;      /* LINKTYPE_* */
	uint32_t snaplen;
	/* live_dispatch() state */
	live_packet_fn fn;
	void *ctx;
	int handled;
	/* 64-bit counters and the last 32-bit readings */
	struct live_stats total;
	unsigned int last_recv, last_drop, last_ifdrop;
	char linktype_name[32];
	char err[LIVE_ERR_MAX];
};

/*
 * The LINKTYPE_* number libpcap writes to a capture file for this DLT_*
 * (they differ for a few types, e.g. raw IP). libpcap keeps its mapping
 * to itself, so this asks it to write a file header into memory and reads
 * the link type field back; the DLT itself is the fallback.
 */
static int file_linktype_of(int dlt, int snaplen)
{
	uint8_t header[64];
	uint32_t v;
	pcap_t *dead = pcap_open_dead(dlt, snaplen);
	FILE *mem;
	pcap_dumper_t *d;
	int rc = dlt;

	if (!dead)
		return dlt;
	memset(header, 0, sizeof(header));
	mem = fmemopen(header, sizeof(header), "w");
	if (mem && (d = pcap_dump_fopen(dead, mem)) != NULL) {
		if (pcap_dump_flush(d) == 0) {
			memcpy(&v, header + 20, sizeof(v)); /* host order */
			rc = (int)v;
		}
		pcap_dump_close(d); /* closes mem */
	} else if (mem) {
		fclose(mem);
	}
	pcap_close(dead);
	return rc;
}

/* Classifies a failed pcap_activate(). */
static enum live_fault activate_fault(int rc, const char **why)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		*why = "no such interface";
		return LIVE_FAULT_INTERFACE;
	case PCAP_ERROR_IFACE_NOT_UP:
		*why = "interface is not up";
		return LIVE_FAULT_INTERFACE;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		*why = "permission denied (capturing needs root or "
		       "CAP_NET_RAW)";
		return LIVE_FAULT_PERMISSION;
	case PCAP_ERROR_RFMON_NOTSUP:
		*why = "monitor mode not supported";
		return LIVE_FAULT_INTERFACE;
	default:
		*why = "cannot start capturing";
		return LIVE_FAULT_INTERFACE;
	}
}

struct live *live_open(const struct live_config *cfg, char *err,
		       size_t errlen, enum live_fault *fault)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct live *l = calloc(1, sizeof(*l));
	const char *why = "";
	int rc;

	*fault = LIVE_FAULT_INTERNAL;
	if (!l || !(l->ifname = strdup(cfg->ifname))) {
		snprintf(err, errlen, "%s: out of memory", cfg->ifname);
		goto free_live;
	}
	l->pcap = pcap_create(cfg->ifname, pcap_err);
	if (!l->pcap) {
		*fault = LIVE_FAULT_INTERFACE;
		snprintf(err, errlen, "%s: cannot open (libpcap: %s)",
			 cfg->ifname, pcap_err);
		goto free_live;
	}
	if (pcap_set_snaplen(l->pcap, (int)cfg->snaplen) != 0 ||
	    pcap_set_promisc(l->pcap, cfg->promisc) != 0 ||
	    pcap_set_buffer_size(l->pcap, (int)cfg->buffer_bytes) != 0 ||
	    pcap_set_immediate_mode(l->pcap, 1) != 0 ||
	    pcap_set_tstamp_precision(l->pcap, PCAP_TSTAMP_PRECISION_MICRO) !=
		    0) {
		snprintf(err, errlen, "%s: cannot configure the capture",
			 cfg->ifname);
		goto close_pcap;
	}
	rc = pcap_activate(l->pcap);
	if (rc < 0) {
		*fault = activate_fault(rc, &why);
		snprintf(err, errlen, "%s: %s (libpcap: %s)", cfg->ifname, why,
			 pcap_geterr(l->pcap));
		goto close_pcap;
	}
	if (cfg->filter && cfg->filter[0]) {
		if (pcap_compile(l->pcap, &prog, cfg->filter, 1,
				 PCAP_NETMASK_UNKNOWN) != 0) {
			*fault = LIVE_FAULT_FILTER;
			snprintf(err, errlen, "filter '%s': %s", cfg->filter,
				 pcap_geterr(l->pcap));
			goto close_pcap;
		}
		rc = pcap_setfilter(l->pcap, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			*fault = LIVE_FAULT_FILTER;
			snprintf(err, errlen, "filter '%s': cannot apply on %s: %s",
				 cfg->filter, cfg->ifname, pcap_geterr(l->pcap));
			goto close_pcap;
		}
	}
	if (pcap_setnonblock(l->pcap, 1, pcap_err) != 0 ||
	    (l->fd = pcap_get_selectable_fd(l->pcap)) < 0) {
		snprintf(err, errlen, "%s: cannot wait for packets (libpcap: %s)",
			 cfg->ifname, pcap_err[0] ? pcap_err : "no descriptor");
		goto close_pcap;
	}
	l->linktype = pcap_datalink(l->pcap);
	l->snaplen = (uint32_t)pcap_snapshot(l->pcap);
	l->file_linktype = file_linktype_of(l->linktype, (int)l->snaplen);
	if (pcap_datalink_val_to_name(l->linktype))
		snprintf(l->linktype_name, sizeof(l->linktype_name), "%s",
			 pcap_datalink_val_to_name(l->linktype));
	else
		snprintf(l->linktype_name, sizeof(l->linktype_name),
			 "LINKTYPE_%d", l->linktype);
	*fault = LIVE_FAULT_NONE;
	return l;

close_pcap:
	pcap_close(l->pcap);
free_live:
	if (l)
		free(l->ifname);
	free(l);
	return NULL;
}

int live_linktype(const struct live *l)
{
	return l->linktype;
}

int live_file_linktype(const struct live *l)
{
	return l->file_linktype;
}

const char *live_linktype_name(const struct live *l)
{
	return l->linktype_name;
}

uint32_t live_snaplen(const struct live *l)
{
	return l->snaplen;
}

int live_wait(struct live *l, int timeout_ms, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long)(timeout_ms % 1000) * 1000000L,
	};
	int rc = ppoll(&pfd, 1, &ts, mask);

	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		snprintf(l->err, sizeof(l->err), "%s: waiting for packets: %s",
			 l->ifname, strerror(errno));
		return -1;
	}
	/* POLLERR and the like: live_dispatch() gets the reason */
	return rc > 0;
}

static void on_pcap_packet(u_char *user, const struct pcap_pkthdr *h,
			   const u_char *bytes)
{
	struct live *l = (struct live *)user;
	struct packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = (uint64_t)h->ts.tv_sec * 1000000u +
		    (uint64_t)h->ts.tv_usec;
	pkt.caplen = h->caplen;
	pkt.wirelen = h->len;
	pkt.linktype = l->linktype;
	pkt.data = bytes;
	l->handled++;
	if (l->fn(l->ctx, &pkt) != 0)
		pcap_breakloop(l->pcap);
}

int live_dispatch(struct live *l, int max, live_packet_fn fn, void *ctx)
{
	int rc;

	l->fn = fn;
	l->ctx = ctx;
	l->handled = 0;
	rc = pcap_dispatch(l->pcap, max, on_pcap_packet, (u_char *)l);
	if (rc == PCAP_ERROR) {
		snprintf(l->err, sizeof(l->err), "%s: capture failed: %s",
			 l->ifname, pcap_geterr(l->pcap));
		return -1;
	}
	return l->handled;
}

int live_stats(struct live *l, struct live_stats *out)
{
	struct pcap_stat ps;

	if (pcap_stats(l->pcap, &ps) != 0) {
		snprintf(l->err, sizeof(l->err), "%s: cannot read counters: %s",
			 l->ifname, pcap_geterr(l->pcap));
		return -1;
	}
	/* unsigned arithmetic: right across one wrap of the 32-bit value */
	l->total.received += (unsigned int)(ps.ps_recv - l->last_recv);
	l->total.dropped += (unsigned int)(ps.ps_drop - l->last_drop);
	l->total.if_dropped += (unsigned int)(ps.ps_ifdrop - l->last_ifdrop);
	l->last_recv = ps.ps_recv;
	l->last_drop = ps.ps_drop;
	l->last_ifdrop = ps.ps_ifdrop;
	*out = l->total;
	return 0;
}

const char *live_error(const struct live *l)
{
	return l->err;
}

void live_close(struct live *l)
{
	if (!l)
		return;
	pcap_close(l->pcap);
	free(l->ifname);
	free(l);
}
