#include "event_record_binding.h"

#include <type_traits>

#include "napi_util.h"

namespace madnis::addon {

Napi::Object event_columns_to_js(Napi::Env env, const EventColumns& events) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", double(events.size()));
  o.Set("externals", events.externals());
  events.for_each_column([&](const char* name, const auto& column, size_t) {
    using Value = typename std::decay_t<decltype(column)>::value_type;
    if constexpr (std::is_same_v<Value, double>)
      o.Set(name, to_float64_array(env, column));
    else
      o.Set(name, to_int32_array(env, column));
  });
  return o;
}

void register_event_record(Napi::Env env, Napi::Object exports) {
  Napi::Object record = Napi::Object::New(env);
  record.Set("version", kEventRecordVersion);
  const std::vector<const char*> names = event_column_names();
  Napi::Array columns = Napi::Array::New(env, names.size());
  for (size_t k = 0; k < names.size(); ++k) columns.Set(uint32_t(k), names[k]);
  record.Set("columns", columns);
  record.Set("maxResonances", MADNIS_MAX_RESONANCES);
  exports.Set("eventRecord", record);
}

}  // namespace madnis::addon
