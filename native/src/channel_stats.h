// Running sums of weights for one channel: enough for the mean, the variance of the
// mean, the fraction of points passing cuts and the largest weight.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace madnis {

struct ChannelStats {
  int64_t n = 0;          // points evaluated (all of them, zero and invalid included)
  int64_t n_passing = 0;  // points whose process weight is non-zero (passing cuts)
  int64_t n_nonzero = 0;  // points with a non-zero contribution
  int64_t n_invalid = 0;  // non-finite weights: counted here, contribute zero
  double sum = 0, sum_sq = 0, max_abs = 0;

  // w: the point's contribution (α_c · weight); passed: the process weight was non-zero.
  void add(double w, bool passed) {
    ++n;
    if (passed) ++n_passing;
    if (!std::isfinite(w)) {
      ++n_invalid;
      return;
    }
    if (w == 0) return;
    ++n_nonzero;
    sum += w;
    sum_sq += w * w;
    max_abs = std::max(max_abs, std::abs(w));
  }

  void merge(const ChannelStats& o) {
    n += o.n;
    n_passing += o.n_passing;
    n_nonzero += o.n_nonzero;
    n_invalid += o.n_invalid;
    sum += o.sum;
    sum_sq += o.sum_sq;
    max_abs = std::max(max_abs, o.max_abs);
  }
};

}  // namespace madnis
