#include "process_loader.h"

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "errors.h"

namespace madnis {

namespace {

std::string describe_library(const std::string& path) { return "process library '" + path + "'"; }

// dlopen of a private copy of a library file, so that its global state is the copy's own:
// the copy lives next to the original (or in TMPDIR when that folder is read-only) only
// until it is mapped.
void* open_private_copy(const std::string& path, std::string& why) {
  namespace fs = std::filesystem;
  // glibc recognises an object by its name first: every copy in this process gets a new one
  static std::atomic<uint64_t> counter{0};
  const uint64_t index = ++counter;
  const fs::path original(path);
  std::vector<fs::path> folders{original.parent_path().empty() ? fs::path(".") : original.parent_path()};
  const char* tmp = std::getenv("TMPDIR");
  folders.emplace_back(tmp && *tmp ? tmp : "/tmp");
  for (const fs::path& folder : folders) {
    const fs::path copy = folder / (original.filename().string() + ".copy-" + std::to_string(getpid()) + "-" +
                                    std::to_string(index) + ".so");
    std::error_code ec;
    fs::copy_file(original, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      why = "cannot copy it to " + copy.string() + ": " + ec.message();
      continue;
    }
    void* handle = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
    const char* error = handle ? nullptr : dlerror();
    fs::remove(copy, ec);
    if (handle) return handle;
    why = std::string("cannot load its copy: ") + (error ? error : "unknown dlopen error");
  }
  return nullptr;
}

// A process library that crashes (a segmentation fault in an amplitude) takes the whole
// program down; this says which library, channel and signal it was before it goes, with the
// caller's hint. The message is prepared before each call, in two pieces around the signal's
// name (a signal handler may only write), and faults outside process code go to the
// handler that was there before.
struct CrashMessage {
  std::string before_signal, after_signal;
};
// initial-exec: reading it in the signal handler must not allocate
__attribute__((tls_model("initial-exec"))) thread_local const CrashMessage* t_crash_message = nullptr;
struct sigaction g_previous[32];

const char* signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    default: return "fatal signal";
  }
}

void write_stderr(const char* text, size_t size) {
  ssize_t ignored = write(2, text, size);
  (void)ignored;
}

void on_crash(int signal, siginfo_t* info, void* context) {
  if (t_crash_message) {
    const char* name = signal_name(signal);
    size_t name_size = 0;
    while (name[name_size]) ++name_size;
    write_stderr(t_crash_message->before_signal.data(), t_crash_message->before_signal.size());
    write_stderr(name, name_size);
    write_stderr(t_crash_message->after_signal.data(), t_crash_message->after_signal.size());
    // the default action, for a fault (returning re-runs the instruction) and for a signal
    // sent by kill alike (raised again, delivered when the handler returns)
    ::signal(signal, SIG_DFL);
    raise(signal);
    return;
  }
  const struct sigaction& previous = g_previous[signal];
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction) previous.sa_sigaction(signal, info, context);
    return;
  }
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler != SIG_DFL && previous.sa_handler) {
    previous.sa_handler(signal);
    return;
  }
  ::signal(signal, SIG_DFL);
}

void install_crash_report() {
  static const bool installed = [] {
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
      struct sigaction action {};
      action.sa_sigaction = on_crash;
      action.sa_flags = SA_SIGINFO;
      sigemptyset(&action.sa_mask);
      sigaction(signal, &action, &g_previous[signal]);
    }
    return true;
  }();
  (void)installed;
}

}  // namespace

struct LoadedProcess::Library {
  std::string path;
  void* handle = nullptr;
  const madnis_process_api* api = nullptr;
  // instances[i] was created by instance_api[i]: the library itself, or (when its
  // instances share state) a private copy of it, one per instance after the first
  std::vector<madnis_process_instance*> instances;
  std::vector<const madnis_process_api*> instance_api;
  std::vector<void*> copies;
  ProcessInfo info;
  int channel_offset = 0;
  std::vector<CrashMessage> crash_messages;  // per channel

  ~Library() {
    for (size_t i = 0; i < instances.size(); ++i) instance_api[i]->destroy(instances[i]);
    for (void* copy : copies) dlclose(copy);
    if (handle) dlclose(handle);
  }
};

LoadedProcess::LoadedProcess(const std::string& library_path, const std::string& params, int n_instances)
    : LoadedProcess(std::vector<ProcessPart>{{library_path, params, ""}}, n_instances) {}

LoadedProcess::LoadedProcess(const std::vector<ProcessPart>& parts, int n_instances) : n_instances_(n_instances) {
  if (parts.empty()) throw UserError("a process needs at least one library");
  install_crash_report();
  for (const ProcessPart& part : parts) {
    auto library = std::make_unique<Library>();
    library->path = part.library_path;
    // RTLD_LOCAL keeps each library's symbols to itself: MadGraph subprocess libraries all
    // export the same Fortran names.
    library->handle = dlopen(part.library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library->handle) {
      const char* why = dlerror();
      throw UserError("cannot load " + describe_library(part.library_path) + ": " + (why ? why : "unknown dlopen error"));
    }
    auto get_api = reinterpret_cast<madnis_process_get_api_fn>(dlsym(library->handle, MADNIS_PROCESS_GET_API_SYMBOL));
    if (!get_api)
      throw UserError(describe_library(part.library_path) + " does not export '" + MADNIS_PROCESS_GET_API_SYMBOL +
                      "': it is not a madnis-ts process (see native/include/madnis/process.h)");
    const madnis_process_api* api = get_api();
    if (!api) throw UserError(describe_library(part.library_path) + " returned no process API");
    if (api->abi_major != MADNIS_PROCESS_ABI_MAJOR)
      throw UserError(describe_library(part.library_path) + " implements process ABI " + std::to_string(api->abi_major) +
                      "." + std::to_string(api->abi_minor) + ", but this madnis-ts needs ABI " +
                      std::to_string(MADNIS_PROCESS_ABI_MAJOR) + ".x: rebuild the process");
    if (api->abi_minor > MADNIS_PROCESS_ABI_MINOR)
      throw UserError(describe_library(part.library_path) + " implements process ABI " + std::to_string(api->abi_major) +
                      "." + std::to_string(api->abi_minor) + ", newer than this madnis-ts (" +
                      std::to_string(MADNIS_PROCESS_ABI_MAJOR) + "." + std::to_string(MADNIS_PROCESS_ABI_MINOR) +
                      "): update madnis-ts");
    if (!api->create || !api->destroy || !api->info || !api->evaluate || !api->last_error)
      throw UserError(describe_library(part.library_path) + " has an incomplete process API table");
    library->api = api;
    const auto* share_state =
        reinterpret_cast<const int32_t*>(dlsym(library->handle, MADNIS_PROCESS_SHARE_STATE_SYMBOL));
    const bool private_copies = share_state && *share_state != 0;

    for (int i = 0; i < n_instances; ++i) {
      const madnis_process_api* instance_api = api;
      if (private_copies && i > 0) {
        std::string why;
        void* copy = open_private_copy(part.library_path, why);
        if (!copy)
          throw UserError(describe_library(part.library_path) + " keeps global state, so each thread needs a copy, but " +
                          why + " (or run with --threads 1)");
        library->copies.push_back(copy);
        auto get_copy_api = reinterpret_cast<madnis_process_get_api_fn>(dlsym(copy, MADNIS_PROCESS_GET_API_SYMBOL));
        instance_api = get_copy_api ? get_copy_api() : nullptr;
        if (!instance_api) throw std::runtime_error(describe_library(part.library_path) + ": its copy has no process API");
      }
      char err[1024] = "";
      madnis_process_instance* instance = nullptr;
      const madnis_status status = instance_api->create(part.params.c_str(), &instance, err, sizeof err);
      if (status != MADNIS_OK || !instance) {
        const std::string message = err[0] ? err : "process creation failed (status " + std::to_string(int(status)) + ")";
        if (status == MADNIS_ERR_INTERNAL) throw std::runtime_error(message);
        throw UserError(message);
      }
      library->instances.push_back(instance);
      library->instance_api.push_back(instance_api);
    }

    madnis_process_info raw{};
    if (api->info(library->instances.at(0), &raw) != MADNIS_OK)
      throw std::runtime_error(describe_library(part.library_path) + ": info() failed: " +
                               api->last_error(library->instances[0]));
    if (raw.dimension <= 0 || raw.n_channels <= 0 || (raw.n_externals != 0 && raw.n_externals < 3) ||
        raw.n_externals > MADNIS_MAX_EXTERNALS)
      throw UserError(describe_library(part.library_path) + " reports an invalid shape (dimension " +
                      std::to_string(raw.dimension) + ", channels " + std::to_string(raw.n_channels) + ", externals " +
                      std::to_string(raw.n_externals) + ")");
    ProcessInfo& info = library->info;
    info.name = raw.name ? raw.name : "";
    info.description = raw.description ? raw.description : "";
    info.dimension = raw.dimension;
    info.n_channels = raw.n_channels;
    info.pdg.assign(raw.pdg, raw.pdg + raw.n_externals);
    info.mass.assign(raw.mass, raw.mass + raw.n_externals);
    for (int b = 0; b < 2; ++b) {
      info.beam_pdg[b] = raw.beam_pdg[b];
      info.beam_energy[b] = raw.beam_energy[b];
    }
    info.uses_pdf = raw.uses_pdf != 0;
    info.pdf_lhaid = raw.pdf_lhaid;
    const char* json = api->parameters_json ? api->parameters_json(library->instances[0]) : nullptr;
    info.parameters_json = json ? json : "{}";
    for (int c = 0; c < info.n_channels; ++c)
      library->crash_messages.push_back(
          {"\nmadnis-ts: " + describe_library(part.library_path) + " crashed (",
           ") while evaluating its channel " + std::to_string(c) + ": the fault is in the process code." +
               (part.crash_hint.empty() ? "" : " " + part.crash_hint) + "\n"});
    libraries_.push_back(std::move(library));
  }

  // The whole process: channels concatenated, the largest dimension (a part ignores the
  // extra random numbers), particles and beams shared.
  const ProcessInfo& first = libraries_.front()->info;
  info_ = first;
  if (libraries_.size() == 1) return;
  info_.n_channels = 0;
  info_.dimension = 0;
  info_.parameters_json = "{\"parts\":[";
  for (size_t k = 0; k < libraries_.size(); ++k) {
    Library& library = *libraries_[k];
    const ProcessInfo& info = library.info;
    if (info.pdg.size() != first.pdg.size() || info.beam_pdg[0] != first.beam_pdg[0] ||
        info.beam_pdg[1] != first.beam_pdg[1] || info.beam_energy[0] != first.beam_energy[0] ||
        info.beam_energy[1] != first.beam_energy[1])
      throw UserError(describe_library(library.path) + " has other particles or beams than " +
                      describe_library(libraries_.front()->path) + ": they are not parts of one process");
    library.channel_offset = info_.n_channels;
    info_.n_channels += info.n_channels;
    info_.dimension = std::max(info_.dimension, info.dimension);
    if (k > 0) {
      info_.name += "+" + info.name;
      info_.parameters_json += ",";
    }
    info_.parameters_json += "{\"channels\":" + std::to_string(info.n_channels) + ",\"parameters\":" + info.parameters_json + "}";
  }
  info_.description = first.description + " (" + std::to_string(libraries_.size()) + " parts)";
  info_.parameters_json += "]}";
}

LoadedProcess::~LoadedProcess() = default;

void LoadedProcess::evaluate(int slot, int channel, int64_t n, const double* u, const madnis_eval_output& out) {
  if (libraries_.size() == 1) {
    evaluate_library(*libraries_.front(), slot, channel, n, u, out);
    return;
  }
  Library* library = nullptr;
  for (auto& l : libraries_)
    if (channel >= l->channel_offset && channel < l->channel_offset + l->info.n_channels) library = l.get();
  if (!library) throw std::runtime_error("channel " + std::to_string(channel) + " out of range");
  const int dim = library->info.dimension, n_local = library->info.n_channels;
  // The part's own random numbers: the first `dim` of each point.
  std::vector<double> local_u;
  if (dim != info_.dimension) {
    local_u.resize(size_t(n) * size_t(dim));
    for (int64_t i = 0; i < n; ++i)
      std::copy_n(u + size_t(i) * size_t(info_.dimension), dim, local_u.begin() + size_t(i) * size_t(dim));
    u = local_u.data();
  }
  madnis_eval_output local = out;
  std::vector<double> local_alpha;
  if (out.channel_weights) {
    local_alpha.resize(size_t(n) * size_t(n_local));
    local.channel_weights = local_alpha.data();
  }
  evaluate_library(*library, slot, channel - library->channel_offset, n, u, local);
  if (out.channel_weights) {
    // zero prior weight in every other part's channels
    const size_t nc = size_t(info_.n_channels);
    std::fill(out.channel_weights, out.channel_weights + size_t(n) * nc, 0.0);
    for (int64_t i = 0; i < n; ++i)
      std::copy_n(local_alpha.begin() + size_t(i) * size_t(n_local), n_local,
                  out.channel_weights + size_t(i) * nc + size_t(library->channel_offset));
  }
}

void LoadedProcess::evaluate_library(Library& library, int slot, int channel, int64_t n, const double* u,
                                     const madnis_eval_output& out) {
  madnis_process_instance* instance = library.instances.at(size_t(slot));
  const madnis_process_api* api = library.instance_api[size_t(slot)];
  madnis_eval_output request = out;
  if (library.api->abi_minor < 1) {
    // A 1.0 library has no event record: fill the defaults it cannot.
    const size_t n_ext = library.info.pdg.size();
    if (out.helicity) std::fill(out.helicity, out.helicity + size_t(n) * n_ext, 9);
    if (out.colour) std::fill(out.colour, out.colour + size_t(n) * n_ext * 2, 0);
    request.helicity = nullptr;
    request.colour = nullptr;
  }
  if (library.api->abi_minor < 2) {
    // before 1.2: no resonances, and the struct it knows ends before the field
    if (out.resonances) std::fill(out.resonances, out.resonances + size_t(n) * MADNIS_MAX_RESONANCES * 2, 0);
    request.resonances = nullptr;
  }
  if (library.api->abi_minor < 3) {
    // before 1.3: resonances without colour, no systematics information
    if (out.resonance_colour) std::fill(out.resonance_colour, out.resonance_colour + size_t(n) * MADNIS_MAX_RESONANCES * 2, 0);
    if (out.qcd_order) std::fill(out.qcd_order, out.qcd_order + n, -1);
    if (out.pdf_factor) std::fill(out.pdf_factor, out.pdf_factor + n, 0.0);
    request.resonance_colour = nullptr;
    request.qcd_order = nullptr;
    request.pdf_factor = nullptr;
  }
  if (channel < 0 || channel >= library.info.n_channels)
    throw std::runtime_error("process '" + library.info.name + "': channel " + std::to_string(channel) + " out of range");
  t_crash_message = &library.crash_messages[size_t(channel)];
  const madnis_status status = api->evaluate(instance, channel, n, u, &request);
  t_crash_message = nullptr;
  if (status != MADNIS_OK)
    throw std::runtime_error("process '" + library.info.name + "' failed to evaluate channel " +
                             std::to_string(channel) + ": " + api->last_error(instance));
}

}  // namespace madnis
