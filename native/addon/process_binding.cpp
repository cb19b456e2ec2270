// JS class `Process`: a loaded process library with one instance and one worker per
// thread. Every heavy method returns a promise and runs on libuv's pool, so the JS
// thread stays free to draw progress.
#include "process_binding.h"

#include <memory>
#include <mutex>

#include "../src/plain_integrator.h"
#include "../src/process_loader.h"
#include "../src/thread_pool.h"
#include "event_record_binding.h"
#include "napi_util.h"

namespace madnis::addon {

namespace {

struct EvaluateResult {
  std::vector<double> weight, channel_weights;
  EventColumns events;
};

class ProcessBinding : public Napi::ObjectWrap<ProcessBinding> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Process",
                       {InstanceMethod("info", &ProcessBinding::info),
                        InstanceMethod("evaluate", &ProcessBinding::evaluate),
                        InstanceMethod("integratePlain", &ProcessBinding::integrate_plain)});
  }

  // new Process(libraryPath, params, threads), or new Process([{path, params, crashHint?}, …],
  // "", threads) for a process made of several libraries (channels concatenated); crashHint
  // is printed after the message that the library crashed.
  explicit ProcessBinding(const Napi::CallbackInfo& args) : Napi::ObjectWrap<ProcessBinding>(args) {
    Napi::Env env = args.Env();
    if (args.Length() < 3 || !(args[0].IsString() || args[0].IsArray()) || !args[1].IsString() || !args[2].IsNumber())
      throw Napi::TypeError::New(env, "Process(libraryPath | [{path, params, crashHint?}], params: string, threads: number)");
    const int threads = args[2].As<Napi::Number>().Int32Value();
    if (threads < 1 || threads > 1024) throw Napi::RangeError::New(env, "threads must be in 1..1024");
    std::vector<ProcessPart> parts;
    if (args[0].IsString()) {
      parts.push_back({args[0].As<Napi::String>().Utf8Value(), args[1].As<Napi::String>().Utf8Value(), ""});
    } else {
      const Napi::Array array = args[0].As<Napi::Array>();
      for (uint32_t i = 0; i < array.Length(); ++i) {
        Fields part(array.Get(i), "Process part " + std::to_string(i));
        std::string path = part.string("path"), params = part.string("params");
        std::string crash_hint = part.string("crashHint", "");
        part.done();
        parts.push_back({std::move(path), std::move(params), std::move(crash_hint)});
      }
    }
    try {
      state_ = std::make_shared<ProcessState>(parts, threads);
    } catch (const std::exception& e) {
      throw to_js_error(env, e);
    }
  }

 private:
  Napi::Value info(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    const ProcessInfo& info = state_->process.info();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", info.name);
    o.Set("description", info.description);
    o.Set("dimension", info.dimension);
    o.Set("channels", info.n_channels);
    Napi::Array pdg = Napi::Array::New(env, info.pdg.size());
    Napi::Array mass = Napi::Array::New(env, info.mass.size());
    for (size_t i = 0; i < info.pdg.size(); ++i) {
      pdg.Set(uint32_t(i), info.pdg[i]);
      mass.Set(uint32_t(i), info.mass[i]);
    }
    o.Set("pdg", pdg);
    o.Set("mass", mass);
    Napi::Array beams = Napi::Array::New(env, 2);
    for (uint32_t b = 0; b < 2; ++b) {
      Napi::Object beam = Napi::Object::New(env);
      beam.Set("pdg", info.beam_pdg[b]);
      beam.Set("energy", info.beam_energy[b]);
      beams.Set(b, beam);
    }
    o.Set("beams", beams);
    o.Set("usesPdf", info.uses_pdf);
    o.Set("pdfLhaid", info.pdf_lhaid);
    o.Set("parametersJson", info.parameters_json);
    o.Set("threads", state_->pool.size());
    return o;
  }

  // evaluate(channel, u: Float64Array) → Promise<{weight, channelWeights, events}>: every
  // per-point output of the process, its whole event record included
  Napi::Value evaluate(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    if (args.Length() < 2 || !args[0].IsNumber() || !args[1].IsTypedArray())
      throw Napi::TypeError::New(env, "evaluate(channel: number, u: Float64Array)");
    const int channel = args[0].As<Napi::Number>().Int32Value();
    Napi::Float64Array u_js = args[1].As<Napi::Float64Array>();
    const ProcessInfo& info = state_->process.info();
    if (channel < 0 || channel >= info.n_channels)
      throw Napi::RangeError::New(env, "channel must be in 0.." + std::to_string(info.n_channels - 1));
    if (u_js.ElementLength() % size_t(info.dimension) != 0)
      throw Napi::RangeError::New(env, "u length must be a multiple of the dimension " +
                                           std::to_string(info.dimension));
    auto u = std::make_shared<std::vector<double>>(u_js.Data(), u_js.Data() + u_js.ElementLength());
    auto state = state_;
    return PromiseWorker<EvaluateResult>::start(
        env,
        [state, u, channel]() {
          std::lock_guard<std::mutex> lock(state->busy);
          return evaluate_all(*state, channel, *u);
        },
        [](Napi::Env env, EvaluateResult& r) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("weight", to_float64_array(env, r.weight));
          o.Set("channelWeights", to_float64_array(env, r.channel_weights));
          o.Set("events", event_columns_to_js(env, r.events));
          return o;
        });
  }

  static EvaluateResult evaluate_all(ProcessState& state, int channel, const std::vector<double>& u) {
    const ProcessInfo& info = state.process.info();
    const size_t dim = size_t(info.dimension), n_ch = size_t(info.n_channels),
                 n_ext = info.pdg.size(), n = u.size() / dim;
    EvaluateResult r;
    r.weight.resize(n);
    r.channel_weights.resize(n * n_ch);
    r.events = EventColumns(int(n_ext), int64_t(n));
    constexpr size_t kChunk = 1024;
    const int64_t n_chunks = int64_t((n + kChunk - 1) / kChunk);
    state.pool.parallel_for(n_chunks, [&](int64_t k, int thread) {
      const size_t first = size_t(k) * kChunk, count = std::min(kChunk, n - first);
      madnis_eval_output out{};
      out.weight = &r.weight[first];
      out.channel_weights = &r.channel_weights[first * n_ch];
      r.events.point_output(out, int64_t(first));
      state.process.evaluate(thread, channel, int64_t(count), &u[first * dim], out);
    });
    return r;
  }

  // integratePlain({seed, iteration, firstIndex: number[], points: number[]})
  //   → Promise<ChannelStats[]>
  Napi::Value integrate_plain(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    if (args.Length() < 1 || !args[0].IsObject())
      throw Napi::TypeError::New(env, "integratePlain({seed, iteration, firstIndex, points})");
    Napi::Object o = args[0].As<Napi::Object>();
    PlainBatch batch;
    batch.seed = uint64_t(o.Get("seed").As<Napi::Number>().DoubleValue());
    batch.iteration = o.Get("iteration").As<Napi::Number>().Uint32Value();
    batch.first_index = to_int64_vector(o.Get("firstIndex"), "firstIndex");
    batch.n_points = to_int64_vector(o.Get("points"), "points");
    auto state = state_;
    return PromiseWorker<std::vector<ChannelStats>>::start(
        env,
        [state, batch]() {
          std::lock_guard<std::mutex> lock(state->busy);
          return madnis::integrate_plain(state->process, state->pool, batch);
        },
        [](Napi::Env env, std::vector<ChannelStats>& stats) -> Napi::Value {
          Napi::Array array = Napi::Array::New(env, stats.size());
          for (size_t c = 0; c < stats.size(); ++c) {
            Napi::Object s = Napi::Object::New(env);
            s.Set("n", double(stats[c].n));
            s.Set("passing", double(stats[c].n_passing));
            s.Set("nonzero", double(stats[c].n_nonzero));
            s.Set("invalid", double(stats[c].n_invalid));
            s.Set("sum", stats[c].sum);
            s.Set("sumSq", stats[c].sum_sq);
            s.Set("maxAbs", stats[c].max_abs);
            array.Set(uint32_t(c), s);
          }
          return array;
        });
  }

  std::shared_ptr<ProcessState> state_;

  friend std::shared_ptr<ProcessState> madnis::addon::process_state_of(const Napi::Value& value);
};

Napi::FunctionReference* process_constructor = nullptr;

}  // namespace

std::shared_ptr<ProcessState> process_state_of(const Napi::Value& value) {
  if (!value.IsObject() || !process_constructor ||
      !value.As<Napi::Object>().InstanceOf(process_constructor->Value()))
    throw Napi::TypeError::New(value.Env(), "expected a Process object");
  return ProcessBinding::Unwrap(value.As<Napi::Object>())->state_;
}

void register_process(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = ProcessBinding::define(env);
  process_constructor = new Napi::FunctionReference(Napi::Persistent(constructor));
  exports.Set("Process", constructor);
}

}  // namespace madnis::addon
