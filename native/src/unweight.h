// Unweighting efficiency of a weighted sample, defined once for every sampler (madnis-ts,
// VEGAS, MadGraph's own weights), so the comparison is like for like.
//
// N weights, zero weights (points failing cuts) included; everything below is computed on
// |w| (negative weights, rare at LO, are counted), ⟨w⟩ = Σ|w|/N.
//   eps_max         = ⟨w⟩ / max w                       (plain maximum: outlier-sensitive)
//   eps_truncated   = ⟨w⟩ / w_trunc, w_trunc the smallest w_max such that the
//                     overweight excess Σ(w_i − w_max)₊ is at most `overweight_share` of
//                     Σw (MadGraph's event combination truncates at about 1 %)
//   eps_median_max  = ⟨w⟩ / w_med, w_med the median over R bootstrap replicas, each of N/R
//                     points drawn with replacement, of the replica maximum — a robust
//                     estimate of the maximum a sample of that size meets (cf. arXiv:2001.10028)
// With a chosen w_max, unweighting accepts with probability min(1, w/w_max); events with
// w > w_max are kept with weight w/w_max (σ stays exact): acceptance = ⟨min(w, w_max)⟩/w_max,
// the overweight fraction is #(w > w_max)/N, and their share of σ is Σ_{w>w_max} w / Σw.
#pragma once

#include <cstdint>
#include <vector>

namespace madnis {

struct EfficiencyOptions {
  double overweight_share = 0.01;
  int replicas = 50;
  uint64_t seed = 1;
};

struct OverweightStats {
  double w_max = 0, efficiency = 0, acceptance = 0, overweight_fraction = 0, overweight_sigma_share = 0;
};

struct Efficiency {
  int64_t n = 0, n_nonzero = 0, n_negative = 0;
  double mean = 0, relative_std = 0;
  OverweightStats plain_max, truncated, median_max;
};

Efficiency unweighting_efficiency(const std::vector<double>& weights, const EfficiencyOptions& options);

// Acceptance and overweights for a given w_max.
OverweightStats overweights_at(const std::vector<double>& weights, double w_max);

// The weights of a stratified batch (counts[c] points drawn in channel c, weight[i] of a
// point of channel channel[i]) as one sample of the mixture: a point of channel c stands
// for N/n_c points, N = Σ counts. What the efficiency and unweighting are measured on.
std::vector<double> combined_weights(const std::vector<double>& weight, const std::vector<int>& channel,
                                     const std::vector<int64_t>& counts);

}  // namespace madnis
