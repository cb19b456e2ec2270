#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "rng.h"

namespace madnis {

namespace {

constexpr Eigen::Index kChunk = 1024;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Chunk {
  int channel;
  Eigen::Index start, count;
};

// Runs of equal channel, split into chunks: the unit of parallel work, always reduced in
// this order so results do not depend on the thread count.
std::vector<Chunk> chunks_of(const std::vector<int>& channel) {
  std::vector<Chunk> chunks;
  const Eigen::Index n = Eigen::Index(channel.size());
  for (Eigen::Index i = 0; i < n;) {
    Eigen::Index j = i;
    while (j < n && channel[size_t(j)] == channel[size_t(i)] && j - i < kChunk) ++j;
    chunks.push_back({channel[size_t(i)], i, j - i});
    i = j;
  }
  return chunks;
}

}  // namespace

void SampleBatch::append(const SampleBatch& o) {
  if (o.size() == 0) return;
  if (size() == 0) {
    *this = o;
    return;
  }
  const Eigen::Index n = size(), m = o.size();
  channel.insert(channel.end(), o.channel.begin(), o.channel.end());
  f.insert(f.end(), o.f.begin(), o.f.end());
  g.insert(g.end(), o.g.begin(), o.g.end());
  auto stack = [&](Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (b.size() == 0 && a.size() == 0) return;
    Eigen::MatrixXd joined(n + m, a.cols());
    joined << a, b;
    a = std::move(joined);
  };
  stack(u, o.u);
  stack(features, o.features);
  stack(prior, o.prior);
  events.append(o.events);
  invalid += o.invalid;
}

void SampleBatch::keep_last(Eigen::Index max_points) {
  const Eigen::Index n = size();
  if (n <= max_points) return;
  const Eigen::Index drop = n - max_points;
  channel.erase(channel.begin(), channel.begin() + drop);
  f.erase(f.begin(), f.begin() + drop);
  g.erase(g.begin(), g.begin() + drop);
  auto tail = [&](Eigen::MatrixXd& a) {
    if (a.rows() == n) a = Eigen::MatrixXd(a.bottomRows(max_points));
  };
  tail(u);
  tail(features);
  tail(prior);
  events.keep_last(max_points);
}

SampleBatch draw_batch(const Sampler& sampler, LoadedProcess& process, ThreadPool& pool,
                       const std::vector<int64_t>& counts, uint64_t seed, uint32_t purpose, uint32_t iteration,
                       bool keep_event) {
  const ProcessInfo& info = process.info();
  const SamplerConfig& config = sampler.config();
  const int dim = config.dim, n_channels = config.channels, n_ext = int(info.pdg.size());
  if (info.dimension != dim || info.n_channels != n_channels)
    throw std::invalid_argument("sampler and process disagree on dimension or channels");
  if (int(counts.size()) != n_channels) throw std::invalid_argument("draw_batch: one count per channel expected");

  struct Draw {
    int channel;
    Eigen::Index row;
    int64_t first_index, count;
  };
  std::vector<Draw> draws;
  Eigen::Index total = 0;
  for (int c = 0; c < n_channels; ++c) {
    for (int64_t start = 0; start < counts[size_t(c)]; start += kChunk) {
      const int64_t count = std::min<int64_t>(kChunk, counts[size_t(c)] - start);
      draws.push_back({c, total, start, count});
      total += count;
    }
  }
  SampleBatch batch;
  batch.channel.resize(size_t(total));
  batch.u.resize(total, dim);
  batch.f.resize(size_t(total));
  batch.g.resize(size_t(total));
  batch.features.resize(total, config.features);
  batch.prior.resize(total, n_channels);
  if (keep_event) batch.events = EventColumns(n_ext, total);
  const double energy_scale = info.beam_energy[0] + info.beam_energy[1];
  std::vector<double> sample_seconds(draws.size(), 0.0), evaluate_seconds(draws.size(), 0.0);
  std::vector<int64_t> invalid(draws.size(), 0);

  pool.parallel_for(int64_t(draws.size()), [&](int64_t k, int thread) {
    const Draw& d = draws[size_t(k)];
    const UniformStream stream(seed, make_stream(purpose, iteration, uint32_t(d.channel)));
    Eigen::MatrixXd z(d.count, dim), u;
    std::vector<double> point(static_cast<size_t>(dim));
    for (int64_t i = 0; i < d.count; ++i) {
      stream.fill_point(uint64_t(d.first_index + i), dim, point.data());
      for (int j = 0; j < dim; ++j) z(i, j) = point[size_t(j)];
    }
    Eigen::VectorXd log_q;
    const auto t0 = std::chrono::steady_clock::now();
    sampler.sample(d.channel, z, u, log_q);
    const auto t1 = std::chrono::steady_clock::now();
    const RowMatrix u_rows = u;
    std::vector<double> weight(static_cast<size_t>(d.count));
    RowMatrix prior(d.count, n_channels), momenta(d.count, std::max(1, 4 * n_ext));
    madnis_eval_output out{};
    if (keep_event && n_ext > 0) batch.events.point_output(out, d.row);
    out.weight = weight.data();
    out.channel_weights = prior.data();
    // momenta go here first (the features and the validity check need them), then to the record
    out.momenta = n_ext > 0 ? momenta.data() : nullptr;
    process.evaluate(thread, d.channel, d.count, u_rows.data(), out);
    const auto t2 = std::chrono::steady_clock::now();
    sample_seconds[size_t(k)] = std::chrono::duration<double>(t1 - t0).count();
    evaluate_seconds[size_t(k)] = std::chrono::duration<double>(t2 - t1).count();
    for (int64_t i = 0; i < d.count; ++i) {
      const Eigen::Index row = d.row + i;
      batch.channel[size_t(row)] = d.channel;
      batch.u.row(row) = u.row(i);
      bool valid = std::isfinite(weight[size_t(i)]) && (n_ext == 0 || momenta.row(i).allFinite());
      for (int c = 0; c < n_channels; ++c) valid = valid && std::isfinite(prior(i, c)) && prior(i, c) >= 0;
      if (!valid) {
        ++invalid[size_t(k)];
        weight[size_t(i)] = 0;
        prior.row(i).setConstant(1.0 / n_channels);
      }
      batch.f[size_t(row)] = weight[size_t(i)];
      batch.g[size_t(row)] = std::exp(log_q(i));
      batch.prior.row(row) = prior.row(i);
      // The channel net needs one view of the point shared by all channels: the momenta
      // (in units of the collision energy), or u for test integrands without particles,
      // whose channels all use the identity map.
      if (!valid)
        batch.features.row(row).setZero();
      else if (n_ext > 0)
        batch.features.row(row) = momenta.row(i) / energy_scale;
      else
        batch.features.row(row) = u.row(i);
      if (keep_event) std::copy_n(momenta.row(i).data(), 4 * n_ext, batch.events.momenta.data() + size_t(row) * 4 * n_ext);
    }
  });
  for (size_t k = 0; k < draws.size(); ++k) {
    batch.sample_seconds += sample_seconds[k];
    batch.evaluate_seconds += evaluate_seconds[k];
    batch.invalid += invalid[k];
  }
  return batch;
}

std::vector<double> own_channel_weights(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch) {
  std::vector<double> alpha(static_cast<size_t>(batch.size()));
  const std::vector<Chunk> chunks = chunks_of(batch.channel);
  pool.parallel_for(int64_t(chunks.size()), [&](int64_t k, int) {
    const Chunk& c = chunks[size_t(k)];
    Eigen::MatrixXd a;
    sampler.channel_weights().forward(sampler.channel_weight_params(), batch.features.middleRows(c.start, c.count),
                                      batch.prior.middleRows(c.start, c.count), sampler.active(), a, nullptr);
    for (Eigen::Index i = 0; i < c.count; ++i) alpha[size_t(c.start + i)] = a(i, c.channel);
  });
  return alpha;
}

WeightedBatch weigh_batch(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch) {
  const std::vector<double> alpha = own_channel_weights(sampler, pool, batch);
  WeightedBatch r;
  r.weight.resize(alpha.size());
  r.channels.assign(size_t(sampler.config().channels), {});
  r.nonzero.assign(size_t(sampler.config().channels), 0);
  for (size_t i = 0; i < alpha.size(); ++i) {
    const double w = batch.f[i] != 0 ? alpha[i] * batch.f[i] / batch.g[i] : 0.0;
    r.weight[i] = w;
    add_weight(r.channels[size_t(batch.channel[i])], w);
    if (w != 0) ++r.nonzero[size_t(batch.channel[i])];
  }
  for (ChannelMoments& m : r.channels) finish_moments(m);
  return r;
}

void refine_vegas(Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const WeightedBatch& weighted,
                  double damping) {
  const SamplerConfig& config = sampler.config();
  const std::vector<Chunk> chunks = chunks_of(batch.channel);
  std::vector<VegasAccumulator> per_chunk;
  for (size_t k = 0; k < chunks.size(); ++k) per_chunk.emplace_back(config.dim, config.vegas_bins);
  pool.parallel_for(int64_t(chunks.size()), [&](int64_t k, int) {
    const Chunk& c = chunks[size_t(k)];
    const VegasGrid& grid = sampler.grids()[size_t(c.channel)];
    std::vector<double> u(static_cast<size_t>(config.dim)), v(static_cast<size_t>(config.dim));
    std::vector<int> bins(static_cast<size_t>(config.dim));
    for (Eigen::Index i = c.start; i < c.start + c.count; ++i) {
      for (int d = 0; d < config.dim; ++d) u[size_t(d)] = batch.u(i, d);
      grid.inverse(u.data(), v.data());
      grid.bin_indices(v.data(), bins.data());
      const double w = weighted.weight[size_t(i)];
      if (std::isfinite(w)) per_chunk[size_t(k)].add(bins.data(), w);
    }
  });
  std::vector<VegasAccumulator> per_channel;
  for (int c = 0; c < config.channels; ++c) per_channel.emplace_back(config.dim, config.vegas_bins);
  for (size_t k = 0; k < chunks.size(); ++k) per_channel[size_t(chunks[k].channel)].merge(per_chunk[k]);
  // A grid adapts only on enough points: a channel that drew a few dozen points (the
  // stratified allocation starves channels that look small early on) would otherwise squeeze
  // its grid into the bins those points happened to hit, and never see the rest of its phase
  // space again (seen on p p > W+ j j: 36 channels, 11 points each, σ 9 % low).
  for (int c = 0; c < config.channels; ++c)
    if (sampler.active()[size_t(c)] && weighted.nonzero[size_t(c)] >= kMinPointsToRefine * int64_t(config.vegas_bins))
      sampler.grids()[size_t(c)].refine(per_channel[size_t(c)], damping);
}

StepResult loss_and_gradient(const Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const Loss& loss,
                             std::vector<double>& gradient) {
  const SamplerConfig& config = sampler.config();
  const std::vector<Chunk> chunks = chunks_of(batch.channel);
  const Eigen::Index n = batch.size();

  // Pass 1: current densities and channel weights of every point.
  std::vector<double> log_q(static_cast<size_t>(n));
  pool.parallel_for(int64_t(chunks.size()), [&](int64_t k, int) {
    const Chunk& c = chunks[size_t(k)];
    Eigen::VectorXd lq;
    sampler.log_density(c.channel, batch.u.middleRows(c.start, c.count), lq, nullptr);
    for (Eigen::Index i = 0; i < c.count; ++i) log_q[size_t(c.start + i)] = lq(i);
  });
  const std::vector<double> alpha = own_channel_weights(sampler, pool, batch);
  const LossResult computed = loss.compute(config.channels, batch.channel, batch.f, batch.g, log_q, alpha);

  // Pass 2: backward per chunk, each into its own gradient, summed in chunk order. A chunk
  // holds points of one channel, so it only touches that channel's flow and the channel
  // net: keep just those slices (with hundreds of channels the full vector per chunk would
  // not fit in memory).
  const size_t n_params = sampler.params().size();
  const size_t cw_count = size_t(sampler.channel_weights().parameter_count());
  std::vector<size_t> slice_start(chunks.size() + 1, 0);
  for (size_t k = 0; k < chunks.size(); ++k)
    slice_start[k + 1] = slice_start[k] + size_t(sampler.flow_parameter_count(chunks[k].channel)) + cw_count;
  std::vector<double> slices(slice_start.back(), 0.0);
  pool.parallel_for(int64_t(chunks.size()), [&](int64_t k, int) {
    const Chunk& c = chunks[size_t(k)];
    double* flow_grad = slices.data() + slice_start[size_t(k)];
    double* cw_grad = flow_grad + sampler.flow_parameter_count(c.channel);
    Eigen::VectorXd dlog_q(c.count);
    bool any_alpha = false;
    for (Eigen::Index i = 0; i < c.count; ++i) {
      dlog_q(i) = computed.dlog_q[size_t(c.start + i)];
      any_alpha = any_alpha || computed.dalpha[size_t(c.start + i)] != 0;
    }
    if (sampler.stage() == SamplerStage::flow) {
      const std::unique_ptr<FlowModel::Cache> cache = sampler.new_flow_cache(c.channel);
      Eigen::VectorXd lq;
      sampler.log_density(c.channel, batch.u.middleRows(c.start, c.count), lq, cache.get());
      // log_density_backward adds at the flow's offset in a full-length vector
      sampler.log_density_backward(c.channel, *cache, dlog_q, flow_grad - sampler.flow_offset(c.channel));
    }
    const ChannelWeightModel& weights = sampler.channel_weights();
    if (weights.trainable() && any_alpha) {
      const std::unique_ptr<ChannelWeightModel::Cache> cache = weights.new_cache();
      Eigen::MatrixXd a;
      const Eigen::MatrixXd features = batch.features.middleRows(c.start, c.count);
      weights.forward(sampler.channel_weight_params(), features, batch.prior.middleRows(c.start, c.count),
                      sampler.active(), a, cache.get());
      Eigen::MatrixXd dalpha = Eigen::MatrixXd::Zero(c.count, config.channels);
      for (Eigen::Index i = 0; i < c.count; ++i) dalpha(i, c.channel) = computed.dalpha[size_t(c.start + i)];
      weights.backward(sampler.channel_weight_params(), *cache, dalpha, cw_grad);
    }
  });
  gradient.assign(n_params, 0.0);
  for (size_t k = 0; k < chunks.size(); ++k) {
    const double* flow_grad = slices.data() + slice_start[k];
    const size_t offset = size_t(sampler.flow_offset(chunks[k].channel)), count = size_t(sampler.flow_parameter_count(chunks[k].channel));
    for (size_t p = 0; p < count; ++p) gradient[offset + p] += flow_grad[p];
    const double* cw_grad = flow_grad + count;
    for (size_t p = 0; p < cw_count; ++p) gradient[size_t(sampler.channel_weight_offset()) + p] += cw_grad[p];
  }

  StepResult result;
  result.loss = computed.loss;
  result.channels = computed.channels;
  return result;
}

StepResult train_step(Sampler& sampler, ThreadPool& pool, const SampleBatch& batch, const Loss& loss,
                      double learning_rate) {
  std::vector<double> gradient;
  StepResult result = loss_and_gradient(sampler, pool, batch, loss, gradient);
  for (double g : gradient)
    if (!std::isfinite(g)) throw std::runtime_error("non-finite gradient in a training step");
  result.grad_norm = sampler.adam().step(sampler.params().data(), gradient.data(), learning_rate);
  return result;
}

}  // namespace madnis
