/*
 * Stand-alone check of an MG5 bridge library (or any process library):
 *   gcc -O2 -I native/include native/mg5glue/check_mg5.c -o check_mg5 -ldl
 *   ./check_mg5 lib.so "dir=..." [points per channel] [seed]
 * Prints info, then σ = Σ_c E_{u~U}[α_c(u) w_c(u)] with its error, per-channel parts,
 * checks of the prior (rows sum to 1) and of determinism, and µs per point.
 */
#include <madnis/process.h>

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t state = 0x1234567887654321ULL;
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
  long npts = argc > 3 ? atol(argv[3]) : 100000;
  if (argc > 4) state ^= 0x9e3779b97f4a7c15ULL * (uint64_t)atol(argv[4]); /* seed */
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  madnis_process_get_api_fn get = (madnis_process_get_api_fn)dlsym(h, MADNIS_PROCESS_GET_API_SYMBOL);
  const madnis_process_api* api = get();
  char err[512] = "";
  madnis_process_instance* p = NULL;
  if (api->create(params, &p, err, sizeof err) != MADNIS_OK) {
    fprintf(stderr, "create: %s\n", err);
    return 1;
  }
  madnis_process_info info;
  api->info(p, &info);
  printf("name %s\ndim %d channels %d externals %d beams %d %d (%.3f %.3f GeV) pdf %d lhaid %d\n",
         info.name, info.dimension, info.n_channels, info.n_externals, info.beam_pdg[0],
         info.beam_pdg[1], info.beam_energy[0], info.beam_energy[1], info.uses_pdf, info.pdf_lhaid);
  for (int i = 0; i < info.n_externals; ++i) printf("  ext %d pdg %d mass %g\n", i, info.pdg[i], info.mass[i]);
  printf("json %s\n", api->parameters_json(p));

  const int d = info.dimension, nc = info.n_channels, ne = info.n_externals;
  const long batch = 10000;
  double* u = malloc(sizeof(double) * batch * d);
  double* w = malloc(sizeof(double) * batch);
  double* a = malloc(sizeof(double) * batch * nc);
  double* mom = malloc(sizeof(double) * batch * ne * 4);
  int32_t* pdg = malloc(sizeof(int32_t) * batch * ne);
  double *x1 = malloc(8 * batch), *x2 = malloc(8 * batch), *muf = malloc(8 * batch),
         *mur = malloc(8 * batch), *as = malloc(8 * batch), *aq = malloc(8 * batch);
  int32_t* hel = malloc(sizeof(int32_t) * batch * ne);
  madnis_eval_output out = {w, a, mom, pdg, x1, x2, muf, mur, as, aq, hel, NULL};
  double total = 0, var = 0, worst_sum = 0, secs = 0;
  long evals = 0, nonzero = 0, swapped = 0;
  double worst_mom = 0;
  for (int c = 0; c < nc; ++c) {
    double s1 = 0, s2 = 0;
    for (long done = 0; done < npts; done += batch) {
      long n = npts - done < batch ? npts - done : batch;
      for (long i = 0; i < n * d; ++i) u[i] = rnd();
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      if (api->evaluate(p, c, n, u, &out) != MADNIS_OK) {
        fprintf(stderr, "evaluate: %s\n", api->last_error(p));
        return 1;
      }
      clock_gettime(CLOCK_MONOTONIC, &t1);
      secs += (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
      evals += n;
      for (long i = 0; i < n; ++i) {
        double sum = 0;
        for (int j = 0; j < nc; ++j) sum += a[i * nc + j];
        if (fabs(sum - 1) > worst_sum) worst_sum = fabs(sum - 1);
        if (w[i] != 0) { /* event record: beam fractions and momentum conservation */
          const double* m = mom + i * ne * 4;
          double dev = fabs(m[0] - x1[i] * info.beam_energy[0]) + fabs(m[4] - x2[i] * info.beam_energy[1]);
          for (int k = 0; k < 4; ++k) {
            double bal = m[k] + m[4 + k];
            for (int e = 2; e < ne; ++e) bal -= m[4 * e + k];
            dev += fabs(bal);
          }
          if (dev > worst_mom) worst_mom = dev;
          if (pdg[i * ne] != info.pdg[0]) ++swapped;
        }
        double f = a[i * nc + c] * w[i];
        if (w[i] != 0) ++nonzero;
        s1 += f;
        s2 += f * f;
      }
    }
    double mean = s1 / npts, v = (s2 / npts - mean * mean) / (npts - 1);
    printf("channel %d: %.6g +- %.3g pb\n", c, mean, sqrt(v));
    total += mean;
    var += v;
  }
  printf("sigma %.6g +- %.3g pb   (max |sum alpha - 1| %.2g, nonzero %.3f, %.2f us/point)\n", total,
         sqrt(var), worst_sum, (double)nonzero / evals, 1e6 * secs / evals);
  printf("event records: max |E_beam-side - x E_beam| + |momentum imbalance| = %.3g GeV, "
         "%ld events with a different first flavour than info.pdg[0]\n", worst_mom, swapped);
  /* one event record and determinism */
  for (int i = 0; i < d; ++i) u[i] = 0.3 + 0.1 * i / d;
  api->evaluate(p, 0, 1, u, &out);
  double w0 = w[0];
  int32_t h0 = hel[2], p0 = pdg[0];
  printf("event: w %.8g x1 %.5g x2 %.5g muF %.5g muR %.5g as %.5g aqed %.5g\n", w[0], x1[0], x2[0],
         muf[0], mur[0], as[0], aq[0]);
  for (int k = 0; k < ne; ++k)
    printf("  %d hel %+d  %.6g %.6g %.6g %.6g\n", pdg[k], hel[k], mom[4 * k], mom[4 * k + 1], mom[4 * k + 2], mom[4 * k + 3]);
  if (nc > 1) api->evaluate(p, nc - 1, 1, u, &out);
  api->evaluate(p, 0, 1, u, &out);
  printf("deterministic after channel switch: %s\n",
         w[0] == w0 && hel[2] == h0 && pdg[0] == p0 ? "yes" : "NO");
  api->destroy(p);
  return 0;
}
