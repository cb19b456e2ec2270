// The event record (native/src/event_record.h) in JavaScript: an object with the number of
// events and externals and one typed array per column, under the column's JavaScript name.
#pragma once

#include <napi.h>

#include "../src/event_record.h"

namespace madnis::addon {

Napi::Object event_columns_to_js(Napi::Env env, const EventColumns& events);

// exports.eventRecord = {version, columns, maxResonances}: what src/native/event_record.ts
// checks at load, so a stale build is refused instead of misread.
void register_event_record(Napi::Env env, Napi::Object exports);

}  // namespace madnis::addon
