/*
 * kinds.c — default forgeability f and specificity s of each indicator
 * kind (DESIGN.md "Indicators"). docs/indicators.md gives the reason for
 * every pair; keep the two in step. Model files may override them.
 *
 * f: how cheaply an adversary can produce (or plant) the value on
 * purpose — 1 costs nothing, 0 cannot be produced without the real
 * actor's assets. s: how rarely unrelated parties share the value — 1
 * unique to one actor, 0 said of everybody. Scoring treats f >= 0.5 as
 * the cheap, common-cause class.
 */
#include <string.h>

#include "analyze/vocab/kinds.h"

struct kind_defaults {
	double f, s;
};

static const struct kind_defaults defaults[OBS_KIND_COUNT] = {
	[OBS_IP_SRC] = {0.70, 0.30},
	[OBS_IP_DST] = {0.60, 0.40},
	[OBS_DNS_QUERY] = {0.60, 0.50},
	[OBS_DNS_ANSWER] = {0.60, 0.40},
	[OBS_TLS_SNI] = {0.70, 0.50},
	[OBS_TLS_ALPN] = {0.90, 0.05},
	[OBS_TLS_JA3] = {0.80, 0.20},
	[OBS_TLS_JA3S] = {0.80, 0.15},
	[OBS_TLS_JA4] = {0.75, 0.25},
	[OBS_TLS_CERT_SHA1] = {0.30, 0.90},
	[OBS_TLS_CERT_SUBJECT] = {0.60, 0.50},
	[OBS_TLS_CERT_ISSUER] = {0.60, 0.30},
	[OBS_HTTP_HOST] = {0.70, 0.50},
	[OBS_HTTP_USER_AGENT] = {0.95, 0.10},
	[OBS_HTTP_URL] = {0.60, 0.60},
	[OBS_SSH_BANNER] = {0.90, 0.20},
	[OBS_SSH_HASSH] = {0.70, 0.30},
	[OBS_NDPI_PROTO] = {0.90, 0.02},
	[OBS_NDPI_RISK] = {0.80, 0.10},
	[OBS_BEACON] = {0.50, 0.20},
	[OBS_ACTIVITY_HOURS] = {0.80, 0.10},
	[OBS_ANOMALY] = {0.80, 0.20},
	[OBS_TLS_CERT_SAN] = {0.40, 0.70},
	[OBS_TLS_CERT_SERIAL] = {0.30, 0.90},
	[OBS_TLS_CERT_NOT_BEFORE] = {0.60, 0.40},
	[OBS_TLS_CERT_NOT_AFTER] = {0.60, 0.40},
	[OBS_TLS_CERT_KEY] = {0.90, 0.05},
	[OBS_TLS_CERT_SELF_SIGNED] = {0.60, 0.40},
	[OBS_TLS_CERT_SUBJECT_DN] = {0.60, 0.55},
	[OBS_TLS_CERT_ISSUER_DN] = {0.60, 0.35},
};

double obs_kind_forgeability(enum obs_kind k)
{
	if ((unsigned)k >= OBS_KIND_COUNT)
		return 1.0;
	return defaults[k].f;
}

double obs_kind_specificity(enum obs_kind k)
{
	if ((unsigned)k >= OBS_KIND_COUNT)
		return 0.0;
	return defaults[k].s;
}

static const char *const kind_names[OBS_KIND_COUNT] = {
#define OBS_KIND_NAME(id, name) [OBS_##id] = name,
	OBS_KIND_LIST(OBS_KIND_NAME)
#undef OBS_KIND_NAME
};

const char *obs_kind_name(enum obs_kind k)
{
	if ((unsigned)k >= OBS_KIND_COUNT)
		return "";
	return kind_names[k];
}

int obs_kind_parse(const char *name)
{
	if (!name)
		return -1;
	for (int k = 0; k < OBS_KIND_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}
