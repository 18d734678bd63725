/*
 * cli.h — what the command files share: exit codes, the commands, and
 * small helpers. The CLI is the only code that exits.
 */
#ifndef ATTRIB_CLI_H
#define ATTRIB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_FINDING = 1,  /* something the caller must see (verify: tampered) */
	EXIT_INPUT = 2,    /* usage or input error */
	EXIT_INTERNAL = 3, /* internal error */
};

int cmd_ingest(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_indicators(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_merge(int argc, char **argv);

struct store;
struct model_set;

/* Capture files to ingest (cmd_ingest.c). */
struct file_list {
	char **paths;
	size_t count, cap;
	uint64_t total_bytes;
	size_t skipped;        /* files in the folders that are no captures */
};
/* Adds the files named, and the capture files below the folders named
 * (recursive, sorted), to l. Every other file in those folders is named on
 * stderr with the reason it is skipped (and counted in l->skipped), and
 * so is a folder that holds no capture at all. 0, or -1 with the error
 * printed (also when nothing at all is left to ingest). */
int cli_collect_captures(struct file_list *l, int n, char **paths);
/* Like cli_collect_captures(), keeping only the files of shard k of
 * shards (analyze/ingest/shard.h), each by its path below the folder
 * argument it was found under. 0, or -1 with the error printed. */
int cli_collect_shard(struct file_list *l, int n, char **paths, unsigned k,
		      unsigned shards);
/* Frees the paths of l (file_list.c). */
void cli_file_list_free(struct file_list *l);
/* Ingests files into the open case st (one pipeline, the derived tables
 * rebuilt at the end, the head printed); batch 0 is the default; jobs
 * flow workers (1: one thread; analyze/ingest/pipeline.h). Returns
 * an exit code: EXIT_INPUT when some file ended in an input error (its
 * evidence before the error kept, the other files ingested). */
int cli_ingest_files(struct store *st, const struct file_list *files,
		     const char *args, uint64_t batch, unsigned long jobs);

/* Loads and finishes a model set from model files and folders
 * (cmd_score.c); NULL with the error printed. */
struct model_set *cli_load_models(const char *const *paths, size_t n);
/* Scores the open case st against ms, stores the run (chained) and
 * prints its summary, or the score document when json. args goes into
 * the custody entry. Returns an exit code. */
int cli_score_case(struct store *st, const struct model_set *ms, bool json,
		   const char *args);

/* Verifies the open case st (head file head), builds its report and
 * writes it to out_path ("-": standard output) in format (enum
 * report_format), then records a custody entry `report` when the case is
 * intact. args is the command line for the report and the custody entry;
 * case_note (may be NULL) is said of the case in the report. Returns an
 * exit code: EXIT_FINDING when the case is tampered (the report is
 * written and says so). */
int cli_report_case(struct store *st, const char *db, const char *head,
		    const char *out_path, int format, const char *args,
		    const char *case_note);

/* Prints "attrib: MESSAGE" to stderr as one line: the formatted message
 * is escaped with text_oneline() (analyze/parse/text.h), so no control
 * character in a file name or value gets through. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Joins argv with spaces (shell-quoting arguments that need it) into out. */
void cli_join_args(int argc, char **argv, char *out, size_t outlen);

/* Opens an existing case database for reading commands; prints the error
 * and returns NULL when it is missing or cannot be opened. Close with
 * store_close(). */
struct store *cli_open_case(const char *db);

/* Checks the case database path (cli/case_paths.c): 0 when it is a
 * regular file (links followed), or absent and may_create; else -1 with
 * one line printed (an input error, exit 2). */
int cli_case_path_check(const char *db, bool may_create);

/* Checks the head file path (cli/case_paths.c): 0 when it is a regular
 * file of head-file size, or absent in a folder that exists; else -1
 * with one line printed (an input error, exit 2). */
int cli_head_check(const char *path);

/* Sets st's head file to head (NULL: keep the case's default) and checks
 * it with cli_head_check(). */
int cli_set_head(struct store *st, const char *head);

/* Monotonic clock in seconds. */
double cli_now(void);

/* The default --jobs: the online cores (at least 1, at most
 * PIPELINE_MAX_JOBS). */
unsigned cli_default_jobs(void);

#endif
