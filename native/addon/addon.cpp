// Module entry: registers the bindings. Each binding file holds one concept.
#include <napi.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <madnis/process.h>

#include "event_record_binding.h"
#include "process_binding.h"
#include "sampler_binding.h"
#include "scale_variation_binding.h"

namespace {

// Training allocates and frees megabyte-sized network caches on every step, on several
// threads; glibc would hand them back to the kernel each time and page-fault them in
// again (20 % of the run time in the kernel). Keep them.
void keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  keep_freed_memory();
  madnis::addon::register_process(env, exports);
  madnis::addon::register_sampler(env, exports);
  madnis::addon::register_event_record(env, exports);
  madnis::addon::register_scale_variations(env, exports);
  Napi::Object abi = Napi::Object::New(env);
  abi.Set("major", MADNIS_PROCESS_ABI_MAJOR);
  abi.Set("minor", MADNIS_PROCESS_ABI_MINOR);
  exports.Set("processAbi", abi);
  return exports;
}

}  // namespace

NODE_API_MODULE(madnis, init)
