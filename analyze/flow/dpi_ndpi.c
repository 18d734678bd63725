/*
 * dpi_ndpi.c — dpi.h implemented with nDPI 4.2; the only file in attrib
 * that includes ndpi_api.h.
 *
 * How packets are given to nDPI, so that per-flow results agree with the
 * library's reference reader (ndpiReader) on the same capture:
 *   - the innermost IP datagram is passed (IP header first), with the
 *     capture time in milliseconds; nDPI works out the direction itself;
 *   - every packet of the flow counts, payload or not, except packets the
 *     reference reader never sees: non-first fragments (they carry no L4
 *     header) and datagrams cut short by the snap length;
 *   - detection stops when nDPI has an answer and no further dissection
 *     (certificates, DNS answers, ...) is possible, or after more than 80
 *     TCP / 24 UDP packets; flows of other L4 protocols run until the end;
 *   - nDPI's guess (ports, addresses) is asked for only when detection
 *     stops without an answer, or when the flow ends before it stopped.
 *
 * Per flow the state is a single allocation holding nDPI's flow struct;
 * nDPI's own buffers hung on it (URL, certificate names, reassembly) are
 * released by dpi_flow_free. Metadata is read from the struct on request.
 */
#include "analyze/flow/dpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

/* Packets after which detection gives up (ndpiReader's -T / -U defaults). */
enum { DPI_TCP_MAX_PACKETS = 80, DPI_UDP_MAX_PACKETS = 24 };

/* Largest datagram nDPI accepts (its length argument is 16 bits). */
enum { DPI_MAX_IP_LEN = 65535 };

struct dpi {
	struct ndpi_detection_module_struct *ndpi; /* NULL after a failed
						      dpi_forget() */
	bool used; /* a flow was started since the module was made */
};

struct dpi_flow {
	ndpi_protocol proto;    /* nDPI's latest answer */
	uint32_t packets_seen;  /* packets given to nDPI */
	uint8_t l4_proto;       /* of the first packet given */
	bool done;              /* detection stopped; proto is final */
	bool guessed;           /* proto came from nDPI's guess */
	struct ndpi_flow_struct ndpi;
};

/* A detection module with every protocol enabled; NULL when out of memory. */
static struct ndpi_detection_module_struct *new_module(void)
{
	struct ndpi_detection_module_struct *n =
		ndpi_init_detection_module(ndpi_no_prefs);
	if (!n)
		return NULL;
	NDPI_PROTOCOL_BITMASK all;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(n, &all);
	ndpi_finalize_initialization(n);
	return n;
}

struct dpi *dpi_create(char *err, size_t errlen)
{
	struct dpi *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->ndpi = new_module();
	if (!d->ndpi) {
		snprintf(err, errlen, "nDPI: cannot create detection module");
		free(d);
		return NULL;
	}
	return d;
}

/*
 * nDPI keeps what it learnt in its module, out of reach of its public
 * API (the caches are inside a struct only the library may see), so the
 * module is replaced: about 20 ms, once per source.
 */
int dpi_forget(struct dpi *d)
{
	if (d->ndpi && !d->used)
		return 0; /* nothing learnt yet */
	/* the old module goes first, so the new one reuses its memory (one
	 * module's worth per worker, not two) */
	if (d->ndpi)
		ndpi_exit_detection_module(d->ndpi);
	d->ndpi = new_module();
	d->used = false;
	return d->ndpi ? 0 : -1;
}

void dpi_destroy(struct dpi *d)
{
	if (!d)
		return;
	if (d->ndpi)
		ndpi_exit_detection_module(d->ndpi);
	free(d);
}

const char *dpi_version(void)
{
	return ndpi_revision();
}

struct dpi_flow *dpi_flow_new(struct dpi *d)
{
	if (!d->ndpi)
		return NULL; /* dpi_forget() failed: out of memory */
	d->used = true;
	return calloc(1, sizeof(struct dpi_flow));
}

void dpi_flow_free(struct dpi_flow *f)
{
	if (!f)
		return;
	ndpi_free_flow_data(&f->ndpi);
	free(f);
}

/*
 * True when the reference reader would hand this packet to nDPI: an IP
 * datagram captured whole, and not a fragment that lacks the L4 header.
 */
static bool packet_for_dpi(const struct packet *pkt)
{
	if (pkt->ip_version != 4 && pkt->ip_version != 6)
		return false;
	if (pkt->flags & PKT_TRUNCATED_L3)
		return false;
	if ((pkt->flags & PKT_FRAGMENT) && !(pkt->flags & PKT_FIRST_FRAGMENT))
		return false;
	if (pkt->ip_offset > pkt->caplen ||
	    pkt->ip_len > pkt->caplen - pkt->ip_offset)
		return false;
	return pkt->ip_len >= 20;
}

static bool enough_packets(const struct dpi_flow *f)
{
	if (f->l4_proto == 6)
		return f->packets_seen > DPI_TCP_MAX_PACKETS;
	if (f->l4_proto == 17)
		return f->packets_seen > DPI_UDP_MAX_PACKETS;
	return false;
}

/* Stops detection; asks nDPI for its guess when it found nothing. */
static void finish(struct dpi *d, struct dpi_flow *f)
{
	if (f->done)
		return;
	if (f->proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t was_guessed = 0;
		f->proto = ndpi_detection_giveup(d->ndpi, &f->ndpi, 1,
						 &was_guessed);
		f->guessed = was_guessed != 0;
	}
	f->done = true;
}

bool dpi_feed(struct dpi *d, struct dpi_flow *f, const struct packet *pkt,
	      int dir)
{
	(void)dir; /* nDPI derives direction from the addresses itself */
	if (f->done)
		return false;
	if (!packet_for_dpi(pkt))
		return true;
	if (f->packets_seen == 0)
		f->l4_proto = pkt->l4_proto;
	f->packets_seen++;
	uint32_t len = pkt->ip_len;
	if (len > DPI_MAX_IP_LEN)
		len = DPI_MAX_IP_LEN;
	f->proto = ndpi_detection_process_packet(
		d->ndpi, &f->ndpi, pkt->data + pkt->ip_offset,
		(unsigned short)len, pkt->ts_us / 1000);
	bool enough = enough_packets(f);
	if (!enough && f->proto.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return true;
	if (!enough && ndpi_extra_dissection_possible(d->ndpi, &f->ndpi))
		return true;
	finish(d, f);
	return false;
}

void dpi_result(struct dpi *d, struct dpi_flow *f, struct dpi_result *out)
{
	finish(d, f);
	memset(out, 0, sizeof *out);
	out->master_id = f->proto.master_protocol;
	out->app_id = f->proto.app_protocol;
	ndpi_protocol2name(d->ndpi, f->proto, out->proto, sizeof out->proto);
	const char *cat = ndpi_category_get_name(d->ndpi, f->proto.category);
	snprintf(out->category, sizeof out->category, "%s",
		 cat ? cat : "Unspecified");
	out->risk = f->ndpi.risk;
	out->guessed = f->guessed;
	out->packets_seen = f->packets_seen;
}

const char *dpi_risk_name(unsigned r)
{
	if (r >= NDPI_MAX_RISK)
		return "";
	const char *name = ndpi_risk2str((ndpi_risk_enum)r);
	return name ? name : "";
}

/* --- metadata -------------------------------------------------------- */

/* Bounded copy of a string that may lack its NUL within max bytes. */
static void copy_field(char *dst, size_t dstlen, const char *src, size_t max)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	size_t n = strnlen(src, max);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define COPY_ARRAY(dst, arr) copy_field((dst), sizeof(dst), (arr), sizeof(arr))
#define COPY_PTR(dst, ptr) copy_field((dst), sizeof(dst), (ptr), sizeof(dst))

static bool stack_has(const struct ndpi_flow_struct *nf, uint16_t id)
{
	return nf->detected_protocol_stack[0] == id ||
	       nf->detected_protocol_stack[1] == id;
}

/*
 * nDPI keeps TLS/QUIC data in a union shared with other protocols; it is
 * valid only for these protocols (the ones whose strings nDPI itself
 * frees from that part of the union).
 */
static bool tls_data_valid(const struct ndpi_flow_struct *nf)
{
	static const uint16_t ids[] = {
		NDPI_PROTOCOL_TLS,        NDPI_PROTOCOL_QUIC,
		NDPI_PROTOCOL_DTLS,       NDPI_PROTOCOL_MAIL_POPS,
		NDPI_PROTOCOL_MAIL_SMTPS, NDPI_PROTOCOL_MAIL_IMAPS,
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (stack_has(nf, ids[i]))
			return true;
	return false;
}

static void hex_encode(char *dst, size_t dstlen, const uint8_t *src,
		       size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 2 < dstlen; i++) {
		dst[o++] = digits[src[i] >> 4];
		dst[o++] = digits[src[i] & 15];
	}
	dst[o] = '\0';
}

static void meta_tls(const struct ndpi_flow_struct *nf, struct dpi_meta *m)
{
	COPY_ARRAY(m->ja3_client, nf->protos.tls_quic.ja3_client);
	COPY_ARRAY(m->ja3_server, nf->protos.tls_quic.ja3_server);
	COPY_PTR(m->tls_alpn, nf->protos.tls_quic.alpn);
	COPY_PTR(m->cert_subject, nf->protos.tls_quic.subjectDN);
	COPY_PTR(m->cert_issuer, nf->protos.tls_quic.issuerDN);
	COPY_PTR(m->cert_names, nf->protos.tls_quic.server_names);
	const uint8_t *sha1 = nf->protos.tls_quic.sha1_certificate_fingerprint;
	uint8_t any = 0;
	for (size_t i = 0; i < 20; i++)
		any |= sha1[i];
	if (any)
		hex_encode(m->cert_sha1, sizeof m->cert_sha1, sha1, 20);
	m->tls_version = nf->protos.tls_quic.ssl_version;
	m->cert_not_before = nf->protos.tls_quic.notBefore;
	m->cert_not_after = nf->protos.tls_quic.notAfter;
}

bool dpi_meta(const struct dpi_flow *f, struct dpi_meta *out)
{
	memset(out, 0, sizeof *out);
	if (!f->done)
		return false;
	const struct ndpi_flow_struct *nf = &f->ndpi;
	COPY_ARRAY(out->host, nf->host_server_name);
	COPY_PTR(out->http_url, nf->http.url);
	COPY_PTR(out->http_user_agent, nf->http.user_agent);
	if (nf->http.method != NDPI_HTTP_METHOD_UNKNOWN) {
		const char *m = ndpi_http_method2str(nf->http.method);
		COPY_PTR(out->http_method, m);
	}
	out->http_status = nf->http.response_status_code;
	if (tls_data_valid(nf)) {
		meta_tls(nf, out);
	} else if (stack_has(nf, NDPI_PROTOCOL_SSH)) {
		COPY_ARRAY(out->ssh_client, nf->protos.ssh.client_signature);
		COPY_ARRAY(out->ssh_server, nf->protos.ssh.server_signature);
		COPY_ARRAY(out->hassh_client, nf->protos.ssh.hassh_client);
		COPY_ARRAY(out->hassh_server, nf->protos.ssh.hassh_server);
	} else if (stack_has(nf, NDPI_PROTOCOL_DNS) ||
		   stack_has(nf, NDPI_PROTOCOL_LLMNR) ||
		   stack_has(nf, NDPI_PROTOCOL_MDNS)) {
		out->dns_valid = true;
		out->dns_query_type = nf->protos.dns.query_type;
		out->dns_reply_code = nf->protos.dns.reply_code;
		out->dns_is_query = nf->protos.dns.is_query != 0;
		out->dns_answers = nf->protos.dns.num_answers;
	}
	return true;
}
