// A test integrand whose instances share global state, as MadEvent's Fortran COMMON blocks
// do: the weight is 1 / (instances alive in this loaded copy). It exports
// madnis_process_instances_share_state, so the loader must give every thread's instance a
// private copy of the library: then every weight is 1 and σ = 1 exactly, with any thread
// count. Sharing one copy between two threads would give σ = 1/2.
#include <atomic>

#include "common/builtin_process.h"

namespace {
std::atomic<int> g_alive{0};
}

namespace madnis::builtin {

class SharedStateProcess final : public BuiltinProcess {
 public:
  explicit SharedStateProcess(const char* text) {
    Params params("fixture_shared_state", text);
    params.reject_unknown();
    set_shape("fixture_shared_state", "test fixture: instances share global state", 2, 1, {}, {});
    ++g_alive;
  }
  ~SharedStateProcess() override { --g_alive; }

  void evaluate_point(int, const double*, PointResult& r) const override {
    r.alpha[0] = 1;
    r.weight = 1.0 / g_alive.load();
  }
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::SharedStateProcess)
extern "C" __attribute__((visibility("default"))) const int32_t madnis_process_instances_share_state = 1;
