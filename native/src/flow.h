// A normalizing flow on [0,1]^d built from coupling blocks with rational-quadratic
// splines (Durkan et al. 2019) and a uniform latent space: the MadNIS sampler.
//
// Directions: the density direction maps a point x to the latent z (log q(x) is the sum
// of the splines' log-derivatives, since z is uniform); the sampling direction maps z to
// x by inverting the blocks in reverse order. Training needs ∂log q(x)/∂params at fixed
// x only, so the backward pass runs through the density direction.
//
// Masks come from the binary digits of the dimension index: for each bit b < ⌈log₂ d⌉,
// one block transforms the dimensions whose bit b is 1 conditioned on the others, and
// the next block the reverse. Any two dimensions differ in some bit, so every dimension
// is conditioned on every other somewhere in the flow.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "mlp.h"
#include "network_config.h"
#include "spline.h"

namespace madnis {

class Flow {
 public:
  explicit Flow(const FlowConfig& config);

  const FlowConfig& config() const { return config_; }
  int block_count() const { return int(blocks_.size()); }
  int parameter_count() const { return parameter_count_; }
  // Dimensions transformed by a block (the others condition it).
  const std::vector<int>& transformed(int block) const { return blocks_[size_t(block)].transformed; }

  // Random conditioner weights with zero last layers: the flow starts as the identity.
  void initialize(double* params, uint64_t seed) const;

  struct Cache {
    struct Block {
      Eigen::MatrixXd conditioner_input, theta, spline_input;
      Mlp::Cache mlp;
    };
    std::vector<Block> blocks;
  };

  // x: n×dim points in [0,1]; condition: n×condition_dim (or nullptr when condition_dim
  // is 0). Fills log_q (n). With a cache, keeps what log_density_backward needs.
  // `latent`, when given, receives z.
  void log_density(const double* params, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                   Eigen::VectorXd& log_q, Cache* cache, Eigen::MatrixXd* latent = nullptr) const;
  // Adds ∂L/∂params to grad, given ∂L/∂log q per point.
  void log_density_backward(const double* params, const Cache& cache, const Eigen::VectorXd& dlog_q,
                            double* grad) const;

  // z: n×dim latent points → x (n×dim) and log q(x).
  void sample(const double* params, const Eigen::MatrixXd& z, const Eigen::MatrixXd* condition,
              Eigen::MatrixXd& x, Eigen::VectorXd& log_q) const;

  // Makes a block a fixed map, independent of its conditioner input: the conditioner's
  // last layer is zeroed and its bias set to the given spline parameters, one
  // theta vector (spline_param_count) per transformed dimension, in `transformed` order.
  void set_fixed_block(double* params, int block, const std::vector<std::vector<double>>& theta) const;

 private:
  struct Block {
    std::vector<int> transformed, conditioning;
    Mlp conditioner;
    int offset = 0;  // of this block's conditioner parameters in the flat vector
  };

  void conditioner_input(const Block& block, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                         Eigen::MatrixXd& input) const;

  FlowConfig config_;
  std::vector<Block> blocks_;
  int parameter_count_ = 0;
};

}  // namespace madnis
