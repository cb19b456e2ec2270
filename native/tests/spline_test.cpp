#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "check.h"
#include "spline.h"

using madnis::SplineConfig;

namespace {

std::vector<double> random_theta(const SplineConfig& c, std::mt19937_64& rng, double sigma = 2.0) {
  std::normal_distribution<double> normal(0.0, sigma);
  std::vector<double> theta(madnis::spline_param_count(c));
  for (double& t : theta) t = normal(rng);
  return theta;
}

// Knot positions recomputed independently of spline.cpp (widths: offset 0, heights: offset K).
std::vector<double> knots(const SplineConfig& c, const std::vector<double>& theta, int offset, double min_size) {
  const int K = c.bins;
  const double top = *std::max_element(theta.begin() + offset, theta.begin() + offset + K);
  double sum = 0;
  for (int j = 0; j < K; ++j) sum += std::exp(theta[offset + j] - top);
  std::vector<double> out{0.0};
  for (int j = 0; j < K; ++j) out.push_back(out.back() + min_size + (1 - K * min_size) * std::exp(theta[offset + j] - top) / sum);
  out.back() = 1.0;
  return out;
}

double knot_distance(const std::vector<double>& xk, double x) {
  double r = 1;
  for (double k : xk) r = std::min(r, std::abs(x - k));
  return r;
}

double log_det_at(const SplineConfig& c, const std::vector<double>& theta, double x) {
  double ld;
  madnis::rqs_forward(c, theta.data(), x, &ld);
  return ld;
}

// The inverse computes log_det from its exact bin fraction, the forward from the rounded x it
// returned; where the spline is steep (d log_det/dx ~ 1e8 in the narrowest bins) those differ
// by what one ulp of x moves log_det.
double ld_tolerance(const SplineConfig& c, const std::vector<double>& theta, double x) {
  const double lo = log_det_at(c, theta, std::nextafter(x, 0.0)), hi = log_det_at(c, theta, std::nextafter(x, 1.0));
  return 1e-11 + 4 * std::abs(hi - lo);
}

// Fourth-order central difference: truncation O(h^4), so h can stay large against roundoff.
template <typename F>
double derivative(F f, double v, double h) {
  return (8 * (f(v + h) - f(v - h)) - (f(v + 2 * h) - f(v - 2 * h))) / (12 * h);
}

}  // namespace

TEST(spline_zero_theta_is_identity) {
  for (int bins : {1, 7, 10, 64}) {
    SplineConfig c;
    c.bins = bins;
    std::vector<double> theta(madnis::spline_param_count(c), 0.0);
    for (double x : {0.0, 1e-12, 0.05, 0.1, 0.3, 0.5, 0.7, 0.999, 1.0 - 1e-15, 1.0}) {
      double ld = 1, ldi = 1;
      CHECK_NEAR(madnis::rqs_forward(c, theta.data(), x, &ld), x, 1e-15);
      CHECK_NEAR(ld, 0.0, 1e-14);
      CHECK_NEAR(madnis::rqs_inverse(c, theta.data(), x, &ldi), x, 1e-15);
      CHECK_NEAR(ldi, 0.0, 1e-14);
    }
  }
}

TEST(spline_inverse_round_trip) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    SplineConfig c;
    c.bins = 1 + trial % 16;
    const auto theta = random_theta(c, rng);
    std::vector<double> points = knots(c, theta, 0, c.min_width);
    const auto zk = knots(c, theta, c.bins, c.min_height);
    points.insert(points.end(), zk.begin(), zk.end());
    for (int i = 0; i < 50; ++i) points.push_back(uniform(rng));
    for (double v : {1e-300, 1e-15, 1e-9, 1 - 1e-9, 1 - 1e-15}) points.push_back(v);
    for (double v : points) {
      double ld_f = 0, ld_i = 0;
      const double z = madnis::rqs_forward(c, theta.data(), v, &ld_f);
      const double v_back = madnis::rqs_inverse(c, theta.data(), z, &ld_i);
      // Rounding z to a double moves the exact preimage by ulp / (dz/dx), and inside bins with
      // a small slope and large knot derivatives dz/dx dips to ~1e-6.
      CHECK_NEAR(v_back, v, 1e-10 + 1e-15 / std::exp(ld_f));
      CHECK_NEAR(ld_i, log_det_at(c, theta, v_back), ld_tolerance(c, theta, v_back));
      const double x = madnis::rqs_inverse(c, theta.data(), v, &ld_i);
      CHECK_NEAR(madnis::rqs_forward(c, theta.data(), x, &ld_f), v, 1e-10);
      CHECK_NEAR(ld_i, ld_f, ld_tolerance(c, theta, x));
      CHECK(x >= 0 && x <= 1 && z >= 0 && z <= 1);
    }
  }
}

TEST(spline_log_det_is_log_dz_dx) {
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 100; ++trial) {
    SplineConfig c;
    const auto theta = random_theta(c, rng);
    const auto xk = knots(c, theta, 0, c.min_width);
    auto z_of = [&](double x) { double ld; return madnis::rqs_forward(c, theta.data(), x, &ld); };
    for (int i = 0; i < 50; ++i) {
      const double x = uniform(rng);
      // z'' jumps at knots, and where a knot derivative far exceeds the bin slope z varies on a
      // scale that shrinks towards the knot: keep the stencil well inside that scale.
      const double r = knot_distance(xk, x);
      if (r < 5e-5) continue;
      const double h = std::min(1e-5, r / 50);
      double ld;
      madnis::rqs_forward(c, theta.data(), x, &ld);
      // Plus the roundoff of the difference quotient itself, ~ulp(z) / (h dz/dx).
      CHECK_NEAR(ld, std::log(derivative(z_of, x, h)), 1e-6 + 1e-15 / (h * std::exp(ld)));
    }
  }
}

TEST(spline_backward_matches_finite_differences) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double h = 1e-5;
  auto agree = [](double num, double ana) {
    return std::abs(num - ana) <= 1e-6 * std::max({1.0, std::abs(num), std::abs(ana)});
  };
  for (int trial = 0; trial < 100; ++trial) {
    SplineConfig c;
    c.bins = 1 + trial % 12;
    auto theta = random_theta(c, rng);
    const auto xk = knots(c, theta, 0, c.min_width);
    const double a = normal(rng), b = normal(rng);
    for (int i = 0; i < 10; ++i) {
      const double x = uniform(rng);
      // log_det is only C0 in the knot positions, and moving theta moves the knots.
      if (knot_distance(xk, x) < 1e-3) continue;
      auto loss = [&](const std::vector<double>& t, double xv) {
        double ld;
        const double z = madnis::rqs_forward(c, t.data(), xv, &ld);
        return a * z + b * ld;
      };
      std::vector<double> grad(theta.size(), 0.0);
      const double gx = madnis::rqs_forward_backward(c, theta.data(), x, a, b, grad.data());
      CHECK(agree(derivative([&](double v) { return loss(theta, v); }, x, h), gx));
      for (size_t j = 0; j < theta.size(); ++j) {
        auto along = [&](double v) { auto t = theta; t[j] = v; return loss(t, x); };
        const double num = derivative(along, theta[j], h);
        madnis::test::check(agree(num, grad[j]), "dL/dtheta", __FILE__, __LINE__,
                            "j=" + std::to_string(j) + " num=" + std::to_string(num) + " ana=" + std::to_string(grad[j]));
      }
    }
  }
}

TEST(spline_backward_accumulates) {
  SplineConfig c;
  std::mt19937_64 rng(14);
  const auto theta = random_theta(c, rng);
  std::vector<double> once(theta.size(), 0.0), twice(theta.size(), 0.0);
  madnis::rqs_forward_backward(c, theta.data(), 0.37, 0.8, -1.3, once.data());
  madnis::rqs_forward_backward(c, theta.data(), 0.37, 0.8, -1.3, twice.data());
  madnis::rqs_forward_backward(c, theta.data(), 0.37, 0.8, -1.3, twice.data());
  for (size_t j = 0; j < theta.size(); ++j) CHECK_NEAR(twice[j], 2 * once[j], 1e-12 * (1 + std::abs(once[j])));
}

TEST(spline_theta_from_knots_reproduces_knots) {
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> uniform(0.05, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 100; ++trial) {
    SplineConfig c;
    c.bins = 1 + trial % 20;
    const int K = c.bins;
    auto random_knots = [&] {
      std::vector<double> k{0.0};
      for (int j = 0; j < K; ++j) k.push_back(k.back() + uniform(rng));
      for (double& v : k) v /= k.back();
      k.back() = 1.0;
      return k;
    };
    const auto xk = random_knots(), zk = random_knots();
    std::vector<double> d(K + 1), theta(madnis::spline_param_count(c));
    for (double& v : d) v = std::exp(normal(rng));
    madnis::rqs_theta_from_knots(c, xk.data(), zk.data(), d.data(), theta.data());
    for (int k = 0; k <= K; ++k) {
      double ld;
      CHECK_NEAR(madnis::rqs_forward(c, theta.data(), xk[k], &ld), zk[k], 1e-12);
      CHECK_NEAR(std::exp(ld), d[k], 1e-9 * std::max(1.0, d[k]));
    }
  }
}

TEST(spline_theta_from_knots_raises_small_bins) {
  SplineConfig c;
  c.bins = 4;
  const double xk[] = {0.0, 0.5, 0.5 + 1e-6, 0.75, 1.0}, zk[] = {0.0, 0.25, 0.5, 0.75, 1.0};
  const double d[] = {1.0, 2.0, 1e-6, 1.0, 1.0};
  double theta[13];
  madnis::rqs_theta_from_knots(c, xk, zk, d, theta);
  double ld;
  // The tiny bin (x in [0.5, 0.5+1e-6], z in [0.25, 0.5]) is raised to the minimum width, the
  // others give up a little of their excess; the tiny derivative is raised to the minimum.
  const double x1 = madnis::rqs_inverse(c, theta, 0.25, &ld), x2 = madnis::rqs_inverse(c, theta, 0.5, &ld);
  CHECK_NEAR(x2 - x1, c.min_width, 1e-9);
  CHECK(x1 < 0.5 && x1 > 0.49);
  CHECK_NEAR(std::exp(ld), c.min_derivative, 1e-9);
  CHECK_NEAR(madnis::rqs_forward(c, theta, 0.0, &ld), 0.0, 0.0);
  CHECK_NEAR(madnis::rqs_forward(c, theta, 1.0, &ld), 1.0, 0.0);
}

TEST(spline_extreme_parameters_stay_finite) {
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    SplineConfig c;
    c.bins = 2 + trial % 10;
    std::vector<double> theta(madnis::spline_param_count(c));
    const double scale = trial % 2 ? 30.0 : 700.0;
    for (double& t : theta) t = uniform(rng) < 0.5 ? -scale : scale;
    std::vector<double> grad(theta.size(), 0.0);
    double prev = -1;
    for (int i = 0; i <= 1000; ++i) {
      const double x = i / 1000.0;
      double ld, ldi;
      const double z = madnis::rqs_forward(c, theta.data(), x, &ld);
      CHECK(std::isfinite(ld) && z >= prev && z >= 0 && z <= 1);
      prev = z;
      // Where dz/dx dips to ~1e-9 the inverse is ill-conditioned in x, so check it in z.
      const double x_back = madnis::rqs_inverse(c, theta.data(), z, &ldi);
      CHECK_NEAR(madnis::rqs_forward(c, theta.data(), x_back, &ld), z, 1e-12);
      CHECK_NEAR(x_back, x, 1e-9 + 1e-15 / std::exp(ld));
      CHECK(std::isfinite(madnis::rqs_forward_backward(c, theta.data(), x, 1.0, 1.0, grad.data())));
    }
    for (double g : grad) CHECK(std::isfinite(g));
  }
}
