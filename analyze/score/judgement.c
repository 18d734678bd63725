/*
 * judgement.c — reads opinions for people: the ICD 203 expression of
 * likelihood, the analytic confidence level, the STIX 2.1 confidence
 * number, and the standards of proof of law (met on belief, reachable on
 * plausibility). Pure; the tables are const.
 */
#include "analyze/score/opinion.h"

#include <math.h>
#include <stdio.h>

#define CANNOT_JUDGE_U 0.5  /* Pl - Bel above this: "cannot judge" */
#define HIGH_CONFIDENCE_U 0.10
#define MODERATE_CONFIDENCE_U 0.35

const struct legal_standard
	LEGAL_STANDARDS_DEFAULT[LEGAL_STANDARDS_DEFAULT_COUNT] = {
		{"preponderance of the evidence", 0.50, true},
		{"clear and convincing evidence", 0.75, false},
		{"beyond reasonable doubt", 0.90, false},
		{"fully conclusive (ICJ)", 0.95, false},
};

/* Lower edge of each band, in enum order from ICD203_ALMOST_NO_CHANCE. */
static const struct {
	enum icd203 band;
	double lower;
	const char *phrase;
} icd203_bands[] = {
	{ICD203_ALMOST_NO_CHANCE, 0.00, "almost no chance"},
	{ICD203_VERY_UNLIKELY, 0.05, "very unlikely"},
	{ICD203_UNLIKELY, 0.20, "unlikely"},
	{ICD203_ROUGHLY_EVEN, 0.45, "roughly even chance"},
	{ICD203_LIKELY, 0.55, "likely"},
	{ICD203_VERY_LIKELY, 0.80, "very likely"},
	{ICD203_ALMOST_CERTAIN, 0.95, "almost certain"},
};

#define BAND_COUNT (sizeof icd203_bands / sizeof icd203_bands[0])

static bool at_least(double x, double threshold)
{
	return x >= threshold - OPINION_EPS;
}

static bool above(double x, double threshold)
{
	return x > threshold + OPINION_EPS;
}

enum icd203 icd203_band(double p)
{
	enum icd203 band = ICD203_ALMOST_NO_CHANCE;
	for (size_t i = 0; i < BAND_COUNT; i++)
		if (at_least(p, icd203_bands[i].lower))
			band = icd203_bands[i].band;
	return band;
}

enum icd203 opinion_icd203(struct opinion o)
{
	if (above(o.u, CANNOT_JUDGE_U))
		return ICD203_CANNOT_JUDGE;
	return icd203_band(opinion_expectation(o));
}

const char *icd203_phrase(enum icd203 band)
{
	for (size_t i = 0; i < BAND_COUNT; i++)
		if (icd203_bands[i].band == band)
			return icd203_bands[i].phrase;
	return "cannot judge";
}

void icd203_interval_text(double bel, double pl, char *out, size_t size)
{
	if (above(pl - bel, CANNOT_JUDGE_U)) {
		snprintf(out, size, "cannot judge");
		return;
	}
	enum icd203 lo = icd203_band(bel), hi = icd203_band(pl);
	if (lo == hi)
		snprintf(out, size, "%s", icd203_phrase(lo));
	else
		snprintf(out, size, "between %s and %s", icd203_phrase(lo),
			 icd203_phrase(hi));
}

enum confidence_level opinion_confidence(struct opinion o)
{
	if (!above(o.u, HIGH_CONFIDENCE_U))
		return CONFIDENCE_HIGH;
	if (!above(o.u, MODERATE_CONFIDENCE_U))
		return CONFIDENCE_MODERATE;
	return CONFIDENCE_LOW;
}

const char *confidence_name(enum confidence_level level)
{
	switch (level) {
	case CONFIDENCE_HIGH:
		return "high";
	case CONFIDENCE_MODERATE:
		return "moderate";
	case CONFIDENCE_LOW:
		break;
	}
	return "low";
}

int opinion_stix_confidence(struct opinion o)
{
	/* the nudge rounds decimal halves up although 100·b lands just
	 * below them in binary (100·0.285 = 28.4999...) */
	double scaled = floor(100.0 * o.b + 0.5 + OPINION_EPS);
	if (!(scaled > 0.0))
		return 0;
	return scaled >= 100.0 ? 100 : (int)scaled;
}

static bool passes(const struct legal_standard *std, double x)
{
	return std->strict ? above(x, std->threshold)
			   : at_least(x, std->threshold);
}

struct legal_verdict legal_assess_bel_pl(const struct legal_standard *std,
					 double bel, double pl)
{
	struct legal_verdict v;
	v.met = passes(std, bel);
	v.gap = (v.met || bel >= std->threshold) ? 0.0 : std->threshold - bel;
	v.reachable = passes(std, pl);
	return v;
}

struct legal_verdict legal_assess(const struct legal_standard *std,
				  struct opinion o)
{
	return legal_assess_bel_pl(std, o.b, o.b + o.u);
}
