/*
 * feed_model.c — a feed as one hypothesis's evidence (model_add_feed in
 * feed_model.h): the intel readers of ioc.h read the feed, and each entry
 * becomes a pattern of the hypothesis with the link, direction and
 * reliability the model states for the whole feed
 * (docs/model-format.md, "Feeds").
 */
#include "analyze/intel/feed_model.h"

#include <stdio.h>
#include <string.h>

#include "analyze/intel/ioc.h"
#include "analyze/vocab/kinds.h"

enum { FEED_MAX_DEPTH = 4 };

/* The observation kinds an entry type is compared with (as attrib
 * match compares them, docs/intel.md). */
static size_t kinds_of(enum ioc_type t, int kinds[3])
{
	switch (t) {
	case IOC_ADDR:
	case IOC_CIDR:
		kinds[0] = MODEL_KIND_ANY_IP;
		return 1;
	case IOC_DOMAIN:
	case IOC_DOMAIN_SUFFIX:
		kinds[0] = OBS_DNS_QUERY;
		kinds[1] = OBS_TLS_SNI;
		kinds[2] = OBS_HTTP_HOST;
		return 3;
	case IOC_URL:
		kinds[0] = OBS_HTTP_URL;
		return 1;
	case IOC_MD5:
		kinds[0] = OBS_TLS_JA3;
		kinds[1] = OBS_TLS_JA3S;
		kinds[2] = OBS_SSH_HASSH;
		return 3;
	case IOC_JA4:
		kinds[0] = OBS_TLS_JA4;
		return 1;
	case IOC_SHA1:
		kinds[0] = OBS_TLS_CERT_SHA1;
		return 1;
	case IOC_USER_AGENT:
		kinds[0] = OBS_HTTP_USER_AGENT;
		return 1;
	case IOC_SOFTWARE:
		kinds[0] = OBS_HTTP_USER_AGENT;
		kinds[1] = OBS_SSH_BANNER;
		return 2;
	default:
		return 0;
	}
}

int model_add_feed(struct model_hypothesis *h, const struct model_feed *f,
		   size_t *added, size_t *unused, char *err, size_t errlen)
{
	/* a feed may be a model that includes feeds: bounded */
	static _Thread_local int depth;
	*added = *unused = 0;
	if (depth >= FEED_MAX_DEPTH) {
		snprintf(err, errlen, "%s: feeds included %d deep (a loop?)",
			 f->path, depth);
		return -1;
	}
	struct ioc_set *s = ioc_set_create();
	int rc = -1;
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", f->path);
		return -1;
	}
	depth++;
	int lrc = ioc_load_path(s, f->path, err, errlen);
	depth--;
	if (lrc != 0)
		goto done;
	const char *reason;
	uint64_t count;
	for (size_t i = 0; ioc_unsupported_at(s, i, &reason, &count); i++)
		*unused += count;
	for (size_t i = 0; i < ioc_count(s); i++) {
		const struct ioc_entry *e = ioc_entry_at(s, i);
		int kinds[3];
		size_t nk = kinds_of(e->type, kinds);
		if (!nk)
			(*unused)++;
		for (size_t k = 0; k < nk; k++) {
			struct model_pattern p;
			char id[96], origin[1024], url[4200];
			memset(&p, 0, sizeof p);
			snprintf(id, sizeof id, "%s.%zu.%zu", f->id, i + 1, k + 1);
			snprintf(origin, sizeof origin, "%s: %s (feed %s)",
				 e->source, e->entry, f->origin);
			p.id = id;
			p.kind = kinds[k];
			p.text = e->value;
			p.match = MODEL_MATCH_EXACT;
			if (e->type == IOC_DOMAIN_SUFFIX) {
				p.match = MODEL_MATCH_SUFFIX;
			} else if (e->type == IOC_CIDR) {
				p.match = MODEL_MATCH_CIDR;
				if (!model_parse_cidr(e->value, p.addr, &p.family,
						      &p.prefix_len))
					continue;
			} else if (e->type == IOC_URL) {
				/* attrib records http.url with its scheme */
				snprintf(url, sizeof url, "http://%s", e->value);
				p.text = url;
			}
			p.link = f->link;
			p.direction = f->direction;
			p.reliability = f->reliability;
			p.source = (char *)f->source;
			p.origin = origin;
			if (model_add_pattern(h, &p) != 0) {
				snprintf(err, errlen, "%s: out of memory",
					 f->path);
				goto done;
			}
			(*added)++;
		}
	}
	rc = 0;
done:
	ioc_set_destroy(s);
	return rc;
}
