/*
 * pktlist.c — in-memory frame list and its pcap writer (pktlist.h). The
 * only file of the generator that includes pcap.h.
 */
#include "pcaps/gen/lib/pktlist.h"

#include <errno.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct frame_ref {
	int64_t ts_us;
	uint64_t order; /* addition order: breaks timestamp ties */
	size_t offset;  /* into bytes */
	uint32_t len;
};

struct pktlist {
	struct frame_ref *frames;
	size_t count, frames_cap;
	uint8_t *bytes;
	size_t bytes_used, bytes_cap;
	const char *error;
};

struct pktlist *pktlist_create(void)
{
	return calloc(1, sizeof(struct pktlist));
}

void pktlist_destroy(struct pktlist *list)
{
	if (!list)
		return;
	free(list->frames);
	free(list->bytes);
	free(list);
}

/* Makes room for one more frame of len bytes; false (and failed) if not. */
static bool reserve(struct pktlist *list, size_t len)
{
	if (list->count >= PKTLIST_MAX_PACKETS) {
		list->error = "more than PKTLIST_MAX_PACKETS frames";
		return false;
	}
	if (len > PKTLIST_SNAPLEN ||
	    list->bytes_used + len > PKTLIST_MAX_BYTES) {
		list->error = "frames exceed PKTLIST_MAX_BYTES";
		return false;
	}
	if (list->count == list->frames_cap) {
		size_t cap = list->frames_cap ? 2 * list->frames_cap : 4096;
		struct frame_ref *grown =
			realloc(list->frames, cap * sizeof(*grown));
		if (!grown) {
			list->error = "out of memory";
			return false;
		}
		list->frames = grown;
		list->frames_cap = cap;
	}
	if (list->bytes_used + len > list->bytes_cap) {
		size_t cap = list->bytes_cap ? 2 * list->bytes_cap : 1u << 20;
		uint8_t *grown;
		while (cap < list->bytes_used + len)
			cap *= 2;
		grown = realloc(list->bytes, cap);
		if (!grown) {
			list->error = "out of memory";
			return false;
		}
		list->bytes = grown;
		list->bytes_cap = cap;
	}
	return true;
}

void pktlist_add(struct pktlist *list, int64_t ts_us, const uint8_t *frame,
		 size_t len)
{
	struct frame_ref *ref;

	if (list->error || !reserve(list, len))
		return;
	ref = &list->frames[list->count];
	ref->ts_us = ts_us < 0 ? 0 : ts_us;
	ref->order = list->count;
	ref->offset = list->bytes_used;
	ref->len = (uint32_t)len;
	memcpy(list->bytes + list->bytes_used, frame, len);
	list->bytes_used += len;
	list->count++;
}

bool pktlist_failed(const struct pktlist *list, const char **err)
{
	if (err)
		*err = list->error;
	return list->error != NULL;
}

size_t pktlist_count(const struct pktlist *list)
{
	return list->count;
}

static int compare_frames(const void *a, const void *b)
{
	const struct frame_ref *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

int pktlist_write_pcap(struct pktlist *list, const char *path, char *err,
		       size_t errlen)
{
	pcap_t *dead;
	pcap_dumper_t *dumper;
	int rc = -1;

	qsort(list->frames, list->count, sizeof(list->frames[0]),
	      compare_frames);
	dead = pcap_open_dead(DLT_EN10MB, PKTLIST_SNAPLEN);
	if (!dead) {
		snprintf(err, errlen, "%s: pcap_open_dead failed", path);
		return -1;
	}
	dumper = pcap_dump_open(dead, path);
	if (!dumper) {
		snprintf(err, errlen, "%s", pcap_geterr(dead));
		goto close_dead;
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct frame_ref *ref = &list->frames[i];
		struct pcap_pkthdr hdr;

		memset(&hdr, 0, sizeof(hdr));
		hdr.ts.tv_sec = (time_t)(ref->ts_us / 1000000);
		hdr.ts.tv_usec = (suseconds_t)(ref->ts_us % 1000000);
		hdr.caplen = ref->len;
		hdr.len = ref->len;
		pcap_dump((u_char *)dumper, &hdr, list->bytes + ref->offset);
	}
	if (pcap_dump_flush(dumper) != 0 || ferror(pcap_dump_file(dumper))) {
		snprintf(err, errlen, "%s: write failed: %s", path,
			 strerror(errno));
		pcap_dump_close(dumper);
		goto close_dead;
	}
	pcap_dump_close(dumper);
	rc = 0;
close_dead:
	pcap_close(dead);
	return rc;
}
