// Learned multi-channel weights (MadNIS): α_c(x) = softmax_c(log α_c^prior(x) + s_c(x)) over
// the active channels, s_c = L·tanh(NN_c/L) with L = max_log_ratio (s_c = NN_c when L = 0).
// The bound keeps α_c/α_c^prior within e^{±2L}, so no event's weight exceeds e^{2L} times its
// weight with the prior: the training sees least the cost of weight moved onto a channel whose
// map rarely reaches a region, and the bound limits that move. It knows the prior, not the maps:
// where the prior does not say which map reaches a point (MadEvent's sde_strategy 2), weight can
// still move far enough to bias σ (launch's policy, README). With the network off, or at
// initialisation (last layer zero), it is the process's prior renormalised over the active channels. Any α with
// Σ_c α_c = 1 keeps the multi-channel estimate unbiased, so the network is free to learn.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "mlp.h"
#include "network_config.h"

namespace madnis {

class ChannelWeights {
 public:
  explicit ChannelWeights(const ChannelWeightsConfig& config);

  const ChannelWeightsConfig& config() const { return config_; }
  bool trainable() const { return config_.enabled && config_.channels > 1; }
  int parameter_count() const { return trainable() ? net_.parameter_count() : 0; }
  void initialize(double* params, uint64_t seed) const;

  struct Cache {
    Eigen::MatrixXd alpha;  // n × channels
    Eigen::MatrixXd slope;  // ∂s/∂NN (n × channels), empty when unbounded
    Mlp::Cache mlp;
  };

  // features: n × features; prior: n × channels (rows sum to 1); active: channels flags.
  // Writes alpha (n × channels, zero for inactive channels).
  void forward(const double* params, const Eigen::MatrixXd& features, const Eigen::MatrixXd& prior,
               const std::vector<char>& active, Eigen::MatrixXd& alpha, Cache* cache) const;
  // Adds ∂L/∂params given ∂L/∂α (n × channels).
  void backward(const double* params, const Cache& cache, const Eigen::MatrixXd& dalpha, double* grad) const;

 private:
  ChannelWeightsConfig config_;
  Mlp net_;
};

}  // namespace madnis
