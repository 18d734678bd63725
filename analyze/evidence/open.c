/*
 * open.c — what a database file is before attrib touches it, and how it
 * is opened (store.h: store_identify, store_open_mode).
 *
 * An attrib case carries attrib's application id (PRAGMA application_id,
 * STORE_APPLICATION_ID) and its schema version (PRAGMA user_version) in
 * the database header. A database is looked at through a read-only
 * connection first, so that anything attrib refuses (another program's
 * database) is left byte for byte as it was. Cases made before the id
 * existed are recognised by their tables and get the id with their first
 * write.
 *
 * A case that cannot be written (a read-only file or folder, a file made
 * immutable, another user's case) is opened read-only: through SQLite's
 * mode=ro, or, when SQLite cannot even make its shared-memory file beside
 * it (a read-only folder), as immutable=1. Nothing can then be recorded,
 * and store_txn_begin() says so.
 */
#include "analyze/evidence/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tables an attrib case has had from its first version. */
static const char *const case_tables[] = {
	"meta", "sources", "anomalies", "flows", "observations", "custody",
	"indicators",
};
/* A database holding at least this many of them is taken as a case
 * (one that lost a table to damage is still one, for verify to judge). */
enum { CASE_TABLES_MIN = 3, URI_MAX = STORE_URI_MAX };

void store_path_uri(const char *path, const char *query, char *out,
		    size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t used = (size_t)snprintf(out, n, "file:");
	for (const unsigned char *p = (const unsigned char *)path;
	     *p && used + 4 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			out[used++] = (char)*p;
		} else {
			out[used++] = '%';
			out[used++] = hex[*p >> 4];
			out[used++] = hex[*p & 15];
		}
	}
	out[used] = '\0';
	if (*query)
		snprintf(out + used, n - used, "?%s", query);
}

/* True when a write-ahead log lies beside path (its content may not be
 * in the database file yet). */
static bool has_wal(const char *path)
{
	char wal[STORE_PATH_LEN + 8];
	struct stat sb;
	snprintf(wal, sizeof wal, "%s-wal", path);
	return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/*
 * Opens path read-only and tries the first read (where a failure to open
 * shows). mode=ro sees what other connections commit, but SQLite needs
 * to make a -wal and -shm file beside a WAL database for it: when it
 * cannot (a read-only folder, another user's case), immutable=1 reads
 * the file alone. With prefer_immutable (looking at a file that may not
 * be attrib's), immutable=1 is tried first unless a write-ahead log
 * exists, so that nothing is created beside it. SQLITE_OK or SQLite's
 * error code, with *db set (NULL when out of memory).
 */
static int open_read_only(const char *path, sqlite3 **db, bool *immutable,
			  bool prefer_immutable)
{
	const char *queries[2] = {"mode=ro", "immutable=1"};
	if (prefer_immutable && !has_wal(path)) {
		queries[0] = "immutable=1";
		queries[1] = "mode=ro";
	}
	char uri[URI_MAX];
	int rc = SQLITE_CANTOPEN;
	for (size_t i = 0; i < 2; i++) {
		store_path_uri(path, queries[i], uri, sizeof uri);
		rc = sqlite3_open_v2(uri, db,
				     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
					     SQLITE_OPEN_NOMUTEX,
				     NULL);
		/* another process may hold the case a moment (recovering
		 * the WAL after a kill, switching a new case to WAL): wait */
		if (rc == SQLITE_OK)
			sqlite3_busy_timeout(*db, 60000);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(*db, "SELECT count(*) FROM "
					       "sqlite_master", NULL, NULL, NULL);
		*immutable = queries[i][0] == 'i';
		int code = rc & 0xff;
		if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY)
			return rc;
		if (i == 0) {
			sqlite3_close(*db);
			*db = NULL;
		}
	}
	return rc;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(q, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

/* Counts the tables of db, how many are attrib's, and lists the first
 * few names in out->tables. */
static int read_tables(sqlite3 *db, struct store_identity *out)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "SELECT name FROM sqlite_master WHERE "
				    "type='table' ORDER BY name",
				    -1, &q, NULL);
	size_t used = 0;
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		rc = SQLITE_OK;
		if (!name)
			continue;
		out->tables++;
		for (size_t i = 0; i < sizeof case_tables / sizeof *case_tables;
		     i++)
			if (!strcmp(name, case_tables[i]))
				out->case_tables++;
		if (used + 8 < sizeof out->table_names) {
			int n = snprintf(out->table_names + used,
					 sizeof out->table_names - used,
					 "%s%.40s", used ? ", " : "", name);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_identify(const char *path, struct store_identity *out, char *err,
		   size_t errlen)
{
	struct stat sb;
	sqlite3 *db = NULL;
	bool immutable;
	memset(out, 0, sizeof *out);
	err[0] = '\0';
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT) {
			out->kind = STORE_ABSENT;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* a FIFO or a device would block SQLite or never end */
		out->kind = STORE_NOT_DATABASE;
		snprintf(err, errlen, "%s: not a regular file, so not a case "
			 "database", path);
		return 0;
	}
	if (sb.st_size == 0) {
		out->kind = STORE_EMPTY;
		return 0;
	}
	int rc = open_read_only(path, &db, &immutable, true);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA application_id", &out->application_id);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA user_version", &out->user_version);
	if (rc == SQLITE_OK)
		rc = read_tables(db, out);
	if (rc != SQLITE_OK) {
		int code = rc & 0xff;
		out->kind = code == SQLITE_NOTADB ? STORE_NOT_DATABASE
			    : code == SQLITE_CORRUPT ? STORE_DAMAGED
			    : STORE_UNREADABLE;
		snprintf(err, errlen, "%s: %s", path,
			 code == SQLITE_NOTADB
				 ? "not an SQLite database, so not a case"
				 : db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return 0;
	}
	sqlite3_close(db);
	if (out->case_tables >= CASE_TABLES_MIN ||
	    out->application_id == STORE_APPLICATION_ID) {
		out->kind = STORE_CASE;
		out->header_ok = out->application_id == STORE_APPLICATION_ID ||
				 out->application_id == 0;
		return 0;
	}
	if (out->tables == 0 && out->application_id == 0) {
		out->kind = STORE_EMPTY;
		return 0;
	}
	out->kind = STORE_FOREIGN;
	if (out->application_id)
		snprintf(err, errlen, "%s: not an attrib case (an SQLite "
			 "database of application id 0x%08llx, tables: %s); "
			 "left as it is", path,
			 (unsigned long long)(uint32_t)out->application_id,
			 out->tables ? out->table_names : "none");
	else
		snprintf(err, errlen, "%s: not an attrib case (an SQLite "
			 "database with other tables: %s); left as it is",
			 path, out->table_names);
	return 0;
}

int store_probe(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	bool immutable;
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1; /* a FIFO would block the open */
	}
	int rc = open_read_only(path, &db, &immutable, true);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 1 : (rc & 0xff) == SQLITE_CORRUPT ? 0 : -1;
}

void store_folder_of(const char *path, char *dir, size_t n)
{
	snprintf(dir, n, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, n, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

/* Why path cannot be written to, or NULL when it (and its folder, where
 * SQLite's journal files and the head file go) can. access() sees what
 * permission bits do not stop root from: a read-only mount, an
 * immutable file. */
static const char *why_read_only(const char *path)
{
	char dir[STORE_PATH_LEN];
	store_folder_of(path, dir, sizeof dir);
	if (access(path, W_OK) != 0)
		return errno == EROFS ? "on a read-only file system"
				      : "the case file is not writable";
	if (access(dir, W_OK | X_OK) != 0)
		return errno == EROFS ? "on a read-only file system"
				      : "its folder is not writable";
	return NULL;
}

int store_connect(struct store *st, enum store_mode mode, char *err,
		  size_t errlen)
{
	struct store_identity id;
	const char *path = st->path;
	if (store_identify(path, &id, err, errlen) != 0)
		return -1;
	switch (id.kind) {
	case STORE_ABSENT:
	case STORE_EMPTY:
		if (mode != STORE_CREATE) {
			snprintf(err, errlen, "%s: %s", path,
				 id.kind == STORE_ABSENT
					 ? "no such case database"
					 : "an empty database, not an attrib case");
			return -1;
		}
		st->is_new = true;
		st->header_ok = true; /* create_case() marks it */
		break;
	case STORE_CASE:
		st->needs_mark = id.application_id != STORE_APPLICATION_ID;
		st->header_ok = id.header_ok;
		break;
	case STORE_FOREIGN:
	case STORE_NOT_DATABASE:
	case STORE_DAMAGED:
	case STORE_UNREADABLE:
		return -1; /* err says what it is */
	}
	const char *ro = st->is_new ? NULL : why_read_only(path);
	if (!ro) {
		/* as a URI, so that ATTACH takes URIs (merge attaches
		 * shards read-only) while this name stays a plain name */
		int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			    SQLITE_OPEN_URI |
			    (st->is_new ? SQLITE_OPEN_CREATE : 0);
		char uri[URI_MAX];
		store_path_uri(path, "", uri, sizeof uri);
		if (sqlite3_open_v2(uri, &st->db, flags, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: cannot open database: %s",
				 path, st->db ? sqlite3_errmsg(st->db)
					      : "out of memory");
			return -1;
		}
		if (sqlite3_db_readonly(st->db, "main") != 1)
			return 0;
		/* SQLite fell back to reading only (e.g. an immutable file
		 * as root) */
		ro = "the case file cannot be opened for writing";
		sqlite3_close(st->db);
		st->db = NULL;
	}
	if (mode == STORE_CREATE) {
		snprintf(err, errlen, "%s: the case is read-only (%s): "
			 "nothing can be added to it", path, ro);
		return -1;
	}
	bool immutable;
	int rc = open_read_only(path, &st->db, &immutable, false);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the read-only case: %s",
			 path, st->db ? sqlite3_errmsg(st->db)
				      : sqlite3_errstr(rc));
		return -1;
	}
	st->readonly = true;
	snprintf(st->readonly_why, sizeof st->readonly_why, "%s%s", ro,
		 immutable ? "; read as an unchanging file" : "");
	return 0;
}

int store_mark_case(struct store *st)
{
	char sql[128];
	snprintf(sql, sizeof sql,
		 "PRAGMA application_id=%d; PRAGMA user_version=%d",
		 (int)STORE_APPLICATION_ID, st->layout);
	if (store_exec(st, sql, "mark the case") != 0)
		return -1;
	st->needs_mark = false;
	st->header_ok = true;
	return 0;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return store_open_mode(path, STORE_CREATE, err, errlen);
}

bool store_readonly(const struct store *st, const char **why)
{
	if (why)
		*why = st->readonly_why;
	return st->readonly;
}

bool store_header_ok(const struct store *st)
{
	return st->header_ok;
}
