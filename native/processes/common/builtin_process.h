// The shared shell of every built-in process: a class implements one phase-space point
// (`evaluate_point`), and MADNIS_EXPORT_BUILTIN turns it into a library exporting the
// process ABI (include/madnis/process.h) — parameters, errors, batching, optional outputs.
#pragma once

#include <madnis/process.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "params.h"

namespace madnis::builtin {

// A file the process needs is missing (reported as MADNIS_ERR_NOT_FOUND).
struct MissingFile : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PointResult {
  double weight = 0;
  double* alpha = nullptr;    // [n_channels], prior channel weights, must sum to 1
  double* momenta = nullptr;  // [n_externals*4]
  int32_t* pdg = nullptr;     // [n_externals], pre-filled with the representative ids
  int32_t* helicity = nullptr;  // [n_externals], pre-filled with 9 (none chosen)
  int32_t* colour = nullptr;    // [n_externals*2], pre-filled with 0 (colourless)
  double x1 = 1, x2 = 1, mu_f = 0, mu_r = 0, alpha_s = 0, alpha_qed = 0;
  int32_t qcd_order = -1;  // power of alpha_s in the weight (-1: not given)
  double pdf_factor = 0;   // f1(x1, mu_F) f2(x2, mu_F) of the chosen partons
};

class BuiltinProcess {
 public:
  virtual ~BuiltinProcess() = default;

  // Must be a deterministic function of (channel, u).
  virtual void evaluate_point(int channel, const double* u, PointResult& result) const = 0;

  const madnis_process_info& info() const { return info_; }
  const std::string& parameters_json() const { return parameters_json_; }

  madnis_status evaluate(int channel, int64_t n, const double* u, const madnis_eval_output* out);
  std::string last_error;

 protected:
  // Called by subclasses once their shape is known.
  void set_shape(const char* name, const char* description, int dimension, int n_channels,
                 const std::vector<int>& pdg, const std::vector<double>& mass);
  void set_beams(int pdg1, double energy1, int pdg2, double energy2);
  void set_parameters_json(std::string json) { parameters_json_ = std::move(json); }

  madnis_process_info info_{};

 private:
  std::string parameters_json_ = "{}";
  std::vector<double> alpha_, momenta_;
  std::vector<int32_t> pdg_, helicity_, colour_;
};

// A uniform number in [0,1) hashed from the bits of u: discrete choices in the event
// record (flavour, helicity) stay a deterministic function of the point. Different salts
// give independent numbers for independent choices.
double selection_uniform(const double* u, int dimension, uint64_t salt = 0);

// Index i with probability weights[i] / Σ weights, from a uniform r in [0,1).
size_t choose(const double* weights, size_t n, double r);

// Formats a double for JSON (shortest exact form).
std::string json_number(double value);

template <typename Process>
madnis_status create_instance(const char* params, madnis_process_instance** out, char* err,
                              size_t err_len) {
  auto report = [&](const char* message) {
    if (err && err_len) {
      std::strncpy(err, message, err_len - 1);
      err[err_len - 1] = '\0';
    }
  };
  try {
    *out = reinterpret_cast<madnis_process_instance*>(new Process(params));
    return MADNIS_OK;
  } catch (const std::invalid_argument& e) {
    report(e.what());
    return MADNIS_ERR_INVALID_PARAMETER;
  } catch (const MissingFile& e) {
    report(e.what());
    return MADNIS_ERR_NOT_FOUND;
  } catch (const std::exception& e) {
    report(e.what());
    return MADNIS_ERR_INTERNAL;
  }
}

inline BuiltinProcess* as_builtin(madnis_process_instance* p) {
  return reinterpret_cast<BuiltinProcess*>(p);
}
inline const BuiltinProcess* as_builtin(const madnis_process_instance* p) {
  return reinterpret_cast<const BuiltinProcess*>(p);
}

}  // namespace madnis::builtin

// Defines the library's one exported symbol for a BuiltinProcess subclass whose
// constructor takes the parameter string.
#define MADNIS_EXPORT_BUILTIN(ProcessClass)                                                  \
  extern "C" __attribute__((visibility("default"))) const madnis_process_api*               \
  madnis_process_get_api(void) {                                                             \
    using namespace madnis::builtin;                                                         \
    static const madnis_process_api api = {                                                  \
        MADNIS_PROCESS_ABI_MAJOR,                                                            \
        MADNIS_PROCESS_ABI_MINOR,                                                            \
        &create_instance<ProcessClass>,                                                      \
        [](madnis_process_instance* p) { delete as_builtin(p); },                            \
        [](const madnis_process_instance* p, madnis_process_info* out) {                     \
          *out = as_builtin(p)->info();                                                      \
          return MADNIS_OK;                                                                  \
        },                                                                                   \
        [](madnis_process_instance* p, int32_t channel, int64_t n, const double* u,          \
           const madnis_eval_output* out) { return as_builtin(p)->evaluate(channel, n, u, out); }, \
        [](const madnis_process_instance* p) { return as_builtin(p)->last_error.c_str(); },  \
        [](const madnis_process_instance* p) { return as_builtin(p)->parameters_json().c_str(); }, \
    };                                                                                       \
    return &api;                                                                             \
  }
