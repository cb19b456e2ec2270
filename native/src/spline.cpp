#include "spline.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <Eigen/Dense>

namespace madnis {
namespace {

constexpr int kMaxBins = 64;
constexpr double kLn2 = 0.693147180559945309417232121458176568;

double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

// Eigen's vectorised exp: the softmaxes are most of a spline's cost (2K exps per point,
// dimension and block), and std::exp runs one value at a time.
void softmax(const double* logits, int n, double* p) {
  const Eigen::Map<const Eigen::ArrayXd> l(logits, n);
  Eigen::Map<Eigen::ArrayXd> out(p, n);
  out = (l - l.maxCoeff()).exp();
  out *= 1 / out.sum();
}

// Split form so neither exp(+large) overflows nor log(1 + tiny) loses digits.
double softplus(double v) { return std::max(v, 0.0) + std::log1p(std::exp(-std::abs(v))); }

double sigmoid(double v) {
  if (v >= 0) return 1 / (1 + std::exp(-v));
  const double e = std::exp(v);
  return e / (1 + e);
}

double knot_derivative(const SplineConfig& c, double pre) {
  return c.min_derivative + (1 - c.min_derivative) * softplus(pre) / kLn2;
}

// The one bin a point falls in, with everything the rational quadratic needs.
struct Bin {
  int k;
  double x0, x1, w, z0, z1, h, d0, d1;
};

// pw/ph receive the softmax probabilities: the backward pass needs all of them.
Bin locate(const SplineConfig& c, const double* theta, double v, bool by_z, double* pw, double* ph) {
  const int K = c.bins;
  assert(K >= 1 && K <= kMaxBins);
  assert(K * c.min_width < 1 && K * c.min_height < 1);
  softmax(theta, K, pw);
  softmax(theta + K, K, ph);
  const double sw = 1 - K * c.min_width, sh = 1 - K * c.min_height;
  const double* search_p = by_z ? ph : pw;
  const double search_min = by_z ? c.min_height : c.min_width, search_scale = by_z ? sh : sw;
  // Linear scan: for K ~ 10 it beats a binary search over a cumulative array we would first
  // have to build (a branch-free count measured no faster; exp dominates). The last bin takes everything past the second-to-last knot, so rounding in
  // the cumulative sum can never push a point out of [0,1]'s bins.
  int k = 0;
  double lo = 0;
  for (; k < K - 1; ++k) {
    const double hi = lo + (search_min + search_scale * search_p[k]);
    if (v < hi) break;
    lo = hi;
  }
  const double* other_p = by_z ? pw : ph;
  const double other_min = by_z ? c.min_width : c.min_height, other_scale = by_z ? sw : sh;
  double other_lo = 0;
  for (int j = 0; j < k; ++j) other_lo += other_min + other_scale * other_p[j];
  const double size = search_min + search_scale * search_p[k];
  const double other_size = other_min + other_scale * other_p[k];
  // The last upper knot is exactly 1, not a rounded sum, so x = 1 <-> z = 1 exactly.
  const bool last = k == K - 1;
  Bin b;
  b.k = k;
  b.x0 = by_z ? other_lo : lo;
  b.w = by_z ? other_size : size;
  b.x1 = last ? 1.0 : b.x0 + b.w;
  b.z0 = by_z ? lo : other_lo;
  b.h = by_z ? size : other_size;
  b.z1 = last ? 1.0 : b.z0 + b.h;
  b.d0 = knot_derivative(c, theta[2 * K + k]);
  b.d1 = knot_derivative(c, theta[2 * K + k + 1]);
  return b;
}

// Position within a bin as the pair (t, 1-t), each measured from its own knot: near the upper
// knot 1-t keeps full relative precision, which matters where the spline is steep there.
struct Frac {
  double t, tm;
};

Frac frac(double v, double lo, double hi, double size) {
  if (v - lo <= 0.5 * size) {
    const double t = clamp01((v - lo) / size);
    return {t, 1 - t};
  }
  const double tm = clamp01((hi - v) / size);
  return {1 - tm, tm};
}

// The rational quadratic at xi within a bin of slope s = h/w. Denominator and numerators are
// sums of non-negative terms so nothing cancels at any xi.
struct Rq {
  double xi, xm, s, om, den, num_z, num_dz;
};

Rq rq_eval(const Bin& b, Frac f) {
  Rq r;
  r.xi = f.t;
  r.xm = f.tm;
  r.s = b.h / b.w;
  r.om = r.xi * r.xm;
  r.den = r.s * (r.xi * r.xi + r.xm * r.xm) + (b.d0 + b.d1) * r.om;
  r.num_z = r.s * r.xi * r.xi + b.d0 * r.om;
  r.num_dz = b.d1 * r.xi * r.xi + 2 * r.s * r.om + b.d0 * r.xm * r.xm;
  return r;
}

// dz/dx = s^2 num_dz / den^2, taken as one log.
double rq_log_det(const Rq& r) { return std::log(r.s * r.s * r.num_dz / (r.den * r.den)); }

// Measured from the nearer knot, for the same reason as Frac.
double rq_z(const Bin& b, const Rq& r) {
  if (r.xi <= 0.5) return clamp01(b.z0 + b.h * r.num_z / r.den);
  const double rest = r.s * r.xm * r.xm + b.d1 * r.om;  // den - num_z
  return clamp01(b.z1 - b.h * rest / r.den);
}

// The root xi in [0,1] of z(xi) = u (both in units of the bin). The quadratic has discriminant
// q^2 + 4 s^2 u (1-u) with q = d0 (1-u) - d1 u: a sum of squares, so it never cancels. Of the
// two algebraically equal forms of the root, take the one whose denominator does not cancel.
double rq_solve(double u, double um, double s, double d0, double d1) {
  const double q = d0 * um - d1 * u;
  const double root = std::sqrt(q * q + 4 * s * s * u * um);
  const double lin = q + 2 * s * u;
  return clamp01(lin >= 0 ? 2 * s * u / (lin + root) : (root - lin) / (2 * (s * (um - u) - q)));
}

// Backward through one softmax-parametrised size vector (widths or heights): the point
// depends on the bins below k only through their sum (the knot position, gradient g_lo) and
// on bin k itself (gradient g_size).
void softmax_backward(const double* p, int K, int k, double scale, double g_lo, double g_size,
                      double* dlogits) {
  double below = 0;
  for (int j = 0; j < k; ++j) below += p[j];
  const double mean = below * g_lo + p[k] * g_size;
  for (int j = 0; j < k; ++j) dlogits[j] += scale * p[j] * (g_lo - mean);
  dlogits[k] += scale * p[k] * (g_size - mean);
  for (int j = k + 1; j < K; ++j) dlogits[j] -= scale * p[j] * mean;
}

// log(p) of the excess of each size over the minimum; the floor keeps sub-minimum bins finite.
void logits_from_knots(const double* knots, int K, double min_size, double* logits) {
  constexpr double kFloor = 1e-12;
  double total = 0;
  for (int j = 0; j < K; ++j) total += (logits[j] = std::max(knots[j + 1] - knots[j] - min_size, kFloor));
  for (int j = 0; j < K; ++j) logits[j] = std::log(logits[j] / total);
}

}  // namespace

double rqs_forward(const SplineConfig& c, const double* theta, double x, double* log_det) {
  double pw[kMaxBins], ph[kMaxBins];
  x = clamp01(x);
  const Bin b = locate(c, theta, x, false, pw, ph);
  const Rq r = rq_eval(b, frac(x, b.x0, b.x1, b.w));
  *log_det = rq_log_det(r);
  return rq_z(b, r);
}

double rqs_inverse(const SplineConfig& c, const double* theta, double z, double* log_det) {
  double pw[kMaxBins], ph[kMaxBins];
  z = clamp01(z);
  const Bin b = locate(c, theta, z, true, pw, ph);
  const Frac u = frac(z, b.z0, b.z1, b.h);
  const double s = b.h / b.w;
  // The spline is symmetric under (xi, u, d0, d1) -> (1-xi, 1-u, d1, d0): solve from the
  // nearer knot so that 1-xi keeps its relative precision near the upper one.
  Frac f;
  if (u.t <= 0.5) {
    f.t = rq_solve(u.t, u.tm, s, b.d0, b.d1);
    f.tm = 1 - f.t;
  } else {
    f.tm = rq_solve(u.tm, u.t, s, b.d1, b.d0);
    f.t = 1 - f.tm;
  }
  *log_det = rq_log_det(rq_eval(b, f));
  return clamp01(f.t <= 0.5 ? b.x0 + b.w * f.t : b.x1 - b.w * f.tm);
}

double rqs_forward_backward(const SplineConfig& c, const double* theta, double x, double gz, double gl,
                            double* dtheta) {
  const int K = c.bins;
  double pw[kMaxBins], ph[kMaxBins];
  const bool inside = x >= 0 && x <= 1;
  x = clamp01(x);
  const Bin b = locate(c, theta, x, false, pw, ph);
  const Rq r = rq_eval(b, frac(x, b.x0, b.x1, b.w));
  const double xi = r.xi, xm = r.xm, s = r.s, om = r.om, den = r.den, den2 = den * den;

  // z = z0 + h R(xi, s, d0, d1) with R = num_z / den.
  const double R = r.num_z / den;
  const double R_xi = s * r.num_dz / den2;
  const double sq = xi * xi + xm * xm;  // d den / d s
  const double R_s = (xi * xi * den - r.num_z * sq) / den2;
  const double R_d0 = om * (s * xm * xm + b.d1 * om) / den2;
  const double R_d1 = -r.num_z * om / den2;
  // log_det = 2 log s + log num_dz - 2 log den.
  const double ndz_xi = 2 * (b.d1 * xi + s * (xm - xi) - b.d0 * xm);
  const double den_xi = (xm - xi) * (b.d0 + b.d1 - 2 * s);
  const double L_xi = ndz_xi / r.num_dz - 2 * den_xi / den;
  const double L_s = 2 / s + 2 * om / r.num_dz - 2 * sq / den;
  const double L_d0 = xm * xm / r.num_dz - 2 * om / den;
  const double L_d1 = xi * xi / r.num_dz - 2 * om / den;

  const double g_xi = gz * b.h * R_xi + gl * L_xi;
  const double g_s = gz * b.h * R_s + gl * L_s;
  // xi = (x - x0) / w and s = h / w.
  const double g_x0 = -g_xi / b.w;
  const double g_w = -(g_xi * xi + g_s * s) / b.w;
  const double g_h = gz * R + g_s / b.w;
  softmax_backward(pw, K, b.k, 1 - K * c.min_width, g_x0, g_w, dtheta);
  softmax_backward(ph, K, b.k, 1 - K * c.min_height, gz, g_h, dtheta + K);

  const double dd_scale = (1 - c.min_derivative) / kLn2;
  dtheta[2 * K + b.k] += (gz * b.h * R_d0 + gl * L_d0) * dd_scale * sigmoid(theta[2 * K + b.k]);
  dtheta[2 * K + b.k + 1] += (gz * b.h * R_d1 + gl * L_d1) * dd_scale * sigmoid(theta[2 * K + b.k + 1]);
  return inside ? g_xi / b.w : 0.0;
}

void rqs_theta_from_knots(const SplineConfig& c, const double* x_knots, const double* z_knots,
                          const double* derivatives, double* theta) {
  const int K = c.bins;
  assert(K >= 1 && K <= kMaxBins);
  logits_from_knots(x_knots, K, c.min_width, theta);
  logits_from_knots(z_knots, K, c.min_height, theta + K);
  for (int k = 0; k <= K; ++k) {
    // Invert softplus: pre = y + log(1 - e^-y), stable for tiny and huge y alike.
    const double y = std::max((derivatives[k] - c.min_derivative) * kLn2 / (1 - c.min_derivative), 1e-12);
    theta[2 * K + k] = y + std::log(-std::expm1(-y));
  }
}

}  // namespace madnis
