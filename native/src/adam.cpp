#include "adam.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <Eigen/Dense>

namespace madnis {

namespace {
}  // namespace

Adam::Adam(size_t n_params, const AdamConfig& config)
    : config_(config), m_(n_params, 0.0), v_(n_params, 0.0) {
  if (!(config.beta1 >= 0 && config.beta1 < 1) || !(config.beta2 >= 0 && config.beta2 < 1) ||
      !(config.epsilon >= 0)) {
    throw std::invalid_argument("Adam: beta1, beta2 must be in [0, 1) and epsilon >= 0");
  }
}

double Adam::step(double* params, const double* grad, double lr) {
  const Eigen::Index n = Eigen::Index(m_.size());
  // A plain loop: Eigen's vectorised sum splits the vector by its memory alignment, so the
  // last bits of the norm (and with clipping the step) would depend on where the gradient
  // happens to be allocated, breaking reproducibility.
  double sum_sq = 0;
  for (Eigen::Index i = 0; i < n; ++i) sum_sq += grad[i] * grad[i];
  const double norm = std::sqrt(sum_sq);
  if (!std::isfinite(norm)) return norm;
  const double scale =
      config_.clip_norm > 0 && norm > config_.clip_norm ? config_.clip_norm / norm : 1.0;

  ++t_;
  const double b1 = config_.beta1, b2 = config_.beta2;
  // Bias corrections undo the zero initialisation of the moments: without them the
  // first steps would be far too small.
  const double c1 = 1 - std::pow(b1, double(t_));
  const double c2 = 1 - std::pow(b2, double(t_));
  // Plain loops, not Eigen expressions on these unaligned buffers: Eigen fuses
  // multiply-adds in its vector body but not in the scalar head it peels off for
  // alignment, so an element's result would depend on the buffer's address.
  for (Eigen::Index i = 0; i < n; ++i) {
    const double gi = scale * grad[i];
    m_[size_t(i)] = b1 * m_[size_t(i)] + (1 - b1) * gi;
    v_[size_t(i)] = b2 * v_[size_t(i)] + (1 - b2) * gi * gi;
    params[i] -= lr * (m_[size_t(i)] / c1) / (std::sqrt(v_[size_t(i)] / c2) + config_.epsilon);
  }
  return norm;
}

std::vector<double> Adam::state() const {
  std::vector<double> s;
  s.reserve(1 + 2 * m_.size());
  s.push_back(double(t_));
  s.insert(s.end(), m_.begin(), m_.end());
  s.insert(s.end(), v_.begin(), v_.end());
  return s;
}

void Adam::restore(const std::vector<double>& state) {
  const size_t n = m_.size();
  if (state.size() != 1 + 2 * n) {
    throw std::invalid_argument("Adam::restore: state has " + std::to_string(state.size()) +
                                " values, expected " + std::to_string(1 + 2 * n));
  }
  const double t = state[0];
  if (!(t >= 0 && t < 0x1.0p53 && t == std::floor(t))) {
    throw std::invalid_argument("Adam::restore: step count is not a non-negative integer");
  }
  t_ = size_t(t);
  std::copy(state.begin() + 1, state.begin() + 1 + n, m_.begin());
  std::copy(state.begin() + 1 + n, state.end(), v_.begin());
}

}  // namespace madnis
