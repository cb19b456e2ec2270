// The multi-channel sampler: per channel c a density q_c on the channel's unit cube,
// composed of a VEGAS map and a normalizing flow, plus the channel weights α_c(x). The
// networks come from a backend (backend.h); the sampler keeps their parameters, the grids
// and the optimizer.
//
// Stages: during VEGAS warm-up q_c is the VEGAS map alone. The flow stage starts from
// the trained grids in one of two ways (both compared in bench/train):
//   fixed_map — VEGAS stays a fixed map in front of a flow that starts at the identity:
//               u = VEGAS(flow(z)), so step 0 samples exactly like VEGAS;
//   spline    — the grid is converted into the spline parameters of the first pair of
//               coupling blocks (64 bins merged to K by similar slope, arXiv:2311.01548),
//               and the flow alone maps z → u, starting close to VEGAS.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "adam.h"
#include "backend.h"
#include "vegas.h"

namespace madnis {

enum class VegasInit { fixed_map, spline };
VegasInit parse_vegas_init(const std::string& name);  // throws std::invalid_argument

struct SamplerConfig {
  int dim = 2, channels = 1, features = 1;
  int vegas_bins = 64;
  bool flow_per_channel = true;  // else one flow conditioned on a one-hot channel embedding
  // With flow_per_channel: the flow each channel samples with (0..G-1, every value used), so
  // that channels whose integrands are the same function of u (an MG5 config and its
  // symmetric copies) train one flow on all their points; empty: a flow per channel.
  std::vector<int> flow_group;
  FlowConfig flow;               // dim and condition_dim are set by the sampler
  VegasInit vegas_init = VegasInit::fixed_map;
  ChannelWeightsConfig channel_weights;  // features and channels are set by the sampler
  AdamConfig adam;
  uint64_t seed = 1;
  std::string backend = "cpu";  // runs the networks (find_backend)
};

enum class SamplerStage { vegas, flow };

// The sampler's whole trainable state, as checkpoints and sampler files keep it.
struct SamplerSnapshot {
  SamplerStage stage = SamplerStage::vegas;
  bool vegas_in_front = true;
  std::vector<std::vector<double>> grids;  // VegasGrid::to_flat per channel
  std::vector<double> params, adam;
  std::vector<char> active;
};

class Sampler {
 public:
  // Throws std::invalid_argument for a bad shape or an unknown backend.
  explicit Sampler(const SamplerConfig& config);

  const SamplerConfig& config() const { return config_; }
  SamplerStage stage() const { return stage_; }
  bool vegas_in_front() const { return vegas_in_front_; }

  // Leaves the VEGAS stage: initialises the flows from the grids (see vegas_init; a flow
  // that serves several channels starts from the first one's grid).
  void start_flow();

  // Samples channel c: z (n×dim, uniform) → u (n×dim) and log q_c(u).
  void sample(int channel, const Eigen::MatrixXd& z, Eigen::MatrixXd& u, Eigen::VectorXd& log_q) const;

  // log q_c(u) for given points; with a cache (flow stage, from new_flow_cache), keeps
  // what backward needs.
  void log_density(int channel, const Eigen::MatrixXd& u, Eigen::VectorXd& log_q, FlowModel::Cache* cache) const;
  void log_density_backward(int channel, const FlowModel::Cache& cache, const Eigen::VectorXd& dlog_q,
                            double* grad) const;
  // An empty cache for the flow that serves a channel (flow stage only).
  std::unique_ptr<FlowModel::Cache> new_flow_cache(int channel) const;

  // Where the parameters of the flow that serves a channel lie in params() (0 and 0
  // without a flow): a chunk of points of one channel only touches these and the
  // channel net's, so its gradient can be kept that small.
  int flow_offset(int channel) const;
  int flow_parameter_count(int channel) const;

  const ChannelWeightModel& channel_weights() const { return *channel_weights_; }
  const double* channel_weight_params() const { return params_.data() + channel_weight_offset_; }
  int channel_weight_offset() const { return channel_weight_offset_; }

  // State, exposed whole for checkpoints and sampler files.
  std::vector<VegasGrid>& grids() { return grids_; }
  const std::vector<VegasGrid>& grids() const { return grids_; }
  std::vector<double>& params() { return params_; }
  const std::vector<double>& params() const { return params_; }
  Adam& adam() { return adam_; }
  const Adam& adam() const { return adam_; }
  std::vector<char>& active() { return active_; }
  const std::vector<char>& active() const { return active_; }
  void restore_stage(SamplerStage stage, bool vegas_in_front) {
    stage_ = stage;
    vegas_in_front_ = vegas_in_front;
  }
  // The whole trainable state at once (a checkpoint or sampler file): checked against the
  // configuration first, so a state that does not fit leaves the sampler as it was.
  // Throws std::invalid_argument naming what does not fit.
  void restore(const SamplerSnapshot& state);

 private:
  // The flow that serves a channel (an index into flows_).
  size_t flow_index(int channel) const {
    if (!config_.flow_per_channel) return 0;
    return config_.flow_group.empty() ? size_t(channel) : size_t(config_.flow_group[size_t(channel)]);
  }
  const FlowModel& flow_of(int channel) const { return *flows_[flow_index(channel)]; }
  const double* flow_params(int channel) const;
  Eigen::MatrixXd one_hot(int channel, Eigen::Index n) const;

  SamplerConfig config_;
  std::vector<VegasGrid> grids_;
  std::vector<std::unique_ptr<FlowModel>> flows_;
  std::vector<int> flow_offsets_;
  std::unique_ptr<ChannelWeightModel> channel_weights_;
  int channel_weight_offset_ = 0;
  std::vector<double> params_;
  Adam adam_;
  std::vector<char> active_;
  SamplerStage stage_ = SamplerStage::vegas;
  bool vegas_in_front_ = true;
};

}  // namespace madnis
