// Unweighted events from a trained sampler: draw a stratified batch with the full event
// record, weigh it, and accept each point with probability min(1, W/w_max), W the
// combined weight (a point of channel c stands for N/n_c points of the mixture). Accepted
// points with W > w_max are overweight: they are kept with weight factor W/w_max, so the
// cross section stays exact. The accepted events come in a random order (not channel by
// channel), so any first k of them are a uniform subset of the batch's events.
#pragma once

#include <cstdint>
#include <vector>

#include "trainer.h"

namespace madnis {

struct GeneratedEvents {
  int64_t drawn = 0, overweight = 0, invalid = 0;
  std::vector<ChannelMoments> channels;  // of all drawn points
  std::vector<int64_t> nonzero;
  double sum_weight = 0;                 // Σ W over drawn points
  // accepted events, in a random order (seeded, independent of the thread count)
  std::vector<int32_t> channel;
  std::vector<double> weight_factor;     // sign(W)·max(1, |W|/w_max)
  EventColumns events;                   // their event record
  double sample_seconds = 0, evaluate_seconds = 0, unweight_seconds = 0;
};

GeneratedEvents generate_events(const Sampler& sampler, LoadedProcess& process, ThreadPool& pool,
                                const std::vector<int64_t>& counts, uint64_t seed, uint32_t iteration, double w_max);

}  // namespace madnis
