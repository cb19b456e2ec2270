// The running of alpha_s against an independent route: the 2-loop beta function
// integrated numerically (RK4 in ln Q^2), with nf switched at MadEvent's thresholds.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "check.h"
#include "pdf/alpha_s.h"

using madnis::run_alpha_s;

namespace {

constexpr double kPi = 3.14159265358979323846;

// d a / d ln Q^2 = -b0 a^2 (1 + c1 a), integrated with RK4 (2e4 steps per segment), the
// segments split at the thresholds, each with its own nf.
double rk4_segment(double a, double q_from, double q_to, int nf) {
  auto beta = [nf](double x) {
    const double b0 = (33.0 - 2.0 * nf) / (12.0 * kPi);
    const double c1 = (153.0 - 19.0 * nf) / (2.0 * kPi * (33.0 - 2.0 * nf));
    return -b0 * x * x * (1 + c1 * x);
  };
  const int steps = 20000;
  const double h = 2 * std::log(q_to / q_from) / steps;
  for (int i = 0; i < steps; ++i) {
    const double k1 = beta(a), k2 = beta(a + 0.5 * h * k1), k3 = beta(a + 0.5 * h * k2), k4 = beta(a + h * k3);
    a += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
  }
  return a;
}

double rk4_alpha_s(double a, double q_from, double q_to) {
  const double edges[] = {0, madnis::kCharmThreshold, madnis::kBottomThreshold, 1e300};
  double q = q_from;
  while (q != q_to) {
    int region = 0;  // 0: nf 3, 1: nf 4, 2: nf 5; the region the next step goes into
    const bool up = q_to > q;
    while (!(up ? (edges[region] <= q && q < edges[region + 1]) : (edges[region] < q && q <= edges[region + 1]))) ++region;
    const double next = up ? std::min(q_to, edges[region + 1]) : std::max(q_to, edges[region]);
    a = rk4_segment(a, q, next, 3 + region);
    q = next;
  }
  return a;
}

}  // namespace

// Up, down and across both thresholds. RK4 is exact to ~1e-12 here; MadEvent's 2-loop
// Newton stops once a relative step is <= 5e-4, and converges quadratically, so what is
// left is ~(5e-4)^2 of that: measured <= 1e-9; 1e-7 leaves room, a wrong nf or loop
// order is off by > 1e-3.
TEST(alpha_s_running_matches_rk4) {
  const double cases[][2] = {{91.188, 182.376}, {91.188, 45.594}, {500, 250}, {10, 3},
                             {3, 1.2}, {1.2, 20}, {91.188, 2.0}, {173, 86.5}};
  for (const auto& c : cases) {
    const double a0 = 0.118;
    const double ours = run_alpha_s(a0, c[0], c[1], 2), reference = rk4_alpha_s(a0, c[0], c[1]);
    std::printf("     alpha_s(%g) = %.10f from %g: %.10f, RK4 %.10f\n", c[1], a0, c[0], ours, reference);
    CHECK(std::abs(ours / reference - 1) < 1e-7);
  }
}

// Running up and back down returns the start (to the Newton tolerance); no step is exact.
TEST(alpha_s_running_round_trip_and_identity) {
  CHECK(run_alpha_s(0.13, 91.188, 91.188, 2) == 0.13);
  const double up = run_alpha_s(0.13, 91.188, 400, 2);
  CHECK(up < 0.13);
  CHECK(std::abs(run_alpha_s(up, 400, 91.188, 2) / 0.13 - 1) < 1e-6);
  const double down = run_alpha_s(0.13, 91.188, 2.0, 1);
  CHECK(down > 0.13);
  bool threw = false;
  try {
    run_alpha_s(0.13, -1, 10, 2);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}
