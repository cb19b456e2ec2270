// e+ e- → γ/Z → μ+ μ- at leading order, massless fermions (../shared/BENCHMARKS.md).
// Two channels (γ, Z) with the same (cos θ, φ) phase space and SDE prior weights.
#include <sstream>

#include "common/builtin_process.h"
#include "common/electroweak.h"

namespace madnis::builtin {

class EeMumu final : public BuiltinProcess {
 public:
  explicit EeMumu(const char* text) {
    Params params("ee_mumu", text);
    sqrt_s_ = params.number("sqrts", 91.188, 1.0, 1e6);
    apply_cuts_ = params.choice("cuts", "none", {"none", "mg5"}) == "mg5";
    params.reject_unknown();
    ew_.derive();
    vectors_ = {{0, 0, true}, {ew_.mz, ew_.wz, false}};

    // MadGraph's order for `e+ e- > mu+ mu-`; beam 1 is the positron.
    set_shape("ee_mumu", "e+ e- > mu+ mu- via gamma/Z (LO, massless)", 2, 2, {-11, 11, -13, 13},
              {0, 0, 0, 0});
    set_beams(-11, sqrt_s_ / 2, 11, sqrt_s_ / 2);

    std::ostringstream json;
    json << "{\"channel_names\":[\"gamma\",\"Z\"],\"sqrts\":" << json_number(sqrt_s_) << ",\"cuts\":\"" << (apply_cuts_ ? "mg5" : "none")
         << "\",\"alpha_inv\":" << json_number(ew_.alpha_inv) << ",\"gf\":" << json_number(ew_.g_fermi)
         << ",\"mz\":" << json_number(ew_.mz) << ",\"wz\":" << json_number(ew_.wz)
         << ",\"mw\":" << json_number(ew_.mw) << ",\"sw2\":" << json_number(ew_.sw2);
    if (!apply_cuts_) json << ",\"exact_sigma_pb\":" << json_number(exact_sigma());
    json << "}";
    set_parameters_json(json.str());
  }

  void evaluate_point(int, const double* u, PointResult& r) const override {
    const double s = sqrt_s_ * sqrt_s_, e = sqrt_s_ / 2;
    const double cos_theta = 2 * u[0] - 1, phi = 2 * kPi * u[1];
    const Vec4 positron{e, 0, 0, e}, electron{e, 0, 0, -e};
    Vec4 mu_plus, mu_minus;
    massless_pair(sqrt_s_, cos_theta, phi, mu_plus, mu_minus);

    DiagramSquares m2;
    ffbar_to_ffbar(ew_, kElectron, kElectron, vectors_, electron, mu_minus, mu_plus, s, m2);
    single_diagram_weights(m2.single, r.alpha);

    // externals: e+ e- mu+ mu-; the fermions are e- (1) and mu- (3)
    const int order[4] = {1, 0, 3, 2};
    choose_helicities(m2, selection_uniform(u, 2, 1), order, r.helicity);
    positron.store(r.momenta);
    electron.store(r.momenta + 4);
    mu_plus.store(r.momenta + 8);
    mu_minus.store(r.momenta + 12);
    r.x1 = r.x2 = 1;
    r.mu_f = r.mu_r = sqrt_s_;
    r.alpha_s = 0.118;  // the sm param_card's aS; enters only the event record
    r.alpha_qed = ew_.alpha;

    if (apply_cuts_ && !(passes(mu_plus) && passes(mu_minus))) {
      r.weight = 0;
      return;
    }
    // dσ = |M|²/(2s) dΦ₂, dΦ₂ = dcosθ dφ/(32π²); the map u → (cosθ, φ) has Jacobian 4π.
    r.weight = kGeV2ToPb * m2.total / (2 * s) * 4 * kPi / (32 * kPi * kPi);
  }

 private:
  static bool passes(const Vec4& lepton) { return lepton.pt() > 10 && std::abs(lepton.eta()) < 2.5; }

  // Σ over helicities of |A|² integrated over the full solid angle (no cuts):
  // σ = (π α² / 3s) Σ_{λλ'} |Q_e Q_μ + g_λ g_λ' s/(s − M_Z² + i M_Z Γ_Z)|², an
  // independent check of the numerical integral.
  double exact_sigma() const {
    const double s = sqrt_s_ * sqrt_s_, sw = std::sqrt(ew_.sw2), cw = std::sqrt(ew_.cw2);
    const double g[2] = {(-0.5 + ew_.sw2) / (sw * cw), sw / cw};
    const std::complex<double> chi = s / std::complex<double>(s - ew_.mz * ew_.mz, ew_.mz * ew_.wz);
    double sum = 0;
    for (double g1 : g)
      for (double g2 : g) sum += std::norm(1.0 + g1 * g2 * chi);
    return kGeV2ToPb * kPi * ew_.alpha * ew_.alpha / (3 * s) * sum;
  }

  double sqrt_s_ = 0;
  bool apply_cuts_ = false;
  Electroweak ew_;
  std::vector<NeutralVector> vectors_;
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::EeMumu)
