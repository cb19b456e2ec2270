// Reader and interpolator for LHAPDF5 "LHgrid" text files of the NNPDF20int(qed)
// kind, e.g. MadGraph5's default NNPDF23_lo_as_0130_qed_mem0.grid (pdlabel nn23lo1).
// The interpolation reproduces MG5's built-in NNPDF driver, so event weights agree
// with MadEvent without needing LHAPDF. Only member 0 is read.
#ifndef MADNIS_LHGRID_PDF_H
#define MADNIS_LHGRID_PDF_H

#include <string>
#include <vector>

namespace madnis {

class LHGridPdf {
 public:
  // Throws std::runtime_error naming the file (and line, for parse errors).
  static LHGridPdf load(const std::string& path);

  // x*f(x,Q) for a PDG id: +-1..6 (quarks/antiquarks), 21 or 0 (gluon), 22 (photon).
  // Outside the grid x and Q^2 are frozen at the edge as MG5 does; since MG5 freezes
  // x in place before dividing x*f by it, below xmin it is f (not x*f) that is frozen.
  // Returns 0 for x <= 0 and x >= 1, as MG5 does. Throws std::invalid_argument for
  // other PDG ids.
  double xfx(int pdg, double x, double q) const;
  // out[pdg + 6] for pdg -6..6 (out[6] = gluon), out[13] = photon (0 without QED).
  void xfx_all(double x, double q, double out[14]) const;

  double alphas_mz() const { return alphas_mz_; }
  // MadEvent's running (alpha_s.h): 2-loop (MG5 3.1.1 pdfwrap.f leaves nloop=2 for
  // nn23lo1 even though pdf_list.txt says 1), Newton-solved, alpha_s(91.188) =
  // alphas_mz(), flavour thresholds at 1.42 and 4.7 GeV, at most 5 active flavours.
  double alphas(double q) const { return alphas(q, 2); }
  double alphas(double q, int nloop) const;  // nloop 1 or 2

  const std::string& description() const { return description_; }

 private:
  struct Stencil {
    const double* y;  // grid value at the first (x, Q^2) knot of the 4x2 stencil
    double w[4][2];   // tensor-product interpolation weights
  };
  Stencil locate(double x, double q) const;

  static constexpr int kFlav = 14;
  std::vector<double> x_, logx_, logq2_, q2_;
  std::vector<double> grid_;       // [ix][iq][kFlav]
  std::vector<double> inv_denom_;  // [linear x? 1 : 0][first knot][4] Lagrange denominators
  double alphas_mz_ = 0;
  double as_mb_[2] = {0, 0}, as_mc_[2] = {0, 0};  // at the thresholds, per nloop
  std::string description_;
};

}  // namespace madnis

#endif  // MADNIS_LHGRID_PDF_H
