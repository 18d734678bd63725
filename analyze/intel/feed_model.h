/*
 * feed_model.h — a feed (an IOC list, CSV, Zeek Intel file, MISP event or
 * feed folder, Suricata dataset) included in a model as evidence for one
 * hypothesis, with one link, direction and reliability for all its
 * entries (feed_model.c; docs/model-format.md, "Feeds").
 */
#ifndef ATTRIB_FEED_MODEL_H
#define ATTRIB_FEED_MODEL_H

#include <stddef.h>

#include "analyze/intel/model.h"

struct model_feed {
	const char *id;           /* pattern ids are ID.ENTRY.KIND */
	const char *path;         /* the feed, as ioc_load_path() takes it */
	enum model_link link;     /* L1 or L2: feeds are technical evidence */
	enum opinion_direction direction;
	char reliability;         /* Admiralty A..F */
	const char *source;       /* independent source label */
	const char *origin;       /* where the model declares the feed */
};

/*
 * Reads the feed and adds one pattern to h per entry and observation
 * kind it is compared with (an address: ip; a name: dns.query, tls.sni,
 * http.host; an MD5: tls.ja3, tls.ja3s, ssh.hassh; ...), each with the
 * feed's link, direction, reliability and source, and the kind's default
 * forgeability and specificity. *added counts the patterns, *unused the
 * entries no observation is compared with. 0, or -1 with err.
 */
int model_add_feed(struct model_hypothesis *h, const struct model_feed *f,
		   size_t *added, size_t *unused, char *err, size_t errlen);

#endif
