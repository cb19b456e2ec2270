#include "unweight.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "rng.h"

namespace madnis {

OverweightStats overweights_at(const std::vector<double>& weights, double w_max) {
  OverweightStats s;
  s.w_max = w_max;
  if (weights.empty() || w_max <= 0) return s;
  double sum = 0, clipped = 0, over_sum = 0;
  int64_t over = 0;
  for (double w : weights) {
    sum += w;
    clipped += std::min(w, w_max);
    if (w > w_max) {
      ++over;
      over_sum += w;
    }
  }
  const double n = double(weights.size());
  s.efficiency = sum / n / w_max;
  s.acceptance = clipped / n / w_max;
  s.overweight_fraction = double(over) / n;
  s.overweight_sigma_share = sum > 0 ? over_sum / sum : 0;
  return s;
}

Efficiency unweighting_efficiency(const std::vector<double>& weights, const EfficiencyOptions& options) {
  Efficiency e;
  e.n = int64_t(weights.size());
  if (weights.empty()) return e;
  // Unweighting works on |w|: a few slightly negative weights (e.g. where a PDF fit dips
  // below zero) become events of negative weight; they are counted.
  std::vector<double> magnitude(weights.size());
  double sum = 0, sum_sq = 0, max = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    if (!std::isfinite(w)) throw std::invalid_argument("unweighting: weights must be finite, got " + std::to_string(w));
    if (w < 0) ++e.n_negative;
    magnitude[i] = std::abs(w);
    sum += magnitude[i];
    sum_sq += w * w;
    max = std::max(max, magnitude[i]);
    if (w != 0) ++e.n_nonzero;
  }
  const double n = double(weights.size());
  e.mean = sum / n;
  const double variance = std::max(0.0, sum_sq / n - e.mean * e.mean);
  e.relative_std = e.mean > 0 ? std::sqrt(variance) / e.mean : 0;
  if (max <= 0) return e;
  e.plain_max = overweights_at(magnitude, max);

  // Smallest w_max with excess Σ(w − w_max)₊ ≤ share·Σw: the excess falls as w_max rises,
  // so walk down the sorted weights until it first exceeds the budget, then solve the
  // linear piece between two order statistics.
  std::vector<double> sorted(magnitude);
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const double budget = options.overweight_share * sum;
  double top_sum = 0, w_trunc = sorted.back();
  for (size_t k = 0; k < sorted.size(); ++k) {
    // excess if w_max = sorted[k]: the k larger weights exceed it
    const double excess = top_sum - double(k) * sorted[k];
    if (excess > budget) {
      w_trunc = (top_sum - budget) / double(k);
      break;
    }
    top_sum += sorted[k];
    w_trunc = sorted[k];
  }
  // With nearly flat weights the budget would allow w_max below the mean, an "efficiency"
  // above 1; w_max is never taken below ⟨w⟩.
  e.truncated = overweights_at(magnitude, std::max(w_trunc, e.mean));

  // Median over replicas of the maximum of N/R points drawn with replacement.
  const int replicas = std::max(1, options.replicas);
  const int64_t size = std::max<int64_t>(1, e.n / replicas);
  std::vector<double> maxima(size_t(replicas), 0.0);
  const UniformStream stream(options.seed, make_stream(6, 0, 0));
  for (int r = 0; r < replicas; ++r) {
    double m = 0, u = 0;
    for (int64_t i = 0; i < size; ++i) {
      stream.fill_point(uint64_t(r) * uint64_t(size) + uint64_t(i), 1, &u);
      m = std::max(m, magnitude[size_t(std::min<double>(n - 1, std::floor(u * n)))]);
    }
    maxima[size_t(r)] = m;
  }
  std::nth_element(maxima.begin(), maxima.begin() + replicas / 2, maxima.end());
  const double w_med = maxima[size_t(replicas / 2)];
  e.median_max = overweights_at(magnitude, w_med > 0 ? w_med : max);
  return e;
}

std::vector<double> combined_weights(const std::vector<double>& weight, const std::vector<int>& channel,
                                     const std::vector<int64_t>& counts) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<double> combined(weight.size());
  for (size_t i = 0; i < combined.size(); ++i)
    combined[i] = weight[i] * double(total) / double(counts[size_t(channel[i])]);
  return combined;
}

}  // namespace madnis
