/*
 * ssh.c — SSH family: ssh.banner and ssh.hassh for both sides.
 *
 * Which flows: a TCP flow, on any port, whose first payload in either
 * direction starts with "SSH-". Each direction's stream start is
 * reassembled (at most SSH_STREAM_MAX bytes): the identification line
 * (other text lines a server sends first are skipped by the parser), then
 * the first binary packet, which must be the unencrypted KEXINIT. The
 * family lets go of a direction once its KEXINIT is read (or cannot be).
 *
 * Observations, citing the packet that completed the line or packet:
 *   ssh.banner value: the identification line without CR LF, escaped as
 *              tshark prints it; detail "side=client" or "side=server".
 *   ssh.hassh  value: HASSH (client) or HASSHServer (server), the MD5 of
 *              "kex;enc;mac;cmp" for the sender's direction (Salesforce's
 *              definition); detail "side=client impl=attrib
 *              algorithms=<that string>".
 * When our parse gives nothing for a side, ndpi.c emits nDPI's banner and
 * HASSH for it (impl=ndpi). Parser anomalies become anomaly observations
 * (layer=ssh).
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/ssh.h"

#define SSH_STREAM_MAX (32u * 1024u)

enum ssh_phase { PHASE_BANNER, PHASE_KEXINIT, PHASE_DONE };

struct ssh_ctx {
	struct ssh_banner banner;
	struct ssh_kexinit kex;
};

struct ssh_flow {
	struct stream dir[2];
	uint8_t phase[2]; /* enum ssh_phase */
};

static const char *const side_name[2] = {"client", "server"};

static int ssh_ctx_create(struct extract *x)
{
	x->ctx[FAM_SSH] = malloc(sizeof(struct ssh_ctx));
	return x->ctx[FAM_SSH] ? 0 : -1;
}

static void ssh_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_SSH]);
	x->ctx[FAM_SSH] = NULL;
}

static bool ssh_tcp_claim(const struct flow *f, enum flow_dir dir,
			  const struct cursor *payload)
{
	struct cursor c = *payload;
	uint8_t p[4];

	return cursor_copy(&c, p, sizeof(p)) && memcmp(p, "SSH-", 4) == 0;
}

static void ssh_emit_kexinit(struct extract *x, struct extract_flow *s,
			     enum flow_dir dir, const struct ssh_kexinit *k,
			     const struct packet *pkt)
{
	bool client = dir == FLOW_DIR_C2S;
	const char *hash = client ? k->hassh : k->hassh_server;

	if (!hash[0])
		return;
	snprintf(x->detail, sizeof(x->detail),
		 "side=%s impl=attrib algorithms=%s;%s;%s;%s",
		 side_name[dir], k->lists[SSH_KEX],
		 k->lists[client ? SSH_ENC_C2S : SSH_ENC_S2C],
		 k->lists[client ? SSH_MAC_C2S : SSH_MAC_S2C],
		 k->lists[client ? SSH_CMP_C2S : SSH_CMP_S2C]);
	ex_emit(x, s, OBS_SSH_HASSH, dir, hash, x->detail, pkt);
}

/* Parses what the direction's buffer holds; advances its phase. */
static void ssh_drain(struct extract *x, struct extract_flow *s,
		      struct ssh_flow *sf, enum flow_dir dir,
		      const struct packet *pkt)
{
	struct ssh_ctx *c = x->ctx[FAM_SSH];
	struct stream *st = &sf->dir[dir];
	enum ssh_status status;
	size_t used = 0;

	if (sf->phase[dir] == PHASE_BANNER) {
		status = ssh_parse_banner(st->buf, st->len, &c->banner, &used);
		if (status != SSH_STATUS_NEED_MORE)
			ex_anomalies(x, s, c->banner.anomalies, "ssh", pkt);
		if (status == SSH_STATUS_OK) {
			snprintf(x->detail, sizeof(x->detail), "side=%s",
				 side_name[dir]);
			ex_emit(x, s, OBS_SSH_BANNER, dir, c->banner.text,
				x->detail, pkt);
			stream_consume(st, used);
			sf->phase[dir] = PHASE_KEXINIT;
		} else if (status != SSH_STATUS_NEED_MORE) {
			sf->phase[dir] = PHASE_DONE;
			return;
		}
	}
	if (sf->phase[dir] == PHASE_KEXINIT && st->len > 0) {
		status = ssh_parse_kexinit(st->buf, st->len, &c->kex, &used);
		if (status != SSH_STATUS_NEED_MORE) {
			ex_anomalies(x, s, c->kex.anomalies, "ssh", pkt);
			if (status == SSH_STATUS_OK)
				ssh_emit_kexinit(x, s, dir, &c->kex, pkt);
			sf->phase[dir] = PHASE_DONE;
			return;
		}
	}
	if (sf->phase[dir] != PHASE_DONE && st->full) {
		ex_anomalies(x, s, (anomaly_set)1 << ANOM_FIELD_TOO_LONG,
			     "ssh", pkt);
		sf->phase[dir] = PHASE_DONE;
	}
}

static void ssh_packet(struct extract *x, struct extract_flow *s,
		       const struct flow *f, enum flow_dir dir,
		       const struct packet *pkt)
{
	struct ssh_flow *sf = s->fam[FAM_SSH];

	if (!sf) {
		sf = calloc(1, sizeof(*sf));
		if (!sf) {
			ex_family_done(x, s, FAM_SSH);
			return;
		}
		stream_init(&sf->dir[0], SSH_STREAM_MAX);
		stream_init(&sf->dir[1], SSH_STREAM_MAX);
		s->fam[FAM_SSH] = sf;
	}
	if (sf->phase[dir] == PHASE_DONE)
		return;
	switch (stream_feed(x, &sf->dir[dir], pkt)) {
	case STREAM_DATA:
		ssh_drain(x, s, sf, dir, pkt);
		break;
	case STREAM_GAP:
		x->stats.streams_gap++;
		sf->phase[dir] = PHASE_DONE;
		break;
	case STREAM_REFUSED:
		sf->phase[dir] = PHASE_DONE;
		break;
	case STREAM_NOTHING:
		break;
	}
	if (sf->phase[dir] == PHASE_DONE)
		stream_free(x, &sf->dir[dir]);
	if (sf->phase[0] == PHASE_DONE && sf->phase[1] == PHASE_DONE)
		ex_family_done(x, s, FAM_SSH);
}

static void ssh_flow_free(struct extract *x, struct extract_flow *s)
{
	struct ssh_flow *sf = s->fam[FAM_SSH];

	if (!sf)
		return;
	stream_free(x, &sf->dir[0]);
	stream_free(x, &sf->dir[1]);
	free(sf);
	s->fam[FAM_SSH] = NULL;
}

const struct extractor extract_ssh = {
	.name = "ssh",
	.ctx_create = ssh_ctx_create,
	.ctx_destroy = ssh_ctx_destroy,
	.tcp_claim = ssh_tcp_claim,
	.packet = ssh_packet,
	.flow_free = ssh_flow_free,
};
