// stratified_variance: L = (Σ_c √V_c / Σ_c A_c)², the relative variance of the combined
// estimate with samples allocated to the channels ∝ √V_c. Trains flows and channel weights
// together.
#include <algorithm>
#include <cmath>

#include "loss.h"

namespace madnis {

namespace {

// A channel whose weight has (numerically) no variance contributes no gradient through
// √V rather than an infinite one.
constexpr double kVarianceFloor = 1e-300;

class StratifiedVarianceLoss final : public Loss {
 public:
  const char* name() const override { return "stratified_variance"; }

 private:
  void evaluate(const LossInput& in, double total_abs, LossResult& r) const override {
    double sum_sqrt_var = 0;
    for (const ChannelMoments& m : r.channels)
      if (m.n > 0) sum_sqrt_var += std::sqrt(std::max(m.var, kVarianceFloor));
    const double numerator = sum_sqrt_var * sum_sqrt_var, b = total_abs;
    r.loss = numerator / (b * b);
    const double dl_db = -2 * numerator / (b * b * b);
    std::vector<double> dl_dv(r.channels.size());
    for (size_t c = 0; c < r.channels.size(); ++c) {
      const double var = r.channels[c].var;
      dl_dv[c] = var > kVarianceFloor ? (2 * sum_sqrt_var / (b * b)) / (2 * std::sqrt(var)) : 0.0;
    }
    moments_backward(in, r.channels, dl_dv, dl_db, r.dlog_q, r.dalpha);
  }
};

}  // namespace

const Loss& stratified_variance_loss() {
  static const StratifiedVarianceLoss loss;
  return loss;
}

}  // namespace madnis
