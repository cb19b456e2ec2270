#include "builtin_process.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace madnis::builtin {

void BuiltinProcess::set_shape(const char* name, const char* description, int dimension,
                               int n_channels, const std::vector<int>& pdg,
                               const std::vector<double>& mass) {
  info_.name = name;
  info_.description = description;
  info_.dimension = dimension;
  info_.n_channels = n_channels;
  info_.n_externals = int(pdg.size());
  for (size_t i = 0; i < pdg.size(); ++i) {
    info_.pdg[i] = pdg[i];
    info_.mass[i] = mass[i];
  }
  info_.pdf_lhaid = -1;
  alpha_.assign(size_t(n_channels), 0.0);
  momenta_.assign(pdg.size() * 4, 0.0);
  pdg_.assign(pdg.size(), 0);
  helicity_.assign(pdg.size(), 9);
  colour_.assign(pdg.size() * 2, 0);
}

void BuiltinProcess::set_beams(int pdg1, double energy1, int pdg2, double energy2) {
  info_.beam_pdg[0] = pdg1;
  info_.beam_pdg[1] = pdg2;
  info_.beam_energy[0] = energy1;
  info_.beam_energy[1] = energy2;
}

madnis_status BuiltinProcess::evaluate(int channel, int64_t n, const double* u,
                                       const madnis_eval_output* out) {
  if (channel < 0 || channel >= info_.n_channels) {
    last_error = "channel " + std::to_string(channel) + " out of range 0.." +
                 std::to_string(info_.n_channels - 1);
    return MADNIS_ERR_INVALID_CHANNEL;
  }
  if (!out || !out->weight || (n > 0 && !u)) {
    last_error = "evaluate: null input or weight output";
    return MADNIS_ERR_INVALID_PARAMETER;
  }
  const size_t d = size_t(info_.dimension), nc = size_t(info_.n_channels),
               ne = size_t(info_.n_externals);
  try {
    for (int64_t i = 0; i < n; ++i) {
      PointResult r;
      r.alpha = out->channel_weights ? out->channel_weights + size_t(i) * nc : alpha_.data();
      r.momenta = out->momenta ? out->momenta + size_t(i) * ne * 4 : momenta_.data();
      r.pdg = out->pdg ? out->pdg + size_t(i) * ne : pdg_.data();
      r.helicity = out->helicity ? out->helicity + size_t(i) * ne : helicity_.data();
      r.colour = out->colour ? out->colour + size_t(i) * ne * 2 : colour_.data();
      for (size_t k = 0; k < ne; ++k) {
        r.pdg[k] = info_.pdg[k];
        r.helicity[k] = 9;
        r.colour[2 * k] = r.colour[2 * k + 1] = 0;
      }
      if (out->resonances) std::fill_n(out->resonances + size_t(i) * MADNIS_MAX_RESONANCES * 2, MADNIS_MAX_RESONANCES * 2, 0);
      if (out->resonance_colour) std::fill_n(out->resonance_colour + size_t(i) * MADNIS_MAX_RESONANCES * 2, MADNIS_MAX_RESONANCES * 2, 0);
      evaluate_point(channel, u + size_t(i) * d, r);
      out->weight[i] = r.weight;
      if (out->x1) out->x1[i] = r.x1;
      if (out->x2) out->x2[i] = r.x2;
      if (out->mu_f) out->mu_f[i] = r.mu_f;
      if (out->mu_r) out->mu_r[i] = r.mu_r;
      if (out->alpha_s) out->alpha_s[i] = r.alpha_s;
      if (out->alpha_qed) out->alpha_qed[i] = r.alpha_qed;
      if (out->qcd_order) out->qcd_order[i] = r.qcd_order;
      if (out->pdf_factor) out->pdf_factor[i] = r.pdf_factor;
    }
  } catch (const std::exception& e) {
    last_error = e.what();
    return MADNIS_ERR_EVALUATION;
  }
  return MADNIS_OK;
}

double selection_uniform(const double* u, int dimension, uint64_t salt) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (salt * 0xD6E8FEB86659FD93ull);
  for (int k = 0; k < dimension; ++k) {
    uint64_t bits;
    std::memcpy(&bits, &u[k], sizeof bits);
    h ^= bits + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    // splitmix64 finaliser
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return double(h >> 11) * 0x1.0p-53;
}

size_t choose(const double* weights, size_t n, double r) {
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += weights[i];
  const double target = r * total;
  double running = 0;
  size_t last_positive = 0;
  for (size_t i = 0; i < n; ++i) {
    if (weights[i] <= 0) continue;
    last_positive = i;
    running += weights[i];
    if (target < running) return i;
  }
  return last_positive;  // rounding at the top end
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace madnis::builtin
