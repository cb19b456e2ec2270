#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace madnis {

VegasInit parse_vegas_init(const std::string& name) {
  if (name == "fixed_map") return VegasInit::fixed_map;
  if (name == "spline") return VegasInit::spline;
  throw std::invalid_argument("unknown VEGAS initialisation '" + name + "' (known: fixed_map, spline)");
}

namespace {

FlowConfig flow_shape(const SamplerConfig& c) {
  FlowConfig f = c.flow;
  f.dim = c.dim;
  f.condition_dim = c.flow_per_channel || c.channels == 1 ? 0 : c.channels;
  return f;
}

ChannelWeightsConfig weights_shape(const SamplerConfig& c) {
  ChannelWeightsConfig w = c.channel_weights;
  w.features = c.features;
  w.channels = c.channels;
  return w;
}

size_t total_parameters(const std::vector<std::unique_ptr<FlowModel>>& flows, const ChannelWeightModel& weights) {
  size_t n = size_t(weights.parameter_count());
  for (const auto& f : flows) n += size_t(f->parameter_count());
  return n;
}

}  // namespace

Sampler::Sampler(const SamplerConfig& config) : config_(config), adam_(0, config.adam) {
  const Backend& backend = find_backend(config.backend);
  if (config.channels < 1 || config.dim < 1) throw std::invalid_argument("sampler: bad shape");
  config_.flow = flow_shape(config);
  config_.channel_weights = weights_shape(config);
  channel_weights_ = backend.make_channel_weights(config_.channel_weights);
  for (int c = 0; c < config.channels; ++c) grids_.emplace_back(config.dim, config.vegas_bins);
  int n_flows = config.flow_per_channel ? config.channels : 1;
  if (!config.flow_group.empty()) {
    if (!config.flow_per_channel || config.flow_group.size() != size_t(config.channels))
      throw std::invalid_argument("sampler: flow groups need a flow per channel and one group per channel");
    n_flows = 0;
    for (int g : config.flow_group) {
      if (g < 0 || g > n_flows) throw std::invalid_argument("sampler: flow groups must be numbered 0, 1, ... in channel order");
      n_flows = std::max(n_flows, g + 1);
    }
  }
  if (config.dim >= 2) {
    for (int k = 0; k < n_flows; ++k) flows_.push_back(backend.make_flow(config_.flow));
  }
  int offset = 0;
  for (const auto& f : flows_) {
    flow_offsets_.push_back(offset);
    offset += f->parameter_count();
  }
  channel_weight_offset_ = offset;
  params_.assign(total_parameters(flows_, *channel_weights_), 0.0);
  for (size_t k = 0; k < flows_.size(); ++k)
    flows_[k]->initialize(params_.data() + flow_offsets_[k], config.seed * 7919ull + k);
  channel_weights_->initialize(params_.data() + channel_weight_offset_, config.seed * 104729ull + 1);
  adam_ = Adam(params_.size(), config.adam);
  active_.assign(size_t(config.channels), 1);
}

const double* Sampler::flow_params(int channel) const {
  return params_.data() + flow_offsets_[flow_index(channel)];
}

Eigen::MatrixXd Sampler::one_hot(int channel, Eigen::Index n) const {
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n, config_.flow.condition_dim);
  if (config_.flow.condition_dim > 0) h.col(channel).setOnes();
  return h;
}

void Sampler::start_flow() {
  if (stage_ == SamplerStage::flow) return;
  if (flows_.empty()) throw std::invalid_argument("a flow needs at least 2 dimensions");
  stage_ = SamplerStage::flow;
  if (config_.vegas_init == VegasInit::fixed_map) {
    vegas_in_front_ = true;
    return;
  }
  // spline: the first two blocks (the first mask bit and its complement) transform every
  // dimension once; fix them to the VEGAS maps, merged to the flow's K bins. A flow
  // shared by channels can only take one grid: use the first channel's it serves.
  vegas_in_front_ = false;
  const SplineConfig& spline = config_.flow.spline;
  std::vector<int> first_channel(flows_.size(), -1);
  for (int c = config_.channels - 1; c >= 0; --c) first_channel[flow_index(c)] = c;
  for (size_t k = 0; k < flows_.size(); ++k) {
    const VegasGrid& grid = grids_[size_t(first_channel[k])];
    const FlowModel& flow = *flows_[k];
    double* params = params_.data() + flow_offsets_[k];
    for (int block = 0; block < std::min(2, flow.block_count()); ++block) {
      std::vector<std::vector<double>> thetas;
      for (int d : flow.transformed(block)) {
        const std::vector<double>& edges = grid.edges(d);
        const int bins = grid.bins();
        const std::vector<int> kept = merge_vegas_bins(edges, spline.bins);
        // Density direction u → z: knots at the kept edges in u, at their equal-probability
        // positions in z; knot derivatives from the neighbouring merged slopes.
        std::vector<double> xs, zs, slopes, derivatives;
        for (int index : kept) {
          xs.push_back(edges[size_t(index)]);
          zs.push_back(double(index) / bins);
        }
        for (size_t j = 0; j + 1 < xs.size(); ++j) slopes.push_back((zs[j + 1] - zs[j]) / (xs[j + 1] - xs[j]));
        for (size_t j = 0; j < xs.size(); ++j) {
          if (j == 0) derivatives.push_back(slopes.front());
          else if (j + 1 == xs.size()) derivatives.push_back(slopes.back());
          else derivatives.push_back(std::sqrt(slopes[j - 1] * slopes[j]));  // geometric mean
        }
        std::vector<double> theta(static_cast<size_t>(spline_param_count(spline)));
        rqs_theta_from_knots(spline, xs.data(), zs.data(), derivatives.data(), theta.data());
        thetas.push_back(std::move(theta));
      }
      flow.set_fixed_block(params, block, thetas);
    }
  }
  adam_ = Adam(params_.size(), config_.adam);
}

void Sampler::sample(int channel, const Eigen::MatrixXd& z, Eigen::MatrixXd& u, Eigen::VectorXd& log_q) const {
  const Eigen::Index n = z.rows();
  const int dim = config_.dim;
  Eigen::MatrixXd v;
  if (stage_ == SamplerStage::flow) {
    const Eigen::MatrixXd condition = one_hot(channel, n);
    flow_of(channel).sample(flow_params(channel), z, config_.flow.condition_dim ? &condition : nullptr, v, log_q);
  } else {
    v = z;
    log_q.setZero(n);
  }
  if (stage_ == SamplerStage::vegas || vegas_in_front_) {
    const VegasGrid& grid = grids_[size_t(channel)];
    u.resize(n, dim);
    std::vector<double> in(static_cast<size_t>(dim)), out(static_cast<size_t>(dim));
    for (Eigen::Index i = 0; i < n; ++i) {
      for (int d = 0; d < dim; ++d) in[size_t(d)] = v(i, d);
      const double jacobian = grid.map(in.data(), out.data());
      for (int d = 0; d < dim; ++d) u(i, d) = out[size_t(d)];
      log_q(i) -= std::log(jacobian);
    }
  } else {
    u = std::move(v);
  }
}

void Sampler::log_density(int channel, const Eigen::MatrixXd& u, Eigen::VectorXd& log_q,
                          FlowModel::Cache* cache) const {
  const Eigen::Index n = u.rows();
  const int dim = config_.dim;
  Eigen::MatrixXd v = u;
  Eigen::VectorXd log_jacobian = Eigen::VectorXd::Zero(n);
  if (stage_ == SamplerStage::vegas || vegas_in_front_) {
    const VegasGrid& grid = grids_[size_t(channel)];
    std::vector<double> in(static_cast<size_t>(dim)), out(static_cast<size_t>(dim));
    for (Eigen::Index i = 0; i < n; ++i) {
      for (int d = 0; d < dim; ++d) in[size_t(d)] = u(i, d);
      log_jacobian(i) = std::log(grid.inverse(in.data(), out.data()));
      for (int d = 0; d < dim; ++d) v(i, d) = out[size_t(d)];
    }
  }
  if (stage_ == SamplerStage::flow) {
    const Eigen::MatrixXd condition = one_hot(channel, n);
    flow_of(channel).log_density(flow_params(channel), v, config_.flow.condition_dim ? &condition : nullptr, log_q,
                                 cache);
  } else {
    log_q.setZero(n);
  }
  log_q -= log_jacobian;
}

int Sampler::flow_offset(int channel) const {
  return flows_.empty() ? 0 : flow_offsets_[flow_index(channel)];
}

int Sampler::flow_parameter_count(int channel) const {
  return flows_.empty() ? 0 : flow_of(channel).parameter_count();
}

void Sampler::log_density_backward(int channel, const FlowModel::Cache& cache, const Eigen::VectorXd& dlog_q,
                                   double* grad) const {
  if (stage_ != SamplerStage::flow) return;
  const size_t k = flow_index(channel);
  flows_[k]->log_density_backward(flow_params(channel), cache, dlog_q, grad + flow_offsets_[k]);
}

std::unique_ptr<FlowModel::Cache> Sampler::new_flow_cache(int channel) const {
  if (flows_.empty()) throw std::logic_error("a flow cache without a flow");
  return flow_of(channel).new_cache();
}

void Sampler::restore(const SamplerSnapshot& state) {
  if (state.grids.size() != grids_.size()) throw std::invalid_argument("sampler state: wrong number of VEGAS grids");
  std::vector<VegasGrid> grids;
  for (const auto& flat : state.grids) {
    VegasGrid grid = VegasGrid::from_flat(flat);
    if (grid.dim() != config_.dim || grid.bins() != config_.vegas_bins)
      throw std::invalid_argument("sampler state: VEGAS grid shape does not match the configuration");
    grids.push_back(std::move(grid));
  }
  if (state.params.size() != params_.size())
    throw std::invalid_argument("sampler state: " + std::to_string(state.params.size()) +
                                " parameters, the configuration has " + std::to_string(params_.size()));
  if (state.active.size() != active_.size()) throw std::invalid_argument("sampler state: one active flag per channel is needed");
  Adam adam = adam_;
  adam.restore(state.adam);
  grids_ = std::move(grids);
  params_ = state.params;
  adam_ = std::move(adam);
  active_ = state.active;
  restore_stage(state.stage, state.vegas_in_front);
}

}  // namespace madnis
