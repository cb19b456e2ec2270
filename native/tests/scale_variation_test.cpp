#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "check.h"
#include "pdf/alpha_s.h"
#include "scale_variation.h"

using namespace madnis;

namespace {

// One event's columns, owned.
struct OneEvent {
  std::vector<int32_t> pdg;
  int32_t order;
  double x1, x2, mu_f, mu_r, alpha_s;
  ScaleVariationEvents view() const {
    ScaleVariationEvents v;
    v.count = 1;
    v.externals = int(pdg.size());
    v.pdg = pdg.data();
    v.qcd_order = &order;
    v.x1 = &x1;
    v.x2 = &x2;
    v.mu_f = &mu_f;
    v.mu_r = &mu_r;
    v.alpha_s = &alpha_s;
    return v;
  }
};

std::vector<double> ratios_of(const OneEvent& event, const ScaleVariationSetup& setup) {
  const auto factors = nine_point_scale_factors();
  std::vector<double> out(factors.size());
  scale_variation_ratios(event.view(), setup, factors, out.data());
  return out;
}

}  // namespace

TEST(scale_factors_in_mg5_order) {
  const auto f = nine_point_scale_factors();
  CHECK(f.size() == 9);
  CHECK(f[0].mu_r == 0.5 && f[0].mu_f == 0.5);
  CHECK(f[1].mu_r == 0.5 && f[1].mu_f == 1);
  CHECK(f[4].mu_r == 1 && f[4].mu_f == 1);
  CHECK(f[8].mu_r == 2 && f[8].mu_f == 2);
}

// Lepton beams: no PDF, so mu_F changes nothing; mu_R enters as the alpha_s ratio to n_qcd.
TEST(scale_variation_lepton_beams_alpha_s_only) {
  const OneEvent event{{-11, 11, 1, -1, 21}, 1, 1, 1, 0, 45.0, 0.125};
  const auto r = ratios_of(event, ScaleVariationSetup{});
  CHECK(r[4] == 1);
  const double up = run_alpha_s(0.125, 45.0, 90.0, 2) / 0.125, down = run_alpha_s(0.125, 45.0, 22.5, 2) / 0.125;
  for (int f = 0; f < 3; ++f) {
    CHECK(r[0 + f] == down);
    CHECK(r[6 + f] == up);
    CHECK(r[3 + f] == 1);
  }
  CHECK(down > 1 && up < 1);
  OneEvent squared = event;
  squared.order = 2;
  CHECK(std::abs(ratios_of(squared, ScaleVariationSetup{})[6] - up * up) < 1e-15);
  OneEvent unknown = event;
  unknown.order = -1;
  const auto n = ratios_of(unknown, ScaleVariationSetup{});
  CHECK(n[4] == 1 && std::isnan(n[0]) && std::isnan(n[8]));
}

TEST(scale_variation_pdf_ratio_and_antiproton_mirror) {
  const char* path = std::getenv("MADNIS_TEST_PDF_GRID");
  if (!path || !*path) SKIP("MADNIS_TEST_PDF_GRID not set (the shared NNPDF2.3 grid)");
  const LHGridPdf pdf = LHGridPdf::load(path);
  ScaleVariationSetup pp;
  pp.pdf = &pdf;
  pp.beam_pdf[0] = pp.beam_pdf[1] = 1;
  const OneEvent event{{2, -2, -11, 11}, 0, 0.02, 0.003, 91.188, 91.188, 0.13};
  const auto r = ratios_of(event, pp);
  CHECK(r[4] == 1);
  const double expected = pdf.xfx(2, 0.02, 182.376) / pdf.xfx(2, 0.02, 91.188) * pdf.xfx(-2, 0.003, 182.376) /
                          pdf.xfx(-2, 0.003, 91.188);
  CHECK(std::abs(r[8] / expected - 1) < 1e-14);
  CHECK(r[2] == r[8] && r[5] == r[8]);  // n_qcd = 0: mu_R changes nothing
  // p p-bar with the antiquark from the antiproton is the same densities as u u-bar in p p
  ScaleVariationSetup ppbar = pp;
  ppbar.beam_pdf[1] = -1;
  const OneEvent mirrored{{2, 2, -11, 11}, 0, 0.02, 0.003, 91.188, 91.188, 0.13};
  CHECK(ratios_of(mirrored, ppbar)[8] == r[8]);
  // a zero density at mu_F (x = 1): no variation can be computed
  OneEvent edge = event;
  edge.x1 = 1;
  CHECK(std::isnan(ratios_of(edge, pp)[8]));
}
