#include "process_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <stdexcept>

#include "errors.h"

namespace madnis {

namespace {

std::string describe_library(const std::string& path) { return "process library '" + path + "'"; }

}  // namespace

LoadedProcess::LoadedProcess(const std::string& library_path, const std::string& params,
                             int n_instances) {
  // RTLD_LOCAL keeps each library's symbols to itself: MadGraph subprocess libraries all
  // export the same Fortran names.
  handle_ = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    throw UserError("cannot load " + describe_library(library_path) + ": " +
                    (why ? why : "unknown dlopen error"));
  }
  try {
    auto get_api = reinterpret_cast<madnis_process_get_api_fn>(
        dlsym(handle_, MADNIS_PROCESS_GET_API_SYMBOL));
    if (!get_api)
      throw UserError(describe_library(library_path) + " does not export '" +
                      MADNIS_PROCESS_GET_API_SYMBOL +
                      "': it is not a madnis-ts process (see native/include/madnis/process.h)");
    api_ = get_api();
    if (!api_) throw UserError(describe_library(library_path) + " returned no process API");
    if (api_->abi_major != MADNIS_PROCESS_ABI_MAJOR)
      throw UserError(describe_library(library_path) + " implements process ABI " +
                      std::to_string(api_->abi_major) + "." + std::to_string(api_->abi_minor) +
                      ", but this madnis-ts needs ABI " +
                      std::to_string(MADNIS_PROCESS_ABI_MAJOR) + ".x: rebuild the process");
    if (api_->abi_minor > MADNIS_PROCESS_ABI_MINOR)
      throw UserError(describe_library(library_path) + " implements process ABI " +
                      std::to_string(api_->abi_major) + "." + std::to_string(api_->abi_minor) +
                      ", newer than this madnis-ts (" + std::to_string(MADNIS_PROCESS_ABI_MAJOR) + "." +
                      std::to_string(MADNIS_PROCESS_ABI_MINOR) + "): update madnis-ts");
    if (!api_->create || !api_->destroy || !api_->info || !api_->evaluate || !api_->last_error)
      throw UserError(describe_library(library_path) + " has an incomplete process API table");

    for (int i = 0; i < n_instances; ++i) {
      char err[1024] = "";
      madnis_process_instance* instance = nullptr;
      const madnis_status status = api_->create(params.c_str(), &instance, err, sizeof err);
      if (status != MADNIS_OK || !instance) {
        const std::string message = err[0] ? err : "process creation failed (status " +
                                                      std::to_string(int(status)) + ")";
        if (status == MADNIS_ERR_INTERNAL) throw std::runtime_error(message);
        throw UserError(message);
      }
      instances_.push_back(instance);
    }

    madnis_process_info raw{};
    if (api_->info(instances_.at(0), &raw) != MADNIS_OK)
      throw std::runtime_error(describe_library(library_path) + ": info() failed: " +
                               api_->last_error(instances_[0]));
    if (raw.dimension <= 0 || raw.n_channels <= 0 || (raw.n_externals != 0 && raw.n_externals < 3) ||
        raw.n_externals > MADNIS_MAX_EXTERNALS)
      throw UserError(describe_library(library_path) + " reports an invalid shape (dimension " +
                      std::to_string(raw.dimension) + ", channels " +
                      std::to_string(raw.n_channels) + ", externals " +
                      std::to_string(raw.n_externals) + ")");
    info_.name = raw.name ? raw.name : "";
    info_.description = raw.description ? raw.description : "";
    info_.dimension = raw.dimension;
    info_.n_channels = raw.n_channels;
    info_.pdg.assign(raw.pdg, raw.pdg + raw.n_externals);
    info_.mass.assign(raw.mass, raw.mass + raw.n_externals);
    for (int b = 0; b < 2; ++b) {
      info_.beam_pdg[b] = raw.beam_pdg[b];
      info_.beam_energy[b] = raw.beam_energy[b];
    }
    info_.uses_pdf = raw.uses_pdf != 0;
    info_.pdf_lhaid = raw.pdf_lhaid;
    if (api_->parameters_json) {
      const char* json = api_->parameters_json(instances_[0]);
      info_.parameters_json = json ? json : "{}";
    } else {
      info_.parameters_json = "{}";
    }
  } catch (...) {
    for (auto* instance : instances_) api_->destroy(instance);
    instances_.clear();
    dlclose(handle_);
    handle_ = nullptr;
    throw;
  }
}

LoadedProcess::~LoadedProcess() {
  for (auto* instance : instances_) api_->destroy(instance);
  if (handle_) dlclose(handle_);
}

void LoadedProcess::evaluate(int slot, int channel, int64_t n, const double* u,
                             const madnis_eval_output& out) {
  madnis_process_instance* instance = instances_.at(size_t(slot));
  madnis_eval_output request = out;
  if (api_->abi_minor < 1) {
    // A 1.0 library has no event record: fill the defaults it cannot.
    const size_t n_ext = info_.pdg.size();
    if (out.helicity) std::fill(out.helicity, out.helicity + size_t(n) * n_ext, 9);
    if (out.colour) std::fill(out.colour, out.colour + size_t(n) * n_ext * 2, 0);
    request.helicity = nullptr;
    request.colour = nullptr;
  }
  const madnis_status status = api_->evaluate(instance, channel, n, u, &request);
  if (status != MADNIS_OK)
    throw std::runtime_error("process '" + info_.name + "' failed to evaluate channel " +
                             std::to_string(channel) + ": " + api_->last_error(instance));
}

}  // namespace madnis
