/* SPDX-License-Identifier: MIT */
/*
 * gen_results: write a synthetic but schema-valid results file with one
 * benchmark of N lognormal samples, for timing report/compare on large
 * inputs.  Synthetic data: the file says so (backend "synthetic").
 *   gen_results OUT.json N MEDIAN_NS SEED
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s;
static double uniform(void)
{
	uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return ((double)((z ^ (z >> 31)) >> 11) + 0.5) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gen_results OUT.json N MEDIAN_NS SEED\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "w");
	long n = atol(argv[2]);
	double med = atof(argv[3]);
	s = strtoull(argv[4], NULL, 0);
	if (!f || n < 1)
		return 1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "{\"schema\": \"kvmscope-results\", \"schema_version\": 1, \"complete\": true,\n"
		   " \"tool\": {\"name\": \"gen_results\", \"version\": \"synthetic\"},\n"
		   " \"environment\": {\"arch\": \"x86_64\", \"kernel\": {\"release\": \"synthetic\"},\n"
		   "  \"backend\": {\"name\": \"synthetic\"}, \"clock\": {\"host_tick_hz\": 2000000000}},\n"
		   " \"results\": [\n");
	fprintf(f, "  {\"name\": \"synthetic\", \"family\": \"synthetic\", \"status\": \"ok\", "
		   "\"unit\": \"ns\", \"samples\": [");
	for (long i = 0; i < n; i++) {
		double z = sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
		fprintf(f, "%s%.1f", i ? "," : "", med * exp(0.2 * z));
	}
	fprintf(f, "]}\n");
	fprintf(f, " ]}\n");
	return fclose(f) ? 1 : 0;
}
