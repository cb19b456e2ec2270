#include "vegas.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace madnis {
namespace {

void require_shape(int dim, int bins, const char* who) {
  if (dim < 1 || bins < 1)
    throw std::invalid_argument(std::string(who) + ": dim and bins must be >= 1, got dim=" +
                                std::to_string(dim) + ", bins=" + std::to_string(bins));
}

// Written so that NaN (all comparisons false) ends up in bin 0 instead of hitting the undefined
// behaviour of converting NaN to int; the NaN itself still propagates through the map.
inline int clamped_bin(double x, int bins) {
  const double fl = std::floor(x);
  if (!(fl >= 0.0)) return 0;
  if (fl >= bins) return bins - 1;
  return static_cast<int>(fl);
}

// How many of the sorted a[0..n) are <= x. With a = the interior edges this is u's bin: out-of-
// range u clamps to the end bins and a u exactly on an edge goes right, like floor() in map.
// Branch-free (conditional moves) because u is random, so std::upper_bound's branches would
// mispredict at almost every level; this made inverse() several times faster.
inline int count_not_above(const double* a, int n, double x) {
  const double* base = a;
  while (n > 1) {
    const int half = n / 2;
    base = base[half] <= x ? base + half : base;
    n -= half;
  }
  return int(base - a) + (n == 1 && base[0] <= x);
}

// Empty string when the edges are usable, otherwise what is wrong with them.
std::string edge_problem(const double* e, size_t n, bool unit_endpoints) {
  if (n < 2) return "need at least 2 edges";
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(e[i])) return "edge " + std::to_string(i) + " is not finite";
  if (unit_endpoints && e[0] != 0.0) return "first edge must be exactly 0";
  if (unit_endpoints && e[n - 1] != 1.0) return "last edge must be exactly 1";
  for (size_t i = 1; i < n; ++i)
    if (!(e[i] > e[i - 1]))
      return "edges must be strictly increasing (edge " + std::to_string(i) + ")";
  return "";
}

}  // namespace

VegasGrid::VegasGrid(int dim, int bins) : dim_(dim), bins_(bins) {
  require_shape(dim, bins, "VegasGrid");
  std::vector<double> uniform(bins + 1);
  for (int i = 0; i <= bins; ++i) uniform[i] = double(i) / bins;  // exact 0 and 1 ends
  edges_.assign(dim, uniform);
}

double VegasGrid::map(const double* v, double* u) const {
  const double scale = bins_;
  double jac = 1.0;
  for (int j = 0; j < dim_; ++j) {
    const double* e = edges_[j].data();
    const double x = v[j] * scale;
    const int i = clamped_bin(x, bins_);
    const double width = e[i + 1] - e[i];
    u[j] = e[i] + (x - i) * width;
    jac *= width * scale;
  }
  return jac;
}

double VegasGrid::inverse(const double* u, double* v) const {
  const double scale = bins_;
  double jac = 1.0;
  for (int j = 0; j < dim_; ++j) {
    const double* e = edges_[j].data();
    const int i = count_not_above(e + 1, bins_ - 1, u[j]);
    const double width = e[i + 1] - e[i];
    v[j] = (i + (u[j] - e[i]) / width) / scale;
    jac *= width * scale;
  }
  return jac;
}

void VegasGrid::bin_indices(const double* v, int* bins) const {
  for (int j = 0; j < dim_; ++j) bins[j] = clamped_bin(v[j] * bins_, bins_);
}

const std::vector<double>& VegasGrid::edges(int d) const {
  if (d < 0 || d >= dim_)
    throw std::out_of_range("VegasGrid::edges: dimension " + std::to_string(d) + " of " +
                            std::to_string(dim_));
  return edges_[d];
}

void VegasGrid::refine(const VegasAccumulator& data, double alpha) {
  if (data.dim_ != dim_ || data.bins_ != bins_)
    throw std::invalid_argument("VegasGrid::refine: accumulator shape does not match the grid");
  if (!(alpha >= 0.0) || !std::isfinite(alpha))
    throw std::invalid_argument("VegasGrid::refine: alpha must be finite and >= 0");
  // alpha = 0 compresses every weight to 1 (equal shares), so the grid would only pick up
  // rounding noise; returning keeps it bit-identical. One bin has nothing to move.
  if (alpha == 0.0 || bins_ == 1) return;

  const int nb = bins_;
  std::vector<double> smooth(nb), weight(nb), next(nb + 1);
  for (int j = 0; j < dim_; ++j) {
    const double* s = data.sums_.data() + size_t(j) * nb;
    // Neighbour averaging (Lepage 1978) keeps a few noisy bins from dragging edges around.
    double total = 0.0;
    for (int i = 0; i < nb; ++i) {
      const int lo = std::max(0, i - 1), hi = std::min(nb - 1, i + 1);
      double acc = 0.0;
      for (int k = lo; k <= hi; ++k) acc += s[k];
      smooth[i] = acc / (hi - lo + 1);
      total += smooth[i];
    }
    // No data, or data spoilt by inf/NaN: better to keep the grid than to adapt to garbage.
    if (!(total > 0.0) || !std::isfinite(total)) continue;

    // ((r-1)/ln r)^alpha flattens the weights so one iteration cannot overshoot; its limits
    // are 0 at r = 0 and 1 at r = 1.
    double wsum = 0.0;
    for (int i = 0; i < nb; ++i) {
      const double r = smooth[i] / total;
      weight[i] = r <= 0.0 ? 0.0 : r >= 1.0 ? 1.0 : std::pow((r - 1.0) / std::log(r), alpha);
      wsum += weight[i];
    }
    const double share = wsum / nb;

    // Treat each old bin's weight as spread uniformly over it and cut the cumulative weight
    // into nb equal shares. The loop keeps `below` (weight before bin `i`) < target, so the bin
    // the cut lands in has positive weight and the new bins positive width.
    const std::vector<double>& old = edges_[j];
    next[0] = 0.0;
    next[nb] = 1.0;
    double below = 0.0;
    int i = 0;
    for (int k = 1; k < nb; ++k) {
      const double target = k * share;
      while (i < nb - 1 && below + weight[i] < target) below += weight[i++];
      // Rounding can leave the walk in the last bin with target a hair past its end.
      double frac = weight[i] > 0.0 ? (target - below) / weight[i] : 1.0;
      frac = std::min(1.0, std::max(0.0, frac));
      next[k] = old[i] + frac * (old[i + 1] - old[i]);
    }
    // Bins narrower than rounding would break inverse(); such an update is dropped whole.
    if (edge_problem(next.data(), next.size(), true).empty()) edges_[j] = next;
  }
}

std::vector<double> VegasGrid::to_flat() const {
  std::vector<double> flat;
  flat.reserve(2 + size_t(dim_) * (bins_ + 1));
  flat.push_back(dim_);
  flat.push_back(bins_);
  for (const auto& e : edges_) flat.insert(flat.end(), e.begin(), e.end());
  return flat;
}

VegasGrid VegasGrid::from_flat(const std::vector<double>& flat) {
  const std::string who = "VegasGrid::from_flat: ";
  if (flat.size() < 2) throw std::invalid_argument(who + "need at least [dim, bins]");
  // The bound keeps dim * (bins + 1) exact in double and the casts to int defined.
  constexpr double kMax = 1 << 24;
  for (int k = 0; k < 2; ++k) {
    const double x = flat[k];
    if (!(x >= 1.0 && x <= kMax) || x != std::floor(x))
      throw std::invalid_argument(who + (k == 0 ? "dim" : "bins") +
                                  " must be an integer in [1, 2^24]");
  }
  const int dim = int(flat[0]), bins = int(flat[1]);
  const double expected = 2.0 + double(dim) * (bins + 1.0);
  if (double(flat.size()) != expected)
    throw std::invalid_argument(who + "expected " + std::to_string(size_t(expected)) +
                                " values for dim=" + std::to_string(dim) + ", bins=" +
                                std::to_string(bins) + ", got " + std::to_string(flat.size()));
  VegasGrid grid(dim, bins);
  for (int j = 0; j < dim; ++j) {
    const double* e = flat.data() + 2 + size_t(j) * (bins + 1);
    const std::string problem = edge_problem(e, size_t(bins) + 1, true);
    if (!problem.empty())
      throw std::invalid_argument(who + "dimension " + std::to_string(j) + ": " + problem);
    grid.edges_[j].assign(e, e + bins + 1);
  }
  return grid;
}

VegasAccumulator::VegasAccumulator(int dim, int bins) : dim_(dim), bins_(bins) {
  require_shape(dim, bins, "VegasAccumulator");
  sums_.assign(size_t(dim) * bins, 0.0);
}

void VegasAccumulator::add(const int* bins, double f_times_jacobian) {
  const double sq = f_times_jacobian * f_times_jacobian;
  for (int j = 0; j < dim_; ++j) sums_[size_t(j) * bins_ + bins[j]] += sq;
}

void VegasAccumulator::merge(const VegasAccumulator& other) {
  if (other.dim_ != dim_ || other.bins_ != bins_)
    throw std::invalid_argument("VegasAccumulator::merge: shapes differ");
  for (size_t k = 0; k < sums_.size(); ++k) sums_[k] += other.sums_[k];
}

double VegasAccumulator::sum(int d, int bin) const {
  if (d < 0 || d >= dim_ || bin < 0 || bin >= bins_)
    throw std::out_of_range("VegasAccumulator::sum: index out of range");
  return sums_[size_t(d) * bins_ + bin];
}

std::vector<int> merge_vegas_bins(const std::vector<double>& edges, int target) {
  const std::string problem = edge_problem(edges.data(), edges.size(), false);
  if (!problem.empty()) throw std::invalid_argument("merge_vegas_bins: " + problem);
  const int nb = int(edges.size()) - 1;
  if (target < 1 || target > nb)
    throw std::invalid_argument("merge_vegas_bins: target must be in [1, " +
                                std::to_string(nb) + "], got " + std::to_string(target));

  // Log density up to the common 1/B factor, which cancels in every comparison.
  auto log_density = [&](int a, int b) { return std::log(double(b - a)) - std::log(edges[b] - edges[a]); };
  std::vector<int> kept(nb + 1);
  for (int i = 0; i <= nb; ++i) kept[i] = i;
  std::vector<double> logd(nb);
  for (int s = 0; s < nb; ++s) logd[s] = log_density(s, s + 1);

  // Quadratic in B, which is fine for grids of a few hundred bins and keeps ties deterministic
  // (strict < picks the leftmost pair).
  while (int(kept.size()) > target + 1) {
    int best = 0;
    double best_gap = std::numeric_limits<double>::infinity();
    for (size_t s = 0; s + 1 < logd.size(); ++s) {
      const double gap = std::abs(logd[s] - logd[s + 1]);
      if (gap < best_gap) best_gap = gap, best = int(s);
    }
    kept.erase(kept.begin() + best + 1);
    logd.erase(logd.begin() + best + 1);
    logd[best] = log_density(kept[best], kept[best + 1]);
  }
  return kept;
}

}  // namespace madnis
