/*
 * opinion.c — the subjective-logic algebra: constructing opinions,
 * discounting them by source reliability and forgeability, fusing them
 * (cumulative, averaging, Yager, with the conflict check; pairwise and
 * n-ary), the canonical order that makes n-ary results independent of
 * input order, and reading a chain of links. Pure: no I/O, no allocation.
 */
#include "analyze/score/opinion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clamp01(double x)
{
	/* fmax returns the non-NaN argument, so NaN becomes 0 */
	return fmin(fmax(x, 0.0), 1.0);
}

struct opinion opinion_vacuous(double a)
{
	return (struct opinion){0.0, 0.0, 1.0, clamp01(a)};
}

struct opinion opinion_from_indicator(double s, enum opinion_direction dir,
				      double a)
{
	s = clamp01(s);
	if (dir == OPINION_CONTRADICTS)
		return (struct opinion){0.0, s, 1.0 - s, clamp01(a)};
	return (struct opinion){s, 0.0, 1.0 - s, clamp01(a)};
}

static bool in_unit(double x)
{
	return isfinite(x) && x >= 0.0 && x <= 1.0;
}

bool opinion_is_valid(struct opinion o)
{
	return in_unit(o.b) && in_unit(o.d) && in_unit(o.u) && in_unit(o.a) &&
	       fabs(o.b + o.d + o.u - 1.0) <= 1e-9;
}

double opinion_expectation(struct opinion o)
{
	return o.b + o.a * o.u;
}

double opinion_belief(struct opinion o)
{
	return o.b;
}

double opinion_plausibility(struct opinion o)
{
	return o.b + o.u;
}

int admiralty_reliability(char letter, double *r)
{
	static const double reliability[] = {
		0.95, /* A completely reliable */
		0.75, /* B usually reliable */
		0.50, /* C fairly reliable */
		0.25, /* D not usually reliable */
		0.00, /* E unreliable */
		0.50, /* F reliability cannot be judged: as C */
	};
	if (letter >= 'a' && letter <= 'f')
		letter = (char)(letter - 'a' + 'A');
	if (letter < 'A' || letter > 'F')
		return -1;
	*r = reliability[letter - 'A'];
	return 0;
}

double opinion_discount_factor(double r, double f, double delta)
{
	return clamp01(r * (1.0 - f * delta));
}

struct opinion opinion_discount(struct opinion o, double p)
{
	p = clamp01(p);
	return (struct opinion){p * o.b, p * o.d, 1.0 - p * (o.b + o.d), o.a};
}

/* ---- canonical order ---- */

/* Maps a double's bit pattern to an unsigned key whose order is the
 * numeric order (with -0 just below +0): a strict total order on bits. */
static uint64_t order_key(double x)
{
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	return (bits >> 63) ? ~bits : bits | (1ull << 63);
}

static int compare_double_bits(double x, double y)
{
	uint64_t kx = order_key(x), ky = order_key(y);
	return (kx > ky) - (kx < ky);
}

int opinion_compare(const struct opinion *x, const struct opinion *y)
{
	int c = compare_double_bits(x->b, y->b);
	if (c == 0)
		c = compare_double_bits(x->d, y->d);
	if (c == 0)
		c = compare_double_bits(x->u, y->u);
	if (c == 0)
		c = compare_double_bits(x->a, y->a);
	return c;
}

static int opinion_compare_void(const void *x, const void *y)
{
	return opinion_compare(x, y);
}

void opinion_sort(struct opinion *ops, size_t n)
{
	if (n > 1)
		qsort(ops, n, sizeof *ops, opinion_compare_void);
}

/* ---- pairwise fusion ---- */

static double fused_base_rate(double ax, double ay)
{
	return ax == ay ? ax : (ax + ay) / 2.0;
}

/* Puts the pair in canonical order so every pairwise rule is commutative
 * bit for bit (the rules' sums are not, once operands swap places). */
static void order_pair(struct opinion *x, struct opinion *y)
{
	if (opinion_compare(x, y) > 0) {
		struct opinion t = *x;
		*x = *y;
		*y = t;
	}
}

static struct opinion dogmatic_mean(struct opinion x, struct opinion y)
{
	return (struct opinion){(x.b + y.b) / 2.0, (x.d + y.d) / 2.0, 0.0,
				fused_base_rate(x.a, y.a)};
}

struct opinion opinion_cumulative(struct opinion x, struct opinion y)
{
	order_pair(&x, &y);
	double kappa = x.u + y.u - x.u * y.u;
	if (kappa <= 0.0)
		return dogmatic_mean(x, y);
	return (struct opinion){
		(x.b * y.u + y.b * x.u) / kappa,
		(x.d * y.u + y.d * x.u) / kappa,
		x.u * y.u / kappa,
		fused_base_rate(x.a, y.a),
	};
}

struct opinion opinion_average(struct opinion x, struct opinion y)
{
	if (opinion_compare(&x, &y) == 0)
		return x;
	order_pair(&x, &y);
	double sum_u = x.u + y.u;
	if (sum_u <= 0.0)
		return dogmatic_mean(x, y);
	return (struct opinion){
		(x.b * y.u + y.b * x.u) / sum_u,
		(x.d * y.u + y.d * x.u) / sum_u,
		2.0 * x.u * y.u / sum_u,
		fused_base_rate(x.a, y.a),
	};
}

double opinion_conflict(struct opinion x, struct opinion y)
{
	order_pair(&x, &y);
	return x.b * y.d + x.d * y.b;
}

struct opinion opinion_yager(struct opinion x, struct opinion y)
{
	order_pair(&x, &y);
	double k = x.b * y.d + x.d * y.b;
	return (struct opinion){
		x.b * y.b + x.b * y.u + x.u * y.b,
		x.d * y.d + x.d * y.u + x.u * y.d,
		x.u * y.u + k,
		fused_base_rate(x.a, y.a),
	};
}

struct opinion opinion_fuse_checked(struct opinion x, struct opinion y,
				    double threshold, bool *conflict)
{
	bool yager = opinion_conflict(x, y) > threshold + OPINION_EPS;
	if (conflict)
		*conflict = yager;
	return yager ? opinion_yager(x, y) : opinion_cumulative(x, y);
}

/* ---- streaming n-ary fusion ---- */

void opinion_acc_init(struct opinion_acc *acc)
{
	*acc = (struct opinion_acc){0};
	acc->yu = 1.0; /* empty conjunctive product: the vacuous opinion */
	acc->all_same = true;
	acc->a_same = true;
}

void opinion_acc_add(struct opinion_acc *acc, struct opinion o)
{
	if (acc->n == 0) {
		acc->first = o;
	} else {
		if (acc->all_same && opinion_compare(&acc->first, &o) != 0)
			acc->all_same = false;
		if (o.a != acc->first.a)
			acc->a_same = false;
	}
	acc->n++;
	acc->a_sum += o.a;

	/* conjunctive combination: masses on x, on ¬x, and Π u_i */
	acc->yb = acc->yb * (o.b + o.u) + acc->yu * o.b;
	acc->yd = acc->yd * (o.d + o.u) + acc->yu * o.d;
	acc->yu = acc->yu * o.u;

	if (o.u <= 0.0) {
		acc->dogmatic++;
		acc->db += o.b;
		acc->dd += o.d;
		return;
	}
	/* Weights m/u_i with m the smallest u so far keep every weight in
	 * (0, 1]: no overflow however small u gets. A new minimum rescales
	 * what was summed. */
	if (acc->n - 1 == acc->dogmatic) { /* first non-dogmatic one */
		acc->u_min = o.u;
	} else if (o.u < acc->u_min) {
		double rescale = o.u / acc->u_min;
		acc->wb *= rescale;
		acc->wd *= rescale;
		acc->w *= rescale;
		acc->u_min = o.u;
	}
	double weight = acc->u_min / o.u;
	acc->wb += o.b * weight;
	acc->wd += o.d * weight;
	acc->w += weight;
}

static double acc_base_rate(const struct opinion_acc *acc)
{
	return acc->a_same ? acc->first.a : acc->a_sum / (double)acc->n;
}

static struct opinion acc_dogmatic_mean(const struct opinion_acc *acc)
{
	double m = (double)acc->dogmatic;
	return (struct opinion){acc->db / m, acc->dd / m, 0.0,
				acc_base_rate(acc)};
}

struct opinion opinion_acc_cumulative(const struct opinion_acc *acc)
{
	if (acc->n == 0)
		return opinion_vacuous(OPINION_DEFAULT_BASE_RATE);
	if (acc->n == 1)
		return acc->first;
	if (acc->dogmatic > 0)
		return acc_dogmatic_mean(acc);
	double den = acc->u_min + acc->wb + acc->wd;
	return (struct opinion){acc->wb / den, acc->wd / den,
				acc->u_min / den, acc_base_rate(acc)};
}

struct opinion opinion_acc_average(const struct opinion_acc *acc)
{
	if (acc->n == 0)
		return opinion_vacuous(OPINION_DEFAULT_BASE_RATE);
	if (acc->all_same)
		return acc->first;
	if (acc->dogmatic > 0)
		return acc_dogmatic_mean(acc);
	return (struct opinion){acc->wb / acc->w, acc->wd / acc->w,
				(double)acc->n * acc->u_min / acc->w,
				acc_base_rate(acc)};
}

double opinion_acc_conflict(const struct opinion_acc *acc)
{
	if (acc->n < 2)
		return 0.0;
	double k = 1.0 - acc->yb - acc->yd - acc->yu;
	return k > 0.0 ? k : 0.0;
}

struct opinion opinion_acc_yager(const struct opinion_acc *acc)
{
	if (acc->n == 0)
		return opinion_vacuous(OPINION_DEFAULT_BASE_RATE);
	if (acc->n == 1)
		return acc->first;
	return (struct opinion){acc->yb, acc->yd,
				acc->yu + opinion_acc_conflict(acc),
				acc_base_rate(acc)};
}

/* ---- n-ary fusion over arrays ---- */

static void acc_sorted(struct opinion_acc *acc, struct opinion *ops,
		       size_t n)
{
	opinion_sort(ops, n);
	opinion_acc_init(acc);
	for (size_t i = 0; i < n; i++)
		opinion_acc_add(acc, ops[i]);
}

struct opinion opinion_cumulative_n(struct opinion *ops, size_t n)
{
	struct opinion_acc acc;
	acc_sorted(&acc, ops, n);
	return opinion_acc_cumulative(&acc);
}

struct opinion opinion_average_n(struct opinion *ops, size_t n)
{
	struct opinion_acc acc;
	acc_sorted(&acc, ops, n);
	return opinion_acc_average(&acc);
}

struct opinion opinion_yager_n(struct opinion *ops, size_t n)
{
	struct opinion_acc acc;
	acc_sorted(&acc, ops, n);
	return opinion_acc_yager(&acc);
}

struct opinion opinion_fuse_checked_n(struct opinion *ops, size_t n,
				      double threshold, bool *conflict)
{
	struct opinion_acc acc;
	acc_sorted(&acc, ops, n);
	bool yager = opinion_acc_conflict(&acc) > threshold + OPINION_EPS;
	if (conflict)
		*conflict = yager;
	return yager ? opinion_acc_yager(&acc) : opinion_acc_cumulative(&acc);
}

/* ---- the attribution chain ---- */

static double link_value(const struct opinion *link, bool plausibility)
{
	double v = plausibility ? link->b + link->u : link->b;
	return v + 0.0; /* -0 becomes +0 */
}

/* Product of the links' values taken in ascending order (equal values are
 * interchangeable), found by repeated selection: no copy, no sort. */
static double canonical_product(const struct opinion *links, size_t n,
				bool plausibility)
{
	double product = 1.0, last = 0.0;
	bool have_last = false;
	for (;;) {
		double best = 0.0;
		size_t count = 0;
		for (size_t i = 0; i < n; i++) {
			double v = link_value(&links[i], plausibility);
			if (have_last && !(v > last))
				continue;
			if (count == 0 || v < best) {
				best = v;
				count = 1;
			} else if (v == best) {
				count++;
			}
		}
		if (count == 0)
			return product;
		while (count-- > 0)
			product *= best;
		last = best;
		have_last = true;
	}
}

struct chain_reading chain_read(const struct opinion *links, size_t n)
{
	struct chain_reading r = {0};
	if (n == 0)
		return r;
	r.joint_bel = canonical_product(links, n, false);
	r.joint_pl = canonical_product(links, n, true);
	r.weakest_bel = link_value(&links[0], false);
	r.weakest_pl = link_value(&links[0], true);
	for (size_t i = 1; i < n; i++) {
		double bel = link_value(&links[i], false);
		double pl = link_value(&links[i], true);
		if (bel < r.weakest_bel) {
			r.weakest_bel = bel;
			r.weakest_bel_link = i;
		}
		if (pl < r.weakest_pl) {
			r.weakest_pl = pl;
			r.weakest_pl_link = i;
		}
	}
	return r;
}
