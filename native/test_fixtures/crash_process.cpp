// A test integrand that crashes with a segmentation fault where u0 > 0.5, as a broken
// amplitude library might: madnis-ts cannot survive that, but must say which library it was.
#include "common/builtin_process.h"

namespace madnis::builtin {

class CrashProcess final : public BuiltinProcess {
 public:
  explicit CrashProcess(const char* text) {
    Params params("fixture_crash", text);
    params.reject_unknown();
    set_shape("fixture_crash", "test fixture: segmentation fault where u0 > 0.5", 2, 1, {}, {});
  }

  void evaluate_point(int, const double* u, PointResult& r) const override {
    r.alpha[0] = 1;
    r.weight = 1;
    if (u[0] > 0.5) {
      volatile int* volatile nowhere = nullptr;
      *nowhere = 1;
    }
  }
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::CrashProcess)
