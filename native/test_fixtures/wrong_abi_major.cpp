// A library claiming a future process ABI major version: the loader must refuse it.
#include <madnis/process.h>

extern "C" __attribute__((visibility("default"))) const madnis_process_api* madnis_process_get_api(void) {
  static const madnis_process_api api = {MADNIS_PROCESS_ABI_MAJOR + 1, 0, nullptr, nullptr,
                                         nullptr, nullptr, nullptr, nullptr};
  return &api;
}
