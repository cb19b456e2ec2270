// MadEvent's running of alpha_s (Source/alfas_functions.f, as used with the built-in PDF
// sets and for lepton beams: 2-loop, setrun.f's nloop = 2), shared by the PDF grids and the
// scale variations: flavour thresholds at 1.42 and 4.7 GeV and the reference scale 91.188
// GeV, MadEvent's own values (not the grid header's masses), at most 5 active flavours.
#pragma once

namespace madnis {

constexpr double kAlphaSReferenceScale = 91.188;
constexpr double kCharmThreshold = 1.42, kBottomThreshold = 4.7;

// Active flavours at scale q (3 below the charm threshold, 4 below the bottom one, else 5).
int active_flavours(double q);

// alpha_s at fixed nf evolved over t = ln(Q^2/Q0^2) from a0 = alpha_s(Q0), with 1 or 2
// loops. The 2-loop implicit solution uses Newton's method with MadEvent's stopping rule
// (relative step <= 5e-4), because those last digits are part of MadEvent's weights.
double evolve_alpha_s(double a0, double t, int nf, int nloop);

// alpha_s at q_to from its value at q_from, evolved across the flavour thresholds between
// them (each segment at its own nf). q_from == q_to returns alpha exactly.
// Throws std::invalid_argument for non-positive scales or nloop other than 1, 2.
double run_alpha_s(double alpha, double q_from, double q_to, int nloop);

}  // namespace madnis
