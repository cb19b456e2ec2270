// Drawing evaluated samples from a sampler, and the training steps that use them: a VEGAS
// grid refinement, and a gradient step of the flows and channel weights (online samples
// or samples replayed from a buffer, re-weighted by the density they were drawn from).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "event_record.h"
#include "losses/loss.h"
#include "process_loader.h"
#include "sampler.h"
#include "thread_pool.h"

namespace madnis {

// Evaluated points, contiguous per channel. append/keep_last handle the training fields
// (channel, u, f, g, features, prior), which is what the replay buffer keeps, and the
// event record of batches drawn with it.
struct SampleBatch {
  std::vector<int> channel;
  Eigen::MatrixXd u;           // n × dim, in the channel's unit cube
  std::vector<double> f;       // process weight (pb), the integrand in the unit cube
  std::vector<double> g;       // density u was drawn from
  Eigen::MatrixXd features;    // n × features: the channel net's view of the point
  Eigen::MatrixXd prior;       // n × channels: the process's prior channel weights
  // The event record of every point, only when drawn with keep_event (else empty).
  EventColumns events;
  // CPU seconds (summed over threads) spent sampling and evaluating the process.
  double sample_seconds = 0, evaluate_seconds = 0;
  // Points whose weight or prior channel weights were not finite (e.g. a NaN from an
  // amplitude): counted here and kept with weight 0, so they never reach a loss.
  int64_t invalid = 0;

  Eigen::Index size() const { return Eigen::Index(channel.size()); }
  void append(const SampleBatch& other);
  // Keeps the last `max_points` points (the newest), dropping the oldest.
  void keep_last(Eigen::Index max_points);
};

// Random-stream purposes, so that no two uses of one seed share numbers.
enum StreamPurpose : uint32_t { kStreamVegas = 2, kStreamTrain = 3, kStreamIntegrate = 4, kStreamGenerate = 5 };

// Draws counts[c] points in each channel from the sampler (random numbers from
// (seed, purpose, iteration, channel, point index)) and evaluates the process.
SampleBatch draw_batch(const Sampler& sampler, LoadedProcess& process, ThreadPool& pool,
                       const std::vector<int64_t>& counts, uint64_t seed, uint32_t purpose, uint32_t iteration,
                       bool keep_event = false);

// Channel weights α_c of every point for its own channel, with the current network.
std::vector<double> own_channel_weights(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch);

// Per-channel sums of the weights α_c f / g of a batch (valid estimates when g is the
// current sampler's density, i.e. for freshly drawn batches).
struct WeightedBatch {
  std::vector<double> weight;  // α_c f / g per point
  std::vector<ChannelMoments> channels;
  std::vector<int64_t> nonzero;
};
WeightedBatch weigh_batch(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch);

// A channel's grid is refined only when the iteration gave it at least this many non-zero
// points per bin of a dimension.
constexpr int64_t kMinPointsToRefine = 2;

// Accumulates the batch's weights α f / g (weigh_batch of the same batch) per VEGAS bin
// for every channel and refines the grids of the channels with enough non-zero points
// (kMinPointsToRefine per bin).
void refine_vegas(Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const WeightedBatch& weighted,
                  double damping);

struct StepResult {
  double loss = 0, grad_norm = 0;
  std::vector<ChannelMoments> channels;
};

// One Adam step of flows and channel weights on the batch.
StepResult train_step(Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const Loss& loss,
                      double learning_rate);

// The loss and its gradient without a step (for gradient checks and evaluation).
StepResult loss_and_gradient(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const Loss& loss,
                             std::vector<double>& gradient);

}  // namespace madnis
