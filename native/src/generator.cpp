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

  GeneratedEvents events;
  events.drawn = batch.size();
  events.invalid = batch.invalid;
  events.channels = weighted.channels;
  events.nonzero = weighted.nonzero;
  events.sample_seconds = batch.sample_seconds;
  events.evaluate_seconds = batch.evaluate_seconds;
  const std::vector<double> combined = combined_weights(weighted.weight, batch.channel, counts);

  const UniformStream accept(seed, make_stream(kStreamAccept, iteration, kAcceptDraw));
  std::vector<Eigen::Index> accepted;
  std::vector<double> factor(size_t(batch.size()), 0.0);  // of the accepted points
  for (Eigen::Index i = 0; i < batch.size(); ++i) {
    const double w = combined[size_t(i)];
    if (!std::isfinite(w)) continue;  // counted in the moments as drawn; never an event
    events.sum_weight += w;
    double r;
    accept.fill_point(uint64_t(i), 1, &r);
    // |W| decides; a negative weight (rare at LO) gives an event of negative weight
    const double magnitude = std::abs(w);
    if (magnitude == 0 || r * w_max >= magnitude) continue;
    accepted.push_back(i);
    factor[size_t(i)] = std::copysign(std::max(1.0, magnitude / w_max), w);
    if (magnitude > w_max) ++events.overweight;
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

  const size_t n = accepted.size(), ne = size_t(n_ext);
  events.momenta.resize(Eigen::Index(n), 4 * n_ext);
  events.channel.resize(n);
  events.weight_factor.resize(n);
  events.pdg.resize(n * ne);
  events.helicity.resize(n * ne);
  events.colour.resize(2 * n * ne);
  constexpr size_t nr = 2 * MADNIS_MAX_RESONANCES;
  events.resonances.resize(n * nr);
  events.resonance_colour.resize(n * nr);
  events.qcd_order.resize(n);
  for (auto* v : {&events.x1, &events.x2, &events.mu_f, &events.mu_r, &events.alpha_s, &events.alpha_qed, &events.pdf_factor})
    v->resize(n);
  for (size_t k = 0; k < n; ++k) {
    const Eigen::Index i = accepted[k];
    const size_t src = size_t(i);
    events.channel[k] = batch.channel[src];
    events.weight_factor[k] = factor[src];
    events.momenta.row(Eigen::Index(k)) = batch.momenta.row(i);
    std::copy_n(batch.pdg.begin() + src * ne, ne, events.pdg.begin() + k * ne);
    std::copy_n(batch.helicity.begin() + src * ne, ne, events.helicity.begin() + k * ne);
    std::copy_n(batch.colour.begin() + 2 * src * ne, 2 * ne, events.colour.begin() + 2 * k * ne);
    std::copy_n(batch.resonances.begin() + src * nr, nr, events.resonances.begin() + k * nr);
    std::copy_n(batch.resonance_colour.begin() + src * nr, nr, events.resonance_colour.begin() + k * nr);
    events.qcd_order[k] = batch.qcd_order[src];
    events.pdf_factor[k] = batch.pdf_factor[src];
    events.x1[k] = batch.x1[src];
    events.x2[k] = batch.x2[src];
    events.mu_f[k] = batch.mu_f[src];
    events.mu_r[k] = batch.mu_r[src];
    events.alpha_s[k] = batch.alpha_s[src];
    events.alpha_qed[k] = batch.alpha_qed[src];
  }
  events.unweight_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return events;
}

}  // namespace madnis
