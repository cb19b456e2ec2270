// Electroweak inputs in the G_μ scheme of MadGraph's default `sm` param_card, and the
// helicity amplitudes of f f̄ → (γ, Z, Z′) → f′ f̄′ for massless fermions, with each
// s-channel diagram kept apart for the single-diagram channel weights.
#pragma once

#include <complex>
#include <vector>

#include "kinematics.h"

namespace madnis::builtin {

struct Electroweak {
  double alpha_inv = 132.507, g_fermi = 1.16639e-5, mz = 91.188, wz = 2.441404;
  // derived at tree level
  double alpha = 0, mw = 0, sw2 = 0, cw2 = 0;

  void derive() {
    alpha = 1 / alpha_inv;
    const double a = kPi * alpha / (std::sqrt(2.0) * g_fermi);
    mw = std::sqrt(mz * mz / 2 + std::sqrt(mz * mz * mz * mz / 4 - a * mz * mz));
    cw2 = mw * mw / (mz * mz);
    sw2 = 1 - cw2;
  }
};

struct Fermion {
  double charge, t3;
};
constexpr Fermion kElectron{-1, -0.5}, kUpQuark{2.0 / 3, 0.5}, kDownQuark{-1.0 / 3, -0.5};

// A neutral vector in the s channel; couplings in units of e. The photon has
// width 0 and couples to the charge; Z-like vectors couple with g_L = (T3 − Q s²)/(s c),
// g_R = −Q s/c (a sequential Z′ copies the Z's).
struct NeutralVector {
  double mass = 0, width = 0;
  bool photon = false;
};

// Spin-summed and averaged |M|² for each diagram alone and for their coherent sum.
//   incoming fermion f1 (momentum p_in), outgoing fermion f2 (p_out), outgoing
//   antifermion (p_out_bar); colour factor applied by the caller.
struct DiagramSquares {
  double total = 0;
  std::vector<double> single;  // |M_j|², same order as the vectors
  // the coherent |M|² of each helicity configuration [incoming fermion][outgoing fermion],
  // 0 = left-handed, 1 = right-handed; they add up to `total`
  double helicity[2][2] = {{0, 0}, {0, 0}};
};

inline void ffbar_to_ffbar(const Electroweak& ew, const Fermion& f1, const Fermion& f2,
                           const std::vector<NeutralVector>& vectors, const Vec4& p_in,
                           const Vec4& p_out, const Vec4& p_out_bar, double s,
                           DiagramSquares& result) {
  const double sw = std::sqrt(ew.sw2), cw = std::sqrt(ew.cw2);
  const double g[2][2] = {{(f1.t3 - f1.charge * ew.sw2) / (sw * cw), -f1.charge * sw / cw},
                          {(f2.t3 - f2.charge * ew.sw2) / (sw * cw), -f2.charge * sw / cw}};
  // Massless helicity amplitudes: equal helicities go with u², opposite with t².
  const double t = (p_in - p_out).dot(p_in - p_out), u = (p_in - p_out_bar).dot(p_in - p_out_bar);
  const double angular[2][2] = {{u * u, t * t}, {t * t, u * u}};
  const double e4 = std::pow(4 * kPi * ew.alpha, 2);

  result.single.assign(vectors.size(), 0.0);
  result.total = 0;
  for (int h1 = 0; h1 < 2; ++h1) {
    for (int h2 = 0; h2 < 2; ++h2) {
      std::complex<double> sum = 0;
      for (size_t j = 0; j < vectors.size(); ++j) {
        const NeutralVector& v = vectors[j];
        std::complex<double> a;
        if (v.photon) {
          a = f1.charge * f2.charge;
        } else {
          const std::complex<double> propagator(s - v.mass * v.mass, v.mass * v.width);
          a = g[0][h1] * g[1][h2] * s / propagator;
        }
        result.single[j] += e4 * std::norm(a) * angular[h1][h2] / (s * s);
        sum += a;
      }
      result.helicity[h1][h2] = e4 * std::norm(sum) * angular[h1][h2] / (s * s);
      result.total += result.helicity[h1][h2];
    }
  }
}

// Picks a helicity configuration with probability ∝ its |M|² and writes LHE spins for
// f1 f̄1 → f2 f̄2 (massless: an antifermion has the opposite helicity of its partner).
// `order` gives the positions of (f1, f̄1, f2, f̄2) among the externals.
inline void choose_helicities(const DiagramSquares& m2, double r, const int order[4], int32_t* helicity) {
  const double weights[4] = {m2.helicity[0][0], m2.helicity[0][1], m2.helicity[1][0], m2.helicity[1][1]};
  size_t k = 0;
  double total = 0, running = 0;
  for (double w : weights) total += w;
  for (; k < 3; ++k) {
    running += weights[k];
    if (r * total < running) break;
  }
  const int h_in = k / 2 == 0 ? -1 : 1, h_out = k % 2 == 0 ? -1 : 1;
  helicity[order[0]] = h_in;
  helicity[order[1]] = -h_in;
  helicity[order[2]] = h_out;
  helicity[order[3]] = -h_out;
}

// Prior channel weights from the single-diagram squares (MadEvent's SDE), falling back
// to equal weights where every diagram vanishes.
inline void single_diagram_weights(const std::vector<double>& squares, double* alpha) {
  double sum = 0;
  for (double s : squares) sum += s;
  for (size_t j = 0; j < squares.size(); ++j)
    alpha[j] = sum > 0 ? squares[j] / sum : 1.0 / double(squares.size());
}

}  // namespace madnis::builtin
