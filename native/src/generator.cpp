#include "generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "rng.h"
#include "unweight.h"

namespace madnis {

namespace {
constexpr uint32_t kStreamAccept = 7;
// channel slots of the accept purpose's streams
constexpr uint32_t kAcceptDraw = 0, kAcceptShuffle = 1;
}

GeneratedEvents generate_events(const Sampler& sampler, LoadedProcess& process, ThreadPool& pool,
                                const std::vector<int64_t>& counts, uint64_t seed, uint32_t iteration, double w_max) {
  if (!(w_max > 0)) throw std::invalid_argument("generate: w_max must be positive");
  const int n_ext = int(process.info().pdg.size());
  if (n_ext == 0) throw std::invalid_argument("generate: the process has no particles to write as events");
  SampleBatch batch = draw_batch(sampler, process, pool, counts, seed, kStreamGenerate, iteration, true);
  const auto t0 = std::chrono::steady_clock::now();
  const WeightedBatch weighted = weigh_batch(sampler, pool, batch);

  GeneratedEvents generated;
  generated.drawn = batch.size();
  generated.invalid = batch.invalid;
  generated.channels = weighted.channels;
  generated.nonzero = weighted.nonzero;
  generated.sample_seconds = batch.sample_seconds;
  generated.evaluate_seconds = batch.evaluate_seconds;
  const std::vector<double> combined = combined_weights(weighted.weight, batch.channel, counts);

  const UniformStream accept(seed, make_stream(kStreamAccept, iteration, kAcceptDraw));
  std::vector<int64_t> accepted;
  std::vector<double> factor(size_t(batch.size()), 0.0);  // of the accepted points
  for (Eigen::Index i = 0; i < batch.size(); ++i) {
    const double w = combined[size_t(i)];
    if (!std::isfinite(w)) continue;  // counted in the moments as drawn; never an event
    generated.sum_weight += w;
    double r;
    accept.fill_point(uint64_t(i), 1, &r);
    // |W| decides; a negative weight (rare at LO) gives an event of negative weight
    const double magnitude = std::abs(w);
    if (magnitude == 0 || r * w_max >= magnitude) continue;
    accepted.push_back(i);
    factor[size_t(i)] = std::copysign(std::max(1.0, magnitude / w_max), w);
    if (magnitude > w_max) ++generated.overweight;
  }

  // The batch is stratified: its points come channel after channel. A caller that keeps only
  // the first k accepted events (the last batch of a run) must get a uniform subset, or the
  // last channels (subprocesses) would be missing from the file: accepted events are returned
  // in a random order (Fisher-Yates on a stream of their own).
  const UniformStream shuffle(seed, make_stream(kStreamAccept, iteration, kAcceptShuffle));
  for (size_t k = accepted.size(); k > 1; --k) {
    double r;
    shuffle.fill_point(uint64_t(k), 1, &r);
    std::swap(accepted[k - 1], accepted[std::min(k - 1, size_t(r * double(k)))]);
  }

  generated.channel.reserve(accepted.size());
  generated.weight_factor.reserve(accepted.size());
  for (const int64_t i : accepted) {
    generated.channel.push_back(batch.channel[size_t(i)]);
    generated.weight_factor.push_back(factor[size_t(i)]);
  }
  generated.events = batch.events.select(accepted);
  generated.unweight_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return generated;
}

}  // namespace madnis
