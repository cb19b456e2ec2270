#include "losses.h"

#include <cmath>
#include <stdexcept>

namespace madnis {

LossKind parse_loss(const std::string& name) {
  if (name == "stratified_variance") return LossKind::stratified_variance;
  if (name == "variance") return LossKind::variance;
  if (name == "kl") return LossKind::kl;
  throw std::invalid_argument("unknown loss '" + name + "' (known: stratified_variance, variance, kl)");
}

namespace {

// A channel whose weight has (numerically) no variance contributes no gradient through
// √V rather than an infinite one.
constexpr double kVarianceFloor = 1e-300;

}  // namespace

LossResult compute_loss(LossKind kind, int n_channels, const std::vector<int>& channel,
                        const std::vector<double>& f, const std::vector<double>& g,
                        const std::vector<double>& log_q, const std::vector<double>& alpha) {
  const size_t n = channel.size();
  if (f.size() != n || g.size() != n || log_q.size() != n || alpha.size() != n)
    throw std::invalid_argument("compute_loss: inputs of different lengths");
  LossResult r;
  r.channels.assign(size_t(n_channels), {});
  r.dlog_q.assign(n, 0.0);
  r.dalpha.assign(n, 0.0);

  for (size_t i = 0; i < n; ++i) {
    ChannelMoments& m = r.channels[size_t(channel[i])];
    const double q = std::exp(log_q[i]), af = alpha[i] * f[i];
    ++m.n;
    m.mu += af / g[i];
    m.m2 += af * af / (q * g[i]);
    m.abs_mean += std::abs(af) / g[i];
  }
  double total_abs = 0, sum_sqrt_var = 0, sum_var = 0;
  for (ChannelMoments& m : r.channels) {
    if (m.n == 0) continue;
    m.mu /= m.n;
    m.m2 /= m.n;
    m.abs_mean /= m.n;
    m.var = m.m2 - m.mu * m.mu;
    total_abs += m.abs_mean;
    sum_var += std::max(m.var, 0.0);
    sum_sqrt_var += std::sqrt(std::max(m.var, kVarianceFloor));
  }
  if (total_abs <= 0) return r;  // nothing passed the cuts: no signal to learn from

  if (kind == LossKind::kl) {
    for (size_t i = 0; i < n; ++i) {
      const ChannelMoments& m = r.channels[size_t(channel[i])];
      if (m.abs_mean <= 0) continue;
      const double p_over_g = std::abs(alpha[i] * f[i]) / g[i] / m.abs_mean;
      r.loss -= p_over_g * log_q[i] / m.n;
      r.dlog_q[i] = -p_over_g / m.n;
    }
    return r;
  }

  // L = N / B² with N = (Σ√V)² or ΣV, B = Σ_c A_c; chain rule through V_c and A_c.
  const double numerator = kind == LossKind::stratified_variance ? sum_sqrt_var * sum_sqrt_var : sum_var;
  const double b = total_abs;
  r.loss = numerator / (b * b);
  const double dl_db = -2 * numerator / (b * b * b);
  for (size_t i = 0; i < n; ++i) {
    const ChannelMoments& m = r.channels[size_t(channel[i])];
    double dl_dv;
    if (kind == LossKind::stratified_variance)
      dl_dv = m.var > kVarianceFloor ? (2 * sum_sqrt_var / (b * b)) / (2 * std::sqrt(m.var)) : 0.0;
    else
      dl_dv = m.var > 0 ? 1 / (b * b) : 0.0;
    const double q = std::exp(log_q[i]), inv_n = 1.0 / m.n;
    const double af = alpha[i] * f[i];
    // ∂M2/∂log q = −α²F²/(q g)/n,  ∂M2/∂α = 2αF²/(q g)/n,  ∂μ/∂α = F/g/n,  ∂A/∂α = |F|/g/n
    r.dlog_q[i] = dl_dv * (-af * af / (q * g[i])) * inv_n;
    const double dm2_da = 2 * af * f[i] / (q * g[i]) * inv_n;
    const double dmu_da = f[i] / g[i] * inv_n;
    r.dalpha[i] = dl_dv * (dm2_da - 2 * m.mu * dmu_da) + dl_db * std::abs(f[i]) / g[i] * inv_n;
  }
  return r;
}

}  // namespace madnis
