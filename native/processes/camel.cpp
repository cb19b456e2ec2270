// The camel: two Gaussians on the diagonal of [0,1]^d (../shared/BENCHMARKS.md), with an
// optional 2-channel form whose prior splits the function between its two humps.
#include <cmath>
#include <sstream>

#include "common/builtin_process.h"
#include "common/kinematics.h"

namespace madnis::builtin {

class Camel final : public BuiltinProcess {
 public:
  explicit Camel(const char* text) {
    Params params("camel", text);
    dim_ = params.integer("d", 4, 2, 16);
    sigma_ = params.number("sigma", 0.1, 1e-3, 1.0);
    const int channels = params.integer("channels", 1, 1, 2);
    params.reject_unknown();
    log_norm_ = std::log(0.5) - dim_ * std::log(sigma_ * std::sqrt(kPi));

    set_shape("camel", "camel: two Gaussians on the diagonal of the unit hypercube", dim_,
              channels, {}, {});
    std::ostringstream json;
    json << "{\"channel_names\":" << (channels == 2 ? "[\"hump 1/3\",\"hump 2/3\"]" : "[\"identity\"]") << ",\"d\":" << dim_ << ",\"sigma\":" << json_number(sigma_) << ",\"channels\":" << channels
         << ",\"exact_integral\":" << json_number(exact_integral()) << "}";
    set_parameters_json(json.str());
  }

  void evaluate_point(int, const double* u, PointResult& r) const override {
    double q1 = 0, q2 = 0;
    for (int i = 0; i < dim_; ++i) {
      q1 += (u[i] - 1.0 / 3) * (u[i] - 1.0 / 3);
      q2 += (u[i] - 2.0 / 3) * (u[i] - 2.0 / 3);
    }
    const double log_g1 = log_norm_ - q1 / (sigma_ * sigma_);
    const double log_g2 = log_norm_ - q2 / (sigma_ * sigma_);
    // log-sum-exp: far from both humps the Gaussians underflow long before their ratio
    // is undefined.
    const double top = std::max(log_g1, log_g2);
    const double e1 = std::exp(log_g1 - top), e2 = std::exp(log_g2 - top);
    r.weight = std::exp(top) * (e1 + e2);
    if (info_.n_channels == 2) {
      r.alpha[0] = e1 / (e1 + e2);
      r.alpha[1] = e2 / (e1 + e2);
    } else {
      r.alpha[0] = 1;
    }
  }

 private:
  double exact_integral() const {
    auto g = [&](double mu) { return 0.5 * (std::erf((1 - mu) / sigma_) + std::erf(mu / sigma_)); };
    return 0.5 * (std::pow(g(1.0 / 3), dim_) + std::pow(g(2.0 / 3), dim_));
  }

  int dim_ = 4;
  double sigma_ = 0.1, log_norm_ = 0;
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::Camel)
