// Small helpers shared by the addon's bindings.
#pragma once

#include <napi.h>

#include <exception>
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
