-- attrib evidence store schema (one database per case), version 4: the
-- schema of a new case. Cases made before version 4 keep their own layout
-- (schema_v3.sql; docs/evidence.md, "Cases made before schema version 4").
-- Times are microseconds since the epoch (UTC). Hashes are lower-case hex
-- text, except the SHA-256 of a cited packet and every chain_hash, which
-- are 32-byte BLOBs.

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Evidence rows (sources, flows, observations, anomalies, custody,
-- scores) carry chain_seq and chain_hash: their entry in the hash chain
-- (docs/evidence.md); chain_hash is the entry's SHA-256 as 32 bytes. A
-- row is chained when it is final: flows, observations and custody when
-- written, sources and their anomaly counts when the source is finished.
-- An observation's entry holds the observation as the view observations
-- gives it, so the packet, indicator value and detail rows it refers to
-- are protected by the entries of the observations that cite them.

-- One row per capture file. status: 'partial' while ingest runs (or after
-- it was interrupted), 'complete' when every packet was read, 'error' when
-- the file ended in a decode error (what came before is kept).
CREATE TABLE IF NOT EXISTS sources (
  id              INTEGER PRIMARY KEY,
  path            TEXT NOT NULL,
  size            INTEGER NOT NULL,
  sha256          TEXT,
  format          TEXT NOT NULL,
  linktype        INTEGER NOT NULL,
  linktype_name   TEXT NOT NULL,
  packets         INTEGER NOT NULL DEFAULT 0,
  first_ts_us     INTEGER,
  last_ts_us      INTEGER,
  status          TEXT NOT NULL,
  error           TEXT,
  committed_frame INTEGER NOT NULL DEFAULT 0,
  first_flow_id   INTEGER NOT NULL,
  tool_version    TEXT NOT NULL,
  pcap_version    TEXT NOT NULL,
  ndpi_version    TEXT NOT NULL,
  clock_note      TEXT NOT NULL,
  ingested_us     INTEGER NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB
);

-- One row per flow. Addresses are text (inet_ntop); client is the sender
-- of the first packet seen. Rows are appended as flows close (not in id
-- order), so id is indexed after bulk load (flows_id) rather than being the
-- B-tree key, which would make every insert a random write.
-- community_id is the flow's Community ID v1 (NULL when the spec cannot
-- compute one); cases made before it was added have no such column, and
-- keep none (docs/evidence.md).
CREATE TABLE IF NOT EXISTS flows (
  id            INTEGER NOT NULL,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  ip_version    INTEGER NOT NULL,
  l4_proto      INTEGER NOT NULL,
  client        TEXT NOT NULL,
  client_port   INTEGER NOT NULL,
  server        TEXT NOT NULL,
  server_port   INTEGER NOT NULL,
  vlan          INTEGER NOT NULL,
  tunnel        TEXT NOT NULL,
  tunnel_id     INTEGER NOT NULL,
  first_ts_us   INTEGER NOT NULL,
  last_ts_us    INTEGER NOT NULL,
  first_frame   INTEGER NOT NULL,
  last_frame    INTEGER NOT NULL,
  packets_c2s   INTEGER NOT NULL,
  packets_s2c   INTEGER NOT NULL,
  bytes_c2s     INTEGER NOT NULL,
  bytes_s2c     INTEGER NOT NULL,
  proto         TEXT NOT NULL,
  master_id     INTEGER NOT NULL,
  app_id        INTEGER NOT NULL,
  category      TEXT NOT NULL,
  risk          INTEGER NOT NULL,
  guessed       INTEGER NOT NULL,
  close_reason  TEXT NOT NULL,
  community_id  TEXT,
  chain_seq     INTEGER,
  chain_hash    BLOB
);

-- Decode anomalies counted per source.
CREATE TABLE IF NOT EXISTS anomalies (
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  name          TEXT NOT NULL,
  count         INTEGER NOT NULL,
  first_frame   INTEGER NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB,
  PRIMARY KEY (source_id, name)
);

-- One row per packet that an observation cites, shared by every
-- observation read from it: the source, frame as Wireshark numbers it,
-- byte offset of the packet's record in the file (in the decompressed
-- stream for a gzip source), caplen, time, and the SHA-256 of the
-- packet's captured bytes (32 bytes). Written with the first observation
-- that cites it.
CREATE TABLE IF NOT EXISTS packets (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  frame         INTEGER NOT NULL,
  file_offset   INTEGER NOT NULL,
  caplen        INTEGER NOT NULL,
  ts_us         INTEGER NOT NULL,
  sha256        BLOB NOT NULL
);
-- how ingest finds a packet already written, and verify's reading order
CREATE UNIQUE INDEX IF NOT EXISTS packets_at ON packets(source_id, file_offset);

-- Every distinct indicator (kind, value) of the case, once. Written with
-- the first observation of it.
CREATE TABLE IF NOT EXISTS indicator_values (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  value         TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS indicator_values_kv
  ON indicator_values(kind, value);

-- Every distinct detail text of an observation (the context an
-- extractor adds: "proto=udp port=53 ttl=128"), once. Written with the
-- first observation with it.
CREATE TABLE IF NOT EXISTS details (
  id            INTEGER PRIMARY KEY,
  text          TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS details_text ON details(text);

-- One row per occurrence of an indicator: the packet it was read from,
-- its flow, what (the indicator value) and the detail of this occurrence
-- (NULL: none), by the ids of their rows. (Not declared as foreign keys:
-- SQLite would look each up again on every insert, and the rows they name
-- are written with it, in the same transaction.) Its chain entry is that
-- of the observation as the view below gives it.
CREATE TABLE IF NOT EXISTS observation_rows (
  id            INTEGER PRIMARY KEY,
  packet_id     INTEGER NOT NULL,
  flow_id       INTEGER,
  value_id      INTEGER NOT NULL,
  detail_id     INTEGER,
  chain_seq     INTEGER,
  chain_hash    BLOB
);

-- The observations as one row each, with the columns the observations
-- table of older cases has (schema_v3.sql): what every reader queries,
-- and what an observation's chain entry holds (docs/evidence.md). Part of
-- what verify checks (its definition must be this one).
CREATE VIEW IF NOT EXISTS observations AS
  SELECT o.id AS id, p.source_id AS source_id, p.frame AS frame,
         p.file_offset AS file_offset, p.caplen AS caplen,
         p.ts_us AS ts_us, o.flow_id AS flow_id, v.kind AS kind,
         v.value AS value, d.text AS detail,
         lower(hex(p.sha256)) AS packet_sha256, o.chain_seq AS chain_seq,
         lower(hex(o.chain_hash)) AS chain_hash
  FROM observation_rows o JOIN packets p ON p.id = o.packet_id
       JOIN indicator_values v ON v.id = o.value_id
       LEFT JOIN details d ON d.id = o.detail_id;

-- Distinct indicators with counts: derived from observations after every
-- ingest (not evidence itself, so not chained). Without a rowid, the
-- key's text is stored once.
CREATE TABLE IF NOT EXISTS indicators (
  kind          TEXT NOT NULL,
  value         TEXT NOT NULL,
  count         INTEGER NOT NULL,
  sources       INTEGER NOT NULL,
  first_ts_us   INTEGER NOT NULL,
  last_ts_us    INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- Every action on the case.
CREATE TABLE IF NOT EXISTS custody (
  id            INTEGER PRIMARY KEY,
  ts_us         INTEGER NOT NULL,
  action        TEXT NOT NULL,
  actor         TEXT NOT NULL,
  host          TEXT NOT NULL,
  tool_version  TEXT NOT NULL,
  arguments     TEXT NOT NULL,
  detail        TEXT NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB
);

-- Tables added in schema version 2 (a version-1 case gets them in its own
-- layout: schema_v3.sql).

-- One row per `attrib score` run: the models used (JSON array of
-- {path, sha256, format}), the parameters, and the whole result as the
-- JSON document `attrib score --json` prints (docs/report-format.md), so
-- a report can be rebuilt from the case alone.
CREATE TABLE IF NOT EXISTS score_runs (
  id            INTEGER PRIMARY KEY,
  ts_us         INTEGER NOT NULL,
  tool_version  TEXT NOT NULL,
  models        TEXT NOT NULL,
  params        TEXT NOT NULL,
  observations  INTEGER NOT NULL,
  result        TEXT NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB
);

-- One row per run, hypothesis and link (L1, L2, L3, L3i, L4), and per
-- chain reading (link 'chain:state', 'chain:individual').
CREATE TABLE IF NOT EXISTS scores (
  run_id        INTEGER NOT NULL REFERENCES score_runs(id),
  hypothesis    TEXT NOT NULL,
  link          TEXT NOT NULL,
  belief        REAL NOT NULL,
  disbelief     REAL NOT NULL,
  uncertainty   REAL NOT NULL,
  plausibility  REAL NOT NULL,
  ci90_lo       REAL NOT NULL,
  ci90_hi       REAL NOT NULL,
  phrase        TEXT NOT NULL,
  confidence    TEXT NOT NULL,
  flags         TEXT NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB,
  PRIMARY KEY (run_id, hypothesis, link)
);

-- The evidence each score used: one row per run, hypothesis, link and
-- pattern or claim, with the number of observations the pattern matched
-- and up to five of them cited (observation ids, comma-separated).
CREATE TABLE IF NOT EXISTS score_evidence (
  run_id        INTEGER NOT NULL REFERENCES score_runs(id),
  hypothesis    TEXT NOT NULL,
  link          TEXT NOT NULL,
  item          TEXT NOT NULL,
  item_type     TEXT NOT NULL,
  direction     TEXT NOT NULL,
  forgeability  REAL NOT NULL,
  specificity   REAL NOT NULL,
  reliability   TEXT NOT NULL,
  discount      REAL NOT NULL,
  matches       INTEGER NOT NULL,
  cited         TEXT NOT NULL,
  origin        TEXT NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB,
  PRIMARY KEY (run_id, hypothesis, link, item)
);

-- Added in schema version 3 (likewise).

-- The score document of a run in parts (part 0, 1, ...) when it is
-- larger than one chained record should be: concatenated in part order
-- they are the document (score_runs.result is then empty).
CREATE TABLE IF NOT EXISTS score_run_parts (
  run_id        INTEGER NOT NULL REFERENCES score_runs(id),
  part          INTEGER NOT NULL,
  text          TEXT NOT NULL,
  chain_seq     INTEGER,
  chain_hash    BLOB,
  PRIMARY KEY (run_id, part)
);
