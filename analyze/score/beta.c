/*
 * beta.c — the Beta distribution behind an opinion and its 90% credible
 * interval: the regularized incomplete beta function by its continued
 * fraction (modified Lentz), and quantiles by Newton's method kept inside
 * a shrinking bisection bracket. Uses libm only; pure.
 */
#include "analyze/score/opinion.h"

#include <math.h>

#define PRIOR_WEIGHT 2.0       /* W: the non-informative prior's weight */
#define DOGMATIC_U 1e-12       /* below: no proper Beta, a point */
#define CF_MAX_TERMS 100000    /* continued-fraction terms at most */
#define CF_TOLERANCE 1e-15     /* relative change that ends the fraction */
#define LENTZ_TINY 1e-300      /* stands in for a zero denominator */
#define QUANTILE_MAX_STEPS 300 /* Newton-or-bisection steps at most */
#define QUANTILE_TOLERANCE 1e-13
#define PARAM_MIN 1e-300       /* α or β below: all mass at an end */

bool opinion_beta(struct opinion o, double *alpha, double *beta)
{
	if (!(o.u >= DOGMATIC_U))
		return false;
	*alpha = PRIOR_WEIGHT * o.b / o.u + PRIOR_WEIGHT * o.a;
	*beta = PRIOR_WEIGHT * o.d / o.u + PRIOR_WEIGHT * (1.0 - o.a);
	return true;
}

static double log_beta_function(double alpha, double beta)
{
	int sign; /* lgamma_r: lgamma without the global signgam */
	return lgamma_r(alpha, &sign) + lgamma_r(beta, &sign) -
	       lgamma_r(alpha + beta, &sign);
}

/* The k-th partial numerator (k ≥ 1) of the continued fraction
 *   I_x(α,β) = front · 1/(1 + c1/(1 + c2/(1 + ...)))
 * with c_{2m+1} = -(α+m)(α+β+m)x / ((α+2m)(α+2m+1)) and
 *      c_{2m}   = m(β-m)x / ((α+2m-1)(α+2m)). */
static double cf_coefficient(int k, double alpha, double beta, double x)
{
	double m = (double)(k / 2);
	if (k % 2 == 1)
		return -(alpha + m) * (alpha + beta + m) * x /
		       ((alpha + 2.0 * m) * (alpha + 2.0 * m + 1.0));
	return m * (beta - m) * x /
	       ((alpha + 2.0 * m - 1.0) * (alpha + 2.0 * m));
}

static double lentz_guard(double x)
{
	return fabs(x) < LENTZ_TINY ? LENTZ_TINY : x;
}

/* Evaluates G = 1 + c1/(1 + c2/(1 + ...)) by the modified Lentz method
 * (G is the product of the ratios C_k·D_k of successive convergents,
 * stopped when a ratio is 1 to within CF_TOLERANCE) and returns 1/G. */
static double continued_fraction(double alpha, double beta, double x)
{
	double g = 1.0, c = 1.0, dinv = 0.0; /* convergent 0: G = 1 */
	for (int k = 1; k <= CF_MAX_TERMS; k++) {
		double coeff = cf_coefficient(k, alpha, beta, x);
		dinv = 1.0 / lentz_guard(1.0 + coeff * dinv);
		c = lentz_guard(1.0 + coeff / c);
		double ratio = c * dinv;
		g *= ratio;
		if (fabs(ratio - 1.0) < CF_TOLERANCE)
			break;
	}
	return 1.0 / g;
}

/* I_x(α, β) where the fraction converges fast: x < (α+1)/(α+β+2). */
static double cdf_lower(double x, double alpha, double beta)
{
	double log_front = alpha * log(x) + beta * log1p(-x) -
			   log_beta_function(alpha, beta) - log(alpha);
	return exp(log_front) * continued_fraction(alpha, beta, x);
}

double beta_cdf(double x, double alpha, double beta)
{
	if (!(x > 0.0))
		return 0.0;
	if (!(x < 1.0))
		return 1.0;
	if (x < (alpha + 1.0) / (alpha + beta + 2.0))
		return cdf_lower(x, alpha, beta);
	/* symmetry: I_x(α, β) = 1 - I_{1-x}(β, α) */
	return 1.0 - cdf_lower(1.0 - x, beta, alpha);
}

static double log_density(double x, double alpha, double beta,
			  double log_b)
{
	return (alpha - 1.0) * log(x) + (beta - 1.0) * log1p(-x) - log_b;
}

/* A starting point: the tail approximations I_x ≈ x^α/(α·B(α,β)) near 0
 * and 1 - I_x ≈ (1-x)^β/(β·B(α,β)) near 1 when they land in the right
 * tail (they are close for extreme quantiles, where Newton from the mean
 * would overshoot), else the mean. */
static double quantile_start(double p, double alpha, double beta,
			     double log_b)
{
	double mean = alpha / (alpha + beta);
	double guess;
	if (p < 0.5)
		guess = exp((log(p) + log(alpha) + log_b) / alpha);
	else
		guess = -expm1((log1p(-p) + log(beta) + log_b) / beta);
	bool in_tail = p < 0.5 ? guess < mean : guess > mean;
	return (in_tail && guess > 0.0 && guess < 1.0) ? guess : mean;
}

/* Where to go when Newton's step leaves the bracket: the geometric mean
 * while the bracket spans orders of magnitude (quantiles can be 1e-100),
 * else the midpoint. */
static double bracket_split(double lo, double hi)
{
	if (lo == 0.0)
		return hi / 64.0;
	if (hi > 4.0 * lo)
		return sqrt(lo) * sqrt(hi);
	return lo + (hi - lo) / 2.0;
}

/* The p-quantile by Newton's method kept inside a bracket. Its stopping
 * rule is relative to x, so it is most precise for small quantiles. */
static double quantile_search(double p, double alpha, double beta)
{
	double log_b = log_beta_function(alpha, beta);
	double lo = 0.0, hi = 1.0;
	double x = quantile_start(p, alpha, beta, log_b);
	for (int step = 0; step < QUANTILE_MAX_STEPS; step++) {
		double excess = beta_cdf(x, alpha, beta) - p;
		if (excess == 0.0)
			return x;
		if (excess < 0.0)
			lo = x;
		else
			hi = x;
		double next = x - excess / exp(log_density(x, alpha, beta,
							   log_b));
		/* Newton's step when it stays strictly inside the bracket
		 * (it may be NaN or infinite where the density underflows),
		 * otherwise split the bracket. */
		if (!(next > lo && next < hi))
			next = bracket_split(lo, hi);
		double moved = fabs(next - x);
		x = next;
		if (moved <= QUANTILE_TOLERANCE * x ||
		    hi - lo <= QUANTILE_TOLERANCE * hi)
			break;
	}
	return x;
}

double beta_quantile(double p, double alpha, double beta)
{
	if (!(p > 0.0))
		return 0.0;
	if (!(p < 1.0))
		return 1.0;
	/* Mass near 1: search for 1 - x, the (1-p)-quantile of Beta(β, α),
	 * so 1 - x keeps its relative precision too. */
	if (alpha > beta)
		return 1.0 - quantile_search(1.0 - p, beta, alpha);
	return quantile_search(p, alpha, beta);
}

struct interval opinion_ci90(struct opinion o)
{
	double alpha, beta;
	if (!opinion_beta(o, &alpha, &beta)) {
		double p = opinion_expectation(o);
		return (struct interval){p, p};
	}
	if (alpha < PARAM_MIN)
		return (struct interval){0.0, 0.0};
	if (beta < PARAM_MIN)
		return (struct interval){1.0, 1.0};
	return (struct interval){beta_quantile(0.05, alpha, beta),
				 beta_quantile(0.95, alpha, beta)};
}
