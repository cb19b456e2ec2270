// kl: L = −Σ_c ⟨(α|F|/g) / A_c · log q⟩, KL(p_c ‖ q_c) up to a constant, with
// p_c = α|F|/(g A_c) relative to g. Trains the flows only: α and A_c are held fixed, so it gives no
// gradient to the channel weights.
#include <cmath>

#include "loss.h"

namespace madnis {

namespace {

class KlLoss final : public Loss {
 public:
  const char* name() const override { return "kl"; }

 private:
  void evaluate(const LossInput& in, double, LossResult& r) const override {
    for (size_t i = 0; i < in.channel.size(); ++i) {
      const ChannelMoments& m = r.channels[size_t(in.channel[i])];
      if (m.abs_mean <= 0) continue;
      const double p_over_g = std::abs(in.alpha[i] * in.f[i]) / in.g[i] / m.abs_mean;
      r.loss -= p_over_g * in.log_q[i] / m.n;
      r.dlog_q[i] = -p_over_g / m.n;
    }
  }
};

}  // namespace

const Loss& kl_loss() {
  static const KlLoss loss;
  return loss;
}

}  // namespace madnis
