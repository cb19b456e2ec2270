/*
 * Does an MG5 bridge library integrate one f for all channels? For the points u of each
 * channel a (its phase-space map: momenta x(u), weight f_a(x)/g_a(u)), the library is asked
 * again with evaluate_as=b: the same momenta, the same map, but f as channel b evaluates it.
 * Then f_b(x)/g_a(u) must equal f_a(x)/g_a(u), point by point.
 *   gcc -O2 -I native/include native/mg5glue/check_channel_independence.c -o check_ci -ldl -lm
 *   ./check_ci lib.so "params" [points per channel] [seed]
 * Prints one line per (a, b): points with a non-zero weight, how many differ by more than
 * 1e-10 relative, and the largest relative difference; the last line is the totals:
 *   total <pairs> <points compared> <points differing> <largest relative difference>
 */
#include <madnis/process.h>

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x2545f4914f6cdd1dULL;
static double rnd(void) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (z >> 11) * (1.0 / 9007199254740992.0);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s lib.so [params] [points per channel] [seed]\n", argv[0]);
    return 2;
  }
  const char* params = argc > 2 ? argv[2] : "";
  long npts = argc > 3 ? atol(argv[3]) : 2000;
  if (argc > 4) state ^= 0x9e3779b97f4a7c15ULL * (uint64_t)atol(argv[4]);
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  madnis_process_get_api_fn get = (madnis_process_get_api_fn)dlsym(h, MADNIS_PROCESS_GET_API_SYMBOL);
  const madnis_process_api* api = get();
  char err[512] = "";
  madnis_process_instance* own = NULL;
  if (api->create(params, &own, err, sizeof err) != MADNIS_OK) {
    fprintf(stderr, "create: %s\n", err);
    return 1;
  }
  madnis_process_info info;
  api->info(own, &info);
  const int d = info.dimension, nc = info.n_channels;
  printf("channels %d dim %d json %s\n", nc, d, api->parameters_json(own));
  madnis_process_instance** as = calloc(nc, sizeof *as);
  for (int b = 0; b < nc; ++b) {
    char p[1024];
    snprintf(p, sizeof p, "%s%sevaluate_as=%d", params, *params ? "&" : "", b);
    if (api->create(p, &as[b], err, sizeof err) != MADNIS_OK) {
      fprintf(stderr, "create (%s): %s\n", p, err);
      return 1;
    }
  }
  double* u = malloc(sizeof(double) * npts * d);
  double* w = malloc(sizeof(double) * npts);
  double* wb = malloc(sizeof(double) * npts);
  madnis_eval_output out;
  long compared = 0, differing = 0;
  double worst = 0;
  int pairs = 0;
  for (int a = 0; a < nc; ++a) {
    for (long i = 0; i < npts * d; ++i) u[i] = rnd();
    memset(&out, 0, sizeof out);
    out.weight = w;
    if (api->evaluate(own, a, npts, u, &out) != MADNIS_OK) {
      fprintf(stderr, "evaluate: %s\n", api->last_error(own));
      return 1;
    }
    for (int b = 0; b < nc; ++b) {
      if (b == a) continue;
      out.weight = wb;
      if (api->evaluate(as[b], a, npts, u, &out) != MADNIS_OK) {
        fprintf(stderr, "evaluate: %s\n", api->last_error(as[b]));
        return 1;
      }
      long n = 0, diff = 0;
      double big = 0;
      for (long i = 0; i < npts; ++i) {
        if (w[i] == 0 && wb[i] == 0) continue;
        ++n;
        double rel = fabs(wb[i] - w[i]) / fmax(fabs(w[i]), fabs(wb[i]));
        if (rel > 1e-10) ++diff;
        if (rel > big) big = rel;
      }
      printf("pair %d %d nonzero %ld differing %ld max_rel %.3e\n", a, b, n, diff, big);
      compared += n;
      differing += diff;
      if (big > worst) worst = big;
      ++pairs;
    }
  }
  printf("total %d %ld %ld %.3e\n", pairs, compared, differing, worst);
  return 0;
}
