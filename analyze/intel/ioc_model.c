/*
 * ioc_model.c — attrib's own models and STIX bundles as intel
 * (ioc_read_model in ioc_internal.h): the model loaders read the file,
 * and every exact-value, name-suffix and CIDR pattern becomes an entry
 * citing its hypothesis and pattern; glob, period, UTC-offset, ASN and
 * country patterns are attrib score's business and are counted as
 * unsupported here.
 */
#include "analyze/intel/ioc_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "analyze/intel/model.h"
#include "analyze/vocab/kinds.h"

/* The entry type of an exact pattern of kind, or -1. */
static int exact_type(int kind, const char *value)
{
	uint8_t a[16];
	if (kind == MODEL_KIND_ANY_IP)
		return IOC_ADDR;
	switch ((enum obs_kind)kind) {
	case OBS_IP_SRC:
	case OBS_IP_DST:
		return IOC_ADDR;
	case OBS_DNS_ANSWER:
		return model_parse_addr(value, a) ? IOC_ADDR : IOC_DOMAIN;
	case OBS_DNS_QUERY:
	case OBS_TLS_SNI:
	case OBS_HTTP_HOST:
		return IOC_DOMAIN;
	case OBS_HTTP_URL:
		return IOC_URL;
	case OBS_TLS_JA3:
	case OBS_TLS_JA3S:
	case OBS_SSH_HASSH:
		return IOC_MD5;
	case OBS_TLS_JA4:
		return IOC_JA4;
	case OBS_TLS_CERT_SHA1:
		return IOC_SHA1;
	case OBS_HTTP_USER_AGENT:
		return IOC_USER_AGENT;
	case OBS_SSH_BANNER:
		return IOC_SOFTWARE;
	default:
		return -1;
	}
}

static int add_pattern(struct ioc_set *s, const char *path,
		       const struct model_hypothesis *h,
		       const struct model_pattern *p)
{
	char entry[512], note[512], text[INET6_ADDRSTRLEN + 8];
	snprintf(entry, sizeof entry, "hypothesis %s pattern %s", h->id, p->id);
	snprintf(note, sizeof note, "%s; %s", h->name, p->origin);
	int t = -1;
	const char *value = p->text;
	if (p->match == MODEL_MATCH_EXACT) {
		t = exact_type(p->kind, p->text);
	} else if (p->match == MODEL_MATCH_SUFFIX) {
		t = IOC_DOMAIN_SUFFIX;
	} else if (p->match == MODEL_MATCH_CIDR) {
		char net[INET6_ADDRSTRLEN];
		if (inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, net,
			      sizeof net)) {
			snprintf(text, sizeof text, "%s/%d", net, p->prefix_len);
			value = text;
			t = IOC_CIDR;
		}
	} else {
		char why[96];
		snprintf(why, sizeof why, "model %s patterns: matched by "
			 "attrib score only", model_match_name(p->match));
		ioc_unsupported(s, why);
		return 0;
	}
	if (t < 0 || !value) {
		ioc_unsupported(s, "model pattern of a kind attrib match does "
				   "not compare");
		return 0;
	}
	return ioc_add(s, (enum ioc_type)t, value, path, entry, note);
}

int ioc_read_model(struct ioc_set *s, const char *path, char *err,
		   size_t errlen)
{
	struct model_set *ms = model_set_create();
	int rc = -1;
	if (!ms) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (model_load_path(ms, path, err, errlen) != 0)
		goto done;
	for (size_t i = 0; i < ms->n_files; i++) {
		struct ioc_file *f = ioc_file_add(s, ms->files[i].path, "model",
						  "", 0);
		if (!f)
			goto oom;
		memcpy(f->sha256, ms->files[i].sha256, sizeof f->sha256);
	}
	for (size_t i = 0; i < ms->n_hyps; i++) {
		const struct model_hypothesis *h = &ms->hyps[i];
		for (size_t j = 0; j < h->n_patterns; j++)
			if (add_pattern(s, path, h, &h->patterns[j]) < 0)
				goto oom;
	}
	for (size_t i = 0; i < ms->n_uneval; i++)
		ioc_unsupported(s, "STIX pattern attrib cannot evaluate");
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
done:
	model_set_destroy(ms);
	return rc;
}
