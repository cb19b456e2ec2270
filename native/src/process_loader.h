// Loads process libraries (the ABI in include/madnis/process.h) and owns one instance of
// each per worker thread. Several libraries (MadEvent writes one subprocess folder per
// group of partonic channels) form one process whose channels are the concatenation of
// theirs: a point of one part has prior weight zero in every other part's channels, so the
// multi-channel sum over all channels is the sum of the parts' cross sections.
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

struct ProcessPart {
  std::string library_path, params;
  // Advice printed after the message that the library crashed (where its own logs are):
  // the caller's, who knows what kind of library it is.
  std::string crash_hint;
};

class LoadedProcess {
 public:
  // Throws UserError when a library cannot be opened, does not export the ABI, has
  // another ABI major version, or rejects the parameters, or when parts disagree on the
  // particles or beams.
  LoadedProcess(const std::string& library_path, const std::string& params, int n_instances);
  LoadedProcess(const std::vector<ProcessPart>& parts, int n_instances);
  ~LoadedProcess();
  LoadedProcess(const LoadedProcess&) = delete;
  LoadedProcess& operator=(const LoadedProcess&) = delete;

  const ProcessInfo& info() const { return info_; }
  int n_instances() const { return n_instances_; }

  // Evaluates n points of a channel on instance `slot` (one slot per thread). Throws
  // std::runtime_error with the process's message on failure.
  void evaluate(int slot, int channel, int64_t n, const double* u,
                const madnis_eval_output& out);

 private:
  struct Library;
  void evaluate_library(Library& library, int slot, int channel, int64_t n, const double* u,
                        const madnis_eval_output& out);

  std::vector<std::unique_ptr<Library>> libraries_;
  int n_instances_ = 0;
  ProcessInfo info_;
};

}  // namespace madnis
