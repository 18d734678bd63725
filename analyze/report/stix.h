/*
 * stix.h — what the STIX export's files share (stix_ids.c, stix_out.c).
 * Not for use outside analyze/report/.
 */
#ifndef ATTRIB_REPORT_STIX_H
#define ATTRIB_REPORT_STIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "analyze/intel/stix/stix.h" /* stix_is_id() */

/* The STIX 2.1 namespace of cyber-observable ids. */
extern const uint8_t stix_ns[16];

/* "type--" + the version-5 UUID of name in namespace ns, into out (n
 * bytes, 80 are enough for every STIX type). false when out of memory or
 * libgcrypt is unusable. */
bool stix_uuid5(const uint8_t ns[16], const char *type, const char *name,
		char *out, size_t n);
/* The id of an SDO or SRO: stix_uuid5 of "attrib:HEAD:KEY" (HEAD the
 * case's chain head), so the same case at the same head gives the same
 * ids. */
bool stix_sdo_id(const char *head, const char *type, const char *key,
		 char *out, size_t n);

/* The SCO type of TLS and SSH fingerprints, defined by attrib's
 * extension-definition (a new-sco extension): one property per
 * fingerprint, ja3, ja3s, ja4 or hassh. */
#define STIX_FINGERPRINT_TYPE "x-attrib-fingerprint"
/* The property of STIX_FINGERPRINT_TYPE holding a kind's value, or NULL
 * when the kind is no fingerprint. */
const char *stix_fingerprint_property(const char *kind);

/* The STIX object holding one indicator value. */
struct stix_observable {
	char type[32];   /* ipv4-addr, domain-name, ... x-attrib-indicator */
	json_t *props;   /* its id-contributing properties (caller frees) */
	char path[96];   /* the object path a pattern compares */
};
/* Fills o for a value of an attrib indicator kind; 0, or -1 when out of
 * memory. Kinds without a STIX object get x-attrib-indicator {kind,
 * value}. */
int stix_observable_of(const char *kind, const char *value,
		       struct stix_observable *o);
/* "[path = 'value']" (and the kind for x-attrib-indicator), with ' and \
 * escaped in the literals. malloc'd; NULL when out of memory. */
char *stix_pattern_of(const struct stix_observable *o, const char *kind,
		      const char *value);

#endif
