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
// vector width (SSE 6, AVX 12, AVX-512 24 doubles) sends every row down the main path; the
// row blocks Eigen cuts are multiples of that too. Checked by mlp_rows_do_not_depend_on_batch_split.
constexpr Eigen::Index kRowAlign = 24;

Eigen::Index padded_rows(Eigen::Index n) { return (n + kRowAlign - 1) / kRowAlign * kRowAlign; }

using ConstMap = Eigen::Map<const Eigen::MatrixXd>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXd>;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void activate(Activation activation, const Eigen::MatrixXd& z, Eigen::MatrixXd& a) {
  a.resize(z.rows(), z.cols());
  switch (activation) {
    case Activation::relu:
      a.array() = z.array().max(0.0);
      break;
    case Activation::leaky_relu:
      // For z < 0 the slope term is the larger one, so max() is the piecewise map.
      a.array() = z.array().max(kLeakySlope * z.array());
      break;
    case Activation::silu:
      // exp(-z) overflowing to inf for very negative z gives z / inf = -0, the right limit.
      a.array() = z.array() / (1.0 + (-z.array()).exp());
      break;
    case Activation::tanh:
      a.array() = z.array().tanh();
      break;
  }
}

// delta *= f'(z), with a = f(z) available because tanh's derivative is cheapest from it.
void multiply_derivative(Activation activation, const Eigen::MatrixXd& z, const Eigen::MatrixXd& a,
                         Eigen::MatrixXd& delta) {
  switch (activation) {
    case Activation::relu:
      delta.array() = (z.array() > 0.0).select(delta.array(), 0.0);
      break;
    case Activation::leaky_relu:
      delta.array() = (z.array() > 0.0).select(delta.array(), kLeakySlope * delta.array());
      break;
    case Activation::silu: {
      // silu' = s (1 + z (1 - s)) with s = sigmoid(z); stays finite at both tails.
      const Eigen::ArrayXXd s = 1.0 / (1.0 + (-z.array()).exp());
      delta.array() *= s * (1.0 + z.array() * (1.0 - s));
      break;
    }
    case Activation::tanh:
      delta.array() *= 1.0 - a.array().square();
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
  if (padded == n) {
    forward_aligned(params, x, y, cache);
    return;
  }
  Eigen::MatrixXd x_padded = Eigen::MatrixXd::Zero(padded, x.cols()), y_padded;
  x_padded.topRows(n) = x;
  forward_aligned(params, x_padded, y_padded, cache);
  y = y_padded.topRows(n);
}

void Mlp::forward_aligned(const double* params, const Eigen::Ref<const Eigen::MatrixXd>& x,
                          Eigen::MatrixXd& y, Cache* cache) const {
  const int hidden_layers = config_.layers;
  auto affine = [&](const Eigen::Ref<const Eigen::MatrixXd>& a, const Layer& layer,
                    Eigen::MatrixXd& out) {
    const ConstMap w(params + layer.offset, layer.in, layer.out);
    const ConstVecMap b(params + layer.offset + layer.in * layer.out, layer.out);
    out.resize(a.rows(), layer.out);
    out.noalias() = a * w;
    out.rowwise() += b.transpose();
  };

  if (cache) {
    cache->inputs.resize(hidden_layers + 1);
    cache->pre_activations.resize(hidden_layers);
    cache->inputs[0] = x;  // x may not outlive this call, backward needs it
    for (int l = 0; l < hidden_layers; ++l) {
      affine(cache->inputs[l], layers_[l], cache->pre_activations[l]);
      activate(config_.activation, cache->pre_activations[l], cache->inputs[l + 1]);
    }
    affine(cache->inputs[hidden_layers], layers_[hidden_layers], y);
    return;
  }

  if (hidden_layers == 0) {
    // y may be the very matrix x refers to; resizing it first would destroy the input.
    if (y.data() == x.data()) {
      Eigen::MatrixXd out;
      affine(x, layers_[0], out);
      y.swap(out);
    } else {
      affine(x, layers_[0], y);
    }
    return;
  }
  Eigen::MatrixXd z, a;
  for (int l = 0; l < hidden_layers; ++l) {
    if (l == 0) {
      affine(x, layers_[0], z);
    } else {
      affine(a, layers_[l], z);
    }
    activate(config_.activation, z, a);
  }
  affine(a, layers_[hidden_layers], y);
}

void Mlp::backward(const double* params, const Cache& cache,
                   const Eigen::Ref<const Eigen::MatrixXd>& dy, double* grad,
                   Eigen::MatrixXd* dx) const {
  const int hidden_layers = config_.layers;
  const Eigen::Index n = cache.rows;
  if (int(cache.inputs.size()) != hidden_layers + 1 ||
      int(cache.pre_activations.size()) != hidden_layers ||
      cache.inputs[0].rows() != padded_rows(n)) {
    throw std::invalid_argument("Mlp::backward: cache does not come from this network's forward");
  }
  if (dy.rows() != n || dy.cols() != config_.outputs) {
    throw std::invalid_argument("Mlp::backward: dy must be n x outputs");
  }

  // dL/d(output of the current affine layer); zero on the padding rows, so they add
  // nothing to the parameter gradient.
  const Eigen::Index padded = cache.inputs[0].rows();
  Eigen::MatrixXd delta(padded, config_.outputs);
  delta.topRows(n) = dy;
  delta.bottomRows(padded - n).setZero();
  Eigen::MatrixXd d_input;
  for (int l = hidden_layers; l >= 0; --l) {
    const Layer& layer = layers_[l];
    const ConstMap w(params + layer.offset, layer.in, layer.out);
    Eigen::Map<Eigen::MatrixXd> gw(grad + layer.offset, layer.in, layer.out);
    Eigen::Map<Eigen::VectorXd> gb(grad + layer.offset + layer.in * layer.out, layer.out);
    gw.noalias() += cache.inputs[l].transpose() * delta;
    gb.noalias() += delta.colwise().sum().transpose();
    if (l == 0 && !dx) break;
    d_input.resize(padded, layer.in);
    d_input.noalias() = delta * w.transpose();
    if (l == 0) {
      *dx = d_input.topRows(n);
      break;
    }
    multiply_derivative(config_.activation, cache.pre_activations[l - 1], cache.inputs[l], d_input);
    delta.swap(d_input);
  }
}

}  // namespace madnis
