/*
 * opinion.h — subjective-logic opinions and the arithmetic attrib scores
 * attribution hypotheses with (docs/scoring.md gives the formulas, the
 * choices made where DESIGN.md is silent, and a worked example).
 *
 * An opinion (b, d, u, a) about "this link of the attribution chain holds"
 * has belief b, disbelief d and uncertainty u with b + d + u = 1, and a
 * base rate a. Everything here is pure: no I/O, no allocation, no global
 * state, so any function may be called from any thread.
 *
 * Files: opinion.c (constructors, discounting, fusion, chain),
 * link_fusion.c (class-based fusion of one link's evidence), beta.c (Beta
 * credible intervals), judgement.c (ICD 203 phrases, confidence, STIX
 * confidence, legal standards).
 *
 * Reproducibility: every n-ary function gives a bit-identical result for
 * any permutation of its input, because it first puts the input into a
 * canonical order (opinion_compare()) and then combines it in that order.
 * Pairwise fusion is bit-identically commutative.
 *
 * Thresholds: where a value is compared with a threshold (conflict,
 * confidence, ICD 203 bands, legal standards, false flag), a value within
 * OPINION_EPS of the threshold counts as on it, so rounding noise from
 * fusion never flips a verdict.
 */
#ifndef ATTRIB_OPINION_H
#define ATTRIB_OPINION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPINION_DEFAULT_BASE_RATE 0.5
#define OPINION_CONFLICT_THRESHOLD 0.10 /* K above this: CONFLICT */
#define OPINION_CHEAP_FORGEABILITY 0.5  /* f at or above: cheap class */
#define OPINION_FALSE_FLAG_MIN_NET 0.05 /* |b - d| for a class to "point" */
#define OPINION_EPS 1e-9                /* threshold comparison tolerance */
/* Deception prior floor for cheap items (f ≥ 0.5): with R ≤ .95,
 * p = R(1 - f·δ) ≤ 0.5 exactly when δ ≥ 2(1 - 0.5/0.95) (docs/scoring.md
 * "Bounds"). */
#define OPINION_DELTA_CHEAP_FLOOR (2.0 * (1.0 - 0.5 / 0.95))

struct opinion {
	double b; /* belief */
	double d; /* disbelief */
	double u; /* uncertainty; b + d + u = 1 */
	double a; /* base rate (prior probability without evidence) */
};

enum opinion_direction {
	OPINION_SUPPORTS,    /* the indicator speaks for the link */
	OPINION_CONTRADICTS, /* the indicator speaks against it */
};

/* ---- constructors and readings (opinion.c) ---- */

/* The opinion of no evidence: (0, 0, 1, a). a is clamped to [0, 1]. */
struct opinion opinion_vacuous(double a);

/* One matched indicator of specificity s: (s, 0, 1 - s, a) when it
 * supports, (0, s, 1 - s, a) when it contradicts. s and a are clamped to
 * [0, 1]; NaN counts as 0. */
struct opinion opinion_from_indicator(double s, enum opinion_direction dir,
				      double a);

/* True when every field is finite and in [0, 1] and |b + d + u - 1| is at
 * most 1e-9. Every other function assumes valid opinions. */
bool opinion_is_valid(struct opinion o);

/* Expectation P = b + a·u (the mean of the Beta that opinion_beta()
 * gives). */
double opinion_expectation(struct opinion o);

/* Belief Bel = b, and plausibility Pl = b + u (= 1 - d). */
double opinion_belief(struct opinion o);
double opinion_plausibility(struct opinion o);

/* Source reliability R for an Admiralty reliability letter: A .95, B .75,
 * C .50, D .25, E 0, F .50 (F, "cannot be judged", gets C's value).
 * Lower case is accepted. Returns 0 and sets *r, or -1 (and leaves *r) for
 * any other character. */
int admiralty_reliability(char letter, double *r);

/* Discount factor p = R·(1 - f·δ) for reliability R, forgeability f and
 * deception prior δ (default 1), clamped to [0, 1]. */
double opinion_discount_factor(double r, double f, double delta);

/* Discounting by p: b' = p·b, d' = p·d, u' = 1 - p(b + d), a unchanged.
 * p is clamped to [0, 1]. */
struct opinion opinion_discount(struct opinion o, double p);

/* ---- pairwise fusion (opinion.c) ----
 * Each is bit-identically commutative: fuse(x, y) == fuse(y, x). The base
 * rate of a result is the inputs' common base rate, or their mean when
 * they differ (attrib uses one base rate per hypothesis). */

/* Cumulative fusion (independent sources; evidence adds up):
 * κ = ux + uy - ux·uy, b = (bx·uy + by·ux)/κ, d likewise, u = ux·uy/κ.
 * κ = 0 means both are dogmatic (u = 0): the result is their mean,
 * ((bx + by)/2, (dx + dy)/2, 0), the limit of the formula when ux and uy
 * go to 0 together. */
struct opinion opinion_cumulative(struct opinion x, struct opinion y);

/* Averaging fusion (dependent sources; evidence is averaged):
 * b = (bx·uy + by·ux)/(ux + uy), d likewise, u = 2·ux·uy/(ux + uy).
 * ux + uy = 0 (both dogmatic): their mean, as for cumulative fusion.
 * Identical inputs return that same opinion, bit for bit. */
struct opinion opinion_average(struct opinion x, struct opinion y);

/* Conflict K = bx·dy + dx·by, in [0, 1]. */
double opinion_conflict(struct opinion x, struct opinion y);

/* Yager's rule (conflict becomes uncertainty, never renormalised away):
 * b = bx·by + bx·uy + ux·by, d = dx·dy + dx·uy + ux·dy,
 * u = ux·uy + K. Always u ≥ ux·uy; and u ≥ the cumulative u whenever
 * K ≥ 0.0902, so in particular whenever opinion_fuse_checked() picks it.
 * It can lower u below both inputs' u (docs/scoring.md). */
struct opinion opinion_yager(struct opinion x, struct opinion y);

/* Cumulative fusion unless K > threshold (+ OPINION_EPS), then Yager's
 * rule. *conflict (if not NULL) is set to whether Yager was used.
 * Pass OPINION_CONFLICT_THRESHOLD for the default. */
struct opinion opinion_fuse_checked(struct opinion x, struct opinion y,
				    double threshold, bool *conflict);

/* ---- canonical order ---- */

/* Total order on opinions by (b, d, u, a), each compared by its IEEE-754
 * bit pattern (so -0 < +0 and the order is strict for distinct bits).
 * Returns <0, 0 or >0; 0 only for bit-identical opinions. */
int opinion_compare(const struct opinion *x, const struct opinion *y);

/* Sorts ops into the canonical order above. */
void opinion_sort(struct opinion *ops, size_t n);

/* ---- streaming n-ary fusion (opinion.c) ----
 * Feed opinions one by one, then read any of the results. Results are
 * exact closed forms, not pairwise folds, so none depends on the order in
 * exact arithmetic; feed in canonical order for bit-reproducibility (the
 * array functions below do). The struct is a value: copy it freely. */
struct opinion_acc {
	size_t n;          /* opinions fed */
	size_t dogmatic;   /* of which with u == 0 */
	double u_min;      /* smallest nonzero u fed */
	double wb, wd, w;  /* Σ b_i·m/u_i, Σ d_i·m/u_i, Σ m/u_i, m = u_min */
	double db, dd;     /* Σ b_i, Σ d_i over the dogmatic ones */
	double yb, yd, yu; /* conjunctive masses on x, ¬x, and Π u_i */
	double a_sum;      /* Σ a_i */
	struct opinion first;
	bool all_same;     /* every opinion fed is bit-identical to first */
	bool a_same;       /* every base rate fed equals first.a */
};

/* Starts an empty accumulator. */
void opinion_acc_init(struct opinion_acc *acc);

/* Adds one opinion. */
void opinion_acc_add(struct opinion_acc *acc, struct opinion o);

/* Cumulative fusion of all n fed: b = B/(1 + B + D), d = D/(1 + B + D),
 * u = 1/(1 + B + D) with B = Σ b_i/u_i, D = Σ d_i/u_i (the pairwise rule
 * applied n - 1 times, in closed form). If any is dogmatic, the mean of
 * the dogmatic ones. n = 1: that opinion; n = 0: vacuous, base rate 0.5. */
struct opinion opinion_acc_cumulative(const struct opinion_acc *acc);

/* Averaging fusion of all n fed: b = Σ w_i·b_i / Σ w_i, d likewise, with
 * weights w_i = 1/u_i, and u = n / Σ 1/u_i (the harmonic mean of the u_i).
 * Any dogmatic: the mean of the dogmatic ones. All identical: that
 * opinion, bit for bit. n = 0: vacuous, base rate 0.5. */
struct opinion opinion_acc_average(const struct opinion_acc *acc);

/* Yager's rule for n sources: the conjunctive combination
 * b = Π(b_i + u_i) - Π u_i, d = Π(d_i + u_i) - Π u_i, and the conflict
 * K_n = 1 - b - d - Π u_i goes to u = Π u_i + K_n. For n = 2 this is
 * opinion_yager(). Not a pairwise fold, so no fold order matters. */
struct opinion opinion_acc_yager(const struct opinion_acc *acc);

/* The n-source conflict K_n above (0 for n < 2); for n = 2 it equals
 * opinion_conflict(). */
double opinion_acc_conflict(const struct opinion_acc *acc);

/* ---- n-ary fusion over arrays (opinion.c) ----
 * Each sorts ops in place into canonical order (the caller's order is not
 * kept; the opinions themselves are untouched) and returns the
 * corresponding opinion_acc_* result. n = 0 gives the vacuous opinion with
 * base rate 0.5. */
struct opinion opinion_cumulative_n(struct opinion *ops, size_t n);
struct opinion opinion_average_n(struct opinion *ops, size_t n);
struct opinion opinion_yager_n(struct opinion *ops, size_t n);

/* Cumulative fusion of all n unless K_n > threshold (+ OPINION_EPS), then
 * n-source Yager; *conflict (if not NULL) says which. Sorts ops. */
struct opinion opinion_fuse_checked_n(struct opinion *ops, size_t n,
				      double threshold, bool *conflict);

/* ---- one link's evidence (link_fusion.c) ---- */

struct link_evidence {
	struct opinion op; /* already discounted */
	double f;          /* forgeability of the indicator kind, 0..1 */
	uint64_t source;   /* independent information source */
	uint64_t ref;      /* the caller's tag (e.g. an indicator id); unused */
};

struct link_fusion_params {
	double base_rate;          /* of the vacuous opinion when n = 0 */
	double cheap_f;            /* f ≥ this: cheap class */
	double conflict_threshold; /* K > this: CONFLICT (measured only) */
	double false_flag_min_net; /* |b - d| ≥ this: the class points */
};

/* base rate 0.5, cheap f 0.5, conflict 0.10, false-flag net 0.05 */
extern const struct link_fusion_params LINK_FUSION_DEFAULTS;

enum link_flag {
	LINK_FLAG_CONFLICT = 1u << 0,   /* some K > conflict_threshold */
	LINK_FLAG_FALSE_FLAG = 1u << 1, /* cheap and costly point apart */
};

struct link_fusion {
	struct opinion fused;  /* the link's opinion */
	struct opinion cheap;  /* cheap class (vacuous if empty) */
	struct opinion costly; /* costly class (vacuous if empty) */
	size_t cheap_items;    /* distinct cheap opinions used */
	size_t costly_items;   /* distinct (source, opinion) costly used */
	size_t costly_sources; /* distinct sources among costly items */
	double max_conflict;   /* largest K met at a conflict check */
	unsigned flags;        /* enum link_flag bits */
};

/*
 * Fuses one hypothesis's evidence on a link in binomial form (attrib
 * score uses the frame of frame.h; this is the same fusion for a frame
 * of one hypothesis):
 *  - cheap items (f ≥ cheap_f) form one common-cause class: averaging
 *    fusion of their distinct opinions;
 *  - costly items: averaging fusion of the distinct opinions within each
 *    source, then cumulative fusion across sources;
 *  - the two classes: cumulative fusion; a class with no items is left
 *    out (one class alone is the result; none: vacuous with
 *    params->base_rate).
 * Conflict K is measured at both steps (max_conflict) and K >
 * conflict_threshold raises CONFLICT; it never switches the rule, so an
 * agreeing source never lowers belief.
 * Bit-identical opinions in the same averaging group (the cheap class, or
 * one source's costly items) count once, so repeating evidence never
 * changes the result. FALSE_FLAG: both classes present and one has
 * b - d ≥ false_flag_min_net while the other has d - b ≥ it.
 * params NULL means LINK_FUSION_DEFAULTS. Sorts items in place into a
 * canonical order (their contents are untouched), so the result is
 * bit-identical for any input order. Fills *out; never fails.
 */
void link_fuse(struct link_evidence *items, size_t n,
	       const struct link_fusion_params *params,
	       struct link_fusion *out);

/* ---- the attribution chain (opinion.c) ---- */

struct chain_reading {
	double joint_bel, joint_pl;     /* Π b_i, Π (b_i + u_i) */
	double weakest_bel, weakest_pl; /* min b_i, min (b_i + u_i) */
	size_t weakest_bel_link;        /* first index reaching the min */
	size_t weakest_pl_link;
};

/* Reads a chain of n links. Products are taken in ascending order of the
 * factors, so they are bit-identical for any order of links. A link with
 * no evidence (vacuous) makes joint_bel exactly 0. n = 0: all zero (no
 * chain is no support). */
struct chain_reading chain_read(const struct opinion *links, size_t n);

/* ---- Beta credible interval (beta.c) ---- */

struct interval {
	double lo, hi;
};

/* The Beta an opinion maps to, with prior weight W = 2:
 * r = 2b/u, s = 2d/u, α = r + 2a, β = s + 2(1 - a); its mean is
 * opinion_expectation(). Returns false (α, β untouched) when u is below
 * 1e-12: a dogmatic opinion has no proper Beta. */
bool opinion_beta(struct opinion o, double *alpha, double *beta);

/* Regularized incomplete beta I_x(α, β) for α, β > 0 (continued fraction,
 * modified Lentz). x ≤ 0 gives 0, x ≥ 1 gives 1. */
double beta_cdf(double x, double alpha, double beta);

/* The p-quantile of Beta(α, β), 0 < p < 1, α, β > 0, to about 1e-12
 * (safeguarded Newton on beta_cdf()). */
double beta_quantile(double p, double alpha, double beta);

/* 90% equal-tailed credible interval [5%, 95% quantile] of
 * opinion_beta(o). Dogmatic (u < 1e-12): [P, P]. If α or β is below
 * 1e-300 (a = 0 with b = 0, or a = 1 with d = 0) the mass sits at 0 or
 * 1 and the interval is that point. */
struct interval opinion_ci90(struct opinion o);

/* ---- reading an opinion for people (judgement.c) ---- */

enum icd203 {
	ICD203_CANNOT_JUDGE,
	ICD203_ALMOST_NO_CHANCE, /* [0, .05) */
	ICD203_VERY_UNLIKELY,    /* [.05, .20) */
	ICD203_UNLIKELY,         /* [.20, .45) */
	ICD203_ROUGHLY_EVEN,     /* [.45, .55) */
	ICD203_LIKELY,           /* [.55, .80) */
	ICD203_VERY_LIKELY,      /* [.80, .95) */
	ICD203_ALMOST_CERTAIN,   /* [.95, 1] */
};

/* The ICD 203 band a probability falls in; each band includes its lower
 * edge (within OPINION_EPS) and excludes its upper one. */
enum icd203 icd203_band(double p);

/* The phrase for an opinion: ICD203_CANNOT_JUDGE when Pl - Bel (= u) >
 * 0.5, otherwise the band of the expectation P (the mean of the Beta whose
 * 90% interval opinion_ci90() gives). */
enum icd203 opinion_icd203(struct opinion o);

/* "almost no chance", ..., "cannot judge"; static storage. */
const char *icd203_phrase(enum icd203 band);

/* The ICD 203 words for the interval [bel, pl] (DESIGN.md): "cannot
 * judge" when pl - bel > 0.5; the band's phrase when both ends fall in
 * one band; else "between B1 and B2" ("between unlikely and very
 * likely"). Writes at most size bytes to out, NUL-terminated. */
void icd203_interval_text(double bel, double pl, char *out, size_t size);

enum confidence_level {
	CONFIDENCE_LOW,
	CONFIDENCE_MODERATE,
	CONFIDENCE_HIGH,
};

/* From u: high when u ≤ .10, moderate when u ≤ .35, else low. */
enum confidence_level opinion_confidence(struct opinion o);

/* "low", "moderate", "high"; static storage. */
const char *confidence_name(enum confidence_level level);

/* STIX 2.1 confidence: round(100·b), halves up, in 0..100. */
int opinion_stix_confidence(struct opinion o);

struct legal_standard {
	const char *name;
	double threshold;
	bool strict; /* met when Bel > threshold, else when Bel ≥ threshold */
};

/* preponderance of the evidence > .50, clear and convincing ≥ .75,
 * beyond reasonable doubt ≥ .90, ICJ fully conclusive ≥ .95 */
#define LEGAL_STANDARDS_DEFAULT_COUNT 4
extern const struct legal_standard
	LEGAL_STANDARDS_DEFAULT[LEGAL_STANDARDS_DEFAULT_COUNT];

struct legal_verdict {
	bool met;       /* on Bel: ignorance earns no credit */
	double gap;     /* max(0, threshold - Bel); 0 when met */
	bool reachable; /* the standard's test passes on Pl: more evidence
			 * could still meet it */
};

/* Judges one opinion against std, with Bel = b and Pl = b + u. */
struct legal_verdict legal_assess(const struct legal_standard *std,
				  struct opinion o);

/* The same from a belief and a plausibility, e.g. a chain's joint or
 * weakest-link reading from chain_read(). */
struct legal_verdict legal_assess_bel_pl(const struct legal_standard *std,
					 double bel, double pl);

#endif
