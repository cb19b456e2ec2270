#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../src/process_loader.h"
#include "../src/thread_pool.h"

namespace madnis::addon {

// A loaded process with one instance and one worker per thread. The mutex serialises
// the async calls that use it (the pool runs one loop at a time).
struct ProcessState {
  ProcessState(const std::vector<ProcessPart>& parts, int threads) : process(parts, threads), pool(threads) {}
  std::mutex busy;
  LoadedProcess process;
  ThreadPool pool;
};

void register_process(Napi::Env env, Napi::Object exports);

// The state behind a JS `Process` object; throws a TypeError for anything else.
std::shared_ptr<ProcessState> process_state_of(const Napi::Value& value);

}  // namespace madnis::addon
