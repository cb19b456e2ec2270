#include "lhgrid_pdf.h"

#include "alpha_s.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace madnis {
namespace {

// MadEvent's alpha_s reference scale and flavour thresholds (alfas_functions.f), which
// differ from the MZ and quark masses in the grid header; MadEvent uses its own.
constexpr double kMZ = kAlphaSReferenceScale, kMB = kBottomThreshold, kMC = kCharmThreshold;
// MG5 switches from log x to linear x interpolation here.
constexpr double kXLinear = 0.1;

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; }

// Line-oriented reader of the Fortran list-directed text, for error messages with
// line numbers.
class Reader {
 public:
  Reader(const std::string& path, std::istream& in) : path_(path), in_(in) {}

  const std::string& next(const std::string& expected) {
    ++lineno_;
    if (!std::getline(in_, line_)) fail("unexpected end of file, expected " + expected);
    return line_;
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw std::runtime_error("PDF grid " + path_ + " line " + std::to_string(lineno_) +
                             ": " + msg);
  }
  // First field of the current line with any Fortran quotes removed.
  std::string first_field() const {
    size_t b = 0;
    while (b < line_.size() && is_separator(line_[b])) ++b;
    if (b < line_.size() && line_[b] == '\'') {
      const size_t e = line_.find('\'', b + 1);
      return line_.substr(b + 1, e == std::string::npos ? std::string::npos : e - b - 1);
    }
    size_t e = b;
    while (e < line_.size() && !is_separator(line_[e])) ++e;
    return line_.substr(b, e - b);
  }
  // Parses the current line as n numbers; `exact` rejects extra fields.
  void numbers(double* out, int n, bool exact) const {
    const char* p = line_.c_str();
    for (int i = 0;; ++i) {
      while (is_separator(*p)) ++p;
      if (i == n) {
        if (exact && *p) fail("expected " + std::to_string(n) + " numbers, found more");
        return;
      }
      if (!*p) fail("expected " + std::to_string(n) + " numbers, found " + std::to_string(i));
      char* end = nullptr;
      out[i] = std::strtod(p, &end);
      if (end == p || (*end && !is_separator(*end)) || !std::isfinite(out[i])) {
        const char* e = p;
        while (*e && !is_separator(*e)) ++e;
        fail("expected a number, found '" + std::string(p, e) + "'");
      }
      p = end;
    }
  }
  double number(const std::string& expected) {
    next(expected);
    double v;
    numbers(&v, 1, true);
    return v;
  }
  int count(const std::string& what, int min) {
    const double v = number(what);
    if (v != std::floor(v) || v < min || v > 1e6)
      fail("expected " + what + " (an integer >= " + std::to_string(min) + ")");
    return static_cast<int>(v);
  }
  // Reads n strictly increasing positive knots, one per line.
  std::vector<double> knots(int n, const char* what) {
    std::vector<double> v(n);
    for (int i = 0; i < n; ++i) {
      v[i] = number(std::string("a ") + what + " knot");
      if (!(v[i] > 0) || (i > 0 && !(v[i] > v[i - 1])))
        fail(std::string(what) + " knots must be positive and strictly increasing");
    }
    return v;
  }

 private:
  const std::string& path_;
  std::istream& in_;
  std::string line_;
  int lineno_ = 0;
};

}  // namespace

LHGridPdf LHGridPdf::load(const std::string& path) {
  std::ifstream in(path);
  in.peek();  // opening a directory succeeds; only the first read reports EISDIR
  if (!in || in.bad())
    throw std::runtime_error("cannot open PDF grid '" + path + "': " + std::strerror(errno));
  Reader r(path, in);
  LHGridPdf pdf;
  bool have_alphas = false, qed = false;
  // Header: free-form sections until the NNPDF evolution tag that precedes the grid.
  for (bool in_description = false;;) {
    r.next("an 'NNPDF20int' or 'NNPDF20intqed' grid section");
    const std::string key = r.first_field();
    if (key == "NNPDF20int" || key == "NNPDF20intqed") {
      qed = key == "NNPDF20intqed";
      break;
    }
    if (key == "Description:") {
      in_description = true;
    } else if (key == "Alphas:" || key == "MinMax:" || key == "QCDparams:" || key == "Evolution:") {
      in_description = false;
    } else if (key == "Parameterlist:") {
      in_description = false;
      r.next("the 'list' line");
      r.next("alpha_s(MZ)");
      r.numbers(&pdf.alphas_mz_, 1, false);
      have_alphas = pdf.alphas_mz_ > 0;
      if (!have_alphas) r.fail("expected a positive alpha_s(MZ)");
    } else if (in_description) {
      if (!pdf.description_.empty()) pdf.description_ += '\n';
      pdf.description_ += key;
    }
  }
  if (!have_alphas) r.fail("grid section found before 'Parameterlist:' (alpha_s(MZ))");

  r.next("the member range");
  const int nx = r.count("the number of x knots", 4);
  pdf.x_ = r.knots(nx, "x");
  const int nq = r.count("the number of Q^2 knots", 2);
  r.number("the minimum Q^2");  // repeated before the knots; MG5 ignores it too
  pdf.q2_ = r.knots(nq, "Q^2");
  r.next("the member index");

  const int ncol = qed ? kFlav : kFlav - 1;
  pdf.grid_.assign(static_cast<size_t>(nx) * nq * kFlav, 0.0);
  for (size_t row = 0; row < static_cast<size_t>(nx) * nq; ++row) {
    r.next(std::to_string(ncol) + " PDF values");
    r.numbers(&pdf.grid_[row * kFlav], ncol, true);
  }

  for (double x : pdf.x_) pdf.logx_.push_back(std::log(x));
  for (double q2 : pdf.q2_) pdf.logq2_.push_back(std::log(q2));
  pdf.inv_denom_.resize(2 * (nx - 3) * 4);
  for (int lin = 0; lin < 2; ++lin) {
    const std::vector<double>& u = lin ? pdf.x_ : pdf.logx_;
    for (int s = 0; s + 4 <= nx; ++s)
      for (int k = 0; k < 4; ++k) {
        double d = 1;
        for (int m = 0; m < 4; ++m)
          if (m != k) d *= u[s + k] - u[s + m];
        pdf.inv_denom_[(lin * (nx - 3) + s) * 4 + k] = 1 / d;
      }
  }
  for (int l = 0; l < 2; ++l) {
    pdf.as_mb_[l] = evolve_alpha_s(pdf.alphas_mz_, 2 * std::log(kMB / kMZ), 5, l + 1);
    pdf.as_mc_[l] = evolve_alpha_s(pdf.as_mb_[l], 2 * std::log(kMC / kMB), 4, l + 1);
  }
  return pdf;
}

// MG5's scheme: cubic (4-point) polynomial in log x (x < 0.1) or x, linear in log Q^2,
// on the knots around the point, shifted inwards at the grid edges.
LHGridPdf::Stencil LHGridPdf::locate(double x, double q) const {
  const int nx = static_cast<int>(x_.size()), nq = static_cast<int>(q2_.size());
  const double xc = std::clamp(x, x_.front(), x_.back());
  const double q2 = std::clamp(q * q, q2_.front(), q2_.back());
  const int ix = static_cast<int>(std::upper_bound(x_.begin(), x_.end(), xc) - x_.begin()) - 1;
  const int iq = static_cast<int>(std::upper_bound(q2_.begin(), q2_.end(), q2) - q2_.begin()) - 1;
  const int x0 = std::clamp(ix - 1, 0, nx - 4), q0 = std::min(iq, nq - 2);

  const bool lin = xc >= kXLinear;
  const double u = lin ? xc : std::log(xc);
  const double* uk = (lin ? x_.data() : logx_.data()) + x0;
  const double* inv = inv_denom_.data() + ((lin ? nx - 3 : 0) + x0) * 4;
  const double d0 = u - uk[0], d1 = u - uk[1], d2 = u - uk[2], d3 = u - uk[3];
  const double wx[4] = {d1 * d2 * d3 * inv[0], d0 * d2 * d3 * inv[1], d0 * d1 * d3 * inv[2],
                        d0 * d1 * d2 * inv[3]};
  const double t = (std::log(q2) - logq2_[q0]) / (logq2_[q0 + 1] - logq2_[q0]);
  // MG5 freezes x in place and later divides x*f by the frozen x, so f is frozen.
  const double scale = x / xc;

  Stencil s;
  s.y = grid_.data() + (static_cast<size_t>(x0) * nq + q0) * kFlav;
  for (int k = 0; k < 4; ++k) {
    s.w[k][0] = scale * wx[k] * (1 - t);
    s.w[k][1] = scale * wx[k] * t;
  }
  return s;
}

void LHGridPdf::xfx_all(double x, double q, double out[14]) const {
  std::fill(out, out + kFlav, 0.0);
  if (!(x > 0 && x < 1)) return;
  const Stencil s = locate(x, q);
  const size_t xstride = q2_.size() * kFlav;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 2; ++j) {
      const double* y = s.y + k * xstride + j * kFlav;
      const double w = s.w[k][j];
      for (int f = 0; f < kFlav; ++f) out[f] += w * y[f];
    }
}

double LHGridPdf::xfx(int pdg, double x, double q) const {
  int col;
  if (pdg == 21 || pdg == 0) col = 6;
  else if (pdg == 22) col = 13;
  else if (pdg >= -6 && pdg <= 6) col = pdg + 6;
  else throw std::invalid_argument("LHGridPdf::xfx: unsupported PDG id " + std::to_string(pdg));
  if (!(x > 0 && x < 1)) return 0;
  const Stencil s = locate(x, q);
  const size_t xstride = q2_.size() * kFlav;
  double v = 0;  // same summation order as xfx_all, so both agree bit for bit
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 2; ++j) v += s.w[k][j] * s.y[k * xstride + j * kFlav + col];
  return v;
}

double LHGridPdf::alphas(double q, int nloop) const {
  if (nloop != 1 && nloop != 2)
    throw std::invalid_argument("LHGridPdf::alphas: nloop must be 1 or 2");
  if (!(q > 0)) throw std::invalid_argument("LHGridPdf::alphas: scale must be positive");
  const int l = nloop - 1;
  if (q < kMC) return evolve_alpha_s(as_mc_[l], 2 * std::log(q / kMC), 3, nloop);
  if (q < kMB) return evolve_alpha_s(as_mb_[l], 2 * std::log(q / kMB), 4, nloop);
  return evolve_alpha_s(alphas_mz_, 2 * std::log(q / kMZ), 5, nloop);
}

}  // namespace madnis
