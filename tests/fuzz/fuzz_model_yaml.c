/*
 * fuzz_model_yaml.c — libFuzzer harness for the YAML model reader
 * (analyze/intel/yaml.c, yaml_tree.c) and the model set it builds
 * (model.c): any input either loads into a finished model set or gives
 * one error line that names the file; never a crash, a leak or a hang.
 *
 * The input is handed to the reader as a file (a memfd, opened through
 * /proc/self/fd). The harness supplies a STIX loader stub, so it links
 * without the extractors; the feed readers a model may include
 * (analyze/intel/ioc*.c) and the MaxMind lookups come along
 * (tests/fuzz/build.sh lists the sources).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/vocab/kinds.h"
#include "analyze/intel/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int model_load_stix(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	(void)ms;
	snprintf(err, errlen, "%s: no STIX in this harness", path);
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024] = "";
	int fd = memfd_create("model.yaml", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct model_set *ms = model_set_create();
	if (ms) {
		int rc = model_load_yaml(ms, path, err, sizeof err);
		if (rc == 0)
			rc = model_set_finish(ms, err, sizeof err);
		if (rc != 0 && (strncmp(err, "/proc/self/fd/", 14) != 0 ||
				strchr(err, '\n')))
			abort(); /* an error must be one line naming the file */
		model_set_destroy(ms);
	}
	close(fd);
	return 0;
}
