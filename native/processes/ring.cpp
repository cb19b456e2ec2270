// A thin Gaussian ring around the centre of the unit square (../shared/BENCHMARKS.md).
#include <cmath>
#include <sstream>

#include "common/builtin_process.h"
#include "common/kinematics.h"

namespace madnis::builtin {

class Ring final : public BuiltinProcess {
 public:
  explicit Ring(const char* text) {
    Params params("ring", text);
    r0_ = params.number("r0", 0.3, 0.0, 0.5);
    width_ = params.number("w", 0.01, 1e-4, 0.1);
    params.reject_unknown();
    set_shape("ring", "ring: a Gaussian ring of radius r0 and width w in the unit square", 2, 1, {}, {});
    std::ostringstream json;
    json << "{\"r0\":" << json_number(r0_) << ",\"w\":" << json_number(width_);
    // The polar closed form holds while the ring lies inside the square (8 widths).
    if (r0_ + 8 * width_ <= 0.5) json << ",\"exact_integral\":" << json_number(polar_integral());
    json << "}";
    set_parameters_json(json.str());
  }

  void evaluate_point(int, const double* u, PointResult& r) const override {
    const double d = std::hypot(u[0] - 0.5, u[1] - 0.5) - r0_;
    r.weight = std::exp(-d * d / (2 * width_ * width_));
    r.alpha[0] = 1;
  }

 private:
  // ∫₀^∞ 2π r exp(−(r−r₀)²/2w²) dr in closed form.
  double polar_integral() const {
    const double w = width_, r0 = r0_;
    return 2 * kPi *
           (w * w * std::exp(-r0 * r0 / (2 * w * w)) +
            r0 * w * std::sqrt(kPi / 2) * (1 + std::erf(r0 / (std::sqrt(2.0) * w))));
  }

  double r0_ = 0.3, width_ = 0.01;
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::Ring)
