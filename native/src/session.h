// A training session: one sampler on one process, with its replay buffer. Each method is
// one batched step the TypeScript driver schedules (it owns the schedule: how many points,
// which seed and iteration, when to switch stage); requests and results are plain structs,
// so the addon only translates them to and from JavaScript.
//
// Steps draw a stratified batch (counts[c] points in channel c, random numbers from
// (seed, purpose, iteration)), weigh it with the current channel weights, then:
//   vegas_iteration  refines the VEGAS grids (and keeps the batch in the buffer if asked);
//   train_step       one Adam step on the fresh batch, which then joins the buffer;
//   buffer_step      one Adam step on the whole buffer (no new points);
//   integrate        estimates only, with every channel's own efficiency;
//   generate         unweighted events (generator.h).
// Estimates (moments, efficiency) are always of the batch as drawn, before any update.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "generator.h"
#include "losses/loss.h"
#include "process_loader.h"
#include "sampler.h"
#include "thread_pool.h"
#include "trainer.h"
#include "unweight.h"

namespace madnis {

// What every drawing step names: points per channel, the seed, and the iteration (or
// training step) that selects the random stream.
struct DrawRequest {
  std::vector<int64_t> counts;
  uint64_t seed = 1;
  uint32_t iteration = 0;
};

struct VegasRequest {
  DrawRequest draw;
  double damping = 0;
  bool keep = false;            // store the batch in the replay buffer
  int64_t buffer_capacity = 0;  // the buffer then keeps its newest this many points
};

struct TrainRequest {
  DrawRequest draw;
  double learning_rate = 0;
  const Loss* loss = &find_loss("stratified_variance");
  int64_t buffer_capacity = 0;  // 0: the batch is not kept
};

struct BufferRequest {
  double learning_rate = 0;
  const Loss* loss = &find_loss("stratified_variance");
};

struct IntegrateRequest {
  DrawRequest draw;
  EfficiencyOptions efficiency;  // its seed is the draw's
  bool want_weights = false;     // return every combined weight and its channel
};

struct GenerateRequest {
  DrawRequest draw;
  double w_max = 0;
};

// Where a step's time went, in seconds: drawing the batch (wall), and within it the
// process evaluation and the sampler's mapping as CPU seconds summed over threads;
// weighing the batch with the channel weights and the gradient step (networks), wall;
// `total` is the whole step's wall time (the rest: estimates, buffer, bookkeeping).
struct StepTiming {
  double draw = 0, evaluate_cpu = 0, sample_cpu = 0, weigh = 0, gradient = 0, total = 0;
};

// What a step reports. `efficiency` is of the batch's combined weights (n = 0 where no
// batch was drawn: buffer steps); `nonzero` is empty for buffer steps.
struct StepReport {
  int64_t invalid = 0;
  std::vector<ChannelMoments> channels;
  std::vector<int64_t> nonzero;
  double loss = 0, grad_norm = 0;
  Efficiency efficiency;
  StepTiming timing;
};

struct IntegrateReport : StepReport {
  std::vector<Efficiency> channel_efficiency;  // each channel on its own points, zero weights included
  std::vector<double> weights;                 // combined weights, when asked for
  std::vector<int32_t> channel;                // and the channel of each
};

class TrainingSession {
 public:
  // The process and the pool must outlive the session; the caller serialises all calls.
  TrainingSession(LoadedProcess& process, ThreadPool& pool, const SamplerConfig& config);

  Sampler& sampler() { return sampler_; }
  const Sampler& sampler() const { return sampler_; }
  const SampleBatch& buffer() const { return buffer_; }
  int64_t buffer_size() const { return int64_t(buffer_.size()); }

  StepReport vegas_iteration(const VegasRequest& request);
  StepReport train_step(const TrainRequest& request);
  StepReport buffer_step(const BufferRequest& request);
  IntegrateReport integrate(const IntegrateRequest& request);
  // Throws UserError for a w_max that is not positive or a process without particles.
  GeneratedEvents generate(const GenerateRequest& request);

 private:
  // A drawn batch weighed with the current channel weights, and the timing so far
  // (`total` is the caller's to set once the step is done).
  struct Weighed {
    std::chrono::steady_clock::time_point start;
    SampleBatch batch;
    WeightedBatch w;
    StepTiming timing;
  };
  Weighed draw_weighed(const DrawRequest& request, uint32_t purpose);
  void keep_in_buffer(const SampleBatch& batch, int64_t capacity);

  LoadedProcess& process_;
  ThreadPool& pool_;
  Sampler sampler_;
  SampleBatch buffer_;  // the replay buffer: the newest points of kept batches
};

}  // namespace madnis
