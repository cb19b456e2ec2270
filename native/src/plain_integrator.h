// Multi-channel Monte Carlo with uniform sampling in every channel's unit cube:
// σ = Σ_c E_{u~U}[α_c(x) w_c(u)], with the process's prior channel weights α_c.
// The reference against which trained samplers are measured.
#pragma once

#include <cstdint>
#include <vector>

#include "channel_stats.h"
#include "process_loader.h"
#include "thread_pool.h"

namespace madnis {

struct PlainBatch {
  uint64_t seed = 0;
  uint32_t iteration = 0;
  // Per channel: the first point index and the number of points in this batch. Point
  // indices address the counter-based random stream, so batches can be split at will.
  std::vector<int64_t> first_index, n_points;
};

std::vector<ChannelStats> integrate_plain(LoadedProcess& process, ThreadPool& pool,
                                          const PlainBatch& batch);

}  // namespace madnis
