// A test integrand that fails on part of its domain, as a broken amplitude would:
// f = 1 on [0,1]², but NaN (or an infinite prior) where u0 < 0.05. madnis-ts must count
// and exclude those points (σ = 0.95), never let them into training.
#include <cmath>
#include <limits>

#include "common/builtin_process.h"

namespace madnis::builtin {

class NanProcess final : public BuiltinProcess {
 public:
  explicit NanProcess(const char* text) {
    Params params("fixture_nan", text);
    params.reject_unknown();
    set_shape("fixture_nan", "test fixture: NaN weights where u0 < 0.05", 2, 2, {}, {});
  }

  void evaluate_point(int, const double* u, PointResult& r) const override {
    r.alpha[0] = u[1];
    r.alpha[1] = 1 - u[1];
    if (u[0] < 0.025) {
      r.weight = std::numeric_limits<double>::quiet_NaN();
    } else if (u[0] < 0.05) {
      r.weight = 1;
      r.alpha[0] = std::numeric_limits<double>::infinity();
    } else {
      r.weight = 1;
    }
  }
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::NanProcess)
