#pragma once

#include <napi.h>

namespace madnis::addon {
void register_process(Napi::Env env, Napi::Object exports);
}
