#include "scale_variation.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "pdf/alpha_s.h"

namespace madnis {

std::vector<ScaleFactors> nine_point_scale_factors() {
  std::vector<ScaleFactors> factors;
  for (double r : {0.5, 1.0, 2.0})
    for (double f : {0.5, 1.0, 2.0}) factors.push_back({r, f});
  return factors;
}

namespace {

// The density's flavour for a parton of a beam: an antiproton's u is a proton's u-bar;
// gluons and photons are their own antiparticles.
int pdf_flavour(int parton, int beam_pdf) {
  if (beam_pdf > 0 || parton == 21 || parton == 22) return parton;
  return -parton;
}

}  // namespace

void scale_variation_ratios(const ScaleVariationEvents& events, const ScaleVariationSetup& setup,
                            const std::vector<ScaleFactors>& factors, double* ratios) {
  const bool any_pdf = setup.beam_pdf[0] != 0 || setup.beam_pdf[1] != 0;
  if (any_pdf && !setup.pdf) throw std::invalid_argument("scale variations: a beam has a PDF but no PDF grid was given");
  for (const ScaleFactors& f : factors)
    if (!(f.mu_r > 0) || !(f.mu_f > 0)) throw std::invalid_argument("scale variations: scale factors must be positive");
  const size_t nv = factors.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t e = 0; e < events.count; ++e) {
    double* out = ratios + size_t(e) * nv;
    const int order = events.qcd_order[e];
    const double mu_f = events.mu_f[e], mu_r = events.mu_r[e], alpha = events.alpha_s[e];
    const double x[2] = {events.x1[e], events.x2[e]};
    // each beam's density at mu_F, the denominator of every variation
    double f0[2] = {1, 1};
    int flavour[2] = {0, 0};
    bool known = order >= 0;
    for (int b = 0; b < 2 && known; ++b) {
      if (!setup.beam_pdf[b]) continue;
      flavour[b] = pdf_flavour(events.pdg[size_t(e) * size_t(events.externals) + size_t(b)], setup.beam_pdf[b]);
      f0[b] = setup.pdf->xfx(flavour[b], x[b], mu_f);
      known = f0[b] != 0 && std::isfinite(f0[b]);
    }
    if (known && order > 0 && !(alpha > 0 && mu_r > 0)) known = false;
    for (size_t v = 0; v < nv; ++v) {
      const ScaleFactors& f = factors[v];
      if (f.mu_r == 1 && f.mu_f == 1) {
        out[v] = 1;
        continue;
      }
      if (!known) {
        out[v] = nan;
        continue;
      }
      double ratio = 1;
      if (f.mu_f != 1)
        for (int b = 0; b < 2; ++b)
          if (setup.beam_pdf[b]) ratio *= setup.pdf->xfx(flavour[b], x[b], f.mu_f * mu_f) / f0[b];
      if (order > 0 && f.mu_r != 1)
        ratio *= std::pow(run_alpha_s(alpha, mu_r, f.mu_r * mu_r, setup.nloop) / alpha, order);
      out[v] = ratio;
    }
  }
}

}  // namespace madnis
