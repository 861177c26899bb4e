// SPDX-License-Identifier: BSD-2-Clause
/*
 * Runs a libFuzzer harness over every file of a corpus directory, so CTest
 * replays the corpus without libFuzzer. Fails when the directory is empty
 * or unreadable: a corpus that silently vanished must not pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int err = -1;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto cleanup;
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len)
		goto cleanup;
	LLVMFuzzerTestOneInput(buf, len);
	err = 0;
cleanup:
	if (err)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(buf);
	fclose(f);
	return err;
}

int main(int argc, char **argv)
{
	struct dirent *de;
	char path[4096];
	int n = 0, failed = 0;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "replay: cannot open corpus %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		failed |= run_file(path) != 0;
		n++;
	}
	closedir(d);
	if (!n) {
		fprintf(stderr, "replay: corpus %s is empty\n", argv[1]);
		return 1;
	}
	printf("replayed %d inputs from %s\n", n, argv[1]);
	return failed;
}
