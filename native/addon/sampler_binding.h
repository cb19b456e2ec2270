#pragma once

#include <napi.h>

namespace madnis::addon {
void register_sampler(Napi::Env env, Napi::Object exports);
}
