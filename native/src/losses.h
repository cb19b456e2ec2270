// Training losses for multi-channel importance sampling, importance-weighted by the
// density g each sample was drawn from, so samples from a replay buffer (drawn by an
// older sampler) can be reused.
//
// Per channel c, with samples x_i ~ g, integrand F_i (the process weight in the
// channel's unit cube), channel weight α_i and current density q_i:
//   μ_c  = ⟨α F / g⟩                      (the channel's integral)
//   M2_c = ⟨α² F² / (q g)⟩                 (E_q[(αF/q)²])
//   V_c  = M2_c − μ_c²                     (variance of the channel's weight under q)
//   A_c  = ⟨|α F| / g⟩
// Losses (arXiv:2311.01548):
//   stratified_variance: (Σ_c √V_c / Σ_c A_c)² — the relative variance of the combined
//     estimate with samples allocated ∝ √V_c; trains flows and channel weights together.
//   variance: Σ_c V_c / (Σ_c A_c)² — per-channel variances, fixed allocation.
//   kl: −Σ_c ⟨(α|F|/g) / A_c · log q⟩ — KL(p_c ‖ q_c) up to a constant; flows only (α and
//     A_c are held fixed, so it gives no gradient to the channel weights).
#pragma once

#include <string>
#include <vector>

namespace madnis {

enum class LossKind { stratified_variance, variance, kl };
LossKind parse_loss(const std::string& name);  // throws std::invalid_argument

struct ChannelMoments {
  int n = 0;
  double mu = 0, m2 = 0, var = 0, abs_mean = 0;
};

struct LossResult {
  double loss = 0;
  std::vector<double> dlog_q, dalpha;   // per point
  std::vector<ChannelMoments> channels;
};

// channel[i] in [0, n_channels); f, g, log_q, alpha per point.
LossResult compute_loss(LossKind kind, int n_channels, const std::vector<int>& channel,
                        const std::vector<double>& f, const std::vector<double>& g,
                        const std::vector<double>& log_q, const std::vector<double>& alpha);

}  // namespace madnis
