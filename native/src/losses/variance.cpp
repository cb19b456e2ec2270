// variance: L = Σ_c V_c / (Σ_c A_c)², the channels' variances with a fixed allocation of
// samples. Trains flows and channel weights together.
#include <algorithm>

#include "loss.h"

namespace madnis {

namespace {

class VarianceLoss final : public Loss {
 public:
  const char* name() const override { return "variance"; }

 private:
  void evaluate(const LossInput& in, double total_abs, LossResult& r) const override {
    double sum_var = 0;
    for (const ChannelMoments& m : r.channels)
      if (m.n > 0) sum_var += std::max(m.var, 0.0);
    const double b = total_abs;
    r.loss = sum_var / (b * b);
    const double dl_db = -2 * sum_var / (b * b * b);
    std::vector<double> dl_dv(r.channels.size());
    for (size_t c = 0; c < r.channels.size(); ++c) dl_dv[c] = r.channels[c].var > 0 ? 1 / (b * b) : 0.0;
    moments_backward(in, r.channels, dl_dv, dl_db, r.dlog_q, r.dalpha);
  }
};

}  // namespace

const Loss& variance_loss() {
  static const VarianceLoss loss;
  return loss;
}

}  // namespace madnis
