// Element-wise monotone rational-quadratic splines on [0,1] -> [0,1] (Durkan et al. 2019,
// "Neural Spline Flows", arXiv:1906.04032), the coupling transform of the MadNIS flows.
//
// Gradients are written by hand because these run per point, per dimension, per coupling
// block in training: every function here is allocation-free (stack arrays, bins <= 64).
#pragma once

namespace madnis {

struct SplineConfig {
  int bins = 10;
  double min_width = 1e-3, min_height = 1e-3, min_derivative = 1e-3;
};

inline int spline_param_count(const SplineConfig& c) { return 3 * c.bins + 1; }

// theta layout (length 3K+1): [0,K) width logits, [K,2K) height logits, [2K,3K+1) derivative
// pre-activations at the K+1 knots including both boundaries (learned boundary derivatives).
//   widths     = min_width  + (1 - K*min_width)  * softmax(width logits)   (sum 1)
//   heights    = min_height + (1 - K*min_height) * softmax(height logits)  (sum 1)
//   derivative = min_derivative + (1 - min_derivative) * softplus(pre) / ln 2
// so theta == 0 is exactly the identity map (uniform bins, all derivatives 1).
// Inputs outside [0,1] are clamped to it.

// Density direction x -> z; writes log(dz/dx) to *log_det.
double rqs_forward(const SplineConfig& c, const double* theta, double x, double* log_det);

// Backward of rqs_forward: given gz = dL/dz and gl = dL/d(log_det), ADDS dL/dtheta into
// dtheta[3K+1] and returns dL/dx (0 if x lay outside [0,1] and was clamped).
double rqs_forward_backward(const SplineConfig& c, const double* theta, double x, double gz, double gl,
                            double* dtheta);

// Sampling direction z -> x (exact inverse of rqs_forward); writes log(dz/dx) at the returned x,
// the same quantity rqs_forward reports.
double rqs_inverse(const SplineConfig& c, const double* theta, double z, double* log_det);

// The theta realising a monotone spline with K+1 knots x_k, z_k (strictly increasing from 0 to 1)
// and K+1 positive knot derivatives (e.g. to start a flow from a VEGAS grid). Exact whenever every
// bin is wider/taller than the minimum and every derivative exceeds min_derivative. Otherwise:
// a bin at or below the minimum size ends up a hair (~1e-12) above it, and the excess over the
// minimum of the other bins shrinks proportionally so the sizes still sum to 1; a derivative at or
// below min_derivative ends up a hair above it.
void rqs_theta_from_knots(const SplineConfig& c, const double* x_knots, const double* z_knots,
                          const double* derivatives, double* theta);

}  // namespace madnis
