// Loads a process library (the ABI in include/madnis/process.h) and owns one instance
// per worker thread.
#pragma once

#include <madnis/process.h>

#include <memory>
#include <string>
#include <vector>

namespace madnis {

struct ProcessInfo {
  std::string name, description;
  int dimension = 0, n_channels = 0;
  std::vector<int> pdg;
  std::vector<double> mass;
  int beam_pdg[2] = {0, 0};
  double beam_energy[2] = {0, 0};
  bool uses_pdf = false;
  int pdf_lhaid = -1;
  std::string parameters_json;
};

class LoadedProcess {
 public:
  // Throws UserError when the library cannot be opened, does not export the ABI, has
  // another ABI major version, or rejects the parameters.
  LoadedProcess(const std::string& library_path, const std::string& params, int n_instances);
  ~LoadedProcess();
  LoadedProcess(const LoadedProcess&) = delete;
  LoadedProcess& operator=(const LoadedProcess&) = delete;

  const ProcessInfo& info() const { return info_; }
  int n_instances() const { return int(instances_.size()); }

  // Evaluates n points of a channel on instance `slot` (one slot per thread). Throws
  // std::runtime_error with the process's message on failure.
  void evaluate(int slot, int channel, int64_t n, const double* u,
                const madnis_eval_output& out);

 private:
  void* handle_ = nullptr;
  const madnis_process_api* api_ = nullptr;
  std::vector<madnis_process_instance*> instances_;
  ProcessInfo info_;
};

}  // namespace madnis
