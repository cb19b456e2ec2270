#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace madnis {

namespace {

constexpr double kLeakySlope = 0.01;

// Eigen's GEMM sums a row in a different order depending on which kernel path the row
// falls into (the 3-packet main path, or the 1-packet/partial paths with split accumulators
// for leftover rows), so without care a point's output would change in the last bits with
// its position in the batch. Padding every batch to a multiple of 3 packets for every
// vector width (SSE 6, AVX 12, AVX-512 24 doubles; 12, 24, 48 floats) sends every row down
// the main path; the row blocks Eigen cuts are multiples of that too. Checked by
// mlp_rows_do_not_depend_on_batch_split, in both precisions.
constexpr Eigen::Index kRowAlign = 48;

Eigen::Index padded_rows(Eigen::Index n) { return (n + kRowAlign - 1) / kRowAlign * kRowAlign; }

using ConstMap = Eigen::Map<const Eigen::MatrixXd>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXd>;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

template <class S>
void activate(Activation activation, const Mat<S>& z, Mat<S>& a) {
  a.resize(z.rows(), z.cols());
  const S slope = S(kLeakySlope), one = S(1);
  switch (activation) {
    case Activation::relu:
      a.array() = z.array().max(S(0));
      break;
    case Activation::leaky_relu:
      // For z < 0 the slope term is the larger one, so max() is the piecewise map.
      a.array() = z.array().max(slope * z.array());
      break;
    case Activation::silu:
      // exp(-z) overflowing to inf for very negative z gives z / inf = -0, the right limit.
      a.array() = z.array() / (one + (-z.array()).exp());
      break;
    case Activation::tanh:
      a.array() = z.array().tanh();
      break;
  }
}

// delta *= f'(z), with a = f(z) available because tanh's derivative is cheapest from it.
template <class S>
void multiply_derivative(Activation activation, const Mat<S>& z, const Mat<S>& a, Mat<S>& delta) {
  const S slope = S(kLeakySlope), one = S(1);
  switch (activation) {
    case Activation::relu:
      delta.array() = (z.array() > S(0)).select(delta.array(), S(0));
      break;
    case Activation::leaky_relu:
      delta.array() = (z.array() > S(0)).select(delta.array(), slope * delta.array());
      break;
    case Activation::silu: {
      // silu' = s (1 + z (1 - s)) with s = sigmoid(z); stays finite at both tails.
      const Eigen::Array<S, Eigen::Dynamic, Eigen::Dynamic> s = one / (one + (-z.array()).exp());
      delta.array() *= s * (one + z.array() * (one - s));
      break;
    }
    case Activation::tanh:
      delta.array() *= one - a.array().square();
      break;
  }
}

}  // namespace

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "leaky_relu") return Activation::leaky_relu;
  if (name == "silu") return Activation::silu;
  if (name == "tanh") return Activation::tanh;
  throw std::invalid_argument("unknown activation '" + name +
                              "' (allowed: relu, leaky_relu, silu, tanh)");
}

Precision parse_precision(const std::string& name) {
  if (name == "float64") return Precision::float64;
  if (name == "float32") return Precision::float32;
  throw std::invalid_argument("unknown precision '" + name + "' (allowed: float32, float64)");
}

Mlp::Mlp(const MlpConfig& config) : config_(config) {
  if (config.inputs < 1 || config.outputs < 1 || config.layers < 0 ||
      (config.layers > 0 && config.hidden < 1)) {
    throw std::invalid_argument("Mlp: inputs, outputs and hidden must be >= 1 and layers >= 0");
  }
  int64_t offset = 0;
  int in = config.inputs;
  for (int l = 0; l <= config.layers; ++l) {
    const int out = l == config.layers ? config.outputs : config.hidden;
    layers_.push_back({in, out, int(offset)});
    offset += int64_t(in) * out + out;
    // Offsets are ints in the layout; a network this large is a configuration mistake.
    if (offset > std::numeric_limits<int>::max()) {
      throw std::invalid_argument("Mlp: too many parameters");
    }
    in = out;
  }
  parameter_count_ = int(offset);
}

void Mlp::initialize(double* params, uint64_t seed, bool zero_last_layer) const {
  uint64_t state = seed;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const int count = layer.in * layer.out + layer.out;
    double* p = params + layer.offset;
    if (zero_last_layer && l + 1 == layers_.size()) {
      std::fill(p, p + count, 0.0);
      continue;
    }
    const double bound = 1.0 / std::sqrt(double(layer.in));
    for (int i = 0; i < count; ++i) {
      const double u = double(splitmix64(state) >> 11) * 0x1.0p-53;  // [0, 1)
      p[i] = bound * (2.0 * u - 1.0);
    }
  }
}

void Mlp::forward(const double* params, const Eigen::Ref<const Eigen::MatrixXd>& x,
                  Eigen::MatrixXd& y, Cache* cache) const {
  if (x.cols() != config_.inputs) {
    throw std::invalid_argument("Mlp::forward: x has " + std::to_string(x.cols()) +
                                " columns, expected " + std::to_string(config_.inputs));
  }
  const Eigen::Index n = x.rows(), padded = padded_rows(n);
  if (cache) cache->rows = n;
  if (config_.precision == Precision::float32) {
    Eigen::MatrixXf x_f = Eigen::MatrixXf::Zero(padded, x.cols()), y_f;
    x_f.topRows(n) = x.cast<float>();
    forward_aligned<float>(params, x_f, y_f, cache ? &cache->inputs_f : nullptr, cache ? &cache->pre_activations_f : nullptr);
    y = y_f.topRows(n).cast<double>();
    return;
  }
  Eigen::MatrixXd x_padded = Eigen::MatrixXd::Zero(padded, x.cols()), y_padded;
  x_padded.topRows(n) = x;
  forward_aligned<double>(params, x_padded, y_padded, cache ? &cache->inputs : nullptr, cache ? &cache->pre_activations : nullptr);
  y = y_padded.topRows(n);
}

template <class S>
void Mlp::forward_aligned(const double* params, const Mat<S>& x, Mat<S>& y, std::vector<Mat<S>>* inputs,
                          std::vector<Mat<S>>* pre_activations) const {
  const int hidden_layers = config_.layers;
  auto affine = [&](const Mat<S>& a, const Layer& layer, Mat<S>& out) {
    const Mat<S> w = ConstMap(params + layer.offset, layer.in, layer.out).cast<S>();
    const Eigen::Matrix<S, 1, Eigen::Dynamic> b = ConstVecMap(params + layer.offset + layer.in * layer.out, layer.out).transpose().cast<S>();
    out.resize(a.rows(), layer.out);
    out.noalias() = a * w;
    out.rowwise() += b;
  };

  if (inputs) {
    inputs->resize(hidden_layers + 1);
    pre_activations->resize(hidden_layers);
    (*inputs)[0] = x;  // x may not outlive this call, backward needs it
    for (int l = 0; l < hidden_layers; ++l) {
      affine((*inputs)[l], layers_[l], (*pre_activations)[l]);
      activate<S>(config_.activation, (*pre_activations)[l], (*inputs)[l + 1]);
    }
    affine((*inputs)[hidden_layers], layers_[hidden_layers], y);
    return;
  }
  if (hidden_layers == 0) {
    affine(x, layers_[0], y);
    return;
  }
  Mat<S> z, a;
  for (int l = 0; l < hidden_layers; ++l) {
    affine(l == 0 ? x : a, layers_[l], z);
    activate<S>(config_.activation, z, a);
  }
  affine(a, layers_[hidden_layers], y);
}

void Mlp::backward(const double* params, const Cache& cache,
                   const Eigen::Ref<const Eigen::MatrixXd>& dy, double* grad,
                   Eigen::MatrixXd* dx) const {
  if (config_.precision == Precision::float32)
    backward_typed<float>(params, cache.inputs_f, cache.pre_activations_f, cache.rows, dy, grad, dx);
  else
    backward_typed<double>(params, cache.inputs, cache.pre_activations, cache.rows, dy, grad, dx);
}

template <class S>
void Mlp::backward_typed(const double* params, const std::vector<Mat<S>>& inputs, const std::vector<Mat<S>>& pre_activations,
                         Eigen::Index n, const Eigen::Ref<const Eigen::MatrixXd>& dy, double* grad, Eigen::MatrixXd* dx) const {
  const int hidden_layers = config_.layers;
  if (int(inputs.size()) != hidden_layers + 1 || int(pre_activations.size()) != hidden_layers ||
      inputs[0].rows() != padded_rows(n)) {
    throw std::invalid_argument("Mlp::backward: cache does not come from this network's forward");
  }
  if (dy.rows() != n || dy.cols() != config_.outputs) {
    throw std::invalid_argument("Mlp::backward: dy must be n x outputs");
  }

  // dL/d(output of the current affine layer); zero on the padding rows, so they add
  // nothing to the parameter gradient.
  const Eigen::Index padded = inputs[0].rows();
  Mat<S> delta(padded, config_.outputs);
  delta.topRows(n) = dy.cast<S>();
  delta.bottomRows(padded - n).setZero();
  Mat<S> d_input;
  for (int l = hidden_layers; l >= 0; --l) {
    const Layer& layer = layers_[l];
    Eigen::Map<Eigen::MatrixXd> gw(grad + layer.offset, layer.in, layer.out);
    Eigen::Map<Eigen::VectorXd> gb(grad + layer.offset + layer.in * layer.out, layer.out);
    // the batch's sum in S, added to the double gradient
    const Mat<S> batch_gw = inputs[l].transpose() * delta;
    gw += batch_gw.template cast<double>();
    gb += delta.colwise().sum().transpose().template cast<double>();
    if (l == 0 && !dx) break;
    const Mat<S> w = ConstMap(params + layer.offset, layer.in, layer.out).cast<S>();
    d_input.resize(padded, layer.in);
    d_input.noalias() = delta * w.transpose();
    if (l == 0) {
      *dx = d_input.topRows(n).template cast<double>();
      break;
    }
    multiply_derivative<S>(config_.activation, pre_activations[l - 1], inputs[l], d_input);
    delta.swap(d_input);
  }
}

}  // namespace madnis
