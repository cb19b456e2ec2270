// JS class `Sampler`: a training session (native/src/session.h: the MadNIS sampler and its
// replay buffer) on a `Process`. The TypeScript driver owns the schedule; every method here
// reads its options, runs one session step off the JS thread and converts the result.
#include "sampler_binding.h"

#include <memory>
#include <type_traits>
#include <mutex>

#include "../src/losses/loss.h"
#include "../src/session.h"
#include "../src/unweight.h"
#include "event_record_binding.h"
#include "napi_util.h"
#include "process_binding.h"

namespace madnis::addon {

namespace {

// The sampler's configuration, complete: TypeScript (src/train/config.ts) owns every
// default, this side only checks that nothing is missing, misspelled or mistyped.
SamplerConfig parse_config(const Napi::Value& value, const ProcessInfo& info) {
  Fields o(value, "Sampler config");
  SamplerConfig c;
  c.dim = info.dimension;
  c.channels = info.n_channels;
  c.features = info.pdg.empty() ? info.dimension : 4 * int(info.pdg.size());
  c.seed = uint64_t(o.integer("seed"));
  c.vegas_bins = int(o.integer("vegasBins"));
  c.flow_per_channel = o.boolean("flowPerChannel");
  // the flow each channel samples with ([]: one per channel); the sampler checks the numbering
  for (int64_t g : to_int64_vector(o.value("flowGroups"), "flowGroups")) c.flow_group.push_back(int(g));
  c.vegas_init = o.choice("vegasInit", parse_vegas_init);
  Fields flow = o.object("flow");
  c.flow.spline.bins = int(flow.integer("bins"));
  c.flow.spline.min_width = flow.number("minWidth");
  c.flow.spline.min_height = flow.number("minHeight");
  c.flow.spline.min_derivative = flow.number("minDerivative");
  c.flow.hidden = int(flow.integer("hidden"));
  c.flow.layers = int(flow.integer("layers"));
  c.flow.activation = flow.choice("activation", parse_activation);
  c.flow.precision = flow.choice("precision", parse_precision);
  flow.done();
  Fields weights = o.object("channelWeights");
  c.channel_weights.enabled = weights.boolean("enabled");
  c.channel_weights.hidden = int(weights.integer("hidden"));
  c.channel_weights.layers = int(weights.integer("layers"));
  c.channel_weights.activation = weights.choice("activation", parse_activation);
  c.channel_weights.precision = weights.choice("precision", parse_precision);
  c.channel_weights.max_log_ratio = weights.number("maxLogRatio");
  if (!(c.channel_weights.max_log_ratio >= 0))
    throw Napi::RangeError::New(weights.value("maxLogRatio").Env(), "channelWeights.maxLogRatio must be ≥ 0 (0: unbounded)");
  weights.done();
  Fields adam = o.object("adam");
  c.adam.beta1 = adam.number("beta1");
  c.adam.beta2 = adam.number("beta2");
  c.adam.epsilon = adam.number("epsilon");
  c.adam.clip_norm = adam.number("clipNorm");
  adam.done();
  c.backend = o.string("backend");
  o.done();
  return c;
}

std::vector<int64_t> counts_of(Fields& o, int channels) {
  const Napi::Value value = o.value("counts");
  std::vector<int64_t> counts = to_int64_vector(value, "counts");
  if (int(counts.size()) != channels)
    throw Napi::RangeError::New(value.Env(), "counts must have one entry per channel (" + std::to_string(channels) + ")");
  for (int64_t c : counts)
    if (c < 0) throw Napi::RangeError::New(value.Env(), "counts must be ≥ 0");
  return counts;
}

DrawRequest draw_request(Fields& o, int channels, const char* iteration_key = "iteration") {
  std::vector<int64_t> counts = counts_of(o, channels);
  const uint64_t seed = uint64_t(o.integer("seed"));
  return {std::move(counts), seed, uint32_t(o.integer(iteration_key))};
}

Napi::Array moments_to_js(Napi::Env env, const std::vector<ChannelMoments>& moments,
                          const std::vector<int64_t>* nonzero) {
  Napi::Array array = Napi::Array::New(env, moments.size());
  for (size_t c = 0; c < moments.size(); ++c) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("n", moments[c].n);
    m.Set("mean", moments[c].mu);
    m.Set("variance", moments[c].var);
    m.Set("absMean", moments[c].abs_mean);
    if (nonzero) m.Set("nonzero", double((*nonzero)[c]));
    array.Set(uint32_t(c), m);
  }
  return array;
}

Napi::Object overweight_to_js(Napi::Env env, const OverweightStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("wMax", s.w_max);
  o.Set("efficiency", s.efficiency);
  o.Set("acceptance", s.acceptance);
  o.Set("overweightFraction", s.overweight_fraction);
  o.Set("overweightSigmaShare", s.overweight_sigma_share);
  return o;
}

Napi::Object efficiency_to_js(Napi::Env env, const Efficiency& eff) {
  Napi::Object e = Napi::Object::New(env);
  e.Set("n", double(eff.n));
  e.Set("nonzero", double(eff.n_nonzero));
  e.Set("negative", double(eff.n_negative));
  e.Set("mean", eff.mean);
  e.Set("relativeStd", eff.relative_std);
  e.Set("plainMax", overweight_to_js(env, eff.plain_max));
  e.Set("truncated", overweight_to_js(env, eff.truncated));
  e.Set("medianMax", overweight_to_js(env, eff.median_max));
  return e;
}

// The session and the process it samples (declared first: destroyed last). `busy`
// serialises the calls on this sampler; the process has its own lock.
struct SamplerState {
  std::shared_ptr<ProcessState> process;
  TrainingSession session;
  std::mutex busy;
  SamplerState(std::shared_ptr<ProcessState> p, const SamplerConfig& c)
      : process(std::move(p)), session(process->process, process->pool, c) {}
};

class SamplerBinding : public Napi::ObjectWrap<SamplerBinding> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Sampler",
                       {InstanceMethod("vegasIteration", &SamplerBinding::vegas_iteration),
                        InstanceMethod("startFlow", &SamplerBinding::start_flow),
                        InstanceMethod("trainStep", &SamplerBinding::train_step_js),
                        InstanceMethod("bufferStep", &SamplerBinding::buffer_step),
                        InstanceMethod("integrate", &SamplerBinding::integrate),
                        InstanceMethod("generate", &SamplerBinding::generate),
                        InstanceMethod("getState", &SamplerBinding::get_state),
                        InstanceMethod("setState", &SamplerBinding::set_state),
                        InstanceMethod("setActive", &SamplerBinding::set_active),
                        InstanceMethod("info", &SamplerBinding::info)});
  }

  // new Sampler(process, config)
  explicit SamplerBinding(const Napi::CallbackInfo& args) : Napi::ObjectWrap<SamplerBinding>(args) {
    Napi::Env env = args.Env();
    if (args.Length() < 2 || !args[1].IsObject()) throw Napi::TypeError::New(env, "Sampler(process, config)");
    auto process = process_state_of(args[0]);
    const SamplerConfig config = parse_config(args[1], process->process.info());
    try {
      state_ = std::make_shared<SamplerState>(process, config);
    } catch (const std::invalid_argument& e) {
      throw to_js_error(env, UserError(e.what()));
    }
  }

 private:
  // Runs compute(state) off the JS thread, holding the sampler and the process.
  template <typename Compute, typename Convert>
  Napi::Promise run(Napi::Env env, Compute compute, Convert convert) {
    using Result = std::invoke_result_t<Compute, SamplerState&>;
    auto state = state_;
    return PromiseWorker<Result>::start(
        env,
        [state, compute]() {
          std::lock_guard<std::mutex> lock_sampler(state->busy);
          std::lock_guard<std::mutex> lock_process(state->process->busy);
          return compute(*state);
        },
        std::move(convert));
  }

  static Napi::Value moments_result(Napi::Env env, const StepReport& r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("channels", moments_to_js(env, r.channels, r.nonzero.empty() ? nullptr : &r.nonzero));
    o.Set("loss", r.loss);
    o.Set("gradNorm", r.grad_norm);
    o.Set("invalid", double(r.invalid));
    if (r.efficiency.n > 0) o.Set("efficiency", efficiency_to_js(env, r.efficiency));
    Napi::Object t = Napi::Object::New(env);
    t.Set("draw", r.timing.draw);
    t.Set("evaluateCpu", r.timing.evaluate_cpu);
    t.Set("sampleCpu", r.timing.sample_cpu);
    t.Set("weigh", r.timing.weigh);
    t.Set("gradient", r.timing.gradient);
    t.Set("total", r.timing.total);
    o.Set("timing", t);
    return o;
  }

  // vegasIteration({counts, seed, iteration, damping, keep}) — draw from the grids,
  // estimate, refine; keep=true stores the samples in the replay buffer.
  Napi::Value vegas_iteration(const Napi::CallbackInfo& args) {
    Fields o(args[0], "vegasIteration options");
    VegasRequest request;
    request.draw = draw_request(o, channels());
    request.damping = o.number("damping");
    request.keep = o.boolean("keep");
    request.buffer_capacity = o.integer("bufferCapacity");
    o.done();
    return run(args.Env(), [=](SamplerState& s) { return s.session.vegas_iteration(request); }, moments_result);
  }

  Napi::Value start_flow(const Napi::CallbackInfo& args) {
    std::lock_guard<std::mutex> lock(state_->busy);
    try {
      state_->session.sampler().start_flow();
    } catch (const std::exception& e) {
      throw to_js_error(args.Env(), e);
    }
    return args.Env().Undefined();
  }

  // trainStep({counts, seed, step, learningRate, loss, bufferCapacity}) — online samples
  // from the current sampler, one Adam step, then the samples join the buffer.
  Napi::Value train_step_js(const Napi::CallbackInfo& args) {
    Fields o(args[0], "trainStep options");
    TrainRequest request;
    request.draw = draw_request(o, channels(), "step");
    request.learning_rate = o.number("learningRate");
    request.loss = o.choice("loss", [](const std::string& name) { return &find_loss(name); });
    request.buffer_capacity = o.integer("bufferCapacity");
    o.done();
    return run(args.Env(), [=](SamplerState& s) { return s.session.train_step(request); }, moments_result);
  }

  // bufferStep({learningRate, loss}) — one Adam step on the whole replay buffer.
  Napi::Value buffer_step(const Napi::CallbackInfo& args) {
    Fields o(args[0], "bufferStep options");
    BufferRequest request;
    request.learning_rate = o.number("learningRate");
    request.loss = o.choice("loss", [](const std::string& name) { return &find_loss(name); });
    o.done();
    return run(args.Env(), [=](SamplerState& s) { return s.session.buffer_step(request); }, moments_result);
  }

  // integrate({counts, seed, iteration, weights: bool}) — fresh samples, per-channel
  // estimates, the efficiency of the combined sample and optionally every weight.
  Napi::Value integrate(const Napi::CallbackInfo& args) {
    Fields o(args[0], "integrate options");
    IntegrateRequest request;
    request.draw = draw_request(o, channels());
    request.want_weights = o.boolean("weights", false);
    EfficiencyOptions& eff = request.efficiency;
    eff.overweight_share = o.number("overweightShare", eff.overweight_share);
    eff.replicas = int(o.integer("replicas", eff.replicas));
    o.done();
    return run(
        args.Env(), [=](SamplerState& s) { return s.session.integrate(request); },
        [](Napi::Env env, IntegrateReport& r) -> Napi::Value {
          Napi::Object o = moments_result(env, r).As<Napi::Object>();
          Napi::Array per_channel = Napi::Array::New(env, r.channel_efficiency.size());
          for (size_t c = 0; c < r.channel_efficiency.size(); ++c)
            per_channel.Set(uint32_t(c), efficiency_to_js(env, r.channel_efficiency[c]));
          o.Set("channelEfficiency", per_channel);
          if (!r.weights.empty()) {
            o.Set("weights", to_float64_array(env, r.weights));
            o.Set("channel", to_int32_array(env, r.channel));
          }
          return o;
        });
  }

  // generate({counts, seed, iteration, wMax}) — one batch of unweighted events with their
  // full event record, and the moments of every drawn point.
  Napi::Value generate(const Napi::CallbackInfo& args) {
    Fields o(args[0], "generate options");
    GenerateRequest request;
    request.draw = draw_request(o, channels());
    request.w_max = o.number("wMax");
    o.done();
    return run(
        args.Env(), [=](SamplerState& s) { return s.session.generate(request); },
        [](Napi::Env env, GeneratedEvents& g) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("drawn", double(g.drawn));
          o.Set("overweight", double(g.overweight));
          o.Set("invalid", double(g.invalid));
          o.Set("sumWeight", g.sum_weight);
          o.Set("channels", moments_to_js(env, g.channels, &g.nonzero));
          o.Set("accepted", double(g.weight_factor.size()));
          o.Set("channel", to_int32_array(env, g.channel));
          o.Set("weightFactor", to_float64_array(env, g.weight_factor));
          o.Set("events", event_columns_to_js(env, g.events));
          Napi::Object timing = Napi::Object::New(env);
          timing.Set("sampleSeconds", g.sample_seconds);
          timing.Set("evaluateSeconds", g.evaluate_seconds);
          timing.Set("unweightSeconds", g.unweight_seconds);
          o.Set("timing", timing);
          return o;
        });
  }

  Napi::Value info(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    std::lock_guard<std::mutex> lock(state_->busy);
    const Sampler& s = state_->session.sampler();
    Napi::Object o = Napi::Object::New(env);
    o.Set("parameters", double(s.params().size()));
    o.Set("stage", s.stage() == SamplerStage::flow ? "flow" : "vegas");
    o.Set("bufferSize", double(state_->session.buffer_size()));
    o.Set("features", s.config().features);
    return o;
  }

  // The whole trainable state, for checkpoints and sampler files.
  Napi::Value get_state(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    std::lock_guard<std::mutex> lock(state_->busy);
    const Sampler& s = state_->session.sampler();
    Napi::Object o = Napi::Object::New(env);
    o.Set("stage", s.stage() == SamplerStage::flow ? "flow" : "vegas");
    o.Set("vegasInFront", s.vegas_in_front());
    Napi::Array grids = Napi::Array::New(env, s.grids().size());
    for (size_t c = 0; c < s.grids().size(); ++c) grids.Set(uint32_t(c), to_float64_array(env, s.grids()[c].to_flat()));
    o.Set("grids", grids);
    o.Set("params", to_float64_array(env, s.params()));
    o.Set("adam", to_float64_array(env, s.adam().state()));
    Napi::Array active = Napi::Array::New(env, s.active().size());
    for (size_t c = 0; c < s.active().size(); ++c) active.Set(uint32_t(c), bool(s.active()[c]));
    o.Set("active", active);
    return o;
  }

  Napi::Value set_state(const Napi::CallbackInfo& args) {
    Napi::Env env = args.Env();
    std::lock_guard<std::mutex> lock(state_->busy);
    Sampler& s = state_->session.sampler();
    Fields o(args[0], "sampler state");
    const SamplerStage stage = o.choice("stage", [](const std::string& name) {
      if (name == "vegas") return SamplerStage::vegas;
      if (name == "flow") return SamplerStage::flow;
      throw std::invalid_argument("unknown stage '" + name + "' (vegas, flow)");
    });
    const bool vegas_in_front = o.boolean("vegasInFront");
    const Napi::Value grids_value = o.value("grids"), active_value = o.value("active");
    const Napi::Float64Array params = o.float64("params"), adam = o.float64("adam");
    o.done();
    if (!grids_value.IsArray() || !active_value.IsArray()) throw Napi::TypeError::New(env, "sampler state: grids and active must be arrays");
    const Napi::Array grids = grids_value.As<Napi::Array>(), active = active_value.As<Napi::Array>();
    SamplerSnapshot snapshot;
    snapshot.stage = stage;
    snapshot.vegas_in_front = vegas_in_front;
    for (uint32_t c = 0; c < grids.Length(); ++c) {
      if (!is_float64_array(grids.Get(c))) throw to_js_error(env, UserError("sampler state: a VEGAS grid is not a Float64Array"));
      Napi::Float64Array flat = grids.Get(c).As<Napi::Float64Array>();
      snapshot.grids.emplace_back(flat.Data(), flat.Data() + flat.ElementLength());
    }
    snapshot.params.assign(params.Data(), params.Data() + params.ElementLength());
    snapshot.adam.assign(adam.Data(), adam.Data() + adam.ElementLength());
    for (uint32_t c = 0; c < active.Length(); ++c) {
      if (!active.Get(c).IsBoolean()) throw to_js_error(env, UserError("sampler state: active flags must be true or false"));
      snapshot.active.push_back(active.Get(c).As<Napi::Boolean>().Value() ? 1 : 0);
    }
    try {
      s.restore(snapshot);
    } catch (const std::invalid_argument& e) {
      throw to_js_error(env, UserError(e.what()));
    }
    return env.Undefined();
  }

  // setActive(active: boolean[]) — dropped channels get α = 0 and no samples.
  Napi::Value set_active(const Napi::CallbackInfo& args) {
    std::lock_guard<std::mutex> lock(state_->busy);
    const Napi::Array active = args[0].As<Napi::Array>();
    auto& flags = state_->session.sampler().active();
    if (active.Length() != flags.size()) throw Napi::RangeError::New(args.Env(), "setActive: one flag per channel");
    bool any = false;
    for (uint32_t c = 0; c < active.Length(); ++c) {
      flags[c] = active.Get(c).ToBoolean().Value() ? 1 : 0;
      any = any || flags[c];
    }
    if (!any) throw Napi::RangeError::New(args.Env(), "setActive: at least one channel must stay active");
    return args.Env().Undefined();
  }

  int channels() const { return state_->session.sampler().config().channels; }

  std::shared_ptr<SamplerState> state_;
};

}  // namespace

// unweightingEfficiency(weights: Float64Array, {overweightShare, replicas, seed})
//   → Promise<EfficiencyStats>: the one definition of ε, for any sampler's weights
//   (madnis-ts, VEGAS, or MadGraph's own).
Napi::Value unweighting_efficiency_js(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (args.Length() < 1 || !args[0].IsTypedArray())
    throw Napi::TypeError::New(env, "unweightingEfficiency(weights: Float64Array, options?)");
  Napi::Float64Array w = args[0].As<Napi::Float64Array>();
  auto weights = std::make_shared<std::vector<double>>(w.Data(), w.Data() + w.ElementLength());
  EfficiencyOptions options;
  if (args.Length() > 1 && !args[1].IsUndefined()) {
    Fields o(args[1], "unweightingEfficiency options");
    options.overweight_share = o.number("overweightShare", options.overweight_share);
    options.replicas = int(o.integer("replicas", options.replicas));
    options.seed = uint64_t(o.integer("seed", int64_t(options.seed)));
    o.done();
  }
  return PromiseWorker<Efficiency>::start(
      env, [weights, options]() {
        try {
          return unweighting_efficiency(*weights, options);
        } catch (const std::invalid_argument& e) {
          throw UserError(e.what());
        }
      },
      [](Napi::Env env, Efficiency& e) -> Napi::Value { return efficiency_to_js(env, e); });
}

void register_sampler(Napi::Env env, Napi::Object exports) {
  exports.Set("Sampler", SamplerBinding::define(env));
  exports.Set("unweightingEfficiency", Napi::Function::New(env, unweighting_efficiency_js));
}

}  // namespace madnis::addon
