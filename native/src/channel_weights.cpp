#include "channel_weights.h"

#include <cmath>
#include <limits>

namespace madnis {

namespace {

MlpConfig network_shape(const ChannelWeightsConfig& c) {
  MlpConfig m;
  m.inputs = c.features;
  m.outputs = c.channels;
  m.hidden = c.hidden;
  m.layers = c.layers;
  m.activation = c.activation;
  m.precision = c.precision;
  return m;
}

// A prior of exactly zero stays (numerically) zero but keeps the softmax finite.
constexpr double kLogFloor = -700;

}  // namespace

ChannelWeights::ChannelWeights(const ChannelWeightsConfig& config)
    : config_(config), net_(network_shape(config)) {}

void ChannelWeights::initialize(double* params, uint64_t seed) const {
  if (trainable()) net_.initialize(params, seed, true);
}

void ChannelWeights::forward(const double* params, const Eigen::MatrixXd& features, const Eigen::MatrixXd& prior,
                             const std::vector<char>& active, Eigen::MatrixXd& alpha, Cache* cache) const {
  const Eigen::Index n = prior.rows(), nc = config_.channels;
  Eigen::MatrixXd logits;
  if (trainable()) {
    net_.forward(params, features, logits, cache ? &cache->mlp : nullptr);
    if (const double bound = config_.max_log_ratio; bound > 0) {
      logits = bound * (logits.array() / bound).tanh();
      if (cache) cache->slope = 1.0 - (logits.array() / bound).square();
    } else if (cache) {
      cache->slope.resize(0, 0);
    }
  } else {
    logits.setZero(n, nc);
  }
  alpha.resize(n, nc);
  for (Eigen::Index i = 0; i < n; ++i) {
    double top = -std::numeric_limits<double>::infinity();
    for (Eigen::Index c = 0; c < nc; ++c) {
      if (!active[size_t(c)]) continue;
      const double p = prior(i, c);
      logits(i, c) += p > 0 ? std::max(std::log(p), kLogFloor) : kLogFloor;
      top = std::max(top, logits(i, c));
    }
    double sum = 0;
    for (Eigen::Index c = 0; c < nc; ++c) {
      alpha(i, c) = active[size_t(c)] ? std::exp(logits(i, c) - top) : 0.0;
      sum += alpha(i, c);
    }
    alpha.row(i) /= sum;
  }
  if (cache) cache->alpha = alpha;
}

void ChannelWeights::backward(const double* params, const Cache& cache, const Eigen::MatrixXd& dalpha,
                              double* grad) const {
  if (!trainable()) return;
  // Softmax Jacobian: ∂α_c/∂s_k = α_c (δ_ck − α_k); inactive channels have α = 0 and
  // therefore receive no gradient.
  const Eigen::VectorXd weighted = (cache.alpha.array() * dalpha.array()).rowwise().sum();
  Eigen::MatrixXd dlogits = cache.alpha.array() * (dalpha.colwise() - weighted).array();
  if (cache.slope.size()) dlogits.array() *= cache.slope.array();
  net_.backward(params, cache.mlp, dlogits, grad, nullptr);
}

}  // namespace madnis
