#include "flow.h"

#include <stdexcept>

namespace madnis {

namespace {

int mask_bits(int dim) {
  int bits = 0;
  while ((1 << bits) < dim) ++bits;
  return std::max(bits, 1);
}

}  // namespace

Flow::Flow(const FlowConfig& config) : config_(config) {
  if (config.dim < 2) throw std::invalid_argument("a coupling flow needs at least 2 dimensions");
  const int per_dim = spline_param_count(config.spline);
  for (int bit = 0; bit < mask_bits(config.dim); ++bit) {
    for (int side = 1; side >= 0; --side) {
      std::vector<int> transformed, conditioning;
      for (int i = 0; i < config.dim; ++i) (((i >> bit) & 1) == side ? transformed : conditioning).push_back(i);
      MlpConfig mlp;
      mlp.inputs = int(conditioning.size()) + config.condition_dim;
      mlp.outputs = int(transformed.size()) * per_dim;
      mlp.hidden = config.hidden;
      mlp.layers = config.layers;
      mlp.activation = config.activation;
      mlp.precision = config.precision;
      Block block{transformed, conditioning, Mlp(mlp), parameter_count_};
      parameter_count_ += block.conditioner.parameter_count();
      blocks_.push_back(std::move(block));
    }
  }
}

void Flow::initialize(double* params, uint64_t seed) const {
  for (size_t b = 0; b < blocks_.size(); ++b)
    blocks_[b].conditioner.initialize(params + blocks_[b].offset, seed * 1000003ull + b, true);
}

void Flow::conditioner_input(const Block& block, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                             Eigen::MatrixXd& input) const {
  const Eigen::Index n = x.rows();
  const int nc = int(block.conditioning.size());
  input.resize(n, nc + config_.condition_dim);
  // Centred inputs keep the conditioner's first layer well conditioned.
  for (int k = 0; k < nc; ++k) input.col(k).array() = x.col(block.conditioning[size_t(k)]).array() - 0.5;
  if (config_.condition_dim > 0) {
    if (!condition || condition->rows() != n || condition->cols() != config_.condition_dim)
      throw std::invalid_argument("flow: condition must be n × " + std::to_string(config_.condition_dim));
    input.rightCols(config_.condition_dim) = *condition;
  }
}

void Flow::log_density(const double* params, const Eigen::MatrixXd& x, const Eigen::MatrixXd* condition,
                       Eigen::VectorXd& log_q, Cache* cache, Eigen::MatrixXd* latent) const {
  const Eigen::Index n = x.rows();
  const int per_dim = spline_param_count(config_.spline);
  Eigen::MatrixXd state = x, input, theta;
  log_q.setZero(n);
  if (cache) cache->blocks.resize(blocks_.size());
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    conditioner_input(block, state, condition, input);
    Mlp::Cache* mlp_cache = cache ? &cache->blocks[b].mlp : nullptr;
    block.conditioner.forward(params + block.offset, input, theta, mlp_cache);
    if (cache) {
      cache->blocks[b].conditioner_input = input;
      cache->blocks[b].theta = theta;
      cache->blocks[b].spline_input.resize(n, Eigen::Index(block.transformed.size()));
    }
    // Transposed, each point's spline parameters are contiguous.
    const Eigen::MatrixXd theta_t = theta.transpose();
    for (Eigen::Index i = 0; i < n; ++i) {
      for (size_t t = 0; t < block.transformed.size(); ++t) {
        const double* row = theta_t.col(i).data() + t * size_t(per_dim);
        const int d = block.transformed[t];
        if (cache) cache->blocks[b].spline_input(i, Eigen::Index(t)) = state(i, d);
        double log_det = 0;
        state(i, d) = rqs_forward(config_.spline, row, state(i, d), &log_det);
        log_q(i) += log_det;
      }
    }
  }
  if (latent) *latent = std::move(state);
}

void Flow::log_density_backward(const double* params, const Cache& cache, const Eigen::VectorXd& dlog_q,
                                double* grad) const {
  const Eigen::Index n = dlog_q.size();
  const int per_dim = spline_param_count(config_.spline);
  // ∂L/∂(state after the block); the latent z does not enter the loss.
  Eigen::MatrixXd dstate = Eigen::MatrixXd::Zero(n, config_.dim), dtheta_t, dinput;
  for (size_t b = blocks_.size(); b-- > 0;) {
    const Block& block = blocks_[b];
    const Cache::Block& c = cache.blocks[b];
    const Eigen::MatrixXd theta_t = c.theta.transpose();
    dtheta_t.setZero(c.theta.cols(), n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (size_t t = 0; t < block.transformed.size(); ++t) {
        const size_t base = t * size_t(per_dim);
        const int d = block.transformed[t];
        dstate(i, d) = rqs_forward_backward(config_.spline, theta_t.col(i).data() + base,
                                            c.spline_input(i, Eigen::Index(t)), dstate(i, d), dlog_q(i),
                                            dtheta_t.col(i).data() + base);
      }
    }
    block.conditioner.backward(params + block.offset, c.mlp, dtheta_t.transpose(), grad + block.offset, &dinput);
    for (size_t k = 0; k < block.conditioning.size(); ++k)
      dstate.col(block.conditioning[k]) += dinput.col(Eigen::Index(k));
  }
}

void Flow::sample(const double* params, const Eigen::MatrixXd& z, const Eigen::MatrixXd* condition,
                  Eigen::MatrixXd& x, Eigen::VectorXd& log_q) const {
  const Eigen::Index n = z.rows();
  const int per_dim = spline_param_count(config_.spline);
  x = z;
  log_q.setZero(n);
  Eigen::MatrixXd input, theta;
  for (size_t b = blocks_.size(); b-- > 0;) {
    const Block& block = blocks_[b];
    // The conditioning dimensions are the same in both directions: a block leaves them alone.
    conditioner_input(block, x, condition, input);
    block.conditioner.forward(params + block.offset, input, theta, nullptr);
    const Eigen::MatrixXd theta_t = theta.transpose();
    for (Eigen::Index i = 0; i < n; ++i) {
      for (size_t t = 0; t < block.transformed.size(); ++t) {
        const int d = block.transformed[t];
        double log_det = 0;
        x(i, d) = rqs_inverse(config_.spline, theta_t.col(i).data() + t * size_t(per_dim), x(i, d), &log_det);
        log_q(i) += log_det;
      }
    }
  }
}

void Flow::set_fixed_block(double* params, int block_index, const std::vector<std::vector<double>>& theta) const {
  const Block& block = blocks_.at(size_t(block_index));
  const int per_dim = spline_param_count(config_.spline);
  if (theta.size() != block.transformed.size())
    throw std::invalid_argument("set_fixed_block: one theta per transformed dimension expected");
  const MlpConfig& mlp = block.conditioner.config();
  // The last layer's W (in × out, column-major) and b (out) close the block's parameters.
  const int last_in = mlp.layers > 0 ? mlp.hidden : mlp.inputs;
  double* last = params + block.offset + block.conditioner.parameter_count() - (last_in + 1) * mlp.outputs;
  std::fill(last, last + last_in * mlp.outputs, 0.0);
  double* bias = last + last_in * mlp.outputs;
  for (size_t t = 0; t < theta.size(); ++t) {
    if (int(theta[t].size()) != per_dim) throw std::invalid_argument("set_fixed_block: theta size");
    for (int p = 0; p < per_dim; ++p) bias[t * size_t(per_dim) + size_t(p)] = theta[t][size_t(p)];
  }
}

}  // namespace madnis
