// Four-vectors and the lab-frame observables the built-in processes cut on.
#pragma once

#include <cmath>

namespace madnis::builtin {

constexpr double kPi = 3.14159265358979323846;
// (ħc)² in GeV² pb: converts |M|²/flux in GeV⁻² to pb.
constexpr double kGeV2ToPb = 0.3893793721e9;

struct Vec4 {
  double e = 0, x = 0, y = 0, z = 0;

  double dot(const Vec4& o) const { return e * o.e - x * o.x - y * o.y - z * o.z; }
  Vec4 operator-(const Vec4& o) const { return {e - o.e, x - o.x, y - o.y, z - o.z}; }
  Vec4 operator+(const Vec4& o) const { return {e + o.e, x + o.x, y + o.y, z + o.z}; }
  double pt() const { return std::hypot(x, y); }
  double p() const { return std::sqrt(x * x + y * y + z * z); }
  double phi() const { return std::atan2(y, x); }
  // Pseudorapidity; ±inf along the beam.
  double eta() const { return std::atanh(z / p()); }

  // Boost along z with rapidity y (from the partonic to the lab frame).
  Vec4 boost_z(double rapidity) const {
    const double ch = std::cosh(rapidity), sh = std::sinh(rapidity);
    return {ch * e + sh * z, x, y, sh * e + ch * z};
  }

  void store(double* out) const {
    out[0] = e;
    out[1] = x;
    out[2] = y;
    out[3] = z;
  }
};

inline double delta_r(const Vec4& a, const Vec4& b) {
  double dphi = std::abs(a.phi() - b.phi());
  if (dphi > kPi) dphi = 2 * kPi - dphi;
  return std::hypot(a.eta() - b.eta(), dphi);
}

// Two massless momenta back to back in their rest frame (energy √ŝ/2 each), the first
// along (θ, φ).
inline void massless_pair(double sqrt_s, double cos_theta, double phi, Vec4& first, Vec4& second) {
  const double e = 0.5 * sqrt_s, sin_theta = std::sqrt(std::max(0.0, 1 - cos_theta * cos_theta));
  first = {e, e * sin_theta * std::cos(phi), e * sin_theta * std::sin(phi), e * cos_theta};
  second = {e, -first.x, -first.y, -first.z};
}

}  // namespace madnis::builtin
