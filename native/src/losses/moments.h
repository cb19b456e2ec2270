// Per-channel moments of importance weights, the quantities every loss and every batch
// estimate is built from. Per channel c, with samples x_i ~ g, integrand F_i (the process
// weight in the channel's unit cube), channel weight α_i and current density q_i:
//   μ_c  = ⟨α F / g⟩                      (the channel's integral)
//   M2_c = ⟨α² F² / (q g)⟩                 (E_q[(αF/q)²])
//   V_c  = M2_c − μ_c²                     (variance of the channel's weight under q)
//   A_c  = ⟨|α F| / g⟩
// For a freshly drawn batch (q = g) these are the plain moments of the weights w = αF/g.
#pragma once

#include <cmath>
#include <vector>

namespace madnis {

struct ChannelMoments {
  int n = 0;
  double mu = 0, m2 = 0, var = 0, abs_mean = 0;
};

// Sums of a weight w drawn from the density it is weighed with (q = g).
inline void add_weight(ChannelMoments& m, double w) {
  ++m.n;
  m.mu += w;
  m.m2 += w * w;
  m.abs_mean += std::abs(w);
}

// Sums to means, and the variance (a channel without points stays zero).
inline void finish_moments(ChannelMoments& m) {
  if (m.n == 0) return;
  m.mu /= m.n;
  m.m2 /= m.n;
  m.abs_mean /= m.n;
  m.var = m.m2 - m.mu * m.mu;
}

// The points of a batch as a loss sees them: channel[i] in [0, n_channels); f, g, log_q
// and alpha per point.
struct LossInput {
  int n_channels;
  const std::vector<int>& channel;
  const std::vector<double>& f;
  const std::vector<double>& g;
  const std::vector<double>& log_q;
  const std::vector<double>& alpha;
};

// μ_c, M2_c, V_c and A_c of every channel, importance-weighted by g (finished).
std::vector<ChannelMoments> channel_moments(const LossInput& in);

// For a loss L(V_1, …, V_C, B) with B = Σ_c A_c: ∂L/∂log q and ∂L/∂α of every point by the
// chain rule through V_c and A_c, given ∂L/∂V_c per channel and ∂L/∂B.
void moments_backward(const LossInput& in, const std::vector<ChannelMoments>& moments,
                      const std::vector<double>& dl_dv, double dl_db, std::vector<double>& dlog_q,
                      std::vector<double>& dalpha);

}  // namespace madnis
