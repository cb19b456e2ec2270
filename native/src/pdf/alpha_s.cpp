#include "alpha_s.h"

#include <cmath>
#include <stdexcept>

namespace madnis {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

int active_flavours(double q) { return q < kCharmThreshold ? 3 : q < kBottomThreshold ? 4 : 5; }

double evolve_alpha_s(double a0, double t, int nf, int nloop) {
  const double b0 = (33.0 - 2.0 * nf) / (12.0 * kPi);
  if (nloop == 1) return a0 / (1 + a0 * b0 * t);
  const double c1 = (153.0 - 19.0 * nf) / (2.0 * kPi * (33.0 - 2.0 * nf));
  const auto g = [c1](double a) { return 1 / a + c1 * std::log(c1 * a / (1 + c1 * a)); };
  double a = a0 / (1 + a0 * b0 * t + c1 * a0 * std::log(1 + a0 * b0 * t));
  for (int it = 0; it < 50; ++it) {
    const double step = (b0 * t + g(a0) - g(a)) * a * a * (1 + c1 * a);
    const double rel = std::abs(step / a);
    a -= step;
    if (rel <= 5e-4) break;
  }
  return a;
}

double run_alpha_s(double alpha, double q_from, double q_to, int nloop) {
  if (nloop != 1 && nloop != 2) throw std::invalid_argument("run_alpha_s: nloop must be 1 or 2");
  if (!(q_from > 0) || !(q_to > 0)) throw std::invalid_argument("run_alpha_s: scales must be positive");
  if (q_from == q_to) return alpha;
  const double thresholds[2] = {kCharmThreshold, kBottomThreshold};
  double q = q_from;
  // segment by segment, each ending at the next threshold strictly between q and q_to
  for (;;) {
    double next = q_to;
    for (double threshold : thresholds) {
      const bool inside = q_to > q ? (q < threshold && threshold < q_to) : (q_to < threshold && threshold < q);
      if (inside && std::abs(std::log(threshold / q)) < std::abs(std::log(next / q))) next = threshold;
    }
    // no threshold lies inside (q, next): its geometric middle has the segment's nf
    alpha = evolve_alpha_s(alpha, 2 * std::log(next / q), active_flavours(std::sqrt(q * next)), nloop);
    if (next == q_to) return alpha;
    q = next;
  }
}

}  // namespace madnis
