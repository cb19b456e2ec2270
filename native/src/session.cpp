#include "session.h"

#include <chrono>
#include <stdexcept>

#include "errors.h"

namespace madnis {

namespace {

// What every drawn batch reports: its invalid points, per-channel moments, and the
// efficiency of its combined weights (kept in `combined` when the caller wants them).
StepReport weighed_report(const SampleBatch& batch, const WeightedBatch& w, const std::vector<int64_t>& counts,
                          const EfficiencyOptions& options, std::vector<double>* combined = nullptr) {
  StepReport r;
  r.invalid = batch.invalid;
  r.channels = w.channels;
  r.nonzero = w.nonzero;
  std::vector<double> weights = combined_weights(w.weight, batch.channel, counts);
  r.efficiency = unweighting_efficiency(weights, options);
  if (combined) *combined = std::move(weights);
  return r;
}

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The drawing part of a step's timing, from its batch.
StepTiming drawn(const SampleBatch& batch, double draw_wall) {
  StepTiming t;
  t.draw = draw_wall;
  t.evaluate_cpu = batch.evaluate_seconds;
  t.sample_cpu = batch.sample_seconds;
  return t;
}

EfficiencyOptions seeded(uint64_t seed) {
  EfficiencyOptions options;
  options.seed = seed;
  return options;
}

}  // namespace

TrainingSession::TrainingSession(LoadedProcess& process, ThreadPool& pool, const SamplerConfig& config)
    : process_(process), pool_(pool), sampler_(config) {}

TrainingSession::Weighed TrainingSession::draw_weighed(const DrawRequest& request, uint32_t purpose) {
  Weighed d;
  d.start = Clock::now();
  d.batch = draw_batch(sampler_, process_, pool_, request.counts, request.seed, purpose, request.iteration);
  d.timing = drawn(d.batch, since(d.start));
  const auto t = Clock::now();
  d.w = weigh_batch(sampler_, pool_, d.batch);
  d.timing.weigh = since(t);
  return d;
}

void TrainingSession::keep_in_buffer(const SampleBatch& batch, int64_t capacity) {
  buffer_.append(batch);
  buffer_.keep_last(capacity);
}

StepReport TrainingSession::vegas_iteration(const VegasRequest& request) {
  Weighed d = draw_weighed(request.draw, kStreamVegas);
  refine_vegas(sampler_, pool_, d.batch, d.w, request.damping);
  if (request.keep) keep_in_buffer(d.batch, request.buffer_capacity);
  StepReport r = weighed_report(d.batch, d.w, request.draw.counts, seeded(request.draw.seed));
  r.timing = d.timing;
  r.timing.total = since(d.start);
  return r;
}

StepReport TrainingSession::train_step(const TrainRequest& request) {
  Weighed d = draw_weighed(request.draw, kStreamTrain);
  const auto t = Clock::now();
  const StepResult step = madnis::train_step(sampler_, pool_, d.batch, *request.loss, request.learning_rate);
  d.timing.gradient = since(t);
  if (request.buffer_capacity > 0) keep_in_buffer(d.batch, request.buffer_capacity);
  StepReport r = weighed_report(d.batch, d.w, request.draw.counts, seeded(request.draw.seed));
  r.loss = step.loss;
  r.grad_norm = step.grad_norm;
  r.timing = d.timing;
  r.timing.total = since(d.start);
  return r;
}

StepReport TrainingSession::buffer_step(const BufferRequest& request) {
  StepReport r;
  if (buffer_.size() == 0) return r;
  const auto start = Clock::now();
  const StepResult step = madnis::train_step(sampler_, pool_, buffer_, *request.loss, request.learning_rate);
  r.channels = step.channels;
  r.loss = step.loss;
  r.grad_norm = step.grad_norm;
  r.timing.gradient = r.timing.total = since(start);
  return r;
}

IntegrateReport TrainingSession::integrate(const IntegrateRequest& request) {
  const Weighed d = draw_weighed(request.draw, kStreamIntegrate);
  const SampleBatch& batch = d.batch;
  const WeightedBatch& w = d.w;
  EfficiencyOptions options = request.efficiency;
  options.seed = request.draw.seed;
  std::vector<double> combined;
  IntegrateReport r;
  static_cast<StepReport&>(r) = weighed_report(batch, w, request.draw.counts, options, &combined);
  // each channel's own unweighting efficiency (zero weights included)
  std::vector<std::vector<double>> own(request.draw.counts.size());
  for (size_t i = 0; i < w.weight.size(); ++i) own[size_t(batch.channel[i])].push_back(w.weight[i]);
  EfficiencyOptions per_channel = options;
  per_channel.replicas = 1;
  for (const auto& weights : own) r.channel_efficiency.push_back(unweighting_efficiency(weights, per_channel));
  if (request.want_weights) {
    r.weights = std::move(combined);
    r.channel.assign(batch.channel.begin(), batch.channel.end());
  }
  r.timing = d.timing;
  r.timing.total = since(d.start);
  return r;
}

GeneratedEvents TrainingSession::generate(const GenerateRequest& request) {
  try {
    return generate_events(sampler_, process_, pool_, request.draw.counts, request.draw.seed, request.draw.iteration,
                           request.w_max);
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what());
  }
}

}  // namespace madnis
