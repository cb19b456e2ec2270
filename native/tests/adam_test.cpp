#include "../src/adam.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "check.h"

using madnis::Adam;
using madnis::AdamConfig;

namespace {

// f(p) = sum c_i (p_i - t_i)^2 with fixed, uneven curvatures.
struct Quadratic {
  std::vector<double> c{0.5, 1.0, 2.0, 3.5, 5.0}, t{1.5, -2.0, 0.25, 3.0, -0.75};
  std::vector<double> gradient(const std::vector<double>& p) const {
    std::vector<double> g(p.size());
    for (size_t i = 0; i < p.size(); ++i) g[i] = 2 * c[i] * (p[i] - t[i]);
    return g;
  }
};

double sign(double x) { return x > 0 ? 1.0 : -1.0; }

}  // namespace

TEST(adam_converges_on_quadratic) {
  const Quadratic f;
  std::vector<double> p(5, 0.0);
  Adam adam(p.size(), AdamConfig{});
  for (int step = 0; step < 4000; ++step) {
    adam.step(p.data(), f.gradient(p).data(), 0.05 * (1.0 - step / 4000.0));
  }
  CHECK(adam.step_count() == 4000);
  for (size_t i = 0; i < p.size(); ++i) CHECK_NEAR(p[i], f.t[i], 1e-6);
}

TEST(adam_first_step_is_lr_times_sign) {
  // Bias correction makes m/sqrt(v) = g/|g| on the first step, up to epsilon / |g|.
  const std::vector<double> g{12.0, -300.0, 45.5, -1000.0, 10.0};
  std::vector<double> p{0.1, -0.2, 0.3, 1.0, -1.0};
  const std::vector<double> p0 = p;
  Adam adam(p.size(), AdamConfig{});
  CHECK(adam.step(p.data(), g.data(), 1e-3) > 0);
  for (size_t i = 0; i < p.size(); ++i) CHECK_NEAR(p[i] - p0[i], -1e-3 * sign(g[i]), 1e-12);

  // Without epsilon it holds for any gradient scale.
  const std::vector<double> tiny{1e-9, -3e-7, 2e5, -4e8, 1.0};
  AdamConfig no_eps;
  no_eps.epsilon = 0;
  Adam exact(p.size(), no_eps);
  std::vector<double> q = p0;
  exact.step(q.data(), tiny.data(), 1e-3);
  for (size_t i = 0; i < q.size(); ++i) CHECK_NEAR(q[i] - p0[i], -1e-3 * sign(tiny[i]), 1e-12);
}

TEST(adam_clipping_scales_gradient_to_clip_norm) {
  AdamConfig config;
  config.clip_norm = 1.0;
  const std::vector<double> g{30.0, -40.0, 0.0};  // norm 50
  std::vector<double> p{1.0, 2.0, 3.0};
  Adam adam(p.size(), config);
  CHECK_NEAR(adam.step(p.data(), g.data(), 0.01), 50.0, 1e-12);
  // State holds the moments of the clipped gradient (0.6, -0.8, 0).
  std::vector<double> s = adam.state();
  CHECK(s.size() == 7 && s[0] == 1);
  CHECK_NEAR(s[1], 0.1 * 0.6, 1e-15);
  CHECK_NEAR(s[2], -0.1 * 0.8, 1e-15);
  CHECK(s[3] == 0);
  CHECK_NEAR(s[4], 0.001 * 0.36, 1e-15);
  CHECK_NEAR(s[5], 0.001 * 0.64, 1e-15);

  // Second step against a hand-written Adam on the clipped gradient.
  const std::vector<double> g2{0.3, 0.4, 1.2};  // norm 1.3, clipped by 1/1.3
  const std::vector<double> before = p;
  CHECK_NEAR(adam.step(p.data(), g2.data(), 0.01), 1.3, 1e-12);
  for (size_t i = 0; i < 3; ++i) {
    const double c1 = g[i] / 50, c2 = g2[i] / 1.3;
    const double m = 0.9 * 0.1 * c1 + 0.1 * c2;
    const double v = 0.999 * 0.001 * c1 * c1 + 0.001 * c2 * c2;
    const double mhat = m / (1 - 0.81), vhat = v / (1 - 0.999 * 0.999);
    CHECK_NEAR(p[i] - before[i], -0.01 * mhat / (std::sqrt(vhat) + 1e-8), 1e-14);
  }

  // Below the threshold the gradient is untouched.
  Adam unclipped(3, config);
  std::vector<double> q{0, 0, 0};
  const std::vector<double> small{0.3, -0.4, 0.0};
  CHECK_NEAR(unclipped.step(q.data(), small.data(), 0.01), 0.5, 1e-15);
  CHECK_NEAR(unclipped.state()[1], 0.1 * 0.3, 1e-16);
}

TEST(adam_restore_resumes_bit_identically) {
  const Quadratic f;
  AdamConfig config;
  config.clip_norm = 2.0;
  auto lr = [](int step) { return 0.1 / (1 + 0.01 * step); };

  std::vector<double> straight(5, 0.0);
  Adam a(5, config);
  for (int step = 0; step < 100; ++step) a.step(straight.data(), f.gradient(straight).data(), lr(step));

  std::vector<double> resumed(5, 0.0);
  std::vector<double> saved;
  {
    Adam first(5, config);
    for (int step = 0; step < 37; ++step) first.step(resumed.data(), f.gradient(resumed).data(), lr(step));
    saved = first.state();
  }
  Adam second(5, config);
  second.restore(saved);
  CHECK(second.step_count() == 37);
  for (int step = 37; step < 100; ++step) second.step(resumed.data(), f.gradient(resumed).data(), lr(step));

  CHECK(straight == resumed);
  CHECK(a.state() == second.state());

  bool threw = false;
  try {
    second.restore(std::vector<double>(10, 0.0));
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

TEST(adam_skips_non_finite_gradient) {
  std::vector<double> p{1.0, 2.0};
  Adam adam(2, AdamConfig{});
  const std::vector<double> g{1.0, NAN};
  CHECK(std::isnan(adam.step(p.data(), g.data(), 0.1)));
  CHECK(p[0] == 1.0 && p[1] == 2.0);
  CHECK(adam.step_count() == 0);
}
