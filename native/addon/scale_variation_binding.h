// exports.ScaleVariations: the 9-point scale variations of a batch of events
// (native/src/scale_variation.h), one call per batch.
#pragma once

#include <napi.h>

namespace madnis::addon {

void register_scale_variations(Napi::Env env, Napi::Object exports);

}  // namespace madnis::addon
