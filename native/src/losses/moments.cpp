#include "moments.h"

namespace madnis {

std::vector<ChannelMoments> channel_moments(const LossInput& in) {
  std::vector<ChannelMoments> moments(size_t(in.n_channels));
  for (size_t i = 0; i < in.channel.size(); ++i) {
    ChannelMoments& m = moments[size_t(in.channel[i])];
    const double q = std::exp(in.log_q[i]), af = in.alpha[i] * in.f[i];
    ++m.n;
    m.mu += af / in.g[i];
    m.m2 += af * af / (q * in.g[i]);
    m.abs_mean += std::abs(af) / in.g[i];
  }
  for (ChannelMoments& m : moments) finish_moments(m);
  return moments;
}

void moments_backward(const LossInput& in, const std::vector<ChannelMoments>& moments,
                      const std::vector<double>& dl_dv, double dl_db, std::vector<double>& dlog_q,
                      std::vector<double>& dalpha) {
  const std::vector<double>& f = in.f;
  const std::vector<double>& g = in.g;
  for (size_t i = 0; i < in.channel.size(); ++i) {
    const size_t c = size_t(in.channel[i]);
    const ChannelMoments& m = moments[c];
    const double q = std::exp(in.log_q[i]), inv_n = 1.0 / m.n;
    const double af = in.alpha[i] * f[i];
    // ∂M2/∂log q = −α²F²/(q g)/n,  ∂M2/∂α = 2αF²/(q g)/n,  ∂μ/∂α = F/g/n,  ∂A/∂α = |F|/g/n
    dlog_q[i] = dl_dv[c] * (-af * af / (q * g[i])) * inv_n;
    const double dm2_da = 2 * af * f[i] / (q * g[i]) * inv_n;
    const double dmu_da = f[i] / g[i] * inv_n;
    dalpha[i] = dl_dv[c] * (dm2_da - 2 * m.mu * dmu_da) + dl_db * std::abs(f[i]) / g[i] * inv_n;
  }
}

}  // namespace madnis
