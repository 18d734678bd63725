/*
 * eve.c — observations as Suricata eve-style events (`attrib indicators
 * --eve`; docs/json-output.md). Each observation becomes one event with
 * Suricata's common fields (timestamp, flow_id, pcap_cnt, event_type,
 * src_ip, src_port, dest_ip, dest_port, proto, community_id) and the
 * protocol object Suricata writes for the same fact (dns, tls, http,
 * ssh); kinds Suricata has no event for use event_type "attrib". Every
 * event also carries an "attrib" object citing the evidence (kind, value,
 * detail, observation id, source SHA-256, frame, offset).
 */
#include "cli/eve.h"

#include <string.h>

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

/* detail[key] if present, else NULL (borrowed). */
static json_t *dget(json_t *detail, const char *key)
{
	return detail ? json_object_get(detail, key) : NULL;
}

static int copy(json_t *to, const char *key, json_t *detail,
		const char *dkey)
{
	json_t *v = dget(detail, dkey);
	return v ? json_object_set(to, key, v) : 0;
}

/* "SSH-2.0-OpenSSH_8.9" -> proto_version "2.0", software_version
 * "OpenSSH_8.9", as Suricata splits it. */
static int ssh_banner(json_t *side, const char *banner)
{
	if (strncmp(banner, "SSH-", 4) != 0)
		return set(side, "software_version", json_string(banner));
	const char *v = banner + 4, *dash = strchr(v, '-');
	if (!dash)
		return set(side, "proto_version", json_string(v));
	return set(side, "proto_version", json_stringn(v, (size_t)(dash - v))) |
	       set(side, "software_version", json_string(dash + 1));
}

/* Adds event_type and the protocol object for kind. */
static int protocol_object(json_t *ev, const char *kind, const char *value,
			   json_t *detail)
{
	json_t *p = json_object();
	const char *type = NULL;
	int rc = p ? 0 : -1;
	if (!p)
		return -1;
	if (!strcmp(kind, "dns.query") || !strcmp(kind, "dns.answer")) {
		type = "dns";
		bool answer = !strcmp(kind, "dns.answer");
		json_t *msg = dget(detail, "msg");
		rc |= set(p, "type",
			  json_string(answer || (msg && json_is_string(msg) &&
						 !strcmp(json_string_value(msg),
							 "response"))
					      ? "answer"
					      : "query"));
		rc |= copy(p, "id", detail, "id");
		if (answer) {
			rc |= copy(p, "rrname", detail, "name");
			rc |= copy(p, "rrtype", detail, "type");
			rc |= copy(p, "ttl", detail, "ttl");
			rc |= set(p, "rdata", json_string(value));
		} else {
			rc |= set(p, "rrname", json_string(value));
			rc |= copy(p, "rrtype", detail, "qtype");
		}
		rc |= copy(p, "rcode", detail, "rcode");
	} else if (!strncmp(kind, "tls.", 4)) {
		type = "tls";
		const char *f = kind + 4;
		if (!strcmp(f, "sni")) {
			rc |= set(p, "sni", json_string(value));
		} else if (!strcmp(f, "ja3") || !strcmp(f, "ja3s")) {
			json_t *j = json_object();
			rc |= j ? 0 : -1;
			rc |= set(j, "hash", json_string(value));
			rc |= copy(j, "string", detail, f);
			rc |= set(p, f, j);
		} else if (!strcmp(f, "ja4")) {
			rc |= set(p, "ja4", json_string(value));
		} else if (!strcmp(f, "cert.sha1")) {
			char colon[3 * 20 + 1];
			size_t n = strlen(value), o = 0;
			for (size_t i = 0; i + 1 < n && o + 3 < sizeof colon;
			     i += 2) {
				if (o)
					colon[o++] = ':';
				colon[o++] = value[i];
				colon[o++] = value[i + 1];
			}
			colon[o] = '\0';
			rc |= set(p, "fingerprint", json_string(colon));
		} else if (!strcmp(f, "cert.subject")) {
			rc |= set(p, "subject", json_string(value));
		} else if (!strcmp(f, "cert.issuer")) {
			rc |= set(p, "issuerdn", json_string(value));
		} else if (!strcmp(f, "alpn")) {
			json_t *a = json_array();
			rc |= a ? json_array_append_new(a, json_string(value)) : -1;
			rc |= set(p, "client_alpns", a);
		} else {
			rc |= set(p, f, json_string(value));
		}
	} else if (!strncmp(kind, "http.", 5)) {
		type = "http";
		const char *f = kind + 5;
		rc |= set(p, !strcmp(f, "host")         ? "hostname"
			     : !strcmp(f, "user_agent") ? "http_user_agent"
			     : !strcmp(f, "url")        ? "url"
							: f,
			  json_string(value));
		rc |= copy(p, "http_method", detail, "method");
		rc |= copy(p, "protocol", detail, "version");
	} else if (!strncmp(kind, "ssh.", 4)) {
		type = "ssh";
		json_t *sidev = dget(detail, "side");
		const char *side = sidev && json_is_string(sidev)
					   ? json_string_value(sidev)
					   : "client";
		json_t *s = json_object();
		rc |= s ? 0 : -1;
		if (!strcmp(kind, "ssh.banner")) {
			rc |= ssh_banner(s, value);
		} else {
			json_t *h = json_object();
			rc |= h ? 0 : -1;
			rc |= set(h, "hash", json_string(value));
			rc |= copy(h, "string", detail, "algorithms");
			rc |= set(s, "hassh", h);
		}
		rc |= set(p, strcmp(side, "server") ? "client" : "server", s);
	}
	rc |= set(ev, "event_type", json_string(type ? type : "attrib"));
	if (type)
		rc |= set(ev, type, p);
	else
		json_decref(p);
	return rc ? -1 : 0;
}

json_t *cli_eve_event(const struct store_obs_row *o,
		      const struct store_flow_row *flow)
{
	json_t *ev = json_object(), *cite = json_object();
	json_t *detail = cli_detail_json(o->detail);
	char ts[48];
	int rc = ev && cite && detail ? 0 : -1;
	if (rc)
		goto done;
	cli_eve_time(o->ts_us, ts, sizeof ts);
	rc |= set(ev, "timestamp", json_string(ts));
	if (flow) {
		rc |= set(ev, "flow_id", json_integer(flow->id));
		rc |= set(ev, "pcap_cnt", json_integer((json_int_t)o->frame));
		rc |= protocol_object(ev, o->kind, o->value, detail);
		rc |= cli_json_add_endpoints(ev, flow);
	} else {
		rc |= set(ev, "pcap_cnt", json_integer((json_int_t)o->frame));
		rc |= protocol_object(ev, o->kind, o->value, detail);
	}
	rc |= set(cite, "kind", json_string(o->kind));
	rc |= set(cite, "value", json_string(o->value));
	rc |= json_object_set(cite, "detail", detail);
	rc |= set(cite, "observation_id", json_integer(o->id));
	rc |= set(cite, "source_sha256", json_string(o->source_sha256));
	rc |= set(cite, "frame", json_integer((json_int_t)o->frame));
	rc |= set(cite, "offset", json_integer((json_int_t)o->file_offset));
	rc |= json_object_set(ev, "attrib", cite);
done:
	json_decref(detail);
	json_decref(cite);
	if (rc) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}
