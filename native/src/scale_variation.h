// Scale variations of leading-order event weights, as MG5's `systematics` computes them
// from an event's <mgrwt> block (madgraph/various/systematics.py, get_lo_wgt): for factors
// (xi_R, xi_F) an event of weight w gets
//
//   w(xi_R, xi_F) = w * prod_b f_b(x_b, xi_F mu_F) / f_b(x_b, mu_F)
//                     * [alpha_s(xi_R mu_R) / alpha_s(mu_R)]^n_qcd
//
// with f_b the density of beam b's parton (only for beams with a PDF), n_qcd the power of
// alpha_s in the weight, and alpha_s(xi_R mu_R) run from the event's own alpha_s(mu_R) with
// MadEvent's running (pdf/alpha_s.h, nloop 2 for nn23lo1 and for lepton beams). Unlike
// systematics.py, whose alpha_s is LHAPDF's, the running is the one that made the event's
// alpha_s, so xi_R = 1 is exact. The central ratio (1, 1) is exactly 1.
#pragma once

#include <cstdint>
#include <vector>

#include "pdf/lhgrid_pdf.h"

namespace madnis {

struct ScaleFactors {
  double mu_r;
  double mu_f;
};

// The 9 points (0.5, 1, 2)^2 in MG5's systematics order: mu_R slowest, mu_F fastest.
std::vector<ScaleFactors> nine_point_scale_factors();

// Views of the event-record columns the variations read (event_record.h), `count` events.
struct ScaleVariationEvents {
  int64_t count = 0;
  int externals = 0;
  const int32_t* pdg = nullptr;  // externals per event; the first two are the partons
  const int32_t* qcd_order = nullptr;
  const double* x1 = nullptr;
  const double* x2 = nullptr;
  const double* mu_f = nullptr;
  const double* mu_r = nullptr;
  const double* alpha_s = nullptr;
};

struct ScaleVariationSetup {
  // the PDF the weights were computed with; needed when a beam has a PDF
  const LHGridPdf* pdf = nullptr;
  // per beam: +1 a proton's PDF, -1 an antiproton's (flavours mirrored), 0 no PDF (lepton)
  int beam_pdf[2] = {0, 0};
  int nloop = 2;
};

// ratios[e * factors.size() + v] = w(factors[v]) / w for event e. An event whose ratio
// cannot be computed (n_qcd < 0, i.e. unknown, or a zero PDF at the event's mu_F) gets NaN
// for every variation but (1, 1). Throws std::invalid_argument for a setup that needs a PDF
// and has none, or a non-positive scale factor.
void scale_variation_ratios(const ScaleVariationEvents& events, const ScaleVariationSetup& setup,
                            const std::vector<ScaleFactors>& factors, double* ratios);

}  // namespace madnis
