#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.h"
#include "rng.h"
#include "vegas.h"

using madnis::UniformStream;
using madnis::VegasAccumulator;
using madnis::VegasGrid;

namespace {

// Random widths in [0.2, 1.8] x uniform: far from the identity but no degenerate bins.
VegasGrid random_grid(int dim, int bins, uint64_t seed) {
  UniformStream rng(seed, 0);
  std::vector<double> flat{double(dim), double(bins)}, widths(bins);
  for (int j = 0; j < dim; ++j) {
    rng.fill_point(uint64_t(j), bins, widths.data());
    double total = 0.0;
    for (double& w : widths) total += (w = 0.2 + 1.6 * w);
    double edge = 0.0;
    flat.push_back(0.0);
    for (int i = 0; i + 1 < bins; ++i) flat.push_back(edge += widths[i] / total);
    flat.push_back(1.0);
  }
  return VegasGrid::from_flat(flat);
}

bool throws_invalid(const std::vector<double>& flat, std::string* message) {
  try {
    VegasGrid::from_flat(flat);
  } catch (const std::invalid_argument& e) {
    *message = e.what();
    return true;
  }
  return false;
}

constexpr double kMu = 0.3, kSigma = 0.05;

double gaussian(const double* u, int dim) {
  double f = 1.0;
  for (int j = 0; j < dim; ++j) f *= std::exp(-(u[j] - kMu) * (u[j] - kMu) / (2 * kSigma * kSigma));
  return f;
}

// Mean and standard error of f*J over n fresh points of one stream.
void estimate(const VegasGrid& grid, uint64_t stream, int n, double* mean, double* rel_std,
              double* error) {
  UniformStream rng(7, stream);
  double v[2], u[2], s1 = 0.0, s2 = 0.0;
  for (int p = 0; p < n; ++p) {
    rng.fill_point(uint64_t(p), 2, v);
    const double jac = grid.map(v, u);
    const double fj = jac * gaussian(u, 2);
    s1 += fj;
    s2 += fj * fj;
  }
  *mean = s1 / n;
  const double var = s2 / n - *mean * *mean;
  *rel_std = std::sqrt(var) / *mean;
  *error = std::sqrt(var / (n - 1));
}

}  // namespace

TEST(vegas_uniform_grid_is_identity) {
  VegasGrid grid(3, 64);
  CHECK(grid.dim() == 3 && grid.bins() == 64);
  UniformStream rng(1, 0);
  double v[3], u[3], back[3];
  for (int p = 0; p < 1000; ++p) {
    rng.fill_point(uint64_t(p), 3, v);
    CHECK_NEAR(grid.map(v, u), 1.0, 1e-14);
    for (int j = 0; j < 3; ++j) CHECK_NEAR(u[j], v[j], 1e-15);
    CHECK_NEAR(grid.inverse(u, back), 1.0, 1e-14);
    for (int j = 0; j < 3; ++j) CHECK_NEAR(back[j], v[j], 1e-15);
  }
  const double ends[3] = {0.0, 1.0, 0.5};
  int bins[3];
  grid.bin_indices(ends, bins);
  CHECK(bins[0] == 0 && bins[1] == 63 && bins[2] == 32);
  CHECK(grid.edges(1).size() == 65 && grid.edges(1).front() == 0.0 && grid.edges(1).back() == 1.0);
}

TEST(vegas_inverse_and_jacobian) {
  const int dim = 4, nb = 16;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const VegasGrid grid = random_grid(dim, nb, seed);
    UniformStream rng(seed, 1);
    double v[dim], u[dim], back[dim], lo[dim], hi[dim], tmp[dim];
    for (int p = 0; p < 2000; ++p) {
      rng.fill_point(uint64_t(p), dim, v);
      const double jac = grid.map(v, u);
      CHECK_NEAR(grid.inverse(u, back), jac, 1e-12 * jac);
      for (int j = 0; j < dim; ++j) CHECK_NEAR(back[j], v[j], 1e-12);
      // Central differences inside the bin: the map is linear there, so only rounding remains.
      for (int j = 0; j < dim; ++j) v[j] = (std::floor(v[j] * nb) + 0.1 + 0.8 * v[j]) / nb;
      const double jac_mid = grid.map(v, u);
      const double h = 1e-7;
      double numeric = 1.0;
      for (int j = 0; j < dim; ++j) {
        for (int k = 0; k < dim; ++k) lo[k] = hi[k] = v[k];
        lo[j] -= h;
        hi[j] += h;
        grid.map(lo, tmp);
        const double u_lo = tmp[j];
        grid.map(hi, tmp);
        numeric *= (tmp[j] - u_lo) / (2 * h);
      }
      CHECK_NEAR(numeric, jac_mid, 1e-6 * jac_mid);
    }
  }
}

TEST(vegas_adapts_to_gaussian_peak) {
  const int dim = 2, nb = 64, n = 20000;
  VegasGrid grid(dim, nb);
  double mean0, rel0, err0;
  estimate(grid, 1000, n, &mean0, &rel0, &err0);
  double v[dim], u[dim];
  int bins[dim];
  for (int it = 0; it < 10; ++it) {
    VegasAccumulator acc(dim, nb);
    UniformStream rng(7, uint64_t(it));
    for (int p = 0; p < n; ++p) {
      rng.fill_point(uint64_t(p), dim, v);
      const double jac = grid.map(v, u);
      grid.bin_indices(v, bins);
      acc.add(bins, gaussian(u, dim) * jac);
    }
    grid.refine(acc, 0.7);
  }
  double mean, rel, err;
  estimate(grid, 1001, n, &mean, &rel, &err);
  const double one_dim = kSigma * std::sqrt(std::acos(-1.0) / 2) *
                         (std::erf((1 - kMu) / (kSigma * std::sqrt(2.0))) +
                          std::erf(kMu / (kSigma * std::sqrt(2.0))));
  const double exact = one_dim * one_dim;
  std::printf("     vegas: rel std uniform %.3f -> adapted %.3f; pull %.2f\n", rel0, rel,
              (mean - exact) / err);
  CHECK(rel * 5 <= rel0);
  CHECK(std::abs(mean - exact) <= 4 * err);
  // The grid stays a valid map after adaptation.
  CHECK(VegasGrid::from_flat(grid.to_flat()).to_flat() == grid.to_flat());
}

TEST(vegas_refine_no_change_cases) {
  VegasGrid grid = random_grid(3, 32, 11);
  const std::vector<double> before = grid.to_flat();
  VegasAccumulator data(3, 32);
  UniformStream rng(3, 0);
  double v[3];
  int bins[3];
  for (int p = 0; p < 5000; ++p) {
    rng.fill_point(uint64_t(p), 3, v);
    grid.bin_indices(v, bins);
    data.add(bins, 1.0 + 10 * v[0]);
  }
  grid.refine(data, 0.0);
  CHECK(grid.to_flat() == before);
  grid.refine(VegasAccumulator(3, 32), 0.7);
  CHECK(grid.to_flat() == before);
  VegasAccumulator zeros(3, 32);
  zeros.add(bins, 0.0);
  grid.refine(zeros, 0.7);
  CHECK(grid.to_flat() == before);
  bool threw = false;
  try {
    grid.refine(VegasAccumulator(3, 16), 0.7);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
  // Real data does move it, and merging accumulators sums bin by bin.
  VegasAccumulator twice(3, 32);
  twice.merge(data);
  twice.merge(data);
  CHECK(twice.sum(0, 5) == 2 * data.sum(0, 5));
  grid.refine(data, 0.7);
  CHECK(grid.to_flat() != before);
}

TEST(vegas_flat_round_trip_and_validation) {
  const VegasGrid grid = random_grid(3, 10, 5);
  const std::vector<double> flat = grid.to_flat();
  CHECK(flat.size() == 2 + 3 * 11u);
  const VegasGrid copy = VegasGrid::from_flat(flat);
  CHECK(copy.to_flat() == flat);
  for (int j = 0; j < 3; ++j) CHECK(copy.edges(j) == grid.edges(j));

  std::string message;
  std::vector<double> bad = flat;
  bad.pop_back();
  CHECK(throws_invalid(bad, &message) && message.find("expected") != std::string::npos);
  bad = flat;
  std::swap(bad[2 + 11 + 3], bad[2 + 11 + 4]);
  CHECK(throws_invalid(bad, &message) && message.find("increasing") != std::string::npos);
  bad = flat;
  bad[2 + 10] = 0.999;
  CHECK(throws_invalid(bad, &message) && message.find("exactly 1") != std::string::npos);
  bad = flat;
  bad[2] = 1e-3;
  CHECK(throws_invalid(bad, &message) && message.find("exactly 0") != std::string::npos);
  bad = flat;
  bad[1] = 10.5;
  CHECK(throws_invalid(bad, &message) && message.find("bins") != std::string::npos);
  CHECK(throws_invalid({}, &message) && !message.empty());
}

TEST(vegas_merge_bins) {
  // Two regions of constant density with a few percent of noise: the jump at edge 20
  // (density ratio about 2.2) must survive any merge down to two bins.
  const int nb = 64, jump = 20;
  std::vector<double> edges{0.0};
  UniformStream rng(9, 0);
  double noise[nb];
  rng.fill_point(0, nb, noise);
  std::vector<double> widths(nb);
  double left = 0, right = 0;
  for (int i = 0; i < nb; ++i) (i < jump ? left : right) += (widths[i] = 1 + 0.1 * (noise[i] - 0.5));
  for (int i = 0; i < nb; ++i) edges.push_back(edges.back() + 0.5 * widths[i] / (i < jump ? left : right));
  edges.back() = 1.0;
  for (int target : {1, 2, 3, 8, 17, 63, 64}) {
    const std::vector<int> kept = madnis::merge_vegas_bins(edges, target);
    CHECK(int(kept.size()) == target + 1);
    CHECK(kept.front() == 0 && kept.back() == nb);
    for (size_t k = 1; k < kept.size(); ++k) CHECK(kept[k] > kept[k - 1]);
    bool has_jump = false;
    for (int k : kept) has_jump = has_jump || k == jump;
    CHECK(target == 1 || has_jump);
  }
  bool threw = false;
  try {
    madnis::merge_vegas_bins(edges, 0);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

TEST(vegas_inverse_on_edges_and_small_grids) {
  for (int nb : {1, 2, 3, 7, 64}) {
    const VegasGrid grid = random_grid(1, nb, 20 + nb);
    const std::vector<double>& e = grid.edges(0);
    double v, u;
    for (int i = 0; i <= nb; ++i) {
      grid.inverse(&e[i], &v);
      CHECK_NEAR(v, double(i) / nb, 1e-14);
    }
    // Outside [0,1] the end bins extrapolate, and map undoes it.
    for (double out : {-0.1, 1.1}) {
      grid.inverse(&out, &v);
      grid.map(&v, &u);
      CHECK_NEAR(u, out, 1e-14);
    }
  }
}
