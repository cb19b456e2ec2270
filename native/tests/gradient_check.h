// Central finite differences for gradient checks.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "check.h"

namespace madnis::test {

// Compares analytic ∂L/∂p_k with (L(p+h) − L(p−h))/2h for the given indices, with
// h relative to |p_k|; the criterion is |num − ana| ≤ tol · max(1, |num|, |ana|).
inline void check_gradient(std::vector<double>& params, const std::vector<double>& analytic,
                           const std::function<double()>& loss, const std::vector<size_t>& indices,
                           double tol, const char* what) {
  double worst = 0;
  size_t worst_index = 0;
  for (size_t k : indices) {
    const double saved = params[k], h = 1e-6 * std::max(1.0, std::abs(saved));
    params[k] = saved + h;
    const double up = loss();
    params[k] = saved - h;
    const double down = loss();
    params[k] = saved;
    const double numeric = (up - down) / (2 * h);
    const double error = std::abs(numeric - analytic[k]) / std::max({1.0, std::abs(numeric), std::abs(analytic[k])});
    if (error > worst) {
      worst = error;
      worst_index = k;
    }
  }
  check(worst <= tol, what, __FILE__, __LINE__,
        "worst relative error " + std::to_string(worst) + " at parameter " + std::to_string(worst_index));
}

// Every index when there are few, else an even spread of `max_count` of them.
inline std::vector<size_t> sample_indices(size_t n, size_t max_count) {
  std::vector<size_t> indices;
  const size_t step = std::max<size_t>(1, n / max_count);
  for (size_t k = 0; k < n; k += step) indices.push_back(k);
  return indices;
}

}  // namespace madnis::test
