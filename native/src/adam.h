// The Adam optimizer (Kingma & Ba, 2015) over one flat parameter array, with optional
// clipping of the global gradient norm. Its whole state can be saved and restored so an
// interrupted training resumes bit-identically.
#pragma once

#include <cstddef>
#include <vector>

namespace madnis {

struct AdamConfig {
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double clip_norm = 0;  // <= 0: no clipping
};

class Adam {
 public:
  // Throws std::invalid_argument for betas outside [0, 1) or a negative epsilon.
  Adam(size_t n_params, const AdamConfig& config);

  // One step with learning rate lr. If clip_norm > 0 the gradient is first scaled to global
  // L2 norm <= clip_norm. Returns the norm BEFORE clipping. If that norm is not finite the
  // step is skipped (parameters, moments and step count untouched), so a single bad batch
  // cannot poison the parameters; the caller sees it in the returned value.
  double step(double* params, const double* grad, double lr);

  size_t step_count() const { return t_; }

  // [t, m_0..m_{n-1}, v_0..v_{n-1}]; t is an integer, exact in a double below 2^53.
  std::vector<double> state() const;
  // Throws std::invalid_argument if the size is not 1 + 2 n_params or t is not a count.
  void restore(const std::vector<double>& state);

 private:
  AdamConfig config_;
  size_t t_ = 0;
  std::vector<double> m_, v_;
};

}  // namespace madnis
