#include "plain_integrator.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "rng.h"

namespace madnis {

namespace {

constexpr int64_t kChunk = 1024;
constexpr uint32_t kPurposePlain = 1;

struct Chunk {
  int channel;
  int64_t first, count;
};

}  // namespace

std::vector<ChannelStats> integrate_plain(LoadedProcess& process, ThreadPool& pool,
                                          const PlainBatch& batch) {
  const ProcessInfo& info = process.info();
  const int n_channels = info.n_channels, dim = info.dimension;
  if (int(batch.n_points.size()) != n_channels || int(batch.first_index.size()) != n_channels)
    throw std::invalid_argument("integrate_plain: expected one entry per channel (" +
                                std::to_string(n_channels) + ")");
  if (pool.size() > process.n_instances())
    throw std::invalid_argument("integrate_plain: fewer process instances than threads");

  std::vector<Chunk> chunks;
  for (int c = 0; c < n_channels; ++c)
    for (int64_t start = 0; start < batch.n_points[c]; start += kChunk)
      chunks.push_back({c, batch.first_index[c] + start,
                        std::min(kChunk, batch.n_points[c] - start)});

  std::vector<ChannelStats> per_chunk(chunks.size());
  pool.parallel_for(int64_t(chunks.size()), [&](int64_t k, int thread) {
    const Chunk& chunk = chunks[size_t(k)];
    const UniformStream stream(batch.seed, make_stream(kPurposePlain, batch.iteration,
                                                       uint32_t(chunk.channel)));
    std::vector<double> u(size_t(chunk.count * dim)), weight(static_cast<size_t>(chunk.count)),
        alpha(size_t(chunk.count * n_channels));
    for (int64_t i = 0; i < chunk.count; ++i)
      stream.fill_point(uint64_t(chunk.first + i), dim, &u[size_t(i * dim)]);
    madnis_eval_output out{};
    out.weight = weight.data();
    out.channel_weights = alpha.data();
    process.evaluate(thread, chunk.channel, chunk.count, u.data(), out);
    ChannelStats& stats = per_chunk[size_t(k)];
    for (int64_t i = 0; i < chunk.count; ++i) {
      // A point whose weight or any prior channel weight is not finite is invalid as a
      // whole (as in training): counted, contributes nothing.
      double w = weight[size_t(i)];
      for (int c = 0; c < n_channels; ++c) {
        const double a = alpha[size_t(i * n_channels + c)];
        if (!std::isfinite(a) || a < 0) w = std::numeric_limits<double>::quiet_NaN();
      }
      stats.add(alpha[size_t(i * n_channels + chunk.channel)] * w, w != 0 && std::isfinite(w));
    }
  });

  // Reduce in chunk order: the result does not depend on the thread count.
  std::vector<ChannelStats> result(static_cast<size_t>(n_channels));
  for (size_t k = 0; k < chunks.size(); ++k) result[size_t(chunks[k].channel)].merge(per_chunk[k]);
  return result;
}

}  // namespace madnis
