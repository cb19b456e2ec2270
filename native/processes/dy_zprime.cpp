// p p → γ/Z/Z′ → e+ e- at leading order with NNPDF2.3 LO densities — the MadNIS toy
// (../shared/BENCHMARKS.md). One channel per s-channel vector, each with its own
// invariant-mass mapping; prior weights from the PDF-weighted single-diagram squares.
// Random numbers: u0 → ŝ (channel mapping), u1 → rapidity, u2 → cos θ*, u3 → φ.
#include <array>
#include <sstream>

#include "common/builtin_process.h"
#include "common/electroweak.h"
#include "pdf/lhgrid_pdf.h"

namespace madnis::builtin {

namespace {

// Quarks in the proton of MadGraph's default `sm` (4 flavours): d u s c.
constexpr std::array<int, 4> kQuarks = {1, 2, 3, 4};
constexpr double kPtMin = 10, kEtaMax = 2.5, kDeltaRMin = 0.4, kCentralScale = 91.188;

const Fermion& quark_of(int pdg) { return std::abs(pdg) % 2 == 0 ? kUpQuark : kDownQuark; }

}  // namespace

class DyZprime final : public BuiltinProcess {
 public:
  explicit DyZprime(const char* text) {
    Params params("dy_zprime", text);
    sqrt_s_ = params.number("sqrts", 13000, 50, 1e6);
    const double mzp = params.number("mzp", 1000, 10, 1e5);
    const double wzp = params.number("wzp", 5, 1e-3, 1e4);
    const bool zprime = params.choice("zprime", "on", {"on", "off"}) == "on";
    const std::string pdf_path = params.text("pdf", "");
    // MG5's run-card scalefact: both scales are scalefact * 91.188 GeV
    const double scalefact = params.number("scalefact", 1, 0.01, 100);
    params.reject_unknown();
    if (pdf_path.empty())
      throw std::invalid_argument(
          "builtin:dy_zprime needs a PDF grid: give pdf=PATH to NNPDF23_lo_as_0130_qed_mem0.grid");
    try {
      pdf_ = LHGridPdf::load(pdf_path);
    } catch (const std::exception& e) {
      throw MissingFile(e.what());
    }
    ew_.derive();
    vectors_ = {{0, 0, true}, {ew_.mz, ew_.wz, false}};
    if (zprime) vectors_.push_back({mzp, wzp, false});
    s_min_ = 4 * kPtMin * kPtMin;  // p_T ≤ √ŝ/2 for each lepton
    scale_ = scalefact * kCentralScale;
    alpha_s_ = pdf_.alphas(scale_);

    // MadGraph's order for `p p > e+ e-` (representative subprocess u u~ > e+ e-).
    set_shape("dy_zprime",
              zprime ? "p p > e+ e- via gamma/Z/Z' (LO, NNPDF2.3 LO)" : "p p > e+ e- via gamma/Z (LO, NNPDF2.3 LO)",
              4, int(vectors_.size()), {2, -2, -11, 11}, {0, 0, 0, 0});
    set_beams(2212, sqrt_s_ / 2, 2212, sqrt_s_ / 2);
    info_.uses_pdf = 1;
    info_.pdf_lhaid = 247000;  // NNPDF23_lo_as_0130_qed

    std::ostringstream json;
    json << "{\"channel_names\":[\"gamma\",\"Z\"" << (zprime ? ",\"Zprime\"" : "") << "],\"sqrts\":" << json_number(sqrt_s_) << ",\"zprime\":\"" << (zprime ? "on" : "off")
         << "\",\"mzp\":" << json_number(mzp) << ",\"wzp\":" << json_number(wzp)
         << ",\"pdf\":\"" << json_escape(pdf_path) << "\",\"scalefact\":" << json_number(scalefact) << ",\"mu_f\":" << json_number(scale_)
         << ",\"alpha_s\":" << json_number(alpha_s_) << ",\"mz\":" << json_number(ew_.mz)
         << ",\"wz\":" << json_number(ew_.wz) << ",\"mw\":" << json_number(ew_.mw)
         << ",\"sw2\":" << json_number(ew_.sw2) << ",\"cuts\":\"ptl>10 |etal|<2.5 drll>0.4\"}";
    set_parameters_json(json.str());
  }

  void evaluate_point(int channel, const double* u, PointResult& r) const override {
    const double s = sqrt_s_ * sqrt_s_;
    double jacobian = 0;
    const double shat = map_invariant_mass(channel, u[0], s, jacobian);
    const double tau = shat / s, log_tau = std::log(tau);
    const double y = log_tau * (0.5 - u[1]);  // y ∈ [½ ln τ, −½ ln τ]
    jacobian *= -log_tau / s;                 // dx1 dx2 = dτ dy = dŝ/s dy
    const double x1 = std::sqrt(tau) * std::exp(y), x2 = std::sqrt(tau) * std::exp(-y);

    const double cos_theta = 2 * u[2] - 1, phi = 2 * kPi * u[3];
    Vec4 e_plus, e_minus;
    massless_pair(std::sqrt(shat), cos_theta, phi, e_plus, e_minus);
    const double e = 0.5 * std::sqrt(shat);
    const Vec4 parton1{e, 0, 0, e}, parton2{e, 0, 0, -e};  // partonic rest frame

    double pdf1[14], pdf2[14];
    pdf_.xfx_all(x1, scale_, pdf1);
    pdf_.xfx_all(x2, scale_, pdf2);

    // Sum over q q̄ and q̄ q for each flavour; keep each term for the flavour choice.
    std::array<double, 2 * kQuarks.size()> terms{};
    std::fill(r.alpha, r.alpha + vectors_.size(), 0.0);
    std::vector<double> diagram_sum(vectors_.size(), 0.0);
    DiagramSquares m2;
    double total = 0;
    for (size_t k = 0; k < kQuarks.size(); ++k) {
      const int q = kQuarks[k];
      for (int order = 0; order < 2; ++order) {
        const int a = order == 0 ? q : -q;  // parton from beam 1
        const double lumi = pdf1[a + 6] * pdf2[-a + 6] / (x1 * x2);
        if (lumi <= 0) continue;
        const Vec4& quark_momentum = a > 0 ? parton1 : parton2;
        ffbar_to_ffbar(ew_, quark_of(q), kElectron, vectors_, quark_momentum, e_minus, e_plus, shat, m2);
        const double weight = lumi * m2.total / 3;  // colour average
        terms[2 * k + size_t(order)] = weight;
        total += weight;
        for (size_t j = 0; j < vectors_.size(); ++j) diagram_sum[j] += lumi * m2.single[j];
      }
    }
    single_diagram_weights(diagram_sum, r.alpha);

    // The event record: pick the flavour with probability ∝ its contribution.
    const size_t chosen = choose(terms.data(), terms.size(), selection_uniform(u, 4));
    const int quark = (chosen % 2 == 0 ? 1 : -1) * kQuarks[chosen / 2];
    // helicities of the chosen flavour's amplitudes; the quark line carries colour 501
    const int q = kQuarks[chosen / 2];
    ffbar_to_ffbar(ew_, quark_of(q), kElectron, vectors_, quark > 0 ? parton1 : parton2, e_minus, e_plus, shat, m2);
    const int order[4] = {quark > 0 ? 0 : 1, quark > 0 ? 1 : 0, 3, 2};  // externals: a b e+ e-
    choose_helicities(m2, selection_uniform(u, 4, 1), order, r.helicity);
    r.colour[2 * order[0]] = 501;      // quark: colour
    r.colour[2 * order[1] + 1] = 501;  // antiquark: anticolour
    r.pdg[0] = quark;
    r.pdg[1] = -quark;
    const Vec4 lab_e_plus = e_plus.boost_z(y), lab_e_minus = e_minus.boost_z(y);
    const Vec4 beam1{x1 * sqrt_s_ / 2, 0, 0, x1 * sqrt_s_ / 2}, beam2{x2 * sqrt_s_ / 2, 0, 0, -x2 * sqrt_s_ / 2};
    beam1.store(r.momenta);
    beam2.store(r.momenta + 4);
    lab_e_plus.store(r.momenta + 8);
    lab_e_minus.store(r.momenta + 12);
    r.x1 = x1;
    r.x2 = x2;
    r.mu_f = r.mu_r = scale_;
    r.alpha_s = alpha_s_;
    r.qcd_order = 0;  // electroweak at leading order
    r.pdf_factor = pdf1[quark + 6] / x1 * pdf2[-quark + 6] / x2;
    r.alpha_qed = ew_.alpha;

    if (!passes_cuts(lab_e_plus, lab_e_minus) || total <= 0) {
      r.weight = 0;
      return;
    }
    // dσ = |M|²/(2ŝ) dΦ₂ with dΦ₂ = dcosθ dφ/(32π²), Jacobian 4π for (u2, u3).
    r.weight = kGeV2ToPb * jacobian * total / (2 * shat) * 4 * kPi / (32 * kPi * kPi);
  }

 private:
  // ŝ from u for a channel: 1/ŝ for the photon, Breit–Wigner for massive vectors.
  double map_invariant_mass(int channel, double u, double s, double& jacobian) const {
    const NeutralVector& v = vectors_[size_t(channel)];
    if (v.photon) {
      const double log_ratio = std::log(s / s_min_);
      const double shat = s_min_ * std::exp(u * log_ratio);
      jacobian = shat * log_ratio;
      return shat;
    }
    const double m2 = v.mass * v.mass, mg = v.mass * v.width;
    const double lo = std::atan((s_min_ - m2) / mg), hi = std::atan((s - m2) / mg);
    const double angle = lo + u * (hi - lo);
    const double shat = m2 + mg * std::tan(angle);
    jacobian = (hi - lo) * ((shat - m2) * (shat - m2) + mg * mg) / mg;
    return shat;
  }

  static bool passes_cuts(const Vec4& a, const Vec4& b) {
    return a.pt() > kPtMin && b.pt() > kPtMin && std::abs(a.eta()) < kEtaMax &&
           std::abs(b.eta()) < kEtaMax && delta_r(a, b) > kDeltaRMin;
  }

  static std::string json_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }

  double sqrt_s_ = 13000, s_min_ = 400, alpha_s_ = 0, scale_ = kCentralScale;
  Electroweak ew_;
  std::vector<NeutralVector> vectors_;
  LHGridPdf pdf_;
};

}  // namespace madnis::builtin

MADNIS_EXPORT_BUILTIN(madnis::builtin::DyZprime)
