// Small helpers shared by the addon's bindings.
#pragma once

#include <napi.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "../src/errors.h"

namespace madnis::addon {

// A JS Error whose `code` tells the CLI which exit code to use ("E_MADNIS_USER" → 1).
inline Napi::Error to_js_error(Napi::Env env, const std::exception& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  const bool user = dynamic_cast<const UserError*>(&e) != nullptr;
  error.Set("code", Napi::String::New(env, user ? "E_MADNIS_USER" : "E_MADNIS_INTERNAL"));
  return error;
}

inline Napi::Float64Array to_float64_array(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array array = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), array.Data());
  return array;
}

inline Napi::Int32Array to_int32_array(Napi::Env env, const std::vector<int32_t>& v) {
  Napi::Int32Array array = Napi::Int32Array::New(env, v.size());
  std::copy(v.begin(), v.end(), array.Data());
  return array;
}

inline std::vector<int64_t> to_int64_vector(const Napi::Value& value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> result(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i)
    result[i] = int64_t(array.Get(i).As<Napi::Number>().DoubleValue());
  return result;
}

inline bool is_float64_array(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array;
}

// The fields of one JS options object, read strictly: a field a method reads must be there
// with its type (or is optional with a fallback), a value outside its choices is an error
// naming the field, and done() rejects any field that was not read, so a misspelled or
// wrongly typed key never silently becomes a default. Errors are JS TypeErrors.
class Fields {
 public:
  Fields(const Napi::Value& value, std::string what) : env_(value.Env()), what_(std::move(what)) {
    if (!value.IsObject() || value.IsArray()) fail("must be an object");
    object_ = value.As<Napi::Object>();
  }

  double number(const char* key) {
    Napi::Value v = get(key);
    if (!v.IsNumber()) fail(std::string(key) + " must be a number");
    const double x = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(x)) fail(std::string(key) + " must be finite");
    return x;
  }
  double number(const char* key, double fallback) { return has(key) ? number(key) : (read_.push_back(key), fallback); }
  int64_t integer(const char* key) {
    const double x = number(key);
    if (x != std::floor(x) || std::abs(x) > 9007199254740991.0) fail(std::string(key) + " must be an integer");
    return int64_t(x);
  }
  int64_t integer(const char* key, int64_t fallback) { return has(key) ? integer(key) : (read_.push_back(key), fallback); }
  bool boolean(const char* key) {
    Napi::Value v = get(key);
    if (!v.IsBoolean()) fail(std::string(key) + " must be true or false");
    return v.As<Napi::Boolean>().Value();
  }
  bool boolean(const char* key, bool fallback) { return has(key) ? boolean(key) : (read_.push_back(key), fallback); }
  std::string string(const char* key) {
    Napi::Value v = get(key);
    if (!v.IsString()) fail(std::string(key) + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  }
  std::string string(const char* key, const std::string& fallback) {
    return has(key) ? string(key) : (read_.push_back(key), fallback);
  }
  // a string mapped to a value by `parse`, whose std::invalid_argument names the choices
  template <typename Parse>
  auto choice(const char* key, Parse parse) {
    const std::string text = string(key);
    try {
      return parse(text);
    } catch (const std::invalid_argument& e) {
      fail(std::string(key) + ": " + e.what());
    }
    throw std::logic_error("unreachable");
  }
  Napi::Float64Array float64(const char* key) {
    Napi::Value v = get(key);
    if (!is_float64_array(v)) fail(std::string(key) + " must be a Float64Array");
    return v.As<Napi::Float64Array>();
  }
  Fields object(const char* key) { return Fields(get(key), what_ + "." + key); }
  Napi::Value value(const char* key) { return get(key); }

  // Every field of the object was read.
  void done() const {
    const Napi::Array names = object_.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      if (std::find(read_.begin(), read_.end(), name) == read_.end()) fail("has an unknown field '" + name + "'");
    }
  }

 private:
  bool has(const char* key) const { return object_.Has(key) && !object_.Get(key).IsUndefined(); }
  Napi::Value get(const char* key) {
    read_.push_back(key);
    if (!has(key)) fail(std::string("needs the field ") + key);
    return object_.Get(key);
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw Napi::TypeError::New(env_, what_ + " " + message);
  }

  Napi::Env env_;
  std::string what_;
  Napi::Object object_;
  std::vector<std::string> read_;
};

// An AsyncWorker running a lambda off the JS thread and resolving a promise with the
// value built from its result on the JS thread.
template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Compute = std::function<Result()>;
  using Convert = std::function<Napi::Value(Napi::Env, Result&)>;

  static Napi::Promise start(Napi::Env env, Compute compute, Convert convert) {
    auto* worker = new PromiseWorker(env, std::move(compute), std::move(convert));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    try {
      result_ = compute_();
    } catch (const UserError& e) {
      user_error_ = true;
      message_ = e.what();
    } catch (const std::exception& e) {
      message_ = e.what();
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!message_.empty()) {
      Napi::Error error = Napi::Error::New(env, message_);
      error.Set("code", Napi::String::New(env, user_error_ ? "E_MADNIS_USER" : "E_MADNIS_INTERNAL"));
      deferred_.Reject(error.Value());
      return;
    }
    try {
      deferred_.Resolve(convert_(env, result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  PromiseWorker(Napi::Env env, Compute compute, Convert convert)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
        compute_(std::move(compute)), convert_(std::move(convert)) {}

  Napi::Promise::Deferred deferred_;
  Compute compute_;
  Convert convert_;
  Result result_{};
  std::string message_;
  bool user_error_ = false;
};

}  // namespace madnis::addon
