/*
 * summary.c — the human-readable case summary of `attrib summary`
 * (sources, packet accounting, flows by protocol, packets without a flow
 * by reason, anomalies).
 *
 * Packet accounting: every packet of a source is in a flow or counted
 * under the named reason it could not be placed in one (the anomalies
 * rows "no_flow.<anomaly>", store_unplaced()); "unaccounted" is
 * packets − in flows − without a flow and should always be 0.
 */
#include <stdio.h>

#include "analyze/evidence/store_internal.h"
#include "analyze/parse/text.h"

/* Prints every row of a query as aligned text columns after a title. */
static int print_rows(struct store *st, FILE *out, const char *title,
		      const char *sql, const char *const *heads, int ncol)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "summary");
		return -1;
	}
	fprintf(out, "%s\n", title);
	for (int c = 0; c < ncol; c++)
		fprintf(out, c ? "  %-10s" : "  %-20s", heads[c]);
	fputc('\n', out);
	int step, rows = 0;
	char safe[TEXT_ONELINE_SIZE(4096)];
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		rows++;
		for (int c = 0; c < ncol; c++) {
			const unsigned char *v = sqlite3_column_text(q, c);
			/* paths and names as one line, no control
			 * character (analyze/parse/text.h) */
			fprintf(out, c ? "  %-10s" : "  %-20s",
				v ? text_oneline((const char *)v, safe,
						 sizeof safe)
				  : "-");
		}
		fputc('\n', out);
	}
	if (rows == 0)
		fprintf(out, "  (none)\n");
	fputc('\n', out);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "summary");
		return -1;
	}
	return 0;
}

int store_print_summary(struct store *st, FILE *out)
{
	static const char *const src_heads[] = {
		"source", "status", "packets", "flows", "link", "sha256", "path"};
	static const char *const proto_heads[] = {"protocol", "flows",
						  "packets", "bytes"};
	static const char *const anom_heads[] = {"anomaly", "count",
						 "first frame"};
	static const char *const acct_heads[] = {
		"source", "packets", "in flows", "no flow", "unaccounted"};
	static const char *const unplaced_heads[] = {"reason", "packets",
						     "first frame"};
	if (store_txn_commit(st) != 0)
		return -1;
	if (print_rows(st, out, "Sources",
		       "SELECT id, status, packets, (SELECT count(*) FROM "
		       "flows f WHERE f.source_id=s.id), linktype_name, "
		       "coalesce(substr(sha256,1,16),'-'), path FROM sources s "
		       "ORDER BY id",
		       src_heads, 7) != 0 ||
	    print_rows(st, out, "Flows by protocol",
		       "SELECT proto, count(*), sum(packets_c2s+packets_s2c), "
		       "sum(bytes_c2s+bytes_s2c) FROM flows GROUP BY proto "
		       "ORDER BY count(*) DESC, proto",
		       proto_heads, 4) != 0 ||
	    print_rows(st, out, "Packet accounting",
		       "SELECT id, packets, inflow, noflow, "
		       "packets-inflow-noflow FROM (SELECT s.id, s.packets, "
		       "(SELECT coalesce(sum(packets_c2s+packets_s2c),0) FROM "
		       "flows f WHERE f.source_id=s.id) inflow, "
		       "(SELECT coalesce(sum(count),0) FROM anomalies a WHERE "
		       "a.source_id=s.id AND a.name GLOB '"
		       STORE_UNPLACED_PREFIX "*') noflow FROM sources s) "
		       "ORDER BY id",
		       acct_heads, 5) != 0 ||
	    print_rows(st, out, "Packets without a flow",
		       "SELECT substr(name," /* after the prefix */
		       "length('" STORE_UNPLACED_PREFIX "')+1), sum(count), "
		       "min(first_frame) FROM anomalies WHERE name GLOB '"
		       STORE_UNPLACED_PREFIX "*' GROUP BY name "
		       "ORDER BY sum(count) DESC, name",
		       unplaced_heads, 3) != 0 ||
	    print_rows(st, out, "Anomalies",
		       "SELECT name, sum(count), min(first_frame) FROM "
		       "anomalies WHERE name NOT GLOB '" STORE_UNPLACED_PREFIX
		       "*' GROUP BY name ORDER BY sum(count) DESC, name",
		       anom_heads, 3) != 0)
		return -1;
	return 0;
}
