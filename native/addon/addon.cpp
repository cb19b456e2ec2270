// Module entry: registers the bindings. Each binding file holds one concept.
#include <napi.h>

#include <madnis/process.h>

#include "process_binding.h"
#include "sampler_binding.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  madnis::addon::register_process(env, exports);
  madnis::addon::register_sampler(env, exports);
  Napi::Object abi = Napi::Object::New(env);
  abi.Set("major", MADNIS_PROCESS_ABI_MAJOR);
  abi.Set("minor", MADNIS_PROCESS_ABI_MINOR);
  exports.Set("processAbi", abi);
  return exports;
}

}  // namespace

NODE_API_MODULE(madnis, init)
