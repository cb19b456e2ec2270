// A small fully connected network with a hand-written backward pass, the building block
// of the flow couplings and channel-weight networks.
//
// The parameters are not owned by the network: they live in one flat double array so the
// optimizer, checkpoints and several networks sharing one buffer all see the same layout.
// Points are rows (n x features); every layer is one matrix product over the whole batch,
// so there is no per-point loop. Nothing here is threaded: callers parallelise over
// chunks of points, and the same inputs always give bit-identical outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace madnis {

enum class Activation { relu, leaky_relu, silu, tanh };  // leaky_relu slope 0.01

// Throws std::invalid_argument naming the allowed values.
Activation parse_activation(const std::string& name);

// The arithmetic of the layers. Parameters, inputs, outputs and the gradient the optimizer
// sees stay double; float32 rounds the parameters and inputs to float once per call and
// runs the matrix products and activations in float (2.5-4x faster GEMMs here), then hands
// the outputs and the parameter gradient back as double.
enum class Precision { float64, float32 };

// Throws std::invalid_argument naming the allowed values.
Precision parse_precision(const std::string& name);

struct MlpConfig {
  int inputs = 1, outputs = 1, hidden = 32;
  int layers = 3;  // hidden layers; 0 means a single affine map inputs -> outputs
  Activation activation = Activation::leaky_relu;
  Precision precision = Precision::float64;
};

class Mlp {
 public:
  // Throws std::invalid_argument for non-positive sizes or negative `layers`.
  explicit Mlp(const MlpConfig& config);

  const MlpConfig& config() const { return config_; }
  int parameter_count() const { return parameter_count_; }

  // Layout per affine layer l, in order: W_l (in_l x out_l, column-major), then b_l (out_l).
  // Weights and biases are uniform in ±1/sqrt(in_l), drawn from splitmix64(seed).
  // zero_last_layer zeroes the last W and b, so the network starts as the zero map (flows
  // built on it then start as the identity).
  void initialize(double* params, uint64_t seed, bool zero_last_layer) const;

  // What backward needs from forward. Reusing one Cache across calls of the same batch size
  // avoids reallocations. Matrices hold the batch padded to a multiple of 48 rows, in the
  // network's precision (the *_f ones for float32).
  struct Cache {
    Eigen::Index rows = 0;                         // n, the unpadded batch size
    std::vector<Eigen::MatrixXd> inputs;           // input of each affine layer
    std::vector<Eigen::MatrixXd> pre_activations;  // each hidden layer before its activation
    std::vector<Eigen::MatrixXf> inputs_f, pre_activations_f;
  };

  // x: n x inputs; y is resized to n x outputs. cache may be nullptr (inference).
  // A point's output does not depend on the other points in the batch, bit for bit, so a
  // sample is the same for any batch split or thread count (see kRowAlign in mlp.cpp).
  void forward(const double* params, const Eigen::Ref<const Eigen::MatrixXd>& x,
               Eigen::MatrixXd& y, Cache* cache) const;

  // dy: n x outputs = dL/dy. ADDS dL/dparams into grad (same layout as params), so
  // gradients of several chunks or losses accumulate. If dx != nullptr, writes dL/dx.
  void backward(const double* params, const Cache& cache,
                const Eigen::Ref<const Eigen::MatrixXd>& dy, double* grad,
                Eigen::MatrixXd* dx) const;

 private:
  struct Layer {
    int in, out;
    int offset;  // index of W in the flat array; b follows at offset + in * out
  };
  // Runs the layers on a batch whose row count is already a multiple of kRowAlign, in
  // scalar type S (double or float).
  template <class S>
  void forward_aligned(const double* params, const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& x,
                       Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& y,
                       std::vector<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>* inputs,
                       std::vector<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>* pre_activations) const;
  template <class S>
  void backward_typed(const double* params, const std::vector<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>& inputs,
                      const std::vector<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>& pre_activations, Eigen::Index n,
                      const Eigen::Ref<const Eigen::MatrixXd>& dy, double* grad, Eigen::MatrixXd* dx) const;

  MlpConfig config_;
  std::vector<Layer> layers_;
  int parameter_count_ = 0;
};

}  // namespace madnis
