#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

#include "check.h"
#include "pdf/alpha_s.h"
#include "pdf/lhgrid_pdf.h"

using madnis::LHGridPdf;

namespace {

std::string grid_path() {
  const char* path = std::getenv("MADNIS_TEST_PDF_GRID");
  if (!path || !*path) SKIP("MADNIS_TEST_PDF_GRID not set (the shared NNPDF2.3 grid)");
  return path;
}

// ∫ g(x) dx over (1e-9, 1) on a log grid in x (the integrands are x·f, smooth in ln x).
template <typename F>
double integrate_x(F g) {
  const int n = 20000;
  const double lo = std::log(1e-9);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double x = std::exp(lo * (1 - (i + 0.5) / n));
    sum += g(x) * x * (-lo / n);
  }
  return sum;
}

}  // namespace

// Sum rules are physics the fit imposes, so they test layout, flavour order and
// interpolation together: momentum Σ∫x f = 1, valence ∫(u−ū) = 2, ∫(d−d̄) = 1.
TEST(pdf_sum_rules) {
  const LHGridPdf pdf = LHGridPdf::load(grid_path());
  for (double q : {10.0, 100.0, 1000.0}) {
    const double momentum = integrate_x([&](double x) {
      double f[14];
      pdf.xfx_all(x, q, f);
      double s = 0;
      for (double v : f) s += v;
      return s;
    });
    const double u_valence = integrate_x([&](double x) { return (pdf.xfx(2, x, q) - pdf.xfx(-2, x, q)) / x; });
    const double d_valence = integrate_x([&](double x) { return (pdf.xfx(1, x, q) - pdf.xfx(-1, x, q)) / x; });
    std::printf("     Q=%g GeV: momentum %.4f, u valence %.4f, d valence %.4f\n", q, momentum, u_valence, d_valence);
    CHECK_NEAR(momentum, 1.0, 0.01);
    CHECK_NEAR(u_valence, 2.0, 0.02);
    CHECK_NEAR(d_valence, 1.0, 0.02);
  }
}

TEST(pdf_alpha_s_at_mz) {
  const LHGridPdf pdf = LHGridPdf::load(grid_path());
  CHECK_NEAR(pdf.alphas_mz(), 0.130, 1e-12);
  CHECK_NEAR(pdf.alphas(91.188), 0.130, 1e-6);
  CHECK(pdf.alphas(10.0) > pdf.alphas(91.188));
  CHECK(pdf.alphas(1000.0) < pdf.alphas(91.188));
}

TEST(pdf_errors_name_file_and_line) {
  try {
    LHGridPdf::load("/nonexistent/grid.grid");
    CHECK(false);
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent/grid.grid") != std::string::npos);
  }
  // A grid cut off in its data block.
  const std::string source = grid_path();
  const std::string truncated = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                                "/madnis_truncated_" + std::to_string(::getpid()) + ".grid";
  {
    std::ifstream in(source);
    std::ofstream out(truncated);
    std::string line;
    for (int i = 0; i < 500 && std::getline(in, line); ++i) out << line << "\n";
  }
  std::string message;
  try {
    LHGridPdf::load(truncated);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  std::remove(truncated.c_str());
  CHECK(message.find(truncated) != std::string::npos);
  CHECK(message.find("line") != std::string::npos);
}

// The grid's running is MadEvent's, the one the scale variations use from any scale.
TEST(pdf_alpha_s_is_the_shared_running) {
  const LHGridPdf pdf = LHGridPdf::load(grid_path());
  for (double q : {2.0, 4.0, 30.0, 91.188, 350.0, 3000.0}) {
    const double from_mz = madnis::run_alpha_s(pdf.alphas_mz(), 91.188, q, 2);
    CHECK(std::abs(pdf.alphas(q) / from_mz - 1) < 1e-12);
  }
}
