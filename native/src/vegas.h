// The VEGAS adaptive map (G. P. Lepage, J. Comput. Phys. 27 (1978) 192; arXiv:2009.05112):
// per dimension, B bins of equal probability in v in [0,1], each mapped linearly onto a bin of
// adapted width in u, so the sampling density 1/J follows the integrand. The map, the training
// data and the bin merging (arXiv:2311.01548, VEGAS grid -> spline bins) are kept apart so that
// threads can accumulate independently and merge in a fixed order.
#pragma once

#include <vector>

namespace madnis {

class VegasAccumulator;

class VegasGrid {
 public:
  // Throws std::invalid_argument unless dim >= 1 and bins >= 1.
  VegasGrid(int dim, int bins = 64);

  int dim() const { return dim_; }
  int bins() const { return bins_; }

  // v -> u; returns du/dv (product over dimensions). Hot path: no allocation, no checks.
  double map(const double* v, double* u) const;
  // u -> v, the exact inverse of map; returns du/dv at u. Points outside [0,1] extrapolate
  // linearly from the first/last bin rather than failing.
  double inverse(const double* u, double* v) const;
  // bins[j] = floor(v_j * B), clamped to [0, B-1], so v_j == 1 lands in the last bin.
  void bin_indices(const double* v, int* bins) const;

  // Throws std::out_of_range for a bad dimension.
  const std::vector<double>& edges(int d) const;

  // One VEGAS adaptation step; alpha = 0 and dimensions without (finite, non-zero) data leave
  // the edges untouched. Throws std::invalid_argument if data's shape differs from the grid's
  // or alpha is negative/non-finite.
  void refine(const VegasAccumulator& data, double alpha);

  // [dim, bins, edges of dim 0 (B+1), edges of dim 1, ...].
  std::vector<double> to_flat() const;
  // Throws std::invalid_argument (naming the problem) on a bad shape, non-finite values,
  // edges that do not run strictly increasing from exactly 0 to exactly 1.
  static VegasGrid from_flat(const std::vector<double>& flat);

 private:
  int dim_, bins_;
  std::vector<std::vector<double>> edges_;
};

// Per-bin sums of (f*J)^2: equalising them across bins makes f*J flat, the importance-sampling
// optimum (the variance-minimising variant of arXiv:2009.05112).
class VegasAccumulator {
 public:
  // Throws std::invalid_argument unless dim >= 1 and bins >= 1.
  VegasAccumulator(int dim, int bins);

  // bins[j] must lie in [0, B) (as bin_indices guarantees); not checked, it is per point.
  void add(const int* bins, double f_times_jacobian);
  // Throws std::invalid_argument on a shape mismatch. Merging in a fixed order makes the
  // floating-point sums, hence the refined grid, independent of the thread count.
  void merge(const VegasAccumulator& other);
  // Throws std::out_of_range for a bad index.
  double sum(int d, int bin) const;

 private:
  friend class VegasGrid;
  int dim_, bins_;
  std::vector<double> sums_;  // dimension-major: sums_[d * bins_ + bin]
};

// Indices (into 0..B) of the target+1 edges kept after repeatedly merging the adjacent pair of
// bins whose densities (1/B per original bin over width) are closest in log; ties go to the
// leftmost pair. Throws std::invalid_argument unless edges are strictly increasing with at least
// two entries and 1 <= target <= B.
std::vector<int> merge_vegas_bins(const std::vector<double>& edges, int target);

}  // namespace madnis
