// The seam between the sampler (and its trainer) and the networks that run its flows and
// channel weights: the sampler talks to them only through these interfaces, and a backend
// makes them. The CPU backend (cpu_backend.cpp, the Flow and ChannelWeights classes) is
// the only one today; a GPU backend would implement the same two models.
//
// Every call takes a whole batch or chunk of points, never one point, so a virtual call
// costs nothing next to the work behind it. Parameters are not owned by the models: they
// live in the sampler's flat vector, in the CPU classes' layout, which is also the sampler
// file's, so a backend must keep that layout for sampler files to move between backends.
// Models are immutable after construction and may be called from several threads at once.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "network_config.h"

namespace madnis {

// A normalizing flow on [0,1]^dim (see flow.h for the CPU one's coupling blocks).
class FlowModel {
 public:
  // What log_density keeps for log_density_backward, in the backend's own form.
  class Cache {
   public:
    virtual ~Cache() = default;
  };

  virtual ~FlowModel() = default;
  virtual const FlowConfig& config() const = 0;
  virtual int parameter_count() const = 0;
  // Random conditioner weights with zero last layers: the flow starts as the identity.
  virtual void initialize(double* params, uint64_t seed) const = 0;
  // An empty cache for this model's log_density.
  virtual std::unique_ptr<Cache> new_cache() const = 0;

  // x: n×dim points in [0,1]; condition: n×condition_dim (nullptr when condition_dim is 0).
  // Fills log_q (n); with a cache (from new_cache), keeps what log_density_backward needs.
  virtual void log_density(const double* params, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                           Eigen::VectorXd& log_q, Cache* cache) const = 0;
  // Adds ∂L/∂params to grad, given ∂L/∂log q per point.
  virtual void log_density_backward(const double* params, const Cache& cache, const Eigen::VectorXd& dlog_q,
                                    double* grad) const = 0;
  // z: n×dim latent points → x (n×dim) and log q(x).
  virtual void sample(const double* params, const Eigen::MatrixXd& z, const Eigen::MatrixXd* condition,
                      Eigen::MatrixXd& x, Eigen::VectorXd& log_q) const = 0;

  // The coupling blocks, for starting the flow from VEGAS grids: the dimensions a block
  // transforms, and making a block a fixed map given its spline parameters (one theta of
  // spline_param_count per transformed dimension, in `transformed` order).
  virtual int block_count() const = 0;
  virtual const std::vector<int>& transformed(int block) const = 0;
  virtual void set_fixed_block(double* params, int block, const std::vector<std::vector<double>>& theta) const = 0;
};

// The learned channel weights α_c(x) = softmax_c(log α_c^prior(x) + NN_c(x)) over the
// active channels (see channel_weights.h).
class ChannelWeightModel {
 public:
  class Cache {
   public:
    virtual ~Cache() = default;
  };

  virtual ~ChannelWeightModel() = default;
  virtual const ChannelWeightsConfig& config() const = 0;
  // false: α is the prior renormalised over the active channels, and there are no parameters
  virtual bool trainable() const = 0;
  virtual int parameter_count() const = 0;
  virtual void initialize(double* params, uint64_t seed) const = 0;
  virtual std::unique_ptr<Cache> new_cache() const = 0;

  // features: n × features; prior: n × channels (rows sum to 1); active: channels flags.
  // Writes alpha (n × channels, zero for inactive channels); with a cache, keeps what
  // backward needs.
  virtual void forward(const double* params, const Eigen::MatrixXd& features, const Eigen::MatrixXd& prior,
                       const std::vector<char>& active, Eigen::MatrixXd& alpha, Cache* cache) const = 0;
  // Adds ∂L/∂params given ∂L/∂α (n × channels).
  virtual void backward(const double* params, const Cache& cache, const Eigen::MatrixXd& dalpha,
                        double* grad) const = 0;
};

// Makes the models; one instance per kind of machine, living as long as the program.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual std::unique_ptr<FlowModel> make_flow(const FlowConfig& config) const = 0;
  virtual std::unique_ptr<ChannelWeightModel> make_channel_weights(const ChannelWeightsConfig& config) const = 0;
};

const Backend& cpu_backend();
// The backend of that name; std::invalid_argument naming the known ones otherwise.
const Backend& find_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace madnis
